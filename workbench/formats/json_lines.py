"""JSON Lines: one JSON object per line (GuardDuty's S3 exports).

Healthy files are read by DuckDB itself (``read_json_objects``, one object per line); the
JSON buffer is sized to the largest line the check found rather than to the largest one
allowed, since a buffer far larger than needed costs more than the parsing. Needles do not
apply: few files, each with many records.

:meth:`JsonLines.salvage` reads the shapes such records are met in, gzip or plain: JSON
lines, a JSON array, a document that wraps the list (``{"Findings": [...]}``, the source's
``wrapper_keys``), and EventBridge events whose ``detail`` is the record (one per line or in an
array), as many teams archive them, and the same inside a search tool's or SIEM's export
(:mod:`workbench.formats.envelopes`). A record must have the source's ``required_keys``.
"""

from __future__ import annotations

import json

from workbench.formats.base import MAX_OBJECT_BYTES, Body, FileCheck, LogFile, Salvage, scan_files
from workbench.formats.duckdb_sql import (
    file_list,
    literal,
    partition_columns,
    partitions_table,
    projection,
    record_structure,
)
from workbench.formats.envelopes import MAX_DEPTH, open_envelope
from workbench.formats.json_records import JsonRecordFormat
from workbench.formats.json_text import looks_like_lines, parse_document, parse_lines, salvage_array
from workbench.formats.problems import ReadResult
from workbench.formats.raw import read_text
from workbench.sources import LogSource


class JsonLines(JsonRecordFormat):
    """One JSON object per line."""

    name = "json_lines"
    title = "JSON Lines"

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = MAX_OBJECT_BYTES) -> str:
        paths, files_table = file_list(con, f"files_{source.name}", files), partitions_table(con, source, files)
        return (
            f"SELECT {projection(source, 'raw.r', columns)}, {partition_columns('f', source)} "
            f"FROM (SELECT json_transform(json, {literal(record_structure(source, columns, fields))}) AS r, filename "
            f"FROM read_json_objects({paths}, format='newline_delimited', filename=true, "
            f"maximum_object_size={int(object_bytes)})) AS raw "
            f"JOIN {files_table} AS f ON f.path = raw.filename"
        )

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """Every line an object with the source's required keys."""
        required = " OR ".join(f"json_extract_string(json, '$.{key}') IS NULL" for key in source.required_keys)
        sql = ("SELECT filename, count(*) AS records, max(strlen(CAST(json AS VARCHAR))) AS largest, "
               f"count_if(json_type(json) <> 'OBJECT'{' OR ' + required if required else ''}) = 0 AS healthy "
               "FROM read_json_objects($paths, format='newline_delimited', filename=true, "
               "maximum_object_size={limit}) GROUP BY filename")
        rows = scan_files(con, sql, files, max_limit=max_record_bytes)
        out: dict[str, FileCheck | Salvage] = {}
        for log in files:
            row = rows.get(log.path)
            if isinstance(row, Salvage):
                out[log.path] = row
            elif row is not None and row[2] and row[1] <= max_record_bytes:
                out[log.path] = FileCheck(int(row[0]), [], [log], largest=int(row[1]))
            else:
                out[log.path] = Salvage()
        return out

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every record in ``path`` (EventBridge envelopes unwrapped), with the problems met."""
        result = ReadResult(path, source.name)
        text = read_text(result)
        if text is None:
            return result
        values = _values(result, text, source, max_record_bytes)
        if values is None:
            return result
        envelopes, not_records = 0, 0

        def wanted(value) -> bool:
            return _is_event(value) or (isinstance(value, dict) and all(value.get(k) for k in source.required_keys))

        for value in values:
            for item, how in _opened(value, wanted):
                if how:
                    result.mapped(how)
                if _is_event(item):
                    item, envelopes = item["detail"], envelopes + 1
                if isinstance(item, dict) and all(item.get(key) for key in source.required_keys):
                    result.records.append(item)
                else:
                    not_records += 1
        if envelopes:
            result.shape += " of EventBridge events"
        if not_records:
            result.problem(f"{not_records} item(s) are not {source.records_name} "
                           f"(no {'/'.join(source.required_keys)})", not_records)
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        lines = [json.dumps(r, separators=(",", ":")).encode() for r in records]
        return [Body(b"".join(line + b"\n" for line in lines), largest=max((len(line) for line in lines), default=0))]


def _values(result: ReadResult, text: str, source: LogSource, max_record_bytes: int | None) -> list | None:
    """The JSON values of ``text`` in whichever shape it has; ``None`` when none can be read."""
    value, error = parse_document(text)
    if error is None:
        result.shape = "JSON document"
        if isinstance(value, dict):
            key = next((k for k in source.wrapper_keys if k in value), None)
            value = value[key] if key else [value]
        if not isinstance(value, list):
            result.problem(f"the file holds a {type(value).__name__}, not {source.records_name}", None)
            return None
        return value
    if looks_like_lines(text) or "\n" in text.strip():
        values, problems = parse_lines(text, max_value_bytes=max_record_bytes)
        result.shape = "JSON lines"
    elif text.lstrip().startswith("["):
        values, problems, _ = salvage_array(text, text.index("["), max_value_bytes=max_record_bytes)
        result.shape = "JSON array (damaged)"
    else:
        result.problem(f"not JSON ({error}); no {source.records_name} could be read", None)
        return None
    for reason, lost in problems:
        result.problem(reason, lost)
    return values


def _opened(value, wanted, depth: int = 0):
    """``(item, how)`` for each item inside ``value``'s export envelopes (search hits, Splunk results,
    ``event.original``/``_raw``); ``value`` itself, with ``how`` empty, when it is in none."""
    opened = None if depth > MAX_DEPTH or wanted(value) else open_envelope(
        value, is_records=lambda v: wanted(v) or (isinstance(v, list) and all(wanted(i) for i in v)))
    if opened is None:
        yield value, ""
        return
    inside, envelope = opened
    for item in inside:
        for found in item if isinstance(item, list) else [item]:
            for inner, how in _opened(found, wanted, depth + 1):
                yield inner, envelope + (f"; {how}" if how else "")


def _is_event(item) -> bool:
    """Whether ``item`` is an EventBridge event whose ``detail`` is the record."""
    return isinstance(item, dict) and isinstance(item.get("detail"), dict) and (
        "detail-type" in item or str(item.get("source", "")).startswith("aws."))
