"""Executed notebooks as HTML pages that work offline (nbconvert, the ``offline`` template).

A page is a report, not a notebook: the verdict, what needs attention and the key numbers come
first (from the notebook's summary), then the evidence (prose, tables and figures); code cells
and prompts are left out unless asked for.
"""

from __future__ import annotations

import copy
from html import escape
from pathlib import Path

from workbench.words import number_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "offline"

VERDICT_STYLE = """<style>
.wb-verdict { border-left: 6px solid #adb5bd; background: #f8f9fa; padding: .7rem 1rem; margin: .5rem 0 1.2rem; }
.wb-verdict.needs-attention { border-color: #c1121f; background: #fff5f3; }
.wb-verdict.clear { border-color: #2a9d8f; background: #f1faf8; }
.wb-verdict .wb-status { font-weight: 700; text-transform: uppercase; font-size: .8rem; letter-spacing: .04em; }
.wb-verdict p { margin: .3rem 0; font-size: 1.02rem; }
.wb-verdict ul { margin: .2rem 0 .3rem 1.2rem; }
.wb-verdict .wb-numbers span { display: inline-block; margin-right: 1rem; color: #495057; }
.wb-verdict .wb-numbers b { color: #212529; }
.wb-verdict small { color: #6c757d; }
</style>"""


def verdict_html(summary: dict) -> str:
    """The box a page opens with: status, headline, what needs attention, key numbers, scope.

    Every value comes from the logs through the summary, so every value is escaped.
    """
    status = summary.get("status") or "summary"
    items = "".join(f"<li>{escape(str(i))}</li>" for i in summary.get("attention") or [])
    numbers = "".join(f"<span>{escape(str(k))}: <b>{escape(number_text(v))}</b></span>"
                      for k, v in (summary.get("numbers") or {}).items())
    scope = summary.get("scope") or {}
    covered = ""
    if scope.get("start"):
        covered = (f"<small>{escape(str(scope['start']))} to {escape(str(scope['end']))} (UTC); "
                   f"{escape(', '.join(scope.get('accounts') or []) or 'all accounts')}; "
                   f"{escape(', '.join(scope.get('regions') or []) or 'all regions')}; "
                   f"{escape(str(scope.get('engine', '')))} engine</small>")
    css = status.replace(" ", "-")
    return (f'{VERDICT_STYLE}<div class="wb-verdict {escape(css)}"><div class="wb-status">{escape(status)}</div>'
            f'<p>{escape(str(summary.get("headline", "")))}</p>'
            + (f"<ul>{items}</ul>" if items else "")
            + f'<div class="wb-numbers">{numbers}</div>{covered}</div>')


def notebook_html(notebook, *, title: str, show_code: bool = False, summary: dict | None = None) -> str:
    """One HTML page for an executed notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook (not changed).
    title : str
        The page title (the browser tab's).
    show_code : bool
        Keep code cells' input and prompts; by default a report is prose, tables and figures.
    summary : dict, optional
        The notebook's summary: its verdict box opens the page, after the title.

    Returns
    -------
    str
        A complete HTML document that loads nothing from the network (no require.js,
        MathJax or Mermaid); figures carry their own plotly.js until
        :func:`workbench.report.assets.share_plotly` points them to the folder's copy.
    """
    import nbformat
    from nbconvert import HTMLExporter

    page = copy.deepcopy(notebook)
    if summary:  # an output of its own, as the notebook's own HTML outputs are
        box = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": verdict_html(summary)})])
        box.metadata["tags"] = ["workbench-verdict"]
        first = 1 if page.cells and page.cells[0].cell_type == "markdown" else 0
        page.cells.insert(first, box)
    hide = not show_code
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=hide, exclude_input_prompt=hide, exclude_output_prompt=hide)
    body, _ = exporter.from_notebook_node(page, resources={"metadata": {"name": title}})
    return body
