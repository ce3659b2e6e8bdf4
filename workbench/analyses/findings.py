"""GuardDuty findings: overview, which one to drill into, and its pivots.

Functions take rows of the ``findings`` query (one row per finding, latest update).
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import UsageError

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
    return (f"{finding.type} (severity {finding.severity:g}, {band(finding.severity)}) in {finding.account_id} "
            f"{finding.region}: {' '.join(names) or 'no pivots'}{when}, seen {finding['count']} times.")


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
