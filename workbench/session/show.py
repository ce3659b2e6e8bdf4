"""Display helpers for notebooks: a verdict line people cannot miss, whose text stays text."""

from __future__ import annotations

import html


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
