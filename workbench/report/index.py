"""``index.html``: the security overview. One line per report: the detections first, then most urgent first.

Each report's status comes from what its notebook found (its summary's ``status`` and
``attention``), not from whether it ran: "needs attention" with the items to look at,
"clear", or "failed to run" with the cell that failed. Under it: the headline, the key
numbers, and the window, accounts and regions the report covered.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from workbench.words import CLEAR, FAILED_TO_RUN, NEEDS_ATTENTION, number_text

#: Order of the statuses on the page.
ORDER = {NEEDS_ATTENTION: 0, FAILED_TO_RUN: 1, "no summary": 2, CLEAR: 3}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       color: #212529; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
p.meta { color: #6c757d; margin-top: 0; }
div.totals { display: flex; gap: .6rem; margin: 1rem 0; flex-wrap: wrap; }
div.totals span { padding: .35rem .7rem; border-radius: .3rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .55rem .6rem; border-bottom: 1px solid #dee2e6; }
th { background: #f8f9fa; }
.status { display: inline-block; padding: .15rem .5rem; border-radius: .25rem; font-weight: 600;
          white-space: nowrap; font-size: .9rem; }
.attention { background: #fde2dc; color: #9d0208; }
.failed { background: #e9ecef; color: #495057; border: 1px dashed #868e96; }
.clear { background: #d8f3ec; color: #1b6b5f; }
.none { background: #fff3cd; color: #7a5b00; }
ul.items { margin: .2rem 0 .4rem 1.1rem; padding: 0; }
ul.items li { margin: .1rem 0; }
span.number { display: inline-block; margin: 0 .8rem .2rem 0; white-space: nowrap; color: #495057; }
span.number b { font-size: 1.02rem; color: #212529; }
.headline { margin-bottom: .3rem; }
small { color: #6c757d; }
"""

#: Reports shown before the others whatever their status: what fired answers "what else bad happened?" first.
FIRST = ("detections",)

_CSS = {NEEDS_ATTENTION: "attention", FAILED_TO_RUN: "failed", CLEAR: "clear", "no summary": "none"}


def status_of(result) -> str:
    """A report's status: failed to run, else what its summary says (no summary: ``"no summary"``)."""
    if result.error:
        return FAILED_TO_RUN
    status = (result.summary or {}).get("status")
    return status if status in (NEEDS_ATTENTION, CLEAR) else "no summary"


def index_html(results: list, *, settings: dict, generated: dt.datetime | None = None) -> str:
    """The security overview as an HTML document (no scripts, nothing from the network).

    Parameters
    ----------
    results : list of ReportResult
        One per report, this run's and those an earlier run left in the folder.
    settings : dict
        What this run used (engine, logs, parameters), shown under the title.
    generated : datetime, optional
        When the index was made (default: now, UTC).
    """
    generated = generated or dt.datetime.now(dt.timezone.utc)
    shown = ", ".join(f"{k} = {v}" for k, v in settings.items() if v not in (None, "", [], {}))
    ranked = sorted(results, key=lambda r: (r.name not in FIRST, ORDER.get(status_of(r), 9), r.name))
    statuses = [status_of(r) for r in ranked]
    totals = "".join(f'<span class="{_CSS[s]}">{statuses.count(s)} {escape(s)}</span>'
                     for s in ORDER if statuses.count(s))
    windows = sorted({_window((r.summary or {}).get("scope") or {}) for r in ranked} - {""})
    rows = "\n".join(_row(r) for r in ranked)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Security overview &middot; security-log reports</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Security overview</h1>
<p class="meta">{escape('; '.join(windows) or 'window not recorded')} &middot; {len(results)} reports &middot;
made {generated:%Y-%m-%d %H:%M} UTC{' &middot; ' + escape(shown) if shown else ''}</p>
<div class="totals">{totals}</div>
<table>
<thead><tr><th>status</th><th>report</th><th>what it found</th><th>covered</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _window(scope: dict) -> str:
    if not scope.get("start"):
        return ""
    accounts = ", ".join(scope.get("accounts") or []) or "all accounts"
    regions = ", ".join(scope.get("regions") or []) or "all regions"
    return f"{scope['start']} to {scope['end']} (UTC), {accounts}, {regions}"


def _row(result) -> str:
    summary = result.summary or {}
    status = status_of(result)
    title = summary.get("title") or result.name
    badge = f'<span class="status {_CSS[status]}">{escape(status)}</span>'
    if result.error:
        found = (f'<div class="headline">at {escape(result.failed_cell or "?")}: {escape(result.error)}</div>'
                 f'<small>the other reports are complete; fix the cause and run this one again</small>')
    else:
        items = "".join(f"<li>{escape(str(item))}</li>" for item in summary.get("attention") or [])
        numbers = "".join(f'<span class="number">{escape(str(k))}: <b>{escape(number_text(v))}</b></span>'
                          for k, v in (summary.get("numbers") or {}).items())
        found = ((f'<ul class="items">{items}</ul>' if items else "")
                 + f'<div class="headline">{escape(summary.get("headline", ""))}</div><div>{numbers}</div>')
    links = []
    if result.html:
        links.append(f'<a href="{escape(result.name)}.html">report</a>')
    if result.notebook_written:
        links.append(f'<a href="{escape(result.name)}.ipynb">notebook</a>')
    name = (f'<a href="{escape(result.name)}.html">{escape(title)}</a>' if result.html else escape(title))
    scope = _window(summary.get("scope") or {})
    when = f"{result.finished[:16].replace('T', ' ')} UTC, " if getattr(result, "finished", "") else ""
    return (f"<tr><td>{badge}</td><td>{name}<br><small>{' &middot; '.join(links)}</small></td>"
            f"<td>{found}</td><td><small>{escape(scope) or 'not recorded'}<br>{escape(when)}"
            f"{result.seconds:.1f} s</small></td></tr>")
