"""CloudTrail records from any file that holds them.

Shapes recognised, gzip or plain: the S3 delivery body ``{"Records": [...]}``, a bare JSON
array of records, JSON lines (one record per line), the LookupEvents API output
(``{"Events": [{"CloudTrailEvent": "<escaped JSON>"}...]}`` or a bare array of such events),
and a single record. Damaged files give up every record before the damage.
"""

from __future__ import annotations

import json

from workbench.formats.json_text import find_array, looks_like_lines, parse_document, parse_lines, salvage_array
from workbench.formats.problems import ReadResult
from workbench.formats.raw import decode_text, read_bytes

_RECORD_KEYS = ("eventVersion", "eventTime", "eventName", "eventID")


def read_cloudtrail(path: str, *, max_record_bytes: int | None = None) -> ReadResult:
    """Every CloudTrail record in ``path``, with the problems met.

    Parameters
    ----------
    path : str
        The file (gzip recognised by content).
    max_record_bytes : int, optional
        Records whose JSON is larger are dropped, and counted as lost with that reason.
    """
    result = ReadResult(path, "cloudtrail")
    text = _text(result)
    if text is None:
        return result
    value, error = parse_document(text)
    if error is None:
        _take(result, value, max_record_bytes)
        return result
    if looks_like_lines(text):
        values, problems = parse_lines(text, max_value_bytes=max_record_bytes)
        result.shape = "JSON lines"
        for reason, lost in problems:
            result.problem(reason, lost)
        for v in values:
            _take(result, v, max_record_bytes, nested=True)
        return result
    for key, shape in (("Records", "Records body"), ("Events", "LookupEvents output")):
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
    _add_records(result, values)
    return result


def _text(result: ReadResult) -> str | None:
    data, notes = read_bytes(result.path)
    for note in notes:
        result.problem(note, 0 if note.startswith("not gzip") else None)
    text, replaced = decode_text(data)
    if replaced:
        result.problem(f"{replaced} byte(s) are not valid UTF-8 and were replaced by U+FFFD", 0)
    if not text.strip():
        if not notes:
            result.problem("no content (blank file)", 0)
        return None
    return text


def _take(result: ReadResult, value, max_record_bytes, *, nested: bool = False) -> None:
    if isinstance(value, dict) and "Records" in value:
        records = value["Records"]
        result.shape = result.shape or "Records body"
        if not isinstance(records, list):
            result.problem(f"'Records' is a {type(records).__name__}, not a list; no records read", None)
            return
        _add_records(result, _limit(result, records, max_record_bytes))
    elif isinstance(value, dict) and isinstance(value.get("Events"), list):
        result.shape = result.shape or "LookupEvents output"
        _add_records(result, value["Events"])
    elif isinstance(value, list):
        result.shape = result.shape or "bare array"
        _add_records(result, _limit(result, value, max_record_bytes))
    elif isinstance(value, dict) and any(k in value for k in _RECORD_KEYS + ("CloudTrailEvent",)):
        result.shape = result.shape or "single record"
        _add_records(result, [value])
    else:
        what = f"an object with keys {sorted(value)[:5]}" if isinstance(value, dict) else f"a {type(value).__name__}"
        result.problem(f"{'a line holds' if nested else 'the file holds'} {what}, not CloudTrail records", 1 if nested else None)


def _limit(result: ReadResult, records: list, max_record_bytes: int | None) -> list:
    if max_record_bytes is None:
        return records
    kept = [r for r in records if len(json.dumps(r)) <= max_record_bytes]
    if len(kept) < len(records):
        result.problem(f"{len(records) - len(kept)} record(s) larger than the {max_record_bytes}-byte limit", len(records) - len(kept))
    return kept


def _add_records(result: ReadResult, values: list) -> None:
    not_records = 0
    for value in values:
        if isinstance(value, dict) and "CloudTrailEvent" in value:  # LookupEvents event
            inner = value["CloudTrailEvent"]
            try:
                value = json.loads(inner) if isinstance(inner, str) else inner
            except ValueError:
                not_records += 1
                continue
        if isinstance(value, dict):
            result.records.append(value)
        else:
            not_records += 1
    if not_records:
        result.problem(f"{not_records} element(s) are not CloudTrail records (not JSON objects)", not_records)
    missing = sum(1 for r in result.records if not r.get("eventTime"))
    if missing and not any("eventTime" in p.reason for p in result.problems):
        result.problem(f"{missing} record(s) have no eventTime", 0)
