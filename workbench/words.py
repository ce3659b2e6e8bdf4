"""The words users read, written once: byte sizes, counts of things, what a damaged file cost.

Sizes are binary everywhere (1 KB = 1024 bytes, 1 MB = 1024 KB, ...), as AWS counts the
gigabytes it bills and the bytes Athena scans: in scan reports, ``doctor``, ``sync``, the cache
and the notebooks' "what was read" line. ``workbench deploy`` reads sizes the same way
(``--scan-cutoff 100G``).

>>> size(10 * 1024**3)
'10.0 GB'
>>> count(1, "burst"), count(3, "burst"), count(2, "short series", "short series")
('1 burst', '3 bursts', '2 short series')
>>> lost(None), lost(0), lost(1), lost(12)
('records lost: unknown', 'nothing lost', '1 record lost', '12 records lost')
"""

from __future__ import annotations

from workbench.errors import UsageError

_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def size(n: float | int | None) -> str:
    """``n`` bytes for people: ``"512 B"``, ``"1.5 KB"``, ``"3.2 GB"`` (``"?"`` for ``None``)."""
    if n is None:
        return "?"
    value = float(n)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 file"``, ``"2 files"``; ``plural`` for nouns that do not take an ``s``."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def lost(records: int | None) -> str:
    """What a file problem cost: ``"nothing lost"``, ``"3 records lost"``, or unknown (``None``)."""
    if records is None:
        return "records lost: unknown"
    if records == 0:
        return "nothing lost"
    return f"{count(records, 'record')} lost"


def problem_line(problem: dict) -> str:
    """One line for a file problem (``{"path", "reason", "lost"}``): where, why and what it cost."""
    return f"{problem['path']}: {problem['reason']} ({lost(problem['lost'])})"


def parse_size(text: str) -> int:
    """A size people write, in bytes: ``"100G"`` -> 107374182400 (binary units K, M, G, T,
    with or without ``iB``/``B``, as :func:`size` prints them).

    Raises
    ------
    UsageError
        For text that is not a size.
    """
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    number, unit = (cleaned[:-1], cleaned[-1]) if cleaned[-1:] in units else (cleaned, "")
    try:
        return int(float(number) * units[unit])
    except ValueError:
        raise UsageError(f"{text!r} is not a size such as 10G or 500M") from None


#: A report's status on the index: something for a person to look at, nothing found, or no answer.
NEEDS_ATTENTION, CLEAR, FAILED_TO_RUN = "needs attention", "clear", "failed to run"

#: Items a summary lists for the index at most.
ATTENTION_ITEMS = 5


def attention(items) -> dict:
    """A summary's ``status`` and ``attention`` (what a person should look at, most urgent first).

    Examples
    --------
    >>> attention(["root signed in without MFA from 203.0.113.7"])["status"]
    'needs attention'
    >>> attention([])
    {'status': 'clear', 'attention': []}
    """
    items = [str(item) for item in items if item]
    return {"status": NEEDS_ATTENTION if items else CLEAR, "attention": items[:ATTENTION_ITEMS]}


def did_you_mean(name: str, choices) -> list[str]:
    """The names among ``choices`` that ``name`` was probably meant to be (a typo, a missing part).

    Examples
    --------
    >>> did_you_mean("root_activty", ["root_activity", "console_logins"])
    ['root_activity']
    """
    import difflib

    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(name), choices, n=3, cutoff=0.6)
    contained = [c for c in choices if str(name) and (str(name) in c or c in str(name)) and c not in close]
    return (close + contained)[:3]


def number_text(value) -> str:
    """A key number as people read it: counts as integers (``12``, not ``12.0``), anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
