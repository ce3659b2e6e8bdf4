"""The way many notebooks read CloudTrail: gzip + json + ``pandas.json_normalize``.

Every file is opened with :mod:`gzip`, parsed whole with :mod:`json`, its ``Records`` put in
one list and flattened by :func:`pandas.json_normalize`; the questions are then pandas
filters and group-bys. The answers are compared with the engine's, so the speed ratio
compares two ways to the same result.
"""

from __future__ import annotations

import gzip
import json

import pandas as pd


def load(paths: list[str]) -> pd.DataFrame:
    """All records of the CloudTrail files ``paths`` as one flat DataFrame."""
    records: list[dict] = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            records.extend(json.load(fh)["Records"])
    return pd.json_normalize(records)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A flattened column, all-null when no record had the field."""
    return frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)


def _clean(value):
    return None if value is None or (isinstance(value, float) and value != value) else value


def console_logins(frame: pd.DataFrame) -> set[tuple]:
    """``(event_id, account_id, principal, outcome, mfa_used, source_ip)`` of every console sign-in."""
    logins = frame[_col(frame, "eventName") == "ConsoleLogin"]
    account = _col(logins, "recipientAccountId").fillna(_col(logins, "userIdentity.accountId"))
    principal = _col(logins, "userIdentity.arn").fillna(_col(logins, "userIdentity.userName"))
    mfa = _col(logins, "additionalEventData.MFAUsed").map(
        lambda v: None if _clean(v) is None else str(v).lower() == "yes")
    return {tuple(_clean(v) for v in row) for row in zip(
        logins["eventID"], account, principal, _col(logins, "responseElements.ConsoleLogin"), mfa,
        logins["sourceIPAddress"])}


def events_by_access_key(frame: pd.DataFrame, access_key_id: str) -> set[tuple]:
    """``(event_id, event_name, source_ip, error_code)`` of every event made with the key."""
    used = frame[_col(frame, "userIdentity.accessKeyId") == access_key_id]
    return {tuple(_clean(v) for v in row) for row in zip(
        used["eventID"], used["eventName"], used["sourceIPAddress"], _col(used, "errorCode"))}


def calls_per_api(frame: pd.DataFrame) -> set[tuple]:
    """``(event_source, event_name, calls)`` over the whole window."""
    counts = frame.groupby(["eventSource", "eventName"]).size()
    return {(source, name, int(n)) for (source, name), n in counts.items()}
