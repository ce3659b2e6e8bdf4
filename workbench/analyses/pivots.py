"""Entity pivots: which rows mention an entity, and which entities to try next.

An entity is one of :data:`ENTITY_KINDS`: a source IP, an access key id, a principal
(ARN or name) or an EC2 instance id. These functions work on query results only; the
queries themselves are run by :func:`workbench.session.pivot`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

import pandas as pd

from workbench.analyses.hidden import HIDDEN_USER
from workbench.settings import parse_list

#: The entities a pivot starts from, in the order next pivots are preferred on a tie.
ENTITY_KINDS = ("access_key_id", "source_ip", "instance_id", "principal")

NEXT_PIVOT_COLUMNS = ["kind", "value", "sources", "n_sources", "hits", "first_seen", "last_seen"]



def entity_lists(*, source_ip=None, access_key_id=None, principal=None, instance_id=None) -> dict[str, list[str]]:
    """Each entity kind as a list of values (a single string, ``"a,b"`` or a list are accepted).

    Examples
    --------
    >>> entity_lists(source_ip="203.0.113.7", access_key_id=None)
    {'access_key_id': [], 'source_ip': ['203.0.113.7'], 'instance_id': [], 'principal': []}
    """
    given = {"access_key_id": access_key_id, "source_ip": source_ip, "instance_id": instance_id,
             "principal": principal}
    return {kind: list(dict.fromkeys(parse_list(given[kind]))) for kind in ENTITY_KINDS}


def time_window(start, end, padding=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The UTC time range ``[start - padding, end + padding)``.

    A day given without a time (``"2026-11-07"``) means the whole day: as ``end`` it
    reaches midnight after it.

    Examples
    --------
    >>> time_window("2026-11-01", "2026-11-02", "1h")
    (Timestamp('2026-10-31 23:00:00+0000', tz='UTC'), Timestamp('2026-11-03 01:00:00+0000', tz='UTC'))
    """
    pad = as_timedelta(padding)
    first = as_utc(start)
    last = as_utc(end)
    if _is_day(end):
        last += pd.Timedelta(days=1)
    return first - pad, last + pad


def as_timedelta(value) -> pd.Timedelta:
    """``None``, ``0``, ``"2h"``, ``"30min"``, ``"1 day"`` or a timedelta as a ``Timedelta``."""
    if value in (None, "", 0, "0"):
        return pd.Timedelta(0)
    return pd.Timedelta(value)


def query_days(first: pd.Timestamp, last: pd.Timestamp) -> dict[str, str]:
    """The ``start``/``end`` day parameters that cover ``[first, last)``."""
    end = last - pd.Timedelta(microseconds=1) if last > first else last
    return {"start": first.date().isoformat(), "end": end.date().isoformat()}


def within(frame: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp, *,
           start_column: str, end_column: str | None = None) -> pd.DataFrame:
    """Rows whose time (or ``[start_column, end_column]`` span) overlaps ``[first, last)``."""
    if frame.empty:
        return frame
    begin = pd.to_datetime(frame[start_column], utc=True)
    finish = pd.to_datetime(frame[end_column], utc=True) if end_column else begin
    keep = (begin < last) & (finish.fillna(begin) >= first)
    return frame[keep.fillna(False)].reset_index(drop=True)


def match_findings(findings: pd.DataFrame, entities: dict[str, list[str]]) -> pd.DataFrame:
    """GuardDuty findings (rows of ``findings``) that name any of the entities.

    A principal matches a finding's user name or principal id, or an ARN whose last part
    is the user name. The column ``matched`` says which entity matched.
    """
    if findings.empty:
        return findings.assign(matched=pd.Series(dtype=object))
    names = {_last_part(p) for p in entities.get("principal", [])} | set(entities.get("principal", []))
    tests = {
        "access_key_id": findings.access_key_id.isin(entities.get("access_key_id", [])),
        "source_ip": findings.remote_ip.isin(entities.get("source_ip", [])),
        "instance_id": findings.instance_id.isin(entities.get("instance_id", [])),
        "principal": findings.user_name.isin(names) | findings.principal_id.isin(names),
    }
    hit = pd.DataFrame({k: v.fillna(False).astype(bool) for k, v in tests.items()})
    matched = hit.apply(lambda row: ", ".join(k for k in ENTITY_KINDS if row[k]), axis=1)
    out = findings.assign(matched=matched)
    return out[hit.any(axis=1)].reset_index(drop=True)


def interfaces_of(findings: pd.DataFrame, instance_ids: list[str]) -> list[str]:
    """Network interfaces (``eni-...``) that findings give for the instances."""
    if findings.empty or not instance_ids:
        return []
    rows = findings[findings.instance_id.isin(instance_ids) & findings.eni.notna()]
    return sorted(set(rows.eni))


def next_pivots(cloudtrail: pd.DataFrame, flows: pd.DataFrame, findings: pd.DataFrame,
                entities: dict[str, list[str]]) -> pd.DataFrame:
    """Entities seen alongside the given ones, ranked: the next pivots to try.

    Parameters
    ----------
    cloudtrail : DataFrame
        Rows of ``events_by_entity``.
    flows : DataFrame
        Rows of ``flows_by_entity``.
    findings : DataFrame
        Findings that matched (:func:`match_findings`).
    entities : dict
        What the pivot started from (:func:`entity_lists`); these are left out.

    Returns
    -------
    DataFrame
        ``kind, value, sources, n_sources, hits, first_seen, last_seen``: entities seen by
        more sources first, then by more rows (events, flows, findings). Only real IP
        addresses count as IPs (not "AWS Internal" or a service name); unknown user
        names (``HIDDEN_DUE_TO_SECURITY_REASONS``) are not principals.
    """
    seen: list[pd.DataFrame] = []
    if not cloudtrail.empty:
        ct = cloudtrail.assign(time=pd.to_datetime(cloudtrail.event_time, utc=True), hits=1)
        seen.append(_mentions(ct, "access_key_id", "access_key_id", "cloudtrail"))
        seen.append(_mentions(ct[ct.source_ip.map(is_ip_address)], "source_ip", "source_ip", "cloudtrail"))
        named = ct[ct.principal.notna() & ~ct.principal.astype(str).str.contains(HIDDEN_USER, regex=False)]
        seen.append(_mentions(named, "principal", "principal", "cloudtrail"))
        sessions = named.principal.astype(str).str.extract(r"assumed-role/[^/]+/(i-[0-9a-f]+)$")[0]
        seen.append(_mentions(named.assign(instance=sessions), "instance", "instance_id", "cloudtrail"))
    if not flows.empty:
        fl = flows.assign(time=pd.to_datetime(flows.first_seen, utc=True), hits=flows.flows)
        peers = pd.concat([fl.assign(peer=fl.srcaddr), fl.assign(peer=fl.dstaddr)], ignore_index=True)
        seen.append(_mentions(peers[peers.peer.map(is_ip_address)], "peer", "source_ip", "vpcflow"))
    if not findings.empty:
        gd = findings.assign(time=pd.to_datetime(findings.first_seen, utc=True), hits=1)
        arns = _arns_by_name(cloudtrail)
        gd = gd.assign(principal=gd.user_name.map(lambda n: arns.get(n, n) if isinstance(n, str) else None))
        for column, kind in (("access_key_id", "access_key_id"), ("remote_ip", "source_ip"),
                             ("instance_id", "instance_id"), ("principal", "principal")):
            seen.append(_mentions(gd, column, kind, "guardduty"))
    frames = [f for f in seen if not f.empty]
    if not frames:
        return pd.DataFrame(columns=NEXT_PIVOT_COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[~rows.apply(lambda r: _is_given(r.kind, r.value, entities), axis=1)]
    if rows.empty:
        return pd.DataFrame(columns=NEXT_PIVOT_COLUMNS)
    ranked = rows.groupby(["kind", "value"], as_index=False).agg(
        sources=("source", lambda s: ", ".join(sorted(set(s)))),
        n_sources=("source", "nunique"),
        hits=("hits", "sum"),
        first_seen=("first_seen", "min"),
        last_seen=("last_seen", "max"),
    )
    ranked["order"] = ranked.kind.map({k: i for i, k in enumerate(ENTITY_KINDS)})
    ranked = ranked.sort_values(["n_sources", "hits", "order", "value"], ascending=[False, False, True, True])
    return ranked[NEXT_PIVOT_COLUMNS].reset_index(drop=True)


def top_entities(ranked: pd.DataFrame, n: int = 1) -> dict[str, list[str]]:
    """The first ``n`` rows of :func:`next_pivots` as entity lists (for the next pivot)."""
    picked = ranked.head(max(int(n), 0))
    return {kind: picked[picked.kind == kind].value.tolist() for kind in ENTITY_KINDS}


def merge_entities(*groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """Entity lists combined, in order, without repeats."""
    return {kind: list(dict.fromkeys(v for g in groups for v in g.get(kind, []))) for kind in ENTITY_KINDS}


def is_ip_address(value) -> bool:
    """True for an IPv4 or IPv6 address (CloudTrail's source may be "AWS Internal" or a service name)."""
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _mentions(frame: pd.DataFrame, column: str, kind: str, source: str) -> pd.DataFrame:
    rows = frame[frame[column].notna() & (frame[column].astype(str) != "")]
    if rows.empty:
        return pd.DataFrame(columns=["kind", "value", "source", "hits", "first_seen", "last_seen"])
    return pd.DataFrame({"kind": kind, "value": rows[column].astype(str).to_numpy(), "source": source,
                         "hits": rows.hits.to_numpy(), "first_seen": rows.time.to_numpy(),
                         "last_seen": rows.time.to_numpy()})


def _arns_by_name(cloudtrail: pd.DataFrame) -> dict[str, str]:
    if cloudtrail.empty:
        return {}
    arns = cloudtrail.principal.dropna().astype(str).unique()
    return {_last_part(a): a for a in arns if a.startswith("arn:")}


def _is_given(kind: str, value: str, entities: dict[str, list[str]]) -> bool:
    given = entities.get(kind, [])
    if value in given:
        return True
    return kind == "principal" and _last_part(value) in given


def _last_part(value: str) -> str:
    return str(value).rsplit("/", 1)[-1]


def as_utc(value) -> pd.Timestamp:
    """A day, a time or a timestamp as a UTC ``Timestamp`` (naive values are taken as UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _is_day(value) -> bool:
    if isinstance(value, str):
        return len(value.strip()) == 10
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
