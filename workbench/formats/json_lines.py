"""GuardDuty findings from exports and other files that hold them.

Shapes recognised, gzip or plain: S3 exports (one finding per line), a JSON array of
findings, the GetFindings output ``{"Findings": [...]}``, and EventBridge events whose
``detail`` is a finding (one per line or in an array), as archived by many teams.
"""

from __future__ import annotations

from workbench.formats.cloudtrail_json import _text
from workbench.formats.json_text import looks_like_lines, parse_document, parse_lines, salvage_array
from workbench.formats.problems import ReadResult


def read_guardduty(path: str, *, max_record_bytes: int | None = None) -> ReadResult:
    """Every finding in ``path`` (EventBridge envelopes unwrapped), with the problems met."""
    result = ReadResult(path, "guardduty")
    text = _text(result)
    if text is None:
        return result
    value, error = parse_document(text)
    if error is None:
        values = value.get("Findings", [value]) if isinstance(value, dict) else value
        result.shape = "JSON document"
        if not isinstance(values, list):
            result.problem(f"the file holds a {type(values).__name__}, not findings", None)
            return result
    elif looks_like_lines(text) or "\n" in text.strip():
        values, problems = parse_lines(text, max_value_bytes=max_record_bytes)
        result.shape = "JSON lines"
        for reason, lost in problems:
            result.problem(reason, lost)
    elif text.lstrip().startswith("["):
        values, problems, _ = salvage_array(text, text.index("["), max_value_bytes=max_record_bytes)
        result.shape = "JSON array (damaged)"
        for reason, lost in problems:
            result.problem(reason, lost)
    else:
        result.problem(f"not JSON ({error}); no findings could be read", None)
        return result
    envelopes, not_findings = 0, 0
    for item in values:
        if isinstance(item, dict) and isinstance(item.get("detail"), dict) and (
            "detail-type" in item or item.get("source") == "aws.guardduty"
        ):
            item, envelopes = item["detail"], envelopes + 1
        if isinstance(item, dict) and item.get("id") and item.get("type"):
            result.records.append(item)
        else:
            not_findings += 1
    if envelopes:
        result.shape += " of EventBridge events"
    if not_findings:
        result.problem(f"{not_findings} item(s) are not GuardDuty findings (no id/type)", not_findings)
    return result
