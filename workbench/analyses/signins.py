"""Console sign-ins: who signs in, how often, from where, with MFA or not, and who guesses passwords.

Every function takes rows of the ``console_logins`` query. Sign-ins with an unknown user
name (``HIDDEN_DUE_TO_SECURITY_REASONS``) are nobody's: they are left out of the
per-principal views and counted in :func:`by_kind` as their own kind.
"""

from __future__ import annotations

import pandas as pd

from workbench.analyses.hidden import HIDDEN_USER

KINDS = {"Root": "root", "IAMUser": "IAM user", "AssumedRole": "federated (SSO/SAML)"}
UNKNOWN_KIND = "unknown user name (HIDDEN)"


def with_who(logins: pd.DataFrame) -> pd.DataFrame:
    """``logins`` plus ``who`` (a person-readable principal) and ``kind`` (root, IAM user, federated).

    ``who`` is the user or session name; root is ``root@<account>`` since every account
    has its own.
    """
    kind = logins.principal_type.map(KINDS).fillna(logins.principal_type.fillna("other"))
    hidden = logins.user_name.fillna("") == HIDDEN_USER
    kind = kind.where(~hidden, UNKNOWN_KIND)
    who = logins.user_name.fillna(logins.principal).astype(object)
    who = who.where(logins.principal_type != "Root", "root@" + logins.account_id.astype(str))
    return logins.assign(who=who, kind=kind, day=pd.to_datetime(logins.event_time, utc=True).dt.strftime("%Y-%m-%d"))


def named(logins: pd.DataFrame) -> pd.DataFrame:
    """Sign-ins of known principals (unknown user names left out), with ``who`` and ``kind``."""
    rows = with_who(logins)
    return rows[rows.kind != UNKNOWN_KIND].reset_index(drop=True)


def daily_counts(logins: pd.DataFrame, *, outcome: str | None = None) -> pd.DataFrame:
    """Sign-ins per principal (rows) and day (columns), busiest-every-day principals first.

    ``outcome`` keeps only sign-ins with it (``"Failure"``: the failed ones); the rows and
    columns are still every principal and day with a sign-in.
    """
    rows = named(logins)
    if rows.empty:
        return pd.DataFrame()
    if outcome is not None:
        every = daily_counts(logins)
        kept = rows[rows.outcome == outcome]
        if kept.empty:
            return every * 0
        table = kept.pivot_table(index="who", columns="day", values="event_id", aggfunc="count", fill_value=0)
        return table.reindex(index=every.index, columns=every.columns, fill_value=0).astype(int)
    table = rows.pivot_table(index="who", columns="day", values="event_id", aggfunc="count", fill_value=0)
    order = (table > 0).sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order]


def per_principal(logins: pd.DataFrame) -> pd.DataFrame:
    """One row per principal: kind, accounts, sign-ins, failures, days active, IPs, MFA share."""
    columns = ["who", "kind", "accounts", "sign_ins", "failures", "days_active", "source_ips", "mfa_share"]
    rows = named(logins)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    ok = rows.outcome == "Success"
    out = rows.assign(failed=~ok, mfa=rows.mfa_used.fillna(False).astype(bool) & ok).groupby("who").agg(
        kind=("kind", "first"),
        accounts=("account_id", "nunique"),
        sign_ins=("event_id", "size"),
        failures=("failed", "sum"),
        days_active=("day", "nunique"),
        source_ips=("source_ip", "nunique"),
        mfa=("mfa", "sum"),
        successes=("outcome", lambda o: int((o == "Success").sum())),
    ).reset_index()
    out["mfa_share"] = (out.mfa / out.successes.where(out.successes > 0)).round(2)
    return out.sort_values(["sign_ins", "who"], ascending=[False, True])[columns].reset_index(drop=True)


def outcomes_over_time(logins: pd.DataFrame, freq: str = "6h") -> pd.DataFrame:
    """Sign-ins per time bucket and outcome (``Success``/``Failure``): ``time, outcome, sign_ins``."""
    if logins.empty:
        return pd.DataFrame(columns=["time", "outcome", "sign_ins"])
    rows = logins.assign(time=pd.to_datetime(logins.event_time, utc=True).dt.floor(freq),
                         outcome=logins.outcome.fillna("unknown"))
    return rows.groupby(["time", "outcome"]).size().rename("sign_ins").reset_index()


def mfa_share(logins: pd.DataFrame) -> pd.DataFrame:
    """Per principal, successful sign-ins and the share made with MFA, lowest share first.

    Federated (SSO/SAML) sign-ins report ``MFAUsed = No`` even when the identity provider
    asked for MFA: read their share as "MFA not done by AWS", not "no MFA".
    """
    columns = ["who", "kind", "sign_ins", "with_mfa", "share"]
    rows = named(logins)
    rows = rows[rows.outcome == "Success"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = rows.assign(mfa=rows.mfa_used.fillna(False).astype(bool)).groupby("who").agg(
        kind=("kind", "first"), sign_ins=("event_id", "size"), with_mfa=("mfa", "sum")).reset_index()
    out["share"] = (out.with_mfa / out.sign_ins).round(2)
    return out.sort_values(["share", "sign_ins"], ascending=[True, False])[columns].reset_index(drop=True)


def new_source_ips(logins: pd.DataFrame) -> pd.DataFrame:
    """Sign-ins from an IP never seen for that principal earlier in the window.

    A principal's first day in the window is its baseline: IPs used that day are known.
    Each later day, an IP the principal has not used before is new.

    Returns
    -------
    DataFrame
        ``who, kind, account_id, source_ip, first_seen, sign_ins, failures, known_ips``,
        newest first; ``known_ips`` is how many IPs the principal had used before.
    """
    columns = ["who", "kind", "account_id", "source_ip", "first_seen", "sign_ins", "failures", "known_ips"]
    rows = named(logins).sort_values("event_time")
    if rows.empty:
        return pd.DataFrame(columns=columns)
    firsts = rows.groupby(["who", "source_ip"], dropna=False).agg(
        kind=("kind", "first"), account_id=("account_id", "first"), first_seen=("event_time", "min"),
        day=("day", "min"), sign_ins=("event_id", "size"),
        failures=("outcome", lambda o: int((o != "Success").sum())),
    ).reset_index()
    firsts["baseline"] = firsts.who.map(rows.groupby("who").day.min())
    firsts = firsts.sort_values("first_seen")
    firsts["known_ips"] = firsts.groupby("who").cumcount()
    new = firsts[firsts.day > firsts.baseline]
    return new.sort_values("first_seen", ascending=False)[columns].reset_index(drop=True)


def by_kind(logins: pd.DataFrame) -> pd.DataFrame:
    """Sign-ins per kind of principal (root, IAM user, federated, unknown name) and outcome."""
    if logins.empty:
        return pd.DataFrame(columns=["kind", "outcome", "sign_ins", "principals"])
    rows = with_who(logins).assign(outcome=lambda f: f.outcome.fillna("unknown"))
    return rows.groupby(["kind", "outcome"]).agg(
        sign_ins=("event_id", "size"), principals=("who", "nunique")).reset_index()


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


def by_country(logins: pd.DataFrame) -> pd.DataFrame:
    """Sign-ins per country of the source address and outcome (rows of ``console_logins`` with
    ``enrich=True``); addresses with no country (private, documentation...) go by their kind.

    Returns
    -------
    DataFrame
        ``country, outcome, sign_ins, principals, networks``, busiest country first.
    """
    columns = ["country", "outcome", "sign_ins", "principals", "networks"]
    if logins.empty or "source_country" not in logins.columns:
        return pd.DataFrame(columns=columns)
    rows = with_who(logins)
    where = rows.source_country.astype(object).where(rows.source_country.notna(), "(" + rows.source_kind + ")")
    rows = rows.assign(country=where, outcome=rows.outcome.fillna("unknown"))
    out = rows.groupby(["country", "outcome"]).agg(
        sign_ins=("event_id", "size"), principals=("who", "nunique"), networks=("source_asn", "nunique")).reset_index()
    order = out.groupby("country").sign_ins.sum().sort_values(ascending=False, kind="stable").index
    out["rank"] = out.country.map({c: i for i, c in enumerate(order)})
    return out.sort_values(["rank", "outcome"]).drop(columns="rank")[columns].reset_index(drop=True)


def new_countries(logins: pd.DataFrame) -> pd.DataFrame:
    """Sign-ins from a country never seen for that principal earlier in the window.

    As :func:`new_source_ips`, a principal's first day in the window is its baseline; each later
    day, a country it had not signed in from before is new. Takes rows of ``console_logins``
    with ``enrich=True`` (``source_country``, ``source_asn``, ``source_org``); addresses with no
    country are left out.

    Returns
    -------
    DataFrame
        ``who, kind, account_id, country, first_seen, source_ip, asn, org, sign_ins, failures,
        known_countries``, newest first.
    """
    columns = ["who", "kind", "account_id", "country", "first_seen", "source_ip", "asn", "org", "sign_ins",
               "failures", "known_countries"]
    if logins.empty or "source_country" not in logins.columns:
        return pd.DataFrame(columns=columns)
    rows = named(logins).sort_values(["event_time", "event_id"])
    baseline = rows.groupby("who").day.min()
    rows = rows[rows.source_country.notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    firsts = rows.groupby(["who", "source_country"]).agg(
        kind=("kind", "first"), account_id=("account_id", "first"), first_seen=("event_time", "min"),
        day=("day", "min"), source_ip=("source_ip", "first"), asn=("source_asn", "first"), org=("source_org", "first"),
        sign_ins=("event_id", "size"), failures=("outcome", lambda o: int((o != "Success").sum())),
    ).reset_index().rename(columns={"source_country": "country"})
    firsts = firsts.sort_values("first_seen")
    firsts["known_countries"] = firsts.groupby("who").cumcount()
    new = firsts[firsts.day > firsts.who.map(baseline)]
    return new.sort_values("first_seen", ascending=False)[columns].reset_index(drop=True)
