"""Run the rules over a window and gather their hits into one table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from workbench.detections.judges import JUDGES
from workbench.detections.one_pass import narrows
from workbench.detections.one_pass import one_pass as one_pass_of
from workbench.detections.rules import CLIENT_DAYS, DEFAULT_SEVERITY, HIT_COLUMNS, SEVERITIES, Rule, list_rules
from workbench.errors import UnknownName, WorkbenchError

#: Columns of :attr:`Detections.hits`: the rule's, then the hit's.
COLUMNS = ("severity", "rule_id", "title", "tactics", "techniques", *HIT_COLUMNS)


@dataclass
class Detections:
    """What a run of the rules found.

    Attributes
    ----------
    hits : DataFrame
        One row per hit (:data:`COLUMNS`), most severe first, then by time.
    rules : list of Rule
        The rules that ran.
    failed : dict
        ``{rule id: error}`` for rules that could not run (the others still did).
    seconds : dict
        ``{rule id: seconds}`` of the rules run on their own.
    passes : dict
        ``{source: seconds}`` of the one-pass statements.
    scans : list of dict
        What each rule's query read.
    """

    hits: pd.DataFrame
    rules: list
    failed: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    passes: dict = field(default_factory=dict)
    scans: list = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        """Time spent running rules, one by one and in passes."""
        return sum(self.seconds.values()) + sum(self.passes.values())

    def table(self) -> pd.DataFrame:
        """The hits to read: ``severity, rule_id, title, event_time, account_id, principal, source_ip,
        event_name, detail, event_id`` (the tactics and techniques are in :meth:`by_rule` and :attr:`hits`)."""
        return self.hits[["severity", "rule_id", "title", "event_time", "account_id", "principal", "source_ip",
                          "event_name", "detail", "event_id"]]

    def by_rule(self) -> pd.DataFrame:
        """Hits per rule: ``severity, rule_id, title, hits, first, last``, most severe first."""
        if self.hits.empty:
            return pd.DataFrame(columns=["severity", "rule_id", "title", "hits", "first", "last"])
        out = self.hits.groupby(["severity", "rule_id", "title"], sort=False).agg(
            hits=("event_time", "size"), first=("event_time", "min"), last=("event_time", "max")).reset_index()
        return _ranked(out, "rule_id")


def run_rules(engine, *, start: str, end: str, accounts=None, regions=None, rules: list[Rule] | None = None,
              severity: str | None = DEFAULT_SEVERITY, sources=None, params: dict | None = None, one_pass: bool = True,
              allow_full_scan: bool = False, progress: bool = False) -> Detections:
    """Run ``rules`` (default: every rule) on ``engine`` over the window; gather the hits.

    Parameters
    ----------
    engine : Engine
        Any engine: the rules are query files in the library's dialect.
    start, end : str
        The window, ``YYYY-MM-DD``, inclusive.
    accounts, regions : list of str, optional
        Keep only these (empty: all).
    rules : list of Rule, optional
        Which rules (default: :func:`list_rules`).
    severity : str, optional
        Run only rules of this severity or worse (default ``low``: all but the ``info`` rules, the
        change monitoring; ``info`` runs those too; None runs every rule given).
    sources : list of str, optional
        Run only rules over these sources (``cloudtrail``, ``vpcflow``...).
    params : dict, optional
        Values for parameters that some rules declare, e.g. ``{"baseline_days": 14}`` for the
        first-seen rules; each rule takes the ones it declares.
    one_pass : bool
        Run the rules over each source as one statement, reading its files once
        (:mod:`workbench.detections.one_pass`; rules that look at every call, such as the first-seen
        ones, on their own); when that statement fails, its rules run one by one,
        so the rule at fault is named. False runs every rule on its own.
    allow_full_scan : bool
        Let a rule read its table with no time bound (a rule of the user's; the library's are bounded).
    progress : bool
        A progress bar over the passes (or the rules).
    """
    chosen = list_rules() if rules is None else list(rules)
    if severity:
        worst = SEVERITIES.index(severity)
        chosen = [r for r in chosen if SEVERITIES.index(r.severity) <= worst]
    if sources:
        chosen = [r for r in chosen if r.query.source in set(sources)]
    found = Detections(hits=pd.DataFrame(columns=list(COLUMNS)), rules=chosen)
    window = {"start": start, "end": end, "accounts": list(accounts or []), "regions": list(regions or [])}
    how = {"params": dict(params or {}), "allow_full_scan": allow_full_scan}
    groups: dict[tuple, list[Rule]] = {}
    for rule in chosen:
        # a rule that looks at every call (first seen, correlations) runs alone: its aggregate streams
        # over the files, where in a pass the window would hold every row; judged rules with the same
        # query share one run of it
        if rule.judge:
            key = ("judged", rule.query.source, _body(rule.query.sql))
        else:
            key = (rule.query.source,) if one_pass and narrows(rule) else (rule.id,)
        groups.setdefault(key, []).append(rule)
    iterator = groups.values()
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=len(groups), desc="detect", unit="pass" if one_pass else "rule")
    parts = []
    for group in iterator:
        if group[0].judge:
            parts += [frame.assign(severity=rule.severity, rule_id=rule.id, title=rule.title,
                                   tactics=", ".join(rule.tactic_names), techniques=", ".join(rule.techniques))
                      for rule, frame in _run_judged(engine, group, window, found, **how) if len(frame)]
            continue
        frames = _run_pass(engine, group, window, found, **how) if one_pass and len(group) > 1 else None
        if frames is None:  # one by one: alone, or to name the rule that stops the pass
            frames = [(rule, frame) for rule in group
                      if (frame := _run_one(engine, rule, window, found, **how)) is not None]
        parts += [frame.assign(severity=rule.severity, rule_id=rule.id, title=rule.title,
                               tactics=", ".join(rule.tactic_names), techniques=", ".join(rule.techniques))
                  for rule, frame in frames if len(frame)]
    if parts:
        hits = pd.concat(parts, ignore_index=True)
        hits["event_time"] = pd.to_datetime(hits.event_time, utc=True)
        found.hits = _ranked(hits[list(COLUMNS)], "event_time")
    return found


def _run_pass(engine, rules: list[Rule], window: dict, found: Detections, *, params: dict, allow_full_scan: bool):
    """``[(rule, its hits)]`` from one statement for ``rules``; None when that statement fails."""
    started = time.perf_counter()
    statement = one_pass_of(rules, **window, params=params)
    try:
        frame = engine.query(statement.sql, statement.values, allow_full_scan=allow_full_scan)
    except WorkbenchError:
        return None
    finally:
        found.passes[statement.source] = found.passes.get(statement.source, 0.0) + time.perf_counter() - started
    found.scans.append(frame.attrs.get("scan", {}))
    by_index = dict(tuple(frame.groupby("rule_index"))) if len(frame) else {}
    empty = frame.iloc[0:0][list(HIT_COLUMNS)]
    return [(rule, by_index[i][list(HIT_COLUMNS)] if i in by_index else empty)
            for i, rule in enumerate(rules, start=1)]


def _run_one(engine, rule: Rule, window: dict, found: Detections, *, params: dict, allow_full_scan: bool):
    """The hits of ``rule`` alone; None (its error in ``found.failed``) when it cannot run."""
    started = time.perf_counter()
    values = {**window, **params, **rule.values}
    declared = {p.name for p in rule.query.params}
    try:
        frame = engine.query(rule.query.sql if rule.query.path is None else str(rule.query.path),
                             {k: v for k, v in values.items() if k in declared},
                             allow_full_scan=allow_full_scan)
    except WorkbenchError as err:
        found.failed[rule.id] = str(err)
        return None
    finally:
        found.seconds[rule.id] = time.perf_counter() - started
    found.scans.append(frame.attrs.get("scan", {}))
    return frame


def _run_judged(engine, rules: list[Rule], window: dict, found: Detections, *, params: dict,
                allow_full_scan: bool) -> list[tuple[Rule, pd.DataFrame]]:
    """``[(rule, its hits)]`` for judged rules that share one query: the query once, then each rule's judge."""
    rows = _run_one(engine, rules[0], window, found, params=params, allow_full_scan=allow_full_scan)
    if rows is None:
        for rule in rules[1:]:
            found.failed[rule.id] = found.failed[rules[0].id]
        return []
    out = []
    for rule in rules:
        started = time.perf_counter()
        try:
            judge = JUDGES.lookup(rule.judge)
        except UnknownName as err:
            found.failed[rule.id] = f"{rule.query.path}: {err}"
            continue
        values = {**window, **params, **rule.values}
        declared = {p.name for p in rule.query.params}
        out.append((rule, judge(rows[list(CLIENT_DAYS)], **rule.query.bind({k: v for k, v in values.items()
                                                                              if k in declared}))))
        found.seconds[rule.id] = found.seconds.get(rule.id, 0.0) + time.perf_counter() - started
    return out


def _body(sql: str) -> str:
    """A query's SQL without its header and spacing: rules whose bodies agree run one query."""
    lines = (line.split("--")[0].strip() for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return " ".join(line for line in lines if line)


def _ranked(frame: pd.DataFrame, then: str) -> pd.DataFrame:
    order = frame.severity.map({s: i for i, s in enumerate(SEVERITIES)})
    return frame.assign(_order=order).sort_values(["_order", then], kind="stable").drop(columns="_order") \
        .reset_index(drop=True)
