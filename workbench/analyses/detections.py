"""Detection hits, read for a person: what to hunt next, and the verdict line."""

from __future__ import annotations

import shlex

import pandas as pd

from workbench.analyses.pivots import is_ip_address
from workbench.detections.rules import SEVERITIES
from workbench.words import count

#: The hunt notebook's parameter for each entity a hit carries.
HUNT_PARAMETERS = {"source_ip": "source_ip", "access_key_id": "access_key_id", "principal": "principal"}

#: Columns of :func:`hunt_pivots`.
PIVOT_COLUMNS = ("severity", "entity", "value", "hits", "rules", "first", "last", "hunt")


def hunt_pivots(hits: pd.DataFrame) -> pd.DataFrame:
    """Each address, access key and principal that hits name, with the command that hunts it.

    Parameters
    ----------
    hits : DataFrame
        :attr:`~workbench.detections.Detections.hits`.

    Returns
    -------
    DataFrame
        :data:`PIVOT_COLUMNS`, worst severity first, then most hits: ``hunt`` is the
        ``workbench report --notebook hunt`` command over the days of its hits, every value
        quoted for the shell (the values come from the logs, so from whoever wrote them).
        Source values that are not addresses (``AWS Internal``, a service name) are left out.
    """
    if hits.empty:
        return pd.DataFrame(columns=list(PIVOT_COLUMNS))
    parts = []
    for column, parameter in HUNT_PARAMETERS.items():
        rows = hits[hits[column].notna() & (hits[column].astype(str) != "")]
        if column == "source_ip":
            rows = rows[rows.source_ip.map(is_ip_address)]
        if rows.empty:
            continue
        worst = rows.severity.map({s: i for i, s in enumerate(SEVERITIES)})
        grouped = rows.assign(_worst=worst).groupby(column).agg(
            worst=("_worst", "min"), hits=("rule_id", "size"), rules=("rule_id", lambda r: ", ".join(sorted(set(r)))),
            first=("event_time", "min"), last=("event_time", "max")).reset_index()
        grouped["entity"], grouped["value"] = parameter, grouped[column].astype(str)
        parts.append(grouped.drop(columns=[column]))
    if not parts:
        return pd.DataFrame(columns=list(PIVOT_COLUMNS))
    out = pd.concat(parts, ignore_index=True).sort_values(["worst", "hits", "value"], ascending=[True, False, True])
    out["severity"] = out.worst.map(dict(enumerate(SEVERITIES)))
    out["hunt"] = [hunt_command(e, v, f, la) for e, v, f, la in zip(out.entity, out.value, out["first"], out["last"])]
    return out[list(PIVOT_COLUMNS)].reset_index(drop=True)


def hunt_command(entity: str, value: str, first, last) -> str:
    """``workbench report --notebook hunt -p ENTITY=VALUE -p start=DAY -p end=DAY``, quoted for the shell.

    Examples
    --------
    >>> import pandas as pd
    >>> hunt_command("source_ip", "203.0.113.7", pd.Timestamp("2026-11-04 10:00"), pd.Timestamp("2026-11-05"))
    'workbench report --notebook hunt -p source_ip=203.0.113.7 -p start=2026-11-04 -p end=2026-11-05'
    >>> hunt_command("principal", "x; rm -rf ~", pd.Timestamp("2026-11-04"), pd.Timestamp("2026-11-04"))
    "workbench report --notebook hunt -p 'principal=x; rm -rf ~' -p start=2026-11-04 -p end=2026-11-04"
    """
    words = ["workbench", "report", "--notebook", "hunt", "-p", f"{entity}={value}",
             "-p", f"start={pd.Timestamp(first):%Y-%m-%d}", "-p", f"end={pd.Timestamp(last):%Y-%m-%d}"]
    return " ".join(shlex.quote(w) for w in words)


def verdict(found) -> str:
    """One line: how many hits, of how many rules, how bad; or that nothing fired."""
    rules = len(found.rules)
    if found.hits.empty:
        return f"No rule fired: {count(rules, 'rule')} over the window found nothing."
    by = found.hits.severity.value_counts()
    worst = ", ".join(f"{by[s]} {s}" for s in SEVERITIES if s in by)
    fired = found.hits.rule_id.nunique()
    return f"{count(len(found.hits), 'hit')} from {fired} of {count(rules, 'rule')} ({worst})."
