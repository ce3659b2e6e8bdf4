"""Judges: the Python half of a rule whose question needs context the engines do not have.

Whether an address is in a network a principal never used, or a user agent is an attack tool's,
takes the country and ASN data and the user-agent parser of :mod:`workbench.context`, which no
engine holds. Such a rule's query gathers what is needed in one streaming aggregate, the same on
every engine (:data:`CLIENT_DAYS`: one row per principal, day, source address and user agent over
the baseline and the window), and names a judge in its header (``-- judge: first_seen_network``);
the judge turns those rows into hits (:data:`~workbench.detections.rules.HIT_COLUMNS`).

A judge is a function ``judge(rows, *, start, **params) -> DataFrame`` registered in
:data:`JUDGES`; ``params`` are the rule's declared parameters (defaults applied), so a rule's
thresholds stay in its file.
"""

from __future__ import annotations

import pandas as pd

from workbench.context.addresses import default as address_book
from workbench.context.agents import agent
from workbench.detections.rules import CLIENT_DAYS, HIT_COLUMNS
from workbench.registry import Registry

#: Judges by name, as rule headers name them.
JUDGES: Registry = Registry("judge")

#: Client kinds that say nothing about who holds a credential: AWS calling for the caller, or the console's
#: own agents (a person's console use is judged by their sign-in, not by the console's user agent).
_NOT_A_CLIENT = ("aws-service", "aws-internal", "aws-console", "missing")


def _prepared(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows[list(CLIENT_DAYS)].copy()
    rows["event_time"] = pd.to_datetime(rows.event_time, utc=True)
    rows["day"] = rows.day.astype(str).str.replace("/", "-", regex=False)
    return rows


def _first_seen(rows: pd.DataFrame, thing: str, *, start: str, history_days: int, min_calls: int) -> pd.DataFrame:
    """Rows of the first day each ``thing`` was used by a principal, judged as the first-seen rules judge.

    New means absent from the principal's earlier days (the baseline and the window's earlier days); a
    principal first seen fewer than ``history_days`` before that day is not judged; that day's calls with
    the new thing must reach ``min_calls``. One row per principal and thing: the first call.
    """
    keys = ["account_id", "principal"]
    seen = rows.groupby(keys).day.min().rename("principal_first_day")
    known = rows[rows[thing].notna()]
    if known.empty:
        return known.assign(calls_that_day=pd.Series(dtype="int64"))
    firsts = known.groupby([*keys, thing]).day.min().rename("first_day").reset_index()
    firsts = firsts.join(seen, on=keys)
    gap = (pd.to_datetime(firsts.first_day) - pd.to_datetime(firsts.principal_first_day)).dt.days
    firsts = firsts[(firsts.first_day >= start) & (gap >= history_days)]
    that_day = known.merge(firsts, left_on=[*keys, thing, "day"], right_on=[*keys, thing, "first_day"])
    if that_day.empty:
        return that_day.assign(calls_that_day=pd.Series(dtype="int64"))
    totals = that_day.groupby([*keys, thing]).calls.sum().rename("calls_that_day")
    first = that_day.sort_values(["event_time", "event_id"]).groupby([*keys, thing], as_index=False).first()
    first = first.join(totals, on=[*keys, thing])
    return first[first.calls_that_day >= min_calls]


def _hits(frame: pd.DataFrame, detail: pd.Series) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=list(HIT_COLUMNS))
    return frame.assign(detail=detail)[list(HIT_COLUMNS)].sort_values(["event_time", "event_id"]) \
        .reset_index(drop=True)


def first_seen_network(rows: pd.DataFrame, *, start: str, history_days: int = 2, min_calls: int = 1,
                       **_) -> pd.DataFrame:
    """A principal's calls from a network (country and ASN of a public address) it never used before.

    Private, documentation and AWS's own values have no network and are never new.
    """
    if rows.empty:
        return _hits(rows, pd.Series(dtype=object))
    rows = _prepared(rows)
    book = address_book()
    where = {ip: book.lookup(ip) for ip in pd.unique(rows.source_ip.dropna())}
    rows["network"] = rows.source_ip.map(
        {ip: (f"{a.country or '??'} AS{a.asn}" if a.asn is not None and not a.is_aws else None)
         for ip, a in where.items()})
    found = _first_seen(rows, "network", start=start, history_days=history_days, min_calls=min_calls)
    detail = pd.Series([f"first calls from {r.network} {where[r.source_ip].org or ''} ({r.source_ip}): "
                        f"{int(r.calls_that_day)} that day" for r in found.itertuples()], index=found.index,
                       dtype=object)
    return _hits(found, detail.str.replace("  ", " ", regex=False))


def first_seen_client(rows: pd.DataFrame, *, start: str, history_days: int = 2, min_calls: int = 1,
                      **_) -> pd.DataFrame:
    """A principal's calls from a client program (the tool of its user agent: AWS CLI, Boto3, Terraform...)
    it never used before. AWS's own agents and the console's are not clients of the principal."""
    if rows.empty:
        return _hits(rows, pd.Series(dtype=object))
    rows = _prepared(rows)
    agents = {ua: agent(ua) for ua in pd.unique(rows.user_agent.dropna())}
    rows["client"] = rows.user_agent.map({ua: (a.tool if a.kind not in _NOT_A_CLIENT else None)
                                          for ua, a in agents.items()})
    found = _first_seen(rows, "client", start=start, history_days=history_days, min_calls=min_calls)
    detail = pd.Series([f"first calls with {r.client} ({agents[r.user_agent].kind}): {int(r.calls_that_day)} that day"
                        for r in found.itertuples()], index=found.index, dtype=object)
    return _hits(found, detail)


def attack_tool(rows: pd.DataFrame, *, start: str, **_) -> pd.DataFrame:
    """Calls whose user agent names an attack tool or a penetration-testing OS (Pacu, TruffleHog, Stratus Red
    Team, Kali...): one hit per principal, tool and day, at its first call."""
    if rows.empty:
        return _hits(rows, pd.Series(dtype=object))
    rows = _prepared(rows)
    agents = {ua: agent(ua) for ua in pd.unique(rows.user_agent.dropna())}
    rows["tool"] = rows.user_agent.map({ua: (a.tool if a.kind == "offensive-tool" else None)
                                        for ua, a in agents.items()})
    rows = rows[rows.tool.notna() & (rows.day >= start)]
    if rows.empty:
        return _hits(rows, pd.Series(dtype=object))
    keys = ["account_id", "principal", "tool", "day"]
    totals = rows.groupby(keys).calls.sum().rename("calls_that_day")
    first = rows.sort_values(["event_time", "event_id"]).groupby(keys, as_index=False).first().join(totals, on=keys)
    detail = pd.Series([f"{r.tool} in the user agent: {int(r.calls_that_day)} calls that day"
                        for r in first.itertuples()], index=first.index, dtype=object)
    return _hits(first, detail)


JUDGES.register("first_seen_network", first_seen_network)
JUDGES.register("first_seen_client", first_seen_client)
JUDGES.register("attack_tool", attack_tool)
