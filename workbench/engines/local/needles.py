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

from sqlglot import exp

from workbench.engines.pruning import TableRead
from workbench.formats.json_text import needle_text
from workbench.sources import LogSource


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
            typ = source.field_type(path)
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
