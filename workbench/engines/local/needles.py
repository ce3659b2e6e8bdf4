"""Strings a file must contain to hold a row a query keeps: whole files passed over unparsed.

Investigations look for needles: one access key, one user, one event name, over weeks of
logs. A condition such as ``useridentity.accesskeyid = 'AKIA...'`` can only hold for a
record whose JSON text carries that value, so a CloudTrail file whose text does not
contain it cannot add a row, and parsing it (most of the cost of a scan) can be skipped.
A plain substring search over the inflated text is many times faster than parsing.

The rule is exact, never a guess. A JSON string may spell a character in more than one
way: ``\\u0041`` for ``A``, ``\\/`` for ``/``. So a file is passed over only when it holds
neither the value as written by a JSON encoder (``"`` and ``\\`` escaped, the rest as is)
nor any ``\\u`` escape, nor, for a value with a ``/``, any ``\\/``. Values that a
non-string JSON value could also turn into (numbers, ``true``, an object's text) never
become needles, and only columns of type ``string`` are used.
"""

from __future__ import annotations

import json
import re

from sqlglot import exp

from workbench.engines.local.columns import field_type
from workbench.engines.pruning import TableRead
from workbench.sources import LogSource

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


def file_needles(source: LogSource, reads: list[TableRead], values: dict) -> list[list[str]] | None:
    """What a file of ``source`` must contain for any of ``reads`` to keep a row from it.

    Parameters
    ----------
    source : LogSource
        The log table.
    reads : list of TableRead
        Every read of it in the query.
    values : dict
        The query's bound parameters.

    Returns
    -------
    list of list of str or None
        One list per read, all of whose strings a file must contain for that read; None
        when some read has no usable condition (every file must be parsed).
    """
    alternatives = []
    for read in reads:
        needles = []
        for path, value in read.equalities:
            typ = field_type(source, path)
            if typ is None or typ.kind != "scalar" or typ.name != "string":
                continue
            if isinstance(value, exp.Placeholder):
                value = values.get(value.name)
            elif isinstance(value, exp.Literal):
                value = value.this
            text = needle_text(value) if isinstance(value, str) else None
            if text is not None:
                needles.append(text)
        if not needles:
            return None
        alternatives.append(sorted(set(needles)))
    return alternatives or None


def escapes(alternatives: list[list[str]]) -> list[str]:
    """The escapes whose presence in a file means its text cannot be searched for the needles."""
    out = ["\\u"]
    if any("/" in needle for needles in alternatives for needle in needles):
        out.append("\\/")
    return out
