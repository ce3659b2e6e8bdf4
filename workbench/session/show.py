"""Display helpers for notebooks: a verdict line people cannot miss."""

from __future__ import annotations


def verdict(text: str):
    """``text`` as a bold Markdown line (an ``IPython.display.Markdown`` object)."""
    from IPython.display import Markdown

    return Markdown(f"**{text}**")
