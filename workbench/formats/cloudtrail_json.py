"""CloudTrail JSON: one JSON object per file, its events in a ``Records`` array.

Healthy files (as a trail delivers them to S3) are read whole, inflated ahead by worker threads
and handed to DuckDB as Arrow strings (:mod:`workbench.formats.feed`), then transformed in one
pass into a list of records typed as the table's columns: far faster in DuckDB than
``read_json`` with a ``Records`` column type, which slows down sharply with the length of the
list. The feed carries each file's partition values, so no join is needed. With needles
(:mod:`workbench.engines.local.needles`) a file whose text cannot hold a row the query keeps
is passed over before parsing.

Everything else CloudTrail is met in goes to :meth:`CloudTrailJson.salvage`: gzip or plain, the
S3 body ``{"Records": [...]}``, a bare JSON array of records, JSON lines, the LookupEvents API
output (``{"Events": [{"CloudTrailEvent": "<escaped JSON>"}...]}`` or a bare array of such
events) and a single record. A damaged file gives up every record before the damage.
"""

from __future__ import annotations

import csv
import io
import json

import duckdb

from workbench.formats.base import MAX_OBJECT_BYTES, Body, FileCheck, LogFile, Salvage, duckdb_threads
from workbench.formats.cloudtrail_fields import RECORD_KEYS, cloudtrail_record, is_cloudtrail, respell_time
from workbench.formats.duckdb_sql import literal, projection, record_structure
from workbench.formats.envelopes import MAX_DEPTH, nested, open_envelope
from workbench.formats.feed import JsonFileFeed
from workbench.formats.json_records import JsonRecordFormat, marker_strength
from workbench.formats.json_text import (
    escapes,
    find_array,
    looks_like_lines,
    parse_document,
    parse_lines,
    salvage_array,
)
from workbench.formats.problems import ReadResult
from workbench.formats.raw import read_text
from workbench.sources import LogSource

#: The check over a feed: ``{types}`` is the types of the records, a list (null when the text
#: is not JSON). Healthy: read, JSON, ``Records`` an array of objects only.
_BODY_CHECK = (
    "SELECT filename, problem, coalesce(len(types), 0) AS records, coalesce(strlen(json), 0) AS largest, "
    "coalesce(problem IS NULL AND types IS NOT NULL AND list_count(list_filter(types, lambda t: t <> 'OBJECT')) = 0 "
    "AND CASE WHEN len(types) = 0 THEN try(json_type(json, '$.Records')) = 'ARRAY' ELSE TRUE END, FALSE) AS healthy "
    "FROM (SELECT filename, problem, json, {types} AS types FROM {feed})")


class CloudTrailJson(JsonRecordFormat):
    """CloudTrail files: ``{"Records": [...]}``, one per file."""

    name = "cloudtrail_json"
    title = "CloudTrail JSON"

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = MAX_OBJECT_BYTES) -> str:
        """Records of ``files`` (``object_bytes`` does not apply: a string is parsed whole, whatever its size)."""
        feed = f"_feed_{source.name}"
        con.register(feed, JsonFileFeed(files, workers=duckdb_threads(con)))
        structure = literal({"Records": [record_structure(source, columns, fields)]})
        return (
            f"SELECT {projection(source, 'raw.r', columns)}, raw.account, raw.region, raw.day "
            f"FROM (SELECT unnest(json_transform(json, {structure}).\"Records\") AS r, account, region, day "
            f"FROM {feed}{_needle_filter(con, source, needles)}) AS raw"
        )

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """One object per file whose ``Records`` is an array of objects.

        The files come through a :class:`~workbench.formats.feed.JsonFileFeed`, the reader
        queries use, and each is parsed once (the types of its records give their count).
        Only when some file is not JSON is the pass made again with errors as nulls.
        """
        feed = f"_check_feed_{source.name}"
        con.register(feed, JsonFileFeed(files, workers=duckdb_threads(con), report_problems=True))
        try:
            try:
                rows = con.execute(_BODY_CHECK.format(feed=feed, types="json_type(json, '$.Records[*]')")).fetchall()
            except (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException):
                raise  # a fault in the check itself, not in a file
            except duckdb.Error:  # some file is not JSON: the same pass with such errors as nulls
                rows = con.execute(
                    _BODY_CHECK.format(feed=feed, types="try(json_type(json, '$.Records[*]'))")).fetchall()
        finally:
            con.unregister(feed)
        found = {row[0]: row[1:] for row in rows}
        out: dict[str, FileCheck | Salvage] = {}
        for log in files:
            problem, records, largest, healthy = found[log.path]
            if healthy and largest <= max_record_bytes:
                out[log.path] = FileCheck(int(records), [], [log], largest=int(largest))
            else:
                out[log.path] = Salvage(problem)
        return out

    def claims(self, text: str, source: LogSource) -> int:
        """JSON with the source's markers (:meth:`JsonRecordFormat.claims`), or a CSV export of CloudTrail."""
        if _looks_like_csv(text):
            return max(_csv_names_fields(text), marker_strength(text, source))
        return super().claims(text, source)

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every CloudTrail record in ``path``; records over ``max_record_bytes`` of JSON are lost, with that reason."""
        result = ReadResult(path, source.name)
        text = read_text(result)
        if text is None:
            return result
        value, error = parse_document(text)
        if error is None:
            _take(result, value, max_record_bytes, source)
            return result
        if _looks_like_csv(text):
            result.shape = "CSV export"
            rows = _rows_of_csv(result, text, source)
            if rows:
                _add_records(result, rows, source)
            elif not result.problems:
                result.problem("a CSV file with no rows", 0)
            return result
        if looks_like_lines(text):
            values, problems = parse_lines(text, max_value_bytes=max_record_bytes)
            result.shape = "JSON lines"
            for reason, lost in problems:
                result.problem(reason, lost)
            for v in values:
                _take(result, v, max_record_bytes, source, nested=True)
            return result
        for key, shape in (("Records", "Records body"), ("Events", "LookupEvents output")):  # noqa: B007 - read after
            start = find_array(text, key)
            if start is not None:
                break
        else:
            start, shape = (text.index("["), "bare array") if text.lstrip().startswith("[") else (None, "")
        if start is None:
            result.problem(f"not JSON ({error}); no records could be read", None)
            return result
        values, problems, _ = salvage_array(text, start, max_value_bytes=max_record_bytes)
        result.shape = shape + " (damaged)"
        for reason, lost in problems:
            result.problem(reason, lost)
        _add_records(result, values, source)
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        body = json.dumps({"Records": records}, separators=(",", ":")).encode()
        return [Body(body, largest=len(body))]


def _needle_filter(con, source: LogSource, needles: list[list[str]] | None) -> str:
    """``WHERE`` keeping the files that hold all needles of some alternative, or an escape."""
    if not needles:
        return ""
    variable = f"needles_{source.name}"
    con.execute(f"SET VARIABLE {variable} = $needles",
                {"needles": [list(alt) for alt in needles] + [[e] for e in escapes(needles)]})
    return (f" WHERE len(list_filter(getvariable('{variable}'), "
            f"lambda alt: list_bool_and(list_transform(alt, lambda n: contains(json, n))))) > 0")


def _take(result: ReadResult, value, max_record_bytes, source: LogSource, *, nested: bool = False) -> None:
    """The records of one value read from a file (the whole document, or one line of it)."""
    if isinstance(value, dict) and "Records" in value:
        records = value["Records"]
        result.shape = result.shape or "Records body"
        if not isinstance(records, list):
            result.problem(f"'Records' is a {type(records).__name__}, not a list; no records read", None)
            return
        _add_records(result, _limit(result, records, max_record_bytes), source)
    elif isinstance(value, dict) and isinstance(value.get("Events"), list):
        result.shape = result.shape or "LookupEvents output"
        _add_records(result, value["Events"], source)
    elif isinstance(value, list):
        result.shape = result.shape or "bare array"
        _add_records(result, _limit(result, value, max_record_bytes), source)
    elif isinstance(value, dict) and (open_envelope(value, is_records=is_cloudtrail) or cloudtrail_record(value)):
        result.shape = result.shape or ("single record" if any(k in value for k in RECORD_KEYS) else "JSON document")
        _add_records(result, [value], source)
    else:
        what = f"an object with keys {sorted(value)[:5]}" if isinstance(value, dict) else f"a {type(value).__name__}"
        result.problem(f"{'a line holds' if nested else 'the file holds'} {what}, not {source.records_name}",
                       1 if nested else None)


def _records_of(value, depth: int = 0):
    """``(record, how)`` for each CloudTrail record in ``value``, through any envelopes and
    mappings; ``(None, "")`` for a value that holds none."""
    if depth > MAX_DEPTH:
        yield None, ""
        return
    if isinstance(value, dict) and "CloudTrailEvent" in value:  # a LookupEvents event
        inner = value["CloudTrailEvent"]
        try:
            inner = json.loads(inner) if isinstance(inner, str) else inner
        except (ValueError, RecursionError):
            inner = None
        yield (inner, "") if isinstance(inner, dict) else (None, "")
        return
    if isinstance(value, dict) and isinstance(value.get("Records"), list):
        for record in value["Records"]:
            yield from _records_of(record, depth + 1)
        return
    if isinstance(value, list):
        for item in value:
            yield from _records_of(item, depth + 1)
        return
    opened = open_envelope(value, is_records=is_cloudtrail)
    if opened is not None:
        inside, envelope = opened
        for item in inside:
            for record, how in _records_of(item, depth + 1):
                yield record, envelope + (f"; {how}" if how else "")
        return
    found = cloudtrail_record(value) if isinstance(value, dict) else None
    yield found if found else (None, "")


def _rows_of_csv(result: ReadResult, text: str, source: LogSource) -> list:
    """The rows of a CSV export (Splunk's with ``_raw``, Kibana's with field names) as documents."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a field is at most the whole file
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            rows.append(nested({k: v for k, v in row.items() if k and v not in (None, "")}))
    except csv.Error as err:
        result.problem(f"CSV damaged at line {reader.line_num} ({err}); rows after it are lost", None)
    return rows


def _csv_header(text: str) -> set[str]:
    """The column names of a CSV header at the start of ``text`` (empty when it is not one)."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "[", ""):
        return set()
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    if "," not in header:
        return set()
    return {name.strip().strip('"') for name in header.split(",")}


def _looks_like_csv(text: str) -> bool:
    """Whether ``text`` begins with a CSV header naming CloudTrail fields or an export's record text."""
    names = _csv_header(text)
    return bool(names & {"_raw", "event.original", "message"}) or _csv_names_fields(text) > 0


def _csv_names_fields(text: str) -> int:
    """1 when a CSV header names CloudTrail's fields or their Elastic names, else 0."""
    names = _csv_header(text)
    return int(bool(names & set(RECORD_KEYS)) or any(name.startswith("aws.cloudtrail.") for name in names))


def _limit(result: ReadResult, records: list, max_record_bytes: int | None) -> list:
    if max_record_bytes is None:
        return records
    kept = [r for r in records if _json_size(r) <= max_record_bytes]
    if len(kept) < len(records):
        result.problem(f"{len(records) - len(kept)} record(s) larger than the {max_record_bytes}-byte limit",
                       len(records) - len(kept))
    return kept


def _json_size(record) -> int:
    """Bytes of a record's JSON (more than any limit when it is too deep to write)."""
    try:
        return len(json.dumps(record))
    except RecursionError:
        return 1 << 62


def _add_records(result: ReadResult, values: list, source: LogSource) -> None:
    not_records = respelled = 0
    for value in values:
        for record, how in _records_of(value):
            if not isinstance(record, dict):
                not_records += 1
                continue
            if how:
                result.mapped(how)
            respelled += respell_time(record)
            result.records.append(record)
    if respelled:
        result.mapped("eventTime respelled as CloudTrail writes it (UTC, to the second)", respelled)
    if not_records:
        result.problem(f"{not_records} element(s) are not {source.records_name} (not JSON objects, or an export's "
                       "record text that is not JSON or is nested too deep)", not_records)
