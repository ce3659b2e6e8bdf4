"""Query files as Athena receives them: positional ``?`` and execution parameters.

Athena's parameterized queries take positional ``?`` placeholders and a list of values,
``ExecutionParameters``, each one an SQL literal that Athena substitutes in order. A query
file's ``:name`` placeholders are therefore replaced by ``?`` (comments, string literals and
quoted identifiers are left alone: the text is tokenized, not searched), and each
occurrence gets its value, rendered as an Athena literal. Values never enter the SQL text.

>>> from workbench.library import adhoc_query
>>> q = adhoc_query("SELECT 1 FROM t WHERE a = :who AND (cardinality(:ids) = 0 OR contains(:ids, b))")
>>> sql, values = execution_parameters(q, {"who": "O'Brien", "ids": []})
>>> sql
'SELECT 1 FROM t WHERE a = ? AND (cardinality(?) = 0 OR contains(?, b))'
>>> values
["'O''Brien'", 'CAST(ARRAY[] AS ARRAY(VARCHAR))', 'CAST(ARRAY[] AS ARRAY(VARCHAR))']
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from decimal import Decimal

from sqlglot.dialects.athena import Athena
from sqlglot.tokens import TokenType

from workbench.errors import QueryDefinitionError, UsageError
from workbench.library import Query

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def to_qmark(query: Query) -> tuple[str, list[str]]:
    """The query text with each ``:name`` turned into ``?``, and the names in order of use.

    A name used twice appears twice in the list (Athena binds by position).

    Raises
    ------
    QueryDefinitionError
        If the placeholders found differ from the ones the query declares.
    """
    text = query.sql
    tokens = Athena().tokenize(text)
    spans: list[tuple[int, int, str]] = []
    for colon, name in itertools.pairwise(tokens):
        if (colon.token_type == TokenType.COLON and name.start == colon.end + 1
                and _NAME.fullmatch(name.text) and name.token_type != TokenType.STRING
                and name.text in query.placeholders):
            spans.append((colon.start, name.end + 1, name.text))
    if sorted({n for *_, n in spans}) != sorted(query.placeholders):
        raise QueryDefinitionError(
            f"{query.name}: could not place every parameter of the query "
            f"(found {sorted({n for *_, n in spans})}, expected {sorted(query.placeholders)})"
        )
    pieces, last = [], 0
    for start, end, _ in spans:
        pieces += [text[last:start], "?"]
        last = end
    pieces.append(text[last:])
    return "".join(pieces), [name for *_, name in spans]


def execution_parameters(query: Query, values: dict) -> tuple[str, list[str]]:
    """The SQL to send and its ``ExecutionParameters``: one literal per ``?``, in order.

    Raises
    ------
    UsageError
        If a placeholder has no value, or a value cannot be written as an Athena literal.
    """
    sql, names = to_qmark(query)
    missing = sorted({n for n in names if n not in values})
    if missing:
        raise UsageError(f"{query.name}: no value for parameter(s) {', '.join(missing)}")
    return sql, [athena_literal(values[n], name=n) for n in names]


def athena_literal(value: object, *, name: str = "value") -> str:
    """``value`` as an Athena (Trino) SQL literal.

    Strings are single-quoted with ``'`` doubled; ints and finite floats are numbers; lists
    are ``ARRAY[...]``, the empty list typed as ``ARRAY(VARCHAR)`` so that
    ``cardinality(?) = 0 OR contains(?, col)`` still type-checks.

    Raises
    ------
    UsageError
        For values with no literal form (NaN, dicts, nested empty lists, ...).

    Examples
    --------
    >>> athena_literal("it's")
    "'it''s'"
    >>> athena_literal(["111122223333", "444455556666"])
    "ARRAY['111122223333', '444455556666']"
    >>> athena_literal(dt.date(2026, 11, 3))
    "DATE '2026-11-03'"
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"parameter {name}: {value!r} has no SQL literal form")
        return f"DOUBLE '{value!r}'"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise UsageError(f"parameter {name}: {value!r} has no SQL literal form")
        return f"DECIMAL '{value}'"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return f"TIMESTAMP '{value.isoformat(sep=' ')} UTC'"
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        if not items:
            return "CAST(ARRAY[] AS ARRAY(VARCHAR))"
        return "ARRAY[" + ", ".join(athena_literal(v, name=name) for v in items) + "]"
    raise UsageError(f"parameter {name}: cannot pass a {type(value).__name__} to Athena ({value!r})")
