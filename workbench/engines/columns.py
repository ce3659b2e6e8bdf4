"""Which columns of the log tables a query uses, read from the query itself.

Transforming a CloudTrail record into all 29 columns of the table costs far more than
transforming the four a query looks at, so the local engine asks this module which
columns to read and gives the others as typed nulls. The answer errs on the side of
reading too much: every identifier in the query that names a column counts (aliases
that happen to share a column's name too), a nested column is read whole, and a ``*``
that expands rows (``SELECT *``, ``t.*``) or a table used as a value means every column.
"""

from __future__ import annotations

from sqlglot import exp

from workbench.sources import LogSource


def used_columns(statement: exp.Expression, source: LogSource) -> set[str] | None:
    """Names of ``source``'s data columns that ``statement`` may use.

    Parameters
    ----------
    statement : sqlglot.exp.Expression
        The parsed query (any dialect).
    source : LogSource
        The log table in question.

    Returns
    -------
    set of str or None
        Column names (lower case); ``None`` when the query may use every column.

    Examples
    --------
    >>> from workbench.library import parse_sql
    >>> from workbench.sources import get_source
    >>> sorted(used_columns(parse_sql("SELECT useridentity.arn FROM cloudtrail WHERE eventname = 'x'"),
    ...                     get_source("cloudtrail")))
    ['eventname', 'useridentity']
    >>> used_columns(parse_sql("SELECT * FROM cloudtrail"), get_source("cloudtrail")) is None
    True
    """
    if _expands_rows(statement) or _uses_whole_rows(statement, source):
        return None
    names = {ident.name.lower() for ident in statement.find_all(exp.Identifier)}
    return {col.name for col in source.columns if col.name in names}


def _expands_rows(statement: exp.Expression) -> bool:
    """Whether a ``*`` stands for columns (``count(*)`` does not)."""
    for star in statement.find_all(exp.Star):
        if not isinstance(star.parent, exp.AggFunc):
            return True
    return False


def _uses_whole_rows(statement: exp.Expression, source: LogSource) -> bool:
    """Whether the table (or an alias of it) is used as a value, e.g. ``to_json(t)``."""
    names = {source.table.lower()}
    for table in statement.find_all(exp.Table):
        if table.name.lower() == source.table.lower() and table.alias:
            names.add(table.alias.lower())
    return any(not col.table and col.name.lower() in names for col in statement.find_all(exp.Column))
