"""Tables as people read them in notebooks and reports: no index column, counts as integers,
long text shortened in the middle with the whole of it on hover, event and finding ids that
open in the AWS console (when the row has its region), and, for long tables, sorting, a search
box and a CSV download that work offline.

:func:`embed_tables` makes every DataFrame a notebook shows render through :func:`table_html`.
Every value comes from the logs, so every value is escaped: the page gets text, never markup.
The script that sorts, searches and downloads is included once per page (the first long table
brings it) and reads only the table's own text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from html import escape

import pandas as pd

from workbench.aws import console

#: Columns whose values open in the AWS console (with the row's region).
_LINKS = {"event_id": console.cloudtrail_event, "eventid": console.cloudtrail_event,
          "finding_id": console.guardduty_finding}

#: A name longer than this (no spaces: an ARN, a key) is shortened in the middle (the whole shows on hover).
LONG_TEXT = 64

#: Prose (text with spaces: a reason, a user agent) is wrapped, and shortened only beyond this.
LONG_PROSE = 320

#: Tables with more rows than this get sorting, search and a CSV download.
INTERACTIVE_ROWS = 12

#: Rows a table shows at most (the caption says how many there were).
MAX_ROWS = 2000

STYLE = """
<style>
.wb-table { margin: .4rem 0 1rem; max-width: 100%; overflow-x: auto; }
.wb-table table { border-collapse: collapse; font-size: 12.5px; }
.wb-table table th, .wb-table table td { padding: .25rem .55rem; border-bottom: 1px solid #dee2e6;
  text-align: left !important; vertical-align: top; white-space: nowrap; }
.wb-table table td.num { text-align: right !important; font-variant-numeric: tabular-nums; }
.wb-table table td.wrap { white-space: normal; min-width: 16rem; max-width: 38rem; }
.wb-table th { background: #f1f3f5; position: sticky; top: 0; }
.wb-table[data-interactive] th { cursor: pointer; }
.wb-table[data-interactive] th::after { content: " \\2195"; color: #adb5bd; }
.wb-table .wb-tools { display: flex; gap: .5rem; align-items: center; margin-bottom: .3rem; font-size: 12px; }
.wb-table .wb-tools input { padding: .15rem .35rem; min-width: 14rem; }
.wb-table .wb-caption { color: #6c757d; font-size: 12px; }
</style>
"""

SCRIPT = """
<script>
(function () {
  if (window.wbWireTables) { window.wbWireTables(); return; }
  function text(cell) { return cell.getAttribute('title') || cell.textContent; }
  function value(cell) {
    var t = text(cell), n = Number(t.replace(/,/g, ''));
    return t !== '' && !isNaN(n) ? n : t.toLowerCase();
  }
  function csv(table) {
    return Array.prototype.map.call(table.rows, function (row) {
      if (row.style.display === 'none') { return null; }
      return Array.prototype.map.call(row.cells, function (cell) {
        return '"' + text(cell).replace(/"/g, '""') + '"';
      }).join(',');
    }).filter(function (line) { return line !== null; }).join('\\n') + '\\n';
  }
  function wire(box) {
    if (box.wbWired) { return; }
    box.wbWired = true;
    var table = box.querySelector('table'), body = table.tBodies[0];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.addEventListener('click', function () {
        var up = th.getAttribute('data-order') !== 'up';
        th.setAttribute('data-order', up ? 'up' : 'down');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a.cells[column]), y = value(b.cells[column]);
          return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    var search = box.querySelector('input');
    search.addEventListener('input', function () {
      var needle = search.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        var hay = Array.prototype.map.call(row.cells, text).join(' ').toLowerCase();
        row.style.display = hay.indexOf(needle) >= 0 ? '' : 'none';
      });
    });
    box.querySelector('button').addEventListener('click', function () {
      var link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([csv(table)], {type: 'text/csv'}));
      link.download = (box.getAttribute('data-name') || 'table') + '.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }
  function wireAll() { document.querySelectorAll('.wb-table[data-interactive]').forEach(wire); }
  window.wbWireTables = wireAll;
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', wireAll); }
  else { wireAll(); }
})();
</script>
"""


def short(text: str, limit: int | None = None) -> str:
    """``text`` of at most ``limit`` characters, shortened in the middle so both ends stay
    (``arn:aws:sts::1111…:assumed-role/deploy/alice``: the person is at the end).

    The default limit is :data:`LONG_TEXT` for a name (no spaces) and :data:`LONG_PROSE` for
    prose, which a table wraps instead: the reasons of an anomaly stay whole.
    """
    limit = limit if limit is not None else (LONG_PROSE if " " in text else LONG_TEXT)
    if len(text) <= limit:
        return text
    head = max(8, limit // 3)
    return text[:head] + "\u2026" + text[-(limit - head - 1):]


def cell_text(value) -> str:
    """A value as a table shows it: integers without ``.0``, times to the second, lists joined."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, str)):
        items = value.tolist() if hasattr(value, "tolist") else value
        return ", ".join(cell_text(v) for v in items) if isinstance(items, list) else cell_text(items)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def table_html(frame: pd.DataFrame, *, name: str = "table", interactive: bool | None = None) -> str:
    """``frame`` as an HTML table: escaped text, no index, long text shortened with a hover title.

    Parameters
    ----------
    frame : DataFrame
        Any table; at most :data:`MAX_ROWS` rows are shown.
    name : str
        The CSV file's name when downloaded.
    interactive : bool, optional
        Sorting, search and CSV download; default: when there are more than
        :data:`INTERACTIVE_ROWS` rows.
    """
    rows = frame.head(MAX_ROWS)
    interactive = len(frame) > INTERACTIVE_ROWS if interactive is None else interactive
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and
               not pd.api.types.is_bool_dtype(frame[c])}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    where = next((c for c in ("region", "awsregion") if c in frame.columns), None)
    columns = list(frame.columns)
    body = []
    for record in rows.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, record):
            text = cell_text(value)
            shown = escape(short(text))
            css = "num" if column in numeric else ("wrap" if len(text) > LONG_TEXT else "")
            title = f' title="{escape(text)}"' if short(text) != text else ""
            link = _LINKS.get(column)
            url = link(text, cell_text(record[columns.index(where)])) if link and where and text else None
            if url:
                shown = (f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer" '
                         f'title="open in the AWS console">{shown}</a>')
            cells.append(f'<td{f" class={chr(34)}{css}{chr(34)}" if css else ""}{title}>{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = (f'<div class="wb-caption">{len(rows):,} of {len(frame):,} rows</div>' if len(frame) > len(rows)
               else f'<div class="wb-caption">{len(frame):,} rows</div>' if interactive else "")
    if not len(frame):
        caption = '<div class="wb-caption">no rows</div>'
    tools = ('<div class="wb-tools"><input type="search" placeholder="search these rows" aria-label="search">'
             '<button type="button">download CSV</button></div>') if interactive else ""
    attrs = f' data-interactive data-name="{escape(name)}"' if interactive else ""
    return (STYLE + (SCRIPT if interactive else "")
            + f'<div class="wb-table"{attrs}>{tools}<table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{caption}</div>')


def embed_tables() -> None:
    """Show every DataFrame in this notebook through :func:`table_html` (call once, in the setup cell).

    Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)
