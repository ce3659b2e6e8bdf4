"""Root activity: what the account's root user did, in one sentence.

Functions take rows of the ``root_activity`` query.
"""

from __future__ import annotations

import pandas as pd

from workbench.words import count


def verdict(root: pd.DataFrame) -> str:
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
    parts = [f"{count(len(ok), 'root sign-in')} ({no_mfa} without MFA) from {count(ips, 'IP')}"]
    if len(failed):
        parts.append(f"after {count(len(failed), 'failed attempt')}")
    text = ", ".join(parts)
    if len(other):
        accounts = other.account_id.nunique()
        text += f"; {count(len(other), 'other root action')} in {count(accounts, 'account')}"
    return text + "."
