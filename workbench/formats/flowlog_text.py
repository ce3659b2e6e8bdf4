"""VPC Flow Logs text, parsed by its header lines.

A file may be several files concatenated: each header line (a line made only of known
field names) starts a new section with its own format; blank lines are ignored. Rows whose
field count differs from their section's header are counted and reported, never guessed at.
"""

from __future__ import annotations

from workbench.formats.cloudtrail_json import _text
from workbench.formats.problems import ReadResult
from workbench.sources.vpcflow import COLUMNS

KNOWN_FIELDS = frozenset(c.key for c in COLUMNS)


def is_header(tokens: list[str]) -> bool:
    """Whether a line's tokens are a flow-log header (only known field names)."""
    return bool(tokens) and all(t in KNOWN_FIELDS for t in tokens)


def read_flowlog(path: str) -> ReadResult:
    """Sections ``(header, rows)`` of a flow-log file, with the problems met.

    ``result.records`` is a list of ``(header tuple, list of row lists)``.
    """
    result = ReadResult(path, "vpcflow", shape="flow-log text")
    text = _text(result)
    if text is None:
        return result
    header: tuple[str, ...] | None = None
    rows: list[list[str]] = []
    sections: list[tuple[tuple[str, ...], list[list[str]]]] = []
    before_header, wrong_width, repeats = 0, 0, 0
    for line in text.splitlines():
        tokens = line.split()
        if not tokens:
            continue
        if is_header(tokens):
            if header == tuple(tokens):
                repeats += 1
                continue
            if header is not None:
                sections.append((header, rows))
            header, rows = tuple(tokens), []
            continue
        if header is None:
            before_header += 1
        elif len(tokens) != len(header):
            wrong_width += 1
        else:
            rows.append(tokens)
    if header is not None:
        sections.append((header, rows))
    result.records = [s for s in sections if s[1]]
    if before_header:
        result.problem(f"{before_header} line(s) before any header line (format unknown)", before_header)
    if wrong_width:
        result.problem(f"{wrong_width} line(s) whose field count differs from their header", wrong_width)
    if header is None and not before_header:
        result.problem("no header line and no rows", 0)
    if len(sections) > 1:
        result.shape = f"flow-log text, {len(sections)} sections"
    return result
