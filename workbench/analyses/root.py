"""Sign-in analyses: root verdicts and failed-login bursts."""

from __future__ import annotations

import pandas as pd

HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS"


def root_verdict(root: pd.DataFrame) -> str:
    """One sentence on root activity, from ``root_activity`` rows.

    Examples
    --------
    "2 root sign-ins (1 without MFA) from 2 IPs, after 3 failed attempts; 4 other root actions."
    """
    if root.empty:
        return "No root activity in the window."
    logins = root[root.event_name == "ConsoleLogin"]
    ok = logins[logins.outcome == "Success"]
    failed = logins[logins.outcome != "Success"]
    other = root[root.event_name != "ConsoleLogin"]
    no_mfa = int((~ok.mfa_used.fillna(False).astype(bool)).sum())
    ips = ok.source_ip.nunique()
    parts = [f"{_n(len(ok), 'root sign-in')} ({no_mfa} without MFA) from {_n(ips, 'IP')}"]
    if len(failed):
        parts.append(f"after {_n(len(failed), 'failed attempt')}")
    text = ", ".join(parts)
    if len(other):
        accounts = other.account_id.nunique()
        text += f"; {_n(len(other), 'other root action')} in {_n(accounts, 'account')}"
    return text + "."


def failed_login_bursts(logins: pd.DataFrame, *, min_failures: int = 5) -> pd.DataFrame:
    """Failed console sign-ins against named principals, per principal and source IP.

    Unknown user names (``HIDDEN_DUE_TO_SECURITY_REASONS``) are left out: they have their
    own query, ``hidden_user_logins``.

    Parameters
    ----------
    logins : DataFrame
        Rows of ``console_logins``.
    min_failures : int
        Fewest failures for a principal/IP pair to be reported.

    Returns
    -------
    DataFrame
        ``account_id, user_name, source_ip, failures, first_seen, last_seen, succeeded_after,
        event_ids``, most failures first.
    """
    columns = ["account_id", "user_name", "source_ip", "failures", "first_seen", "last_seen",
               "succeeded_after", "event_ids"]
    if logins.empty:
        return pd.DataFrame(columns=columns)
    named = logins[logins.user_name.fillna("") != HIDDEN_USER]
    failed = named[named.outcome != "Success"]
    if failed.empty:
        return pd.DataFrame(columns=columns)
    groups = failed.groupby(["account_id", "user_name", "source_ip"], dropna=False)
    out = groups.agg(
        failures=("event_id", "size"),
        first_seen=("event_time", "min"),
        last_seen=("event_time", "max"),
        event_ids=("event_id", list),
    ).reset_index()
    success = named[named.outcome == "Success"]
    out["succeeded_after"] = [
        bool(((success.user_name == r.user_name) & (success.source_ip == r.source_ip)
              & (success.event_time >= r.first_seen)).any())
        for r in out.itertuples()
    ]
    out = out[out.failures >= min_failures]
    return out.sort_values(["failures", "first_seen"], ascending=[False, True])[columns].reset_index(drop=True)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
