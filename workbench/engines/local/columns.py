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
    if _expands_rows(statement, source) or _uses_whole_rows(statement, source):
        return None
    names = {ident.name.lower() for ident in statement.find_all(exp.Identifier)}
    return {col.name for col in source.columns if col.name in names}


def _expands_rows(statement: exp.Expression, source: LogSource) -> bool:
    """Whether a ``*`` stands for the log table's columns (``count(*)`` does not).

    Only a ``*`` of a ``SELECT`` that reads the log table itself does: one over a ``WITH``
    table or a subquery stands for the columns that one names, which are identifiers of the
    statement already (the rule packs' ``SELECT *, ... FROM calls``).
    """
    for star in statement.find_all(exp.Star):
        if isinstance(star.parent, exp.AggFunc):
            continue
        select = star.find_ancestor(exp.Select)
        if select is None or _reads_table(select, source.table.lower()):
            return True
    return False


def _reads_table(select: exp.Select, table: str) -> bool:
    """Whether ``select`` reads ``table`` (or a ``WITH`` table of that name) in its ``FROM`` or a join."""
    sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
    for part in sources:
        node = part.this if part is not None else None
        if isinstance(node, exp.Table) and node.name.lower() == table:
            return True
    return False


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
    through = _passed_through(statement, structs)
    for column in statement.find_all(exp.Column):
        names = [part.name.lower() for part in column.parts]
        at = next((i for i, name in enumerate(names) if name in structs), None)
        if at is None:
            continue
        name, path = names[at], tuple(names[at + 1:])
        counted[name] = counted.get(name, 0) + 1
        if column in through:
            continue  # passed on under its name: its uses are where the name is used next
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


def _passed_through(statement: exp.Expression, structs: set[str]) -> set[exp.Column]:
    """Struct columns a ``WITH`` table or subquery passes on whole under their own name.

    ``WITH window AS (SELECT useridentity FROM cloudtrail) SELECT useridentity.arn FROM window``
    uses only ``arn``: the bare ``useridentity`` of the inner ``SELECT`` is not a use of its own.
    Not so in the statement's output (the caller sees the whole value), nor where a ``*`` reads
    the passing ``SELECT`` (the value goes on unnamed); those stay whole uses.
    """
    outputs = _output_selects(statement)
    passing: dict[exp.Select, list[exp.Column]] = {}
    for select in statement.find_all(exp.Select):
        if select in outputs:
            continue
        bare = [e for e in select.expressions if isinstance(e, exp.Column) and e.name.lower() in structs
                and len(e.parts) <= 2]
        if bare:
            passing[select] = bare
    if not passing:
        return set()
    named = {cte.alias_or_name.lower(): _unwrap(cte.this) for cte in statement.find_all(exp.CTE)}
    for star in statement.find_all(exp.Star):
        if isinstance(star.parent, exp.AggFunc) or star.find_ancestor(exp.Select) is None:
            continue
        select = star.find_ancestor(exp.Select)
        sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
        for part in sources:
            node = part.this if part is not None else None
            inner = named.get(node.name.lower()) if isinstance(node, exp.Table) else _unwrap(node)
            passing.pop(inner, None)
    return {column for columns in passing.values() for column in columns}


def _output_selects(statement: exp.Expression) -> set:
    """The ``SELECT`` s whose columns are the statement's result (both sides of a ``UNION``)."""
    node = _unwrap(statement)
    if isinstance(node, exp.SetOperation):
        return _output_selects(node.this) | _output_selects(node.expression)
    return {node}


def _unwrap(node):
    while isinstance(node, exp.Subquery):
        node = node.this
    return node


def _all_present(source: LogSource, name: str, found: set[tuple[str, ...]]) -> bool:
    typ = source.column(name).type
    return all(typ.field(path) is not None for path in found)
