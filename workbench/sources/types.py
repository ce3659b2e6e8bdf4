"""Athena (Hive DDL) column types, parsed once and rendered for each engine.

The source definitions write their columns as Athena types, exactly as a user would
paste them into a ``CREATE EXTERNAL TABLE``. This module parses those strings into a
small tree so that the same definition can be rendered as

* Athena DDL (``STRUCT<type:STRING,...>``),
* the DuckDB type that reads the raw JSON (field names spelled as AWS spells the JSON
  keys, because DuckDB matches JSON keys case-sensitively), and
* the DuckDB type of the table column (lower-case field names, as Athena shows them), and
* the Trino type, for the same table created in Trino's Hive connector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCALARS = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


_TRINO_SCALARS = {"string": "varchar", "int": "integer", "float": "real"}


@dataclass(frozen=True)
class AthenaType:
    """One node of an Athena type.

    Attributes
    ----------
    kind : str
        ``"scalar"``, ``"struct"``, ``"array"`` or ``"map"``.
    name : str
        The scalar's lower-case name (``"string"``); empty for nested kinds.
    fields : tuple of (str, AthenaType)
        Struct fields in order, each with its JSON key spelling (``"userName"``).
    children : tuple of AthenaType
        Element type of an array; key and value types of a map.
    """

    kind: str
    name: str = ""
    fields: tuple[tuple[str, AthenaType], ...] = ()
    children: tuple[AthenaType, ...] = ()

    def athena(self) -> str:
        """Render as Athena DDL with lower-case field names."""
        if self.kind == "scalar":
            return self.name
        if self.kind == "array":
            return f"array<{self.children[0].athena()}>"
        if self.kind == "map":
            return f"map<{self.children[0].athena()},{self.children[1].athena()}>"
        inner = ",".join(f"{key.lower()}:{typ.athena()}" for key, typ in self.fields)
        return f"struct<{inner}>"

    def trino(self) -> str:
        """Render as a Trino type (``row("type" varchar, ...)``), field names lower case and quoted."""
        if self.kind == "scalar":
            return _TRINO_SCALARS.get(self.name, self.name)
        if self.kind == "array":
            return f"array({self.children[0].trino()})"
        if self.kind == "map":
            return f"map({self.children[0].trino()}, {self.children[1].trino()})"
        return "row(" + ", ".join(f'"{key.lower()}" {typ.trino()}' for key, typ in self.fields) + ")"

    def field(self, path: tuple[str, ...]) -> AthenaType | None:
        """The type at ``path`` (struct field names, lower case) below this one, or ``None``."""
        typ: AthenaType | None = self
        for step in path:
            if typ is None or typ.kind != "struct":
                return None
            typ = next((sub for key, sub in typ.fields if key.lower() == step), None)
        return typ

    def duckdb(self, *, json_keys: bool = False) -> str:
        """Render as a DuckDB type.

        Parameters
        ----------
        json_keys : bool
            Spell struct fields as the JSON keys (for ``read_json``) instead of lower case.
        """
        if self.kind == "scalar":
            return _SCALARS[self.name]
        if self.kind == "array":
            return f"{self.children[0].duckdb(json_keys=json_keys)}[]"
        if self.kind == "map":
            key, value = self.children
            return f"MAP({key.duckdb(json_keys=json_keys)}, {value.duckdb(json_keys=json_keys)})"
        inner = ", ".join(
            f'"{key if json_keys else key.lower()}" {typ.duckdb(json_keys=json_keys)}'
            for key, typ in self.fields
        )
        return f"STRUCT({inner})"


def json_structure(typ: AthenaType):
    """The structure ``json_transform`` takes for ``typ`` (JSON keys as spelled in the data).

    Scalars and maps are DuckDB type names; structs are objects; arrays are one-element lists.
    """
    if typ.kind == "struct":
        return {key: json_structure(sub) for key, sub in typ.fields}
    if typ.kind == "array":
        return [json_structure(typ.children[0])]
    return typ.duckdb(json_keys=True)


def pruned_structure(typ: AthenaType, paths: set[tuple[str, ...]]):
    """The ``json_transform`` structure of struct ``typ`` keeping only ``paths`` (lower case).

    A path that ends on a struct keeps that struct whole.
    """
    if any(not path for path in paths) or typ.kind != "struct":
        return json_structure(typ)
    out = {}
    for key, sub in typ.fields:
        below = {path[1:] for path in paths if path[0] == key.lower()}
        if below:
            out[key] = pruned_structure(sub, below)
    return out


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|[<>,:])")


def parse_type(text: str) -> AthenaType:
    """Parse an Athena type such as ``struct<type:string,arn:string>``.

    Struct field names keep their spelling: write them as the JSON keys are spelled
    (``userName``); :meth:`AthenaType.athena` lower-cases them for the DDL.

    Raises
    ------
    ValueError
        If the text is not a well-formed Athena type.
    """
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise ValueError(f"cannot parse Athena type {text!r}")
    typ, rest = _parse(tokens, text)
    if rest:
        raise ValueError(f"unexpected {''.join(rest)!r} after Athena type in {text!r}")
    return typ


def _parse(tokens: list[str], text: str) -> tuple[AthenaType, list[str]]:
    if not tokens:
        raise ValueError(f"truncated Athena type {text!r}")
    head, rest = tokens[0].lower(), tokens[1:]
    if head in _SCALARS:
        return AthenaType("scalar", name=head), rest
    if head not in ("struct", "array", "map") or not rest or rest[0] != "<":
        raise ValueError(f"unknown Athena type {tokens[0]!r} in {text!r}")
    rest = rest[1:]
    if head == "array":
        element, rest = _parse(rest, text)
        return AthenaType("array", children=(element,)), _expect(rest, ">", text)
    if head == "map":
        key, rest = _parse(rest, text)
        value, rest = _parse(_expect(rest, ",", text), text)
        return AthenaType("map", children=(key, value)), _expect(rest, ">", text)
    fields = []
    while True:
        name, rest = rest[0], _expect(rest[1:], ":", text)
        typ, rest = _parse(rest, text)
        fields.append((name, typ))
        if rest and rest[0] == ",":
            rest = rest[1:]
            continue
        return AthenaType("struct", fields=tuple(fields)), _expect(rest, ">", text)


def _expect(tokens: list[str], token: str, text: str) -> list[str]:
    if not tokens or tokens[0] != token:
        raise ValueError(f"expected {token!r} in Athena type {text!r}")
    return tokens[1:]
