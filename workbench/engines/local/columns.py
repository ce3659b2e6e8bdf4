"""Which columns of the log tables a query uses, read from the query itself.

Transforming a CloudTrail record into all 29 columns of the table costs far more than
transforming the four a query looks at, so the local engine asks this module which
columns to read and gives the others as typed nulls. The answer errs on the side of
reading too much: every identifier in the query that names a column counts (aliases
that happen to share a column's name too), and a ``*`` that expands rows (``SELECT *``,
``t.*``) or a table used as a value means every column.

Within a struct column, only the fields a query names are transformed when every use of
the column names a field (``useridentity.arn``, ``useridentity.sessioncontext.attributes``):
on the benchmark store, transforming all of ``userIdentity`` cost as much again as the
other columns of ``console_logins`` together. Any other use (the column alone, an index
after it) reads the column whole.
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
    return any(not isinstance(star.parent, exp.AggFunc) for star in statement.find_all(exp.Star))


def _uses_whole_rows(statement: exp.Expression, source: LogSource) -> bool:
    """Whether the table (or an alias of it) is used as a value, e.g. ``to_json(t)``."""
    names = {source.table.lower()}
    for table in statement.find_all(exp.Table):
        if table.name.lower() == source.table.lower() and table.alias:
            names.add(table.alias.lower())
    return any(not col.table and col.name.lower() in names for col in statement.find_all(exp.Column))


def used_fields(statement: exp.Expression, source: LogSource,
                columns: set[str] | None) -> dict[str, set[tuple[str, ...]]]:
    """Field paths of ``source``'s struct columns that ``statement`` may use.

    Parameters
    ----------
    statement : sqlglot.exp.Expression
        The parsed query.
    source : LogSource
        The log table in question.
    columns : set of str or None
        The columns in use (:func:`used_columns`); None (rows expanded by a ``*``, the
        table used as a value) reads every column whole.

    Returns
    -------
    dict
        ``{column: {path, ...}}`` (lower-case names) for each struct column that every use
        reaches through a field; struct columns absent from it are read whole.

    Examples
    --------
    >>> from workbench.library import parse_sql
    >>> from workbench.sources import get_source
    >>> ct = get_source("cloudtrail")
    >>> sql = parse_sql("SELECT useridentity.arn, useridentity.sessioncontext.attributes FROM cloudtrail")
    >>> sorted(used_fields(sql, ct, used_columns(sql, ct))["useridentity"])
    [('arn',), ('sessioncontext', 'attributes')]
    >>> sql = parse_sql("SELECT useridentity, useridentity.arn FROM cloudtrail")
    >>> used_fields(sql, ct, used_columns(sql, ct))
    {}
    """
    if columns is None:
        return {}
    structs = {c.name for c in source.columns if c.type.kind == "struct" and c.name in columns}
    paths: dict[str, set[tuple[str, ...]]] = {}
    whole: set[str] = set()
    counted: dict[str, int] = {}
    for column in statement.find_all(exp.Column):
        names = [part.name.lower() for part in column.parts]
        at = next((i for i, name in enumerate(names) if name in structs), None)
        if at is None:
            continue
        name, path = names[at], tuple(names[at + 1:])
        counted[name] = counted.get(name, 0) + 1
        if path:  # anything after it (an index, a deeper field) reads the named field whole
            paths.setdefault(name, set()).add(path)
        else:
            whole.add(name)
    for ident in statement.find_all(exp.Identifier):  # the name used elsewhere, e.g. as an alias
        name = ident.name.lower()
        if name in counted:
            counted[name] -= 1
    return {name: found for name, found in paths.items()
            if name not in whole and counted.get(name) == 0 and _all_present(source, name, found)}


def _all_present(source: LogSource, name: str, found: set[tuple[str, ...]]) -> bool:
    typ = source.column(name).type
    return all(typ.field(path) is not None for path in found)
