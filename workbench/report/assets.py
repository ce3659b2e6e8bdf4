"""What the pages of a reports folder share: plotly.js, written once beside them.

A notebook embeds plotly.js (about 4.6 MB) in the first cell that shows a figure, so that it
draws offline (:mod:`workbench.figures.offline`). In a reports folder every page would carry
its own copy; instead each page and executed notebook refers to ``plotly-<version>.min.js``
in its own folder, written once. The pages still open offline, from disk or from wherever the
folder is served (an S3 website, CloudFront, any static server), since the file travels with
them.
"""

from __future__ import annotations

from pathlib import Path

from workbench.writes import write_atomic


def plotly_file() -> tuple[str, str]:
    """The shared file's name and plotly.js itself."""
    import plotly
    from plotly.offline import get_plotlyjs

    return f"plotly-{plotly.__version__}.min.js", get_plotlyjs()


def share_plotly(text: str, folder: Path) -> str:
    """``text`` (a page) with its embedded plotly.js replaced by a reference to the folder's
    shared copy, which is written when missing. Text without one comes back as it was."""
    name, script = plotly_file()
    embedded = f'<script type="text/javascript">{script}</script>'
    if embedded not in text:
        return text
    _write_once(folder, name, script)
    return text.replace(embedded, f'<script type="text/javascript" src="{name}"></script>')


def share_plotly_in_notebook(path: Path, folder: Path) -> None:
    """The executed notebook at ``path`` with each output's embedded plotly.js replaced by the
    reference (JupyterLab draws the figures from their own mimetype either way)."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    changed = False
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else html
            shared = share_plotly(text, folder)
            if shared != text:
                output["data"]["text/html"] = shared
                changed = True
    if changed:
        write_atomic(path, nbformat.writes(notebook) + "\n")


def _write_once(folder: Path, name: str, script: str) -> None:
    target = folder / name
    if not target.is_file() or target.stat().st_size != len(script.encode()):
        write_atomic(target, script)


__all__ = ["plotly_file", "share_plotly", "share_plotly_in_notebook"]
