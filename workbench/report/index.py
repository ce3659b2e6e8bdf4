"""``index.html``: one line per report, with its key numbers and a link."""

from __future__ import annotations

import datetime as dt
from html import escape

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem;
       color: #212529; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
p.meta { color: #6c757d; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid #dee2e6; }
th { background: #f8f9fa; }
td.status-ok { color: #2a9d8f; font-weight: 600; }
td.status-failed { color: #c1121f; font-weight: 600; }
span.number { display: inline-block; margin: 0 .8rem .2rem 0; white-space: nowrap; }
span.number b { font-size: 1.05rem; }
.headline { margin-bottom: .3rem; }
"""


def index_html(results: list, *, settings: dict, generated: dt.datetime | None = None) -> str:
    """The report index as an HTML document (no scripts, nothing from the network).

    Parameters
    ----------
    results : list of ReportResult
        One per notebook, in run order.
    settings : dict
        What the run used (engine, logs, parameters), shown under the title.
    generated : datetime, optional
        When the reports were made (default: now, UTC).
    """
    generated = generated or dt.datetime.now(dt.timezone.utc)
    shown = ", ".join(f"{k} = {v}" for k, v in settings.items() if v not in (None, "", [], {}))
    rows = "\n".join(_row(r) for r in results)
    failed = sum(1 for r in results if r.error)
    status = f"{len(results)} reports" + (f", {failed} failed" if failed else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Security-log reports</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Security-log reports</h1>
<p class="meta">{escape(status)}; made {generated:%Y-%m-%d %H:%M} UTC{'; ' + escape(shown) if shown else ''}</p>
<table>
<thead><tr><th>report</th><th>status</th><th>what it found</th><th>files</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _row(result) -> str:
    summary = result.summary or {}
    title = summary.get("title") or result.name
    if result.error:
        status = f'<td class="status-failed">failed at {escape(result.failed_cell or "?")}</td>'
        found = f'<div class="headline">{escape(result.error)}</div>'
    else:
        status = '<td class="status-ok">ok</td>'
        numbers = "".join(f'<span class="number">{escape(str(k))}: <b>{escape(str(v))}</b></span>'
                          for k, v in (summary.get("numbers") or {}).items())
        found = f'<div class="headline">{escape(summary.get("headline", ""))}</div><div>{numbers}</div>'
    links = []
    if result.html:
        links.append(f'<a href="{escape(result.name)}.html">report</a>')
    if result.notebook_written:
        links.append(f'<a href="{escape(result.name)}.ipynb">notebook</a>')
    name = (f'<a href="{escape(result.name)}.html">{escape(title)}</a>' if result.html else escape(title))
    return (f"<tr><td>{name}<br><small>{escape(result.name)} &middot; {result.seconds:.1f} s</small></td>"
            f"{status}<td>{found}</td><td>{' &middot; '.join(links)}</td></tr>")
