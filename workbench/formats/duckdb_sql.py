"""DuckDB SQL pieces the formats' views share: column projections, record structures, file lists.

Everything that varies with the data (file paths, needles) travels in DuckDB variables or
registered tables, never in the SQL text; what is formatted into SQL here is the project's
own constants (column names, types, structures).
"""

from __future__ import annotations

import json

import pandas as pd

from workbench.formats.base import LogFile
from workbench.sources import LogSource
from workbench.sources.types import json_structure, pruned_structure


def record_structure(source: LogSource, columns: set[str] | None = None,
                     fields: dict[str, set[tuple[str, ...]]] | None = None) -> dict:
    """``json_transform`` structure of one record of ``source``.

    Only ``columns`` if given, and of the struct columns in ``fields`` only those field
    paths (:func:`~workbench.engines.local.columns.used_fields`).
    """
    chosen = [c for c in source.columns if columns is None or c.name in columns] or [source.columns[0]]
    fields = fields or {}
    return {c.key: _reversed(pruned_structure(c.type, fields[c.name]) if c.name in fields else json_structure(c.type))
            for c in chosen}


def _reversed(structure):
    """``structure`` with the fields of every struct in reverse order.

    The view casts each nested column to its Athena type with lower-case field names.
    DuckDB matches struct fields by name, but treats a cast between structs whose names
    differ only in case, in the same order, as no cast at all, and the JSON spelling
    (``sessionContext``) would remain. In another order the cast happens and renames.
    (No struct of the sources has a single field, where order could not differ.)
    """
    if isinstance(structure, dict):
        return {key: _reversed(sub) for key, sub in reversed(structure.items())}
    if isinstance(structure, list):
        return [_reversed(structure[0])]
    return structure


def literal(structure) -> str:
    """A structure as a SQL string literal (the project's own constant, never user input)."""
    text = json.dumps(structure, separators=(",", ":"))
    return "'" + text.replace("'", "''") + "'"


def projection(source: LogSource, alias: str, columns: set[str] | None = None) -> str:
    """The source's Athena columns out of a record ``alias`` (unused columns as typed nulls)."""
    cols = []
    for col in source.columns:
        value = f'{alias}."{col.key}"'
        if columns is not None and col.name not in columns:
            value = f"CAST(NULL AS {col.type.duckdb()})"  # not used by the query: not read
        elif col.type.kind != "scalar":  # rename nested fields to Athena's lower case
            value = f"CAST({value} AS {col.type.duckdb()})"
        cols.append(f'{value} AS "{col.name}"')
    return ", ".join(cols)


def file_list(con, variable: str, files: list[LogFile]) -> str:
    """Set DuckDB variable ``variable`` to the paths of ``files``; the SQL that reads it back."""
    con.execute(f"SET VARIABLE {variable} = $paths", {"paths": [f.path for f in files]})
    return f"getvariable('{variable}')"


def partitions_table(con, source: LogSource, files: list[LogFile]) -> str:
    """Register the partition values of each file (once per path), for a join on the file name."""
    name = f"_files_{source.name}"
    unique = {f.path: f for f in files}.values()
    columns = {"path": [f.path for f in unique], "account": [f.account for f in unique],
               "region": [f.region for f in unique], "day": [f.day for f in unique]}
    if source.scope_partition:
        columns[source.scope_partition] = [f.scope for f in unique]
    con.register(name, pd.DataFrame(columns))
    return name


def partition_columns(alias: str, source: LogSource | None = None) -> str:
    """The partition columns of a joined partitions table, in the source's order."""
    names = source.partitions if source is not None else ("account", "region", "day")
    return ", ".join(f'{alias}."{name}"' for name in names)
