"""GuardDuty findings: overview, which one to drill into, its pivots, and an attack sequence's signals.

Functions take rows of the ``findings`` query (one row per finding, latest update). An attack
sequence (Extended Threat Detection, ``AttackSequence:*``) holds its evidence as signals, each
with its actors (credentials), endpoints (addresses), time span and name:
:func:`signals` lists them and :func:`signal_events` finds the CloudTrail events each covers.
"""

from __future__ import annotations

import json

import pandas as pd

from workbench import context
from workbench.errors import UsageError
from workbench.formats.times import parse_time

#: Columns of :func:`signals`.
SIGNAL_COLUMNS = ["signal_uid", "signal_type", "name", "description", "severity", "count", "first_seen",
                  "last_seen", "access_key_ids", "principals", "source_ips", "resources"]

#: Columns of :func:`signal_events`.
SIGNAL_EVENT_COLUMNS = ["signal_uid", "signal_type", "name", "event_time", "event_id", "event_source", "event_name",
                        "error_code", "principal", "access_key_id", "source_ip"]

#: How far outside a signal's first and last seen times its events may lie (GuardDuty rounds them).
SIGNAL_SLACK = pd.Timedelta(minutes=2)

#: GuardDuty's severity levels (low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0).
BANDS = (("critical", 9.0), ("high", 7.0), ("medium", 4.0), ("low", 0.0))


def band(severity: float) -> str:
    """The severity level GuardDuty's console shows for a numeric severity."""
    for name, floor in BANDS:
        if severity >= floor:
            return name
    return "low"


def with_band(findings: pd.DataFrame) -> pd.DataFrame:
    """``findings`` plus ``band`` (critical, high, medium, low) and ``day`` (of the last update)."""
    return findings.assign(band=findings.severity.map(band),
                           day=pd.to_datetime(findings.updated_at, utc=True).dt.strftime("%Y-%m-%d"))


def counts(findings: pd.DataFrame, by: str) -> pd.DataFrame:
    """Findings per ``by`` (``band``, ``type``, ``account_id``, ``day``...) and band: ``<by>, band, findings``."""
    rows = with_band(findings)
    if rows.empty:
        return pd.DataFrame(columns=[by, "band", "findings"])
    keys = list(dict.fromkeys([by, "band"]))
    out = rows.groupby(keys).size().rename("findings").reset_index()
    return out.sort_values("findings", ascending=False).reset_index(drop=True)


def pick(findings: pd.DataFrame, finding_id: str | None = None, *, samples: bool = False) -> pd.Series:
    """The finding to drill into: ``finding_id``, else the most severe, most recently updated one.

    Sample findings (``CreateSampleFindings``) are skipped unless ``samples`` is true or
    the id names one.

    Raises
    ------
    UsageError
        If ``finding_id`` is not among the findings, or there is no finding at all.
    """
    if finding_id:
        chosen = findings[findings.finding_id == finding_id]
        if chosen.empty:
            raise UsageError(f"no GuardDuty finding {finding_id!r} in the window; "
                             f"{len(findings)} findings there (widen start/end, or leave finding_id empty)")
        return chosen.iloc[0]
    real = findings if samples else findings[~findings.is_sample.fillna(False).astype(bool)]
    if real.empty:
        raise UsageError("no GuardDuty finding in the window (sample findings left out)")
    ranked = real.sort_values(["severity", "updated_at", "finding_id"], ascending=[False, False, True])
    return ranked.iloc[0]


def pivots(finding: pd.Series) -> dict[str, str | None]:
    """The entities a finding names, as :func:`workbench.session.pivot` keywords.

    ``access_key_id``, ``source_ip`` (the remote IP), ``principal`` (the user name) and
    ``instance_id``; ``None`` where the finding has none.
    """
    def value(name):
        v = finding.get(name)
        return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)

    return {"access_key_id": value("access_key_id"), "source_ip": value("remote_ip"),
            "principal": value("user_name"), "instance_id": value("instance_id")}


def signals(finding: pd.Series) -> pd.DataFrame:
    """The signals of an attack sequence, one row each, with whose credentials and which addresses.

    A signal's ``actorIds`` and ``endpointIds`` are resolved through the sequence's ``actors``
    (``user.credentialUid``: the access key; ``user.name``/``user.uid``) and ``endpoints``
    (``ip``). Times may be epoch milliseconds, seconds or ISO text; all come back as UTC.
    Empty (with the columns) for a finding that is no attack sequence.
    """
    text = finding.get("sequence")
    try:
        sequence = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        sequence = None
    if not isinstance(sequence, dict) or not isinstance(sequence.get("signals"), list):
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    actors = {a.get("id"): a for a in sequence.get("actors") or [] if isinstance(a, dict)}
    endpoints = {e.get("id"): e for e in sequence.get("endpoints") or [] if isinstance(e, dict)}
    rows = []
    for sig in sequence["signals"]:
        if not isinstance(sig, dict):
            continue
        users = [(actors.get(i) or {}).get("user") or {} for i in sig.get("actorIds") or []]
        rows.append({
            "signal_uid": sig.get("uid"), "signal_type": sig.get("type"), "name": sig.get("name"),
            "description": sig.get("description"), "severity": sig.get("severity"), "count": sig.get("count"),
            "first_seen": _time(sig.get("firstSeenAt")), "last_seen": _time(sig.get("lastSeenAt")),
            "access_key_ids": sorted({str(u["credentialUid"]) for u in users if u.get("credentialUid")}),
            "principals": sorted({str(u.get("name") or u.get("uid")) for u in users if u.get("name") or u.get("uid")}),
            "source_ips": sorted({str((endpoints.get(i) or {}).get("ip")) for i in sig.get("endpointIds") or []
                                  if (endpoints.get(i) or {}).get("ip")}),
            "resources": sorted(str(u) for u in sig.get("resourceUids") or []),
        })
    out = pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
    return out.sort_values(["first_seen", "signal_uid"], na_position="last").reset_index(drop=True)


def signal_events(signal_rows: pd.DataFrame, cloudtrail: pd.DataFrame) -> pd.DataFrame:
    """The CloudTrail events each signal covers: one row per (signal, event).

    An event is a signal's when it lies within the signal's first and last seen times (give or
    take :data:`SIGNAL_SLACK`) and was made with one of its access keys or from one of its
    addresses (or, when it names neither, by one of its principals). A CloudTrail signal whose
    name is an API (``CreateUser`` or ``iam:CreateUser``) keeps only calls of that API.

    Parameters
    ----------
    signal_rows : DataFrame
        :func:`signals`.
    cloudtrail : DataFrame
        Rows of an ``events_by_*`` query (``PivotResult.cloudtrail``) over the sequence's window.
    """
    if signal_rows.empty or cloudtrail.empty:
        return pd.DataFrame(columns=SIGNAL_EVENT_COLUMNS)
    events = cloudtrail.assign(_time=pd.to_datetime(cloudtrail.event_time, utc=True))
    parts = []
    for sig in signal_rows.itertuples(index=False):
        if pd.isna(sig.first_seen) or pd.isna(sig.last_seen):
            continue
        near = events[(events._time >= sig.first_seen - SIGNAL_SLACK) & (events._time <= sig.last_seen + SIGNAL_SLACK)]
        who = near.access_key_id.isin(sig.access_key_ids) | near.source_ip.isin(sig.source_ips)
        if not sig.access_key_ids and not sig.source_ips:
            names = tuple(sig.principals)
            who = near.principal.map(lambda p, names=names: bool(p) and bool(names) and str(p).endswith(names))
        mine = near[who]
        api = str(sig.name or "").split(":")[-1]
        if sig.signal_type == "CLOUD_TRAIL" and api and (mine.event_name == api).any():
            mine = mine[mine.event_name == api]
        parts.append(mine.assign(signal_uid=sig.signal_uid, signal_type=sig.signal_type, name=sig.name))
    if not parts:
        return pd.DataFrame(columns=SIGNAL_EVENT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["event_time", "signal_uid", "event_id"])[SIGNAL_EVENT_COLUMNS].reset_index(drop=True)


def _time(value):
    when = parse_time(value)
    return pd.Timestamp(when) if when is not None else pd.NaT


def describe(finding: pd.Series) -> str:
    """One sentence: type, severity, account, what it names, when.

    Examples
    --------
    "Discovery:IAMUser/AnomalousBehavior (severity 8, high) in 329734803607 us-east-1: access key
    AKIA... of daniel.kim-cli, from 95.186.156.83; activity 2026-11-04 01:46 to 02:01 UTC, seen 19 times."
    """
    names = [f"{label} {v}" for label, v in (
        ("access key", finding.get("access_key_id")), ("of", finding.get("user_name")),
        ("instance", finding.get("instance_id")), ("from", finding.get("remote_ip"))) if isinstance(v, str)]
    first, last = finding.get("first_seen"), finding.get("last_seen")
    when = ""
    if pd.notna(first) and pd.notna(last):
        when = f"; activity {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"
    chain = ""
    if bool(finding.get("is_attack_sequence")) and finding.get("signals"):
        chain = f", an attack sequence of {int(finding['signals'])} signals"
    return (f"{finding.type} (severity {finding.severity:g}, {band(finding.severity)}) in {finding.account_id} "
            f"{finding.region}: {' '.join(names) or 'no pivots'}{when}, seen {finding['count']} times{chain}.")


def hunt_start(findings: pd.DataFrame, *, source_ip=None, access_key_id=None, principal=None,
               instance_id=None) -> dict[str, str | None]:
    """Where a hunt starts: the entities given, or else the pivots of the top finding (:func:`pick`).

    Raises
    ------
    UsageError
        If no entity is given and there is no finding to start from.
    """
    given = {"access_key_id": access_key_id, "source_ip": source_ip, "principal": principal,
             "instance_id": instance_id}
    if any(v not in (None, "", []) for v in given.values()):
        return given
    return pivots(pick(findings))


def remote_context(finding: pd.Series) -> pd.DataFrame:
    """The finding's remote IP as GuardDuty saw it (``remoteIpDetails``) beside the workbench's context.

    Returns
    -------
    DataFrame
        ``view, remote_ip, kind, country, asn, organisation, aws``: one row for GuardDuty (what the
        finding says) and one for the workbench (:mod:`workbench.context`); empty when the finding
        names no remote IP.
    """
    columns = ["view", "remote_ip", "kind", "country", "asn", "organisation", "aws"]
    ip = finding.get("remote_ip")
    if not isinstance(ip, str) or not ip:
        return pd.DataFrame(columns=columns)
    ours = context.addresses.default().lookup(ip)
    aws = f"{ours.aws_service} {ours.aws_region or ''}".strip() if ours.is_aws else ""
    theirs = {"view": "GuardDuty (remoteIpDetails)", "remote_ip": ip, "kind": "",
              "country": finding.get("remote_country") or "", "asn": "",
              "organisation": finding.get("remote_org") or "", "aws": ""}
    mine = {"view": "workbench (shipped context data)", "remote_ip": ip, "kind": ours.kind,
            "country": " ".join(x for x in (ours.country, f"({ours.country_name})" if ours.country_name else "") if x),
            "asn": f"AS{ours.asn}" if ours.asn is not None else "", "organisation": ours.org or "", "aws": aws}
    return pd.DataFrame([theirs, mine], columns=columns)
