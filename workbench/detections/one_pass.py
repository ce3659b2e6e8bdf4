"""Every rule over one source in one statement: the log files are read once for the whole pack.

Run one by one, 37 rules read the window's files 37 times. Here the rules over one source become
one statement::

    WITH _window AS (
        SELECT <every column any rule uses>, account, region, day FROM cloudtrail
        WHERE day BETWEEN <the earliest day any rule reads> AND :end
          AND <accounts> AND <regions>
          AND (<rule 1's conditions> OR <rule 2's conditions> OR ...)
    )
    SELECT 1 AS rule_index, h.event_time, ... FROM (<rule 1 over _window>) AS h
    UNION ALL ...

Each rule's conditions are the ``WHERE`` of the ``SELECT`` in it that reads the log table, so
``_window`` holds every row any rule can look at (the few security-relevant calls, not the
window's millions) and each rule, run over it with its own conditions still in place, gives the
hits it gives alone. A rule that reads the table through a join, or with a ``WHERE`` that looks
elsewhere (a subquery), adds no condition of its own: the window then keeps every row of its
days. A rule whose ``baseline_days`` parameter reaches before the window widens the days read.

The local engine reads the files once and keeps ``_window`` (DuckDB materialises a ``WITH`` table
used more than once); on Trino and Athena the statement is still one query. Rules' own
parameters are renamed per rule (``r3_sigma_1``), so two rules may both call one ``sigma_1``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from workbench.detections.rules import HIT_COLUMNS, Rule
from workbench.engines.local.columns import used_columns
from workbench.library import parse_sql
from workbench.sources import get_source

#: Parameters every rule shares with the run: the window and its accounts and regions.
SHARED = ("start", "end", "accounts", "regions")

#: The name of the filtered rows every rule reads.
WINDOW = "_window"


@dataclass(frozen=True)
class Pass:
    """One statement for a group of rules over one source.

    Attributes
    ----------
    source : str
        The log table every rule reads.
    rules : list of Rule
        The rules, in the order of their branches.
    sql : str
        The statement (Athena dialect, ``:name`` placeholders).
    values : dict
        What to bind: the shared window values, ``scan_start``, each rule's own values renamed.
    """

    source: str
    rules: list
    sql: str
    values: dict


def narrows(rule: Rule) -> bool:
    """Whether the rule's reads say which rows they want beyond the days, accounts and regions.

    A rule that does not (it looks at every call of the window, as the first-seen rules do) would
    make the window of a pass every row: it runs on its own.
    """
    table = get_source(rule.query.source)
    statement = parse_sql(rule.query.sql, where=str(rule.query.path or rule.id))
    conditions = _read_conditions(statement, table.table, table.partitions)
    return any(_selective(parse_sql(f"SELECT 1 WHERE {c}").args["where"].this) for c in conditions)


def _selective(condition: exp.Expression) -> bool:
    """Whether ``condition`` keeps only rows with given values: ``x = 'v'``, ``lower(x) = lower(:p)``,
    ``x IN ('a', 'b')``, and those combined (a pattern, ``LIKE 'Get%'``, may keep most rows: not counted)."""
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        return _selective(condition.this) or _selective(condition.expression)
    if isinstance(condition, exp.Or):
        return _selective(condition.this) and _selective(condition.expression)
    if isinstance(condition, exp.EQ):  # a column (or a function of one, lower(eventname)) = a value
        sides = (condition.this, condition.expression)
        return any(_reads_a_column(a) and _is_a_value(b) for a, b in (sides, sides[::-1]))
    if isinstance(condition, exp.In):
        return _reads_a_column(condition.this) and bool(condition.expressions) and all(
            _is_a_value(v) for v in condition.expressions)
    return False


def _reads_a_column(node: exp.Expression) -> bool:
    return node.find(exp.Column) is not None


def _is_a_value(node: exp.Expression) -> bool:
    """A literal or a parameter, or a function of those alone (``lower(:sigma_1)``)."""
    return node.find(exp.Column) is None and node.find(exp.Literal, exp.Placeholder) is not None


def one_pass(rules: list[Rule], *, start: str, end: str, accounts=(), regions=(), params=None) -> Pass:
    """The statement that runs ``rules`` (all over one source) with one read of its files.

    Parameters
    ----------
    rules : list of Rule
        Rules over one log table, each returning :data:`~workbench.detections.rules.HIT_COLUMNS`.
    start, end : str
        The window, ``YYYY-MM-DD``, inclusive.
    accounts, regions : list of str
        Keep only these (empty: all).
    params : dict, optional
        Values for parameters some rules declare (``baseline_days``); each rule takes those it declares.

    Returns
    -------
    Pass
        Its hits carry ``rule_index`` (1 for the first rule) before the hit columns.
    """
    sources = {r.query.source for r in rules}
    if len(sources) != 1:
        raise ValueError(f"one pass runs rules over one source, not {sorted(sources)}")
    table = get_source(sources.pop())
    values: dict = {"start": start, "end": end, "accounts": list(accounts), "regions": list(regions)}
    branches, conditions, columns, reach = [], [], set(), 0
    for i, rule in enumerate(rules, start=1):
        given = {**values, **(params or {}), **rule.values}
        bound = rule.query.bind({k: v for k, v in given.items() if k in _declared(rule)})
        reach = max(reach, int(bound.get("baseline_days") or 0))
        statement = parse_sql(rule.query.sql, where=str(rule.query.path or rule.id)).copy()
        renamed = {name: name if name in SHARED else f"r{i}_{name}" for name in bound}
        values.update({renamed[name]: value for name, value in bound.items() if name not in SHARED})
        used = used_columns(statement, table)
        columns |= {c.name for c in table.columns} if used is None else used
        conditions.append(_read_conditions(statement, table.table, table.partitions))
        branches.append(_branch(i, _over_window(statement, table.table, renamed)))
    values["scan_start"] = (dt.date.fromisoformat(start) - dt.timedelta(days=reach)).isoformat()
    names = [c.name for c in table.columns if c.name in columns] + list(table.partitions)
    keep = _any_of(conditions)
    window = (
        f"SELECT {', '.join(names)} FROM {table.table}\n"
        "    WHERE day BETWEEN replace(:scan_start, '-', '/') AND replace(:end, '-', '/')\n"
        "        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))\n"
        "        AND (cardinality(:regions) = 0 OR contains(:regions, region))\n"
        f"        AND ({keep})"
    )
    sql = f"WITH {WINDOW} AS (\n    {window}\n)\n" + "\nUNION ALL\n".join(branches)
    return Pass(source=table.name, rules=list(rules), sql=sql, values=values)


def _any_of(conditions: list[list[str]]) -> str:
    """``common AND (rest of rule 1 OR rest of rule 2 ...)``: what every rule asks is asked once."""
    if not conditions or any(not c for c in conditions):
        return "TRUE"
    common = [c for c in conditions[0] if all(c in other for other in conditions[1:])]
    rests = [[c for c in conjuncts if c not in common] for conjuncts in conditions]
    either = "TRUE" if any(not r for r in rests) else " OR ".join(
        "(" + " AND ".join(f"({c})" for c in rest) + ")" for rest in rests)
    return " AND ".join([f"({c})" for c in common] + [f"({either})"])


def _declared(rule: Rule) -> set[str]:
    return {p.name for p in rule.query.params}


def _read_conditions(statement: exp.Expression, table: str, partitions) -> list[str]:
    """The ``WHERE`` of the rule's reads of ``table`` as ``AND``-ed parts, qualifiers dropped; none when it cannot say.

    Conditions on the partitions alone are left out: the window's own days, accounts and regions
    hold every partition any rule reads.
    """
    found = []
    for node in statement.find_all(exp.Table):
        if node.name.lower() != table:
            continue
        select = node.find_ancestor(exp.Select)
        if select is None or select.args.get("joins"):
            return []
        where = select.args.get("where")
        if where is None or where.find(exp.Subquery, exp.Select) is not None:
            return []
        parts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        kept = [c.copy() for c in parts
                if not {col.name.lower() for col in c.find_all(exp.Column)} <= set(partitions)]
        alias = node.alias_or_name.lower()
        for condition in kept:
            for column in condition.find_all(exp.Column):
                qualifier = [part.name.lower() for part in column.parts[:-1]]
                if qualifier and qualifier[0] == alias:
                    if len(qualifier) > 1:  # alias.struct.field: leave it to the rule
                        return []
                    column.set("table", None)
        if not kept:
            return []
        found.append([c.sql(dialect="trino") for c in kept])
    if len(found) == 1:
        return found[0]
    return [" OR ".join("(" + " AND ".join(f"({c})" for c in conjuncts) + ")" for conjuncts in found)] if found else []


def _over_window(statement: exp.Expression, table: str, renamed: dict) -> exp.Expression:
    """The rule with its reads of ``table`` turned into reads of the window and its own parameters renamed."""
    for node in list(statement.find_all(exp.Table)):
        if node.name.lower() == table and not node.args.get("db"):
            alias = node.alias_or_name
            node.replace(exp.to_table(WINDOW).as_(alias))
    for node in statement.find_all(exp.Placeholder):
        if node.name in renamed:
            node.set("this", renamed[node.name])
    return statement


def _branch(index: int, statement: exp.Expression) -> str:
    """``SELECT <index> AS rule_index, <hit columns> FROM (<rule>) AS h``."""
    hit = ", ".join(f"h.{c}" for c in HIT_COLUMNS)
    body = statement.sql(dialect="trino", pretty=True, comments=False)
    return f"SELECT {index:d} AS rule_index, {hit} FROM (\n{body}\n) AS h"
