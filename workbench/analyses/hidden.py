"""HIDDEN_DUE_TO_SECURITY_REASONS sign-ins: a one-off typo or someone guessing user names.

Every function takes rows of the ``hidden_user_logins`` query (one row per burst of
attempts from one IP against one account).
"""

from __future__ import annotations

import pandas as pd

from workbench.words import count

#: The user name CloudTrail records for a sign-in whose user name does not exist.
HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS"

BURST = "burst (guessing names)"
REPEATED = "repeated"
ONE_OFF = "one-off (typo, stale bookmark)"


def classify(hidden: pd.DataFrame, *, min_attempts: int = 5) -> pd.DataFrame:
    """``hidden`` plus ``kind``: a burst (``min_attempts`` or more), repeated, or a one-off.

    Also adds ``minutes`` (how long the burst lasted) and ``per_minute``.
    """
    if hidden.empty:
        return hidden.assign(kind=pd.Series(dtype=object), minutes=pd.Series(dtype=float),
                             per_minute=pd.Series(dtype=float))
    minutes = (pd.to_datetime(hidden.last_seen) - pd.to_datetime(hidden.first_seen)).dt.total_seconds() / 60
    kind = pd.Series(REPEATED, index=hidden.index, dtype=object)
    kind[hidden.attempts >= min_attempts] = BURST
    kind[hidden.attempts == 1] = ONE_OFF
    return hidden.assign(kind=kind, minutes=minutes.round(1),
                         per_minute=(hidden.attempts / minutes.clip(lower=1)).round(1))


def bursts(classified: pd.DataFrame) -> pd.DataFrame:
    """Only the bursts of :func:`classify`."""
    if classified.empty:
        return classified
    return classified[classified.kind == BURST].reset_index(drop=True)


def verdict(classified: pd.DataFrame) -> str:
    """One sentence on unknown-user-name sign-ins.

    Examples
    --------
    "1 burst of 39 attempts from 91.122.196.23 (account 842388105285); 1 one-off attempt."
    """
    if classified.empty:
        return "No sign-in with an unknown user name in the window."
    parts = []
    burst = bursts(classified)
    if len(burst):
        ips = ", ".join(f"{r.source_ip} ({r.attempts} attempts, account {r.account_id})" for r in burst.itertuples())
        parts.append(f"{count(len(burst), 'burst')} of guessed user names: {ips}")
    repeated = classified[classified.kind == REPEATED]
    if len(repeated):
        parts.append(f"{count(len(repeated), 'short series', 'short series')} of a few attempts")
    single = classified[classified.kind == ONE_OFF]
    if len(single):
        parts.append(f"{count(len(single), 'one-off attempt')} (typo or stale bookmark)")
    return "; ".join(parts) + "."
