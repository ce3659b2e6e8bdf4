"""Executed notebooks as HTML pages that work offline (nbconvert, the ``offline`` template)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "offline"


def notebook_html(notebook, *, title: str, hide_code: bool = False) -> str:
    """One HTML page for an executed notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title.
    hide_code : bool
        Leave code cells' input (and prompts) out: only prose, tables and figures.

    Returns
    -------
    str
        A complete HTML document that loads nothing from the network (no require.js,
        MathJax or Mermaid); figures carry their own plotly.js.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=hide_code, exclude_input_prompt=hide_code,
                            exclude_output_prompt=hide_code)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body
