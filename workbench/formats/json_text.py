"""JSON text that holds many records (one value, an array, or JSON lines, damaged or not),
and how a value is spelled inside it.

:func:`salvage_array` and :func:`parse_lines` turn text into the JSON values it holds, saving
every complete value before a point of damage (a truncated file keeps the records before
the cut). :func:`needle_text` and :func:`escapes` say what a file's text must contain to
hold a value, so that files that cannot are passed over unparsed
(:mod:`workbench.engines.local.needles` has the rule and why it is exact).
"""

from __future__ import annotations

import json
import re

_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")


#: What Python's JSON parser raises on a value nested deeper than it follows (thousands of ``[``).
TOO_DEEP = "nested deeper than the JSON reader follows"


def parse_document(text: str) -> tuple[object | None, str | None]:
    """The single JSON value of ``text``, or ``None`` and the error."""
    try:
        return json.loads(text), None
    except ValueError as err:
        return None, str(err)
    except RecursionError:
        return None, TOO_DEEP


def salvage_array(text: str, start: int, *, max_value_bytes: int | None = None):
    """Read the elements of a JSON array that begins at ``text[start] == '['`` one by one.

    Returns
    -------
    values : list
        Every element that parsed, in order.
    problems : list of (str, int)
        ``(reason, lost)`` pairs: an element that did not parse ends the array (the rest is
        unreadable: lost count unknown, reported as 1 or more); oversize elements are dropped.
    complete : bool
        Whether the array was read to its closing bracket.
    """
    values, problems = [], []
    i = _WS.match(text, start + 1).end()
    if i < len(text) and text[i] == "]":
        return values, problems, True
    while i < len(text):
        try:
            value, end = _DECODER.raw_decode(text, i)
        except (ValueError, RecursionError) as err:
            why = err.msg if isinstance(err, ValueError) else TOO_DEEP
            problems.append((f"invalid JSON at character {i} ({why}): the array is cut off or damaged "
                             "here; records after this point are lost", None))
            return values, problems, False
        if max_value_bytes is not None and end - i > max_value_bytes:
            problems.append((f"record of {end - i} bytes is larger than the {max_value_bytes}-byte limit", 1))
        else:
            values.append(value)
        i = _WS.match(text, end).end()
        if i < len(text) and text[i] == ",":
            i = _WS.match(text, i + 1).end()
            continue
        if i < len(text) and text[i] == "]":
            return values, problems, True
        break
    problems.append(("the array is cut off (file truncated?); records after the cut are lost", None))
    return values, problems, False


def parse_lines(text: str, *, max_value_bytes: int | None = None):
    """JSON lines: one value per non-blank line; bad lines are counted, not fatal.

    Returns
    -------
    values : list
    problems : list of (str, int)
    """
    values, bad, oversize, bad_lines = [], 0, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if max_value_bytes is not None and len(line) > max_value_bytes:
            oversize += 1
            continue
        try:
            values.append(json.loads(line))
        except (ValueError, RecursionError):
            bad += 1
            bad_lines.append(number)
    problems = []
    if bad:
        shown = ", ".join(map(str, bad_lines[:5])) + (" ..." if bad > 5 else "")
        problems.append((f"{bad} line(s) are not valid JSON (line {shown})", bad))
    if oversize:
        problems.append((f"{oversize} line(s) larger than the {max_value_bytes}-byte limit", oversize))
    return values, problems


def find_array(text: str, key: str) -> int | None:
    """Index of the ``[`` that opens ``"key": [`` in ``text`` (for salvaging a damaged body)."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    return match.end() - 1 if match else None


def looks_like_lines(text: str) -> bool:
    """Whether ``text`` is JSON lines: its first non-blank line is a complete JSON object."""
    for line in text.splitlines():
        if line.strip():
            try:
                return isinstance(json.loads(line), dict) and len(text.strip().splitlines()) > 1
            except (ValueError, RecursionError):
                return False
    return False


# -- searching JSON text without parsing it ---------------------------------------------

#: Values that a JSON boolean, null, object or array could also be read as.
_LITERAL_OR_NESTED = re.compile(r"^\s*(?:true|false|null)\s*$|^\s*[\[{]", re.IGNORECASE)


def _only_a_string(value: str) -> bool:
    """Whether a string column can equal ``value`` only when the JSON value is a string."""
    if not value or _LITERAL_OR_NESTED.match(value):
        return False
    try:
        float(value)  # a number's text, as DuckDB would print a JSON number
    except ValueError:
        return True
    return False


def needle_text(value: str) -> str | None:
    """The text ``value`` has inside a JSON string as encoders write it, or None when unusable.

    Examples
    --------
    >>> needle_text('ConsoleLogin')
    'ConsoleLogin'
    >>> needle_text('say "hi"')
    'say \\\\"hi\\\\"'
    >>> needle_text('203.0.113.7')
    '203.0.113.7'
    >>> needle_text('42') is None, needle_text('true') is None
    (True, True)
    """
    if not _only_a_string(value):
        return None
    return json.dumps(value, ensure_ascii=False)[1:-1]


def escapes(alternatives: list[list[str]]) -> list[str]:
    """The escapes whose presence in a file means its text cannot be searched for the needles."""
    out = ["\\u"]
    if any("/" in needle for needles in alternatives for needle in needles):
        out.append("\\/")
    return out
