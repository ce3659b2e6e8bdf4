"""What the JSON formats share: which files ``workbench import`` gives them, where a record goes.

Both follow the source's data: its ``markers`` (strings whose presence marks a file of the
source) and its ``record_keys`` (where a record says its account, region, time and identity).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from workbench.formats.base import LogFormat, Placed, unplaceable
from workbench.formats.times import parse_time
from workbench.sources import LogSource
from workbench.sources.types import AthenaType


class JsonRecordFormat(LogFormat):
    """A format whose records are JSON objects (the rest of :class:`LogFormat` is left to subclasses)."""

    def claims(self, text: str, source: LogSource) -> int:
        """The length of the longest marker group of ``source`` all present in ``text``.

        A marker counts as a JSON string, or as one inside a JSON string (an export's
        ``_raw``, ``event.original`` or ``message`` holds the record as text) or inside a CSV
        field (quotes doubled).
        """
        if text.lstrip("\ufeff \t\r\n")[:1] not in ("{", "["):
            return 0
        return marker_strength(text, source)

    def place(self, record, source: LogSource, *, account: str | None = None, region: str | None = None,
              path: str | None = None) -> Placed | str:
        keys = source.record_keys
        own_account, own_region = str(_first(record, keys.account) or ""), str(_first(record, keys.region) or "")
        named = arn_parts(_first(record, keys.arn)) if keys.arn else None
        if named:
            own_account, own_region = own_account or named[0], own_region or named[1]
        supplied = tuple(name for name, own, given in (("account", own_account, account),
                                                       ("region", own_region, region)) if not own and given)
        where_account = own_account or (account or "")
        where = own_region or (region or "")
        when = iso_time(_first(record, keys.time))
        reason = unplaceable(where_account, where, when, source)
        if reason:
            return reason
        scope = ""
        if not source.regional:  # a global service's keys have no region folder to place by
            where = ""
        if source.scope_partition:
            scope = str(_first(record, keys.scope) or "") or (named[2] if named else "")
            if not scope and path and source.scope_from_name:
                by_name = re.fullmatch(source.scope_from_name, path.replace("\\", "/").rsplit("/", 1)[-1])
                scope = by_name["scope"] if by_name else ""
            if not (SCOPE.fullmatch(scope) and re.fullmatch(source.scope_pattern, scope)):
                where_from = " or ".join(filter(None, ("/".join(keys.scope), "/".join(keys.arn))))
                return (f"no {source.scope_partition} in {where_from} (" + ("an ARN whose resource names it, "
                        if keys.arn else "") + f"matching {source.scope_pattern})")
        identity = tuple(_hashable(_value(record, k)) for k in keys.identity)
        identity = identity if any(v not in (None, "") for v in identity) else None
        return Placed(where_account, where, when, order=(when, *(str(v) for v in identity or ())), identity=identity,
                      supplied=supplied, scope=scope)

    def encode_for_hive(self, records: list, source: LogSource) -> bytes:
        """One JSON object per line, the source's columns shaped as its table types them.

        Athena's JSON SerDes give a ``string`` column that holds an object (``requestParameters``)
        its JSON text, and so does this layout, for the Hive connector's JSON reader, which
        does not.
        """
        columns = {c.key: c.type for c in source.columns}
        lines = []
        for record in records:
            shaped = {key: conform(value, columns[key]) if key in columns else value for key, value in record.items()}
            lines.append(json.dumps(shaped, separators=(",", ":"), ensure_ascii=False))
        return "".join(line + "\n" for line in lines).encode()


#: A folder name taken from a record (a web ACL's name): nothing that could leave its folder.
SCOPE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:(?P<region>[a-z0-9-]*):(?P<account>\d{12}):(?P<resource>.+)")


def arn_parts(value) -> tuple[str, str, str] | None:
    """``(account, region, name)`` of a WAF resource ARN (``<regional|global>/webacl/<name>/<id>``), or ``None``.

    A ``global/`` resource (a CloudFront web ACL, whose ARN names us-east-1) gives the region
    ``cloudfront``, the folder AWS delivers its logs under.

    Examples
    --------
    >>> arn_parts("arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop-acl/0a1b")
    ('111122223333', 'eu-west-1', 'shop-acl')
    >>> arn_parts("arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/0a1b")[1]
    'cloudfront'
    """
    match = _ARN.fullmatch(value) if isinstance(value, str) else None
    parts = match["resource"].split("/") if match else []
    if len(parts) != 4 or parts[0] not in ("regional", "global"):  # <scope>/<type>/<name>/<id>, nothing else
        return None
    region = "cloudfront" if parts[0] == "global" else match["region"]
    return match["account"], region, parts[2]


def marker_strength(text: str, source: LogSource) -> int:
    """The length of the longest marker group of ``source`` whose markers are all in ``text``,
    each spelled as a JSON string, an escaped one (``\\"m\\"``) or a CSV-quoted one (``""m""``)."""
    escaped, doubled = '\\"' in text, '""' in text  # two scans, then only the spellings the text can hold

    def present(marker: str) -> bool:
        return (f'"{marker}"' in text or (escaped and f'\\"{marker}\\"' in text)
                or (doubled and f'""{marker}""' in text))

    return max((len(group) for group in source.markers if all(present(m) for m in group)), default=0)


def conform(value, typ: AthenaType):
    """A JSON value as the column type ``typ`` holds it: JSON text in ``string``, nulls where the shape differs."""
    if value is None:
        return None
    if typ.kind == "scalar":
        if typ.name == "string" and not isinstance(value, str):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return value
    if typ.kind == "array":
        return [conform(v, typ.children[0]) for v in value] if isinstance(value, list) else None
    if not isinstance(value, dict):
        return None
    if typ.kind == "map":
        return {k: conform(v, typ.children[1]) for k, v in value.items()}
    fields = {key.lower(): sub for key, sub in typ.fields}
    return {k: conform(v, fields[k.lower()]) if k.lower() in fields else v for k, v in value.items()}


def _value(record, key: str):
    """``record[a][b]`` for ``key`` ``"a.b"``; ``None`` where any step is missing."""
    value = record
    for step in key.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def _hashable(value):
    """``value`` as itself when it can be compared and hashed, else as its JSON text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _first(record, keys: tuple[str, ...]):
    """The first of ``keys`` that has a value in ``record``."""
    return next((v for v in (_value(record, k) for k in keys) if v not in (None, "")), None)


def iso_time(value) -> dt.datetime | None:
    """A record's time as UTC (ISO 8601 in any of its spellings, or epoch numbers), or ``None``."""
    return parse_time(value)
