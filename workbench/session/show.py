"""Display helpers for notebooks: a verdict line people cannot miss, and whole records to open;
their text stays text."""

from __future__ import annotations

import html
import json


class Verdict:
    """One line in bold. Its text comes from the logs (user names, IPs), so it is shown escaped:
    as HTML text in notebooks and reports, never as Markdown, which lets raw HTML through."""

    def __init__(self, text: str):
        self.text = str(text)

    def _repr_html_(self) -> str:
        return f'<p class="verdict"><strong>{html.escape(self.text)}</strong></p>'

    def __repr__(self) -> str:
        return self.text


def verdict(text: str) -> Verdict:
    """``text`` as a bold line, HTML-escaped."""
    return Verdict(text)


#: Records :func:`records` shows at most.
MAX_RECORDS = 50

_RECORD_STYLE = """<style>
.wb-record { border: 1px solid #dee2e6; border-radius: .3rem; margin: .3rem 0; padding: .3rem .6rem; }
.wb-record summary { cursor: pointer; font-size: 13px; }
.wb-record pre { font-size: 12px; max-height: 28rem; overflow: auto; background: #f8f9fa; padding: .5rem; }
</style>"""

#: Per source: the id, time, name and region columns of its table, and the console link.
_KINDS = {
    "cloudtrail": ("eventid", "eventtime", "eventname", "awsregion", "cloudtrail_event"),
    "guardduty": ("id", "updatedat", "type", "region", "guardduty_finding"),
}


class Records:
    """Whole records, one expandable block each: the record as pretty JSON and a link to the console.

    Every value comes from the logs: the page gets it as text (escaped), links URL-encoded.
    """

    def __init__(self, frame, source: str):
        self.frame = frame
        self.source = source

    def _repr_html_(self) -> str:
        from workbench.aws import console

        key, when, name, region, link = _KINDS[self.source]
        rows = self.frame.head(MAX_RECORDS)
        blocks = []
        for record in rows.to_dict(orient="records"):
            plain = {k: _nested(v) for k, v in record.items() if not _missing(v)}
            url = getattr(console, link)(plain.get(key), plain.get(region) or plain.get("region"))
            opener = (f' &middot; <a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">open in the '
                      "AWS console</a>" if url else "")
            head = " &middot; ".join(html.escape(str(plain.get(c, ""))) for c in (when, name, key))
            body = html.escape(json.dumps(plain, indent=2, sort_keys=True, default=str))
            blocks.append(f'<details class="wb-record"><summary>{head}{opener}</summary><pre>{body}</pre></details>')
        more = len(self.frame) - len(rows)
        tail = f"<p><small>and {more} more (the first {MAX_RECORDS} are shown)</small></p>" if more > 0 else ""
        if not blocks:
            return "<p><em>No record to open.</em></p>"
        return _RECORD_STYLE + "".join(blocks) + tail

    def __repr__(self) -> str:
        return f"{len(self.frame)} {self.source} records"


def records(frame, *, source: str) -> Records:
    """Rows of ``events_by_id`` (``source="cloudtrail"``) or ``findings_by_id`` (``"guardduty"``) as
    records a reader can open: pretty JSON in the page and a link to the AWS console."""
    if source not in _KINDS:
        raise ValueError(f"records of {source!r}: one of {', '.join(_KINDS)}")
    return Records(frame, source)


def _missing(value) -> bool:
    try:
        return value is None or bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _nested(value):
    """JSON text (``requestParameters``, a finding's ``service``) as the object it holds, for reading."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    if callable(getattr(value, "tolist", None)):  # numpy arrays and scalars
        return value.tolist()
    return value
