"""Logs whose delivery chose its output format: text lines, JSON lines or Parquet (CloudFront v2).

CloudFront's standard logging (v2) delivers the same fields as W3C text, as JSON (one object per
line, every value a string, keys spelled as the W3C ``#Fields`` header spells them:
``x-edge-location``, ``cs(Host)``) or as Parquet, as the user chose per delivery. AWS does not
document the names of the JSON and Parquet objects, and a folder may hold legacy text beside a
newer delivery, so each file is read by what it holds, not by its name: Parquet by its magic
bytes, JSON by a first line that is an object, anything else as the source's text lines.

One table whatever the format: the view is the text files' rows, the JSON files' and the Parquet
files' rows, one after the other, with the same columns and the same values (a field's ``-`` or
absence reads as the text format reads it). The check and the salvage are each format's own; a
salvaged JSON or Parquet record becomes the text line it would have been (tabs, line breaks and
control characters in a value percent-encoded, as CloudFront encodes them), so repaired copies and
``workbench import`` write the source's text format.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import replace

from workbench.formats.base import MAX_OBJECT_BYTES, Body, FileCheck, LogFile, LogFormat, Placed, Salvage
from workbench.formats.duckdb_sql import file_list, partition_columns, partitions_table
from workbench.formats.json_lines import JsonLines
from workbench.formats.parquet_table import ParquetTable, is_parquet, matched_columns
from workbench.formats.problems import ReadResult
from workbench.formats.raw import GZIP_MAGIC, read_text
from workbench.formats.regex_text import RegexText
from workbench.sources import LogSource

#: What the three readers are called, as file kinds.
TEXT, JSON_LINES, PARQUET = "text", "json", "parquet"

#: Bytes read from a file's start to tell its kind (inflated, for gzip).
_SNIFF_BYTES = 4096

_ENCODED = re.compile(r"[\x00-\x1f\x7f%]")


def file_kind(path: str) -> str:
    """What ``path`` holds: :data:`PARQUET`, :data:`JSON_LINES` or :data:`TEXT` (also for unreadable files)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return TEXT
    if is_parquet(head):
        return PARQUET
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            return TEXT
    return JSON_LINES if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" else TEXT


def as_line(record: dict, source: LogSource) -> str:
    """A JSON or Parquet record (keys as the text format's fields) as the source's text line.

    A missing, null or empty value is ``-``; tabs, line breaks, other control characters and
    ``%`` in a value are percent-encoded, so a value cannot add a field or a line.
    """
    values = []
    for col in source.columns:
        value = record.get(col.key)
        text = "-" if value is None or value == "" else str(value)
        values.append(_ENCODED.sub(lambda m: f"%{ord(m.group()):02X}", text) if _ENCODED.search(text) else text)
    return "\t".join(values)


class OutputChoice(LogFormat):
    """Text lines read by the source's expression, JSON lines or Parquet: each file by its content."""

    name = "output_choice"
    title = "text, JSON or Parquet"

    def __init__(self):
        self.text = RegexText()
        self.parquet = ParquetTable(none_text="-")
        self.json = JsonLines()
        self._kinds: dict[tuple, str] = {}

    def kind(self, log: LogFile) -> str:
        """The kind of ``log`` (remembered per file version: a rewritten file is looked at again)."""
        key = (log.path,) + log.version
        if key not in self._kinds:
            if len(self._kinds) > 500_000:
                self._kinds.clear()
            self._kinds[key] = file_kind(log.path)
        return self._kinds[key]

    def _by_kind(self, files: list[LogFile]) -> dict[str, list[LogFile]]:
        groups: dict[str, list[LogFile]] = {TEXT: [], JSON_LINES: [], PARQUET: []}
        for log in files:
            groups[self.kind(log)].append(log)
        return groups

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = MAX_OBJECT_BYTES) -> str:
        """The rows of the text, JSON and Parquet files, one after the other, in the same columns."""
        parts = []
        for kind, group in self._by_kind(files).items():
            if not group:
                continue
            part = replace(source, name=f"{source.name}_{kind}")  # its own file list and partitions table
            if kind == TEXT:
                parts.append(self.text.view(con, part, group, columns=columns))
            elif kind == PARQUET:
                parts.append(self.parquet.view(con, part, group, columns=columns))
            else:
                parts.append(self._json_view(con, part, group, columns, object_bytes))
        return " UNION ALL ".join(f"({p})" for p in parts)

    @staticmethod
    def _json_view(con, source: LogSource, files: list[LogFile], columns, object_bytes: int) -> str:
        paths, files_table = file_list(con, f"files_{source.name}", files), partitions_table(con, source, files)
        keys = "[" + ", ".join(_json_path(c.key) for c in source.columns) + "]"
        cols = []
        for i, col in enumerate(source.columns, start=1):
            typ = col.type.duckdb()
            if columns is not None and col.name not in columns:
                value = f"CAST(NULL AS {typ})"
            elif col.type.name == "string":
                value = f"coalesce(NULLIF(raw.v[{i}], ''), '-')"
            else:
                value = f"TRY_CAST(NULLIF(raw.v[{i}], '-') AS {typ})"
            cols.append(f'{value} AS "{col.name}"')
        return (f"SELECT {', '.join(cols)}, {partition_columns('f', source)} "
                f"FROM (SELECT json_extract_string(json, {keys}) AS v, filename "
                f"FROM read_json_objects({paths}, format='newline_delimited', filename=true, "
                f"maximum_object_size={int(object_bytes)})) AS raw "
                f"JOIN {files_table} AS f ON f.path = raw.filename")

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """Each kind's own check: the text lines, every JSON line an object, every Parquet page."""
        groups = self._by_kind(files)
        out: dict[str, FileCheck | Salvage] = {}
        if groups[TEXT]:
            out.update(self.text.check(con, source, groups[TEXT], max_record_bytes=max_record_bytes))
        if groups[PARQUET]:
            out.update(self.parquet.check(con, source, groups[PARQUET], max_record_bytes=max_record_bytes))
        if groups[JSON_LINES]:  # every line an object (the source requires no keys: fields are optional)
            out.update(self.json.check(con, source, groups[JSON_LINES], max_record_bytes=max_record_bytes))
        return out

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every readable record of ``path``, as the source's text lines, whatever the file's kind."""
        kind = file_kind(path)
        if kind == TEXT:
            return self.text.salvage(path, source, max_record_bytes=max_record_bytes)
        if kind == PARQUET:
            result = self.parquet.salvage(path, source, max_record_bytes=max_record_bytes)
        else:
            result = self._json_salvage(path, source, max_record_bytes)
        result.records = [as_line(record, source) for record in result.records]
        return result

    @staticmethod
    def _json_salvage(path: str, source: LogSource, max_record_bytes: int | None) -> ReadResult:
        result = ReadResult(path, source.name, shape="JSON lines")
        text = read_text(result)
        if text is None:
            return result
        bad, first_bad = 0, None
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                value = None if max_record_bytes and len(line) > max_record_bytes else json.loads(line)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, dict):
                result.records.append(value)
            else:
                bad, first_bad = bad + 1, first_bad or number
        if bad:
            result.problem(f"{bad} line(s) are not JSON objects (first: line {first_bad}); the other lines are kept",
                           bad)
        if not result.records and not bad:
            result.problem("no entries", 0)
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        """Text lines, as the source writes them (salvaged records are lines whatever the file was)."""
        return self.text.encode(records, source)

    # -- workbench import ----------------------------------------------------------------

    def claims(self, text: str, source: LogSource) -> int:
        """A text line the expression matches, or a JSON line with the source's identifying fields."""
        first = next((line for line in text.split("\n") if line.strip()), "").strip()
        if first.startswith("{"):
            try:
                value = json.loads(first)
            except (ValueError, RecursionError):
                return 0
            return 100 if isinstance(value, dict) and _identifying(source) <= set(value) else 0
        return self.text.claims(text, source)

    def claims_parquet(self, path: str, source: LogSource) -> int:
        """A Parquet file whose columns include the source's identifying fields."""
        import pyarrow.parquet as pq

        try:
            names = pq.ParquetFile(path).schema_arrow.names
        except Exception:
            return 0
        wanted = {c.name for c in source.columns if c.key in _identifying(source)}
        return 100 if wanted <= set(matched_columns(source, names)) else 0

    def place(self, record, source: LogSource, *, account: str | None = None, region: str | None = None,
              path: str | None = None) -> Placed | str:
        return self.text.place(record, source, account=account, region=region, path=path)

    def reject(self, record) -> dict:
        return self.text.reject(record)

    def encode_for_hive(self, records: list, source: LogSource) -> bytes:
        return self.text.encode_for_hive(records, source)


def _identifying(source: LogSource) -> set[str]:
    """Fields only this source's records have together (CloudFront: the edge location and request id)."""
    return set(source.markers[0]) if source.markers else {source.columns[0].key}


def _json_path(key: str) -> str:
    """The JSON path of a top-level key, as a SQL literal (the project's own constant)."""
    return "'$.\"" + key.replace("'", "''") + "\"'"
