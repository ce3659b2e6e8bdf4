"""Which partitions a query can touch, read from the query itself.

Athena prunes partitions from the predicates of the ``WHERE`` clause that involve only
partition columns. The local engine does the same, so that a query file behaves alike on
both: for every place a query reads a log table, the top-level ``AND``-ed conditions of
that ``SELECT`` that mention only partition columns (``account``, ``region``, ``day``) and
parameters become the partition filter for that read. A condition that mixes in a data
column (``region = 'us-east-1' OR eventsource = ...``) cannot prune and is left to the
query.

A read whose filter never mentions ``day`` has no time bound; both engines refuse it
unless the caller asks for a full scan.

The top-level conditions that compare a data column with a string (``eventname =
'ConsoleLogin'``, ``useridentity.accesskeyid = :key``) are kept too: the local engine
uses them to pass over whole files that cannot hold a match (:mod:`workbench.engines.local.needles`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class TableRead:
    """One place a query reads a log table.

    Attributes
    ----------
    table : str
        The log table's name.
    conditions : tuple of exp.Expression
        Conditions on partition columns only (column qualifiers removed).
    equalities : tuple of (tuple of str, exp.Expression)
        Top-level ``column = value`` conditions on data columns: the column's path (lower
        case, qualifier removed: ``("useridentity", "accesskeyid")``) and the value, a string
        literal or a parameter.
    """

    table: str
    conditions: tuple[exp.Expression, ...]
    equalities: tuple[tuple[tuple[str, ...], exp.Expression], ...] = ()

    def bounds(self, column: str) -> bool:
        """Whether some condition restricts ``column``."""
        return any(c.name == column for cond in self.conditions for c in cond.find_all(exp.Column))

    @property
    def time_bounded(self) -> bool:
        """Whether the read is limited in time (a condition on ``day``)."""
        return self.bounds("day")

    def where_sql(self, *, dialect: str) -> str:
        """The conditions as one SQL boolean expression (``TRUE`` when there are none)."""
        if not self.conditions:
            return "TRUE"
        return exp.and_(*(c.copy() for c in self.conditions)).sql(dialect=dialect)


def table_reads(
    statement: exp.Expression, *, tables: dict[str, tuple[str, ...]]
) -> list[TableRead]:
    """Find every read of a log table in ``statement`` and its partition conditions.

    Parameters
    ----------
    statement : exp.Expression
        The parsed query.
    tables : dict
        Log table name -> its partition column names.

    Returns
    -------
    list of TableRead
        One per table reference, in query order. Names that a ``WITH`` clause defines are
        not log tables, even when they share a log table's name.
    """
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    reads = []
    for table in statement.find_all(exp.Table):
        name = table.name.lower()
        if name not in tables or (name in ctes and not table.db):
            continue
        select = table.find_ancestor(exp.Select)
        conditions = _partition_conditions(select, table, tables[name]) if select else ()
        equalities = _equalities(select, table, tables[name]) if select else ()
        reads.append(TableRead(name, conditions, equalities))
    return reads


def _equalities(select: exp.Select, table: exp.Table,
                partitions: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], exp.Expression], ...]:
    """Top-level ``data column = string literal or parameter`` conditions of ``select`` on ``table``."""
    where = select.args.get("where")
    if where is None or not isinstance(table.parent, exp.From) or table.parent.parent is not select:
        return ()  # only the table in the FROM of the SELECT: not one in a join
    single = not select.args.get("joins")
    names = {table.alias_or_name.lower(), table.name.lower()}
    found = []
    for condition in _conjuncts(where.this):
        if not isinstance(condition, exp.EQ):
            continue
        for column, value in ((condition.left, condition.right), (condition.right, condition.left)):
            if not isinstance(column, exp.Column) or not (
                    isinstance(value, exp.Placeholder) or (isinstance(value, exp.Literal) and value.is_string)):
                continue
            parts = [p.name.lower() for p in column.parts]
            if len(parts) > 1 and parts[0] in names:
                parts = parts[1:]
            elif not single:
                continue  # unqualified in a join: whose column is it?
            if parts[0] not in partitions:
                found.append((tuple(parts), value))
    return tuple(found)


def _partition_conditions(
    select: exp.Select, table: exp.Table, partitions: tuple[str, ...]
) -> tuple[exp.Expression, ...]:
    where = select.args.get("where")
    if where is None:
        return ()
    single = not select.args.get("joins")
    names = {table.alias_or_name.lower(), table.name.lower()}
    kept = []
    for condition in _conjuncts(where.this):
        columns = list(condition.find_all(exp.Column))
        if not columns or condition.find(exp.Subquery, exp.Select):
            continue
        if all(
            col.name.lower() in partitions
            and ((col.table and col.table.lower() in names) or (not col.table and single))
            for col in columns
        ):
            unqualified = condition.copy()
            for col in unqualified.find_all(exp.Column):
                col.set("table", None)
            kept.append(unqualified)
    return tuple(kept)


def _conjuncts(node: exp.Expression):
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    else:
        yield node
