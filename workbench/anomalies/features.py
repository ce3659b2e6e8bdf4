"""Features of each principal-day (and principal/source-IP pair), measured against a baseline.

The inputs are three query results over one window (all pure data, no I/O here):

- ``principal_day_features``: counts per principal and day;
- ``principal_hourly_sources``: calls per principal, day, hour (UTC) and source IP;
- ``principal_api_days``: calls per principal, day and API.

Every principal-day is compared with its **baseline**: the same principal's other days in
the window (leave-one-day-out, so the first day of the window is treated like any other).
When those are fewer than ``min_baseline_days``, the baseline is widened, level by level,
until it holds that many principal-days (``baseline`` names the last level added):

1. ``role``: the other sessions of the same IAM role (one-off CI or federated sessions);
2. ``peers``: other principals of the same type in the same account;
3. ``organisation``: every other principal-day of the window.

A failed console sign-in names an IAM user but carries no ARN; its principal is the user
name, and its baseline is the user's own (ARN) activity when the account has such a user.

Raw features keep their units (calls, shares, counts) so that reasons can quote them;
:data:`MODEL_FEATURES` are one-sided departures from the baseline (a quiet day is not
suspicious), comparable across principals, which is what the models see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import context

#: Baseline levels, most specific first.
BASELINE_LEVELS = ("own", "role", "peers", "organisation")

#: Count columns of ``principal_day_features`` that arrive as numbers.
_COUNTS = ("calls", "distinct_apis", "errors", "failed_logins", "console_logins", "console_calls", "write_calls",
           "iam_calls", "sts_calls", "kms_calls", "aws_regions", "user_agents", "source_ips")
#: Shares of a day's calls, derived from the counts above.
SHARES = {"write_share": "write_calls", "iam_share": "iam_calls", "sts_share": "sts_calls",
          "kms_share": "kms_calls", "console_share": "console_calls", "error_rate": "errors"}


@dataclass(frozen=True)
class ModelFeature:
    """One input of the anomaly models.

    Attributes
    ----------
    name : str
        Column name in the feature table.
    label : str
        Short name for tables and figures.
    meaning : str
        One sentence for the docs and the notebook.
    """

    name: str
    label: str
    meaning: str


#: What the models see, in this order. Every value is 0 on an ordinary day.
MODEL_FEATURES = (
    ModelFeature("calls_vs_usual", "call volume", "log2 of calls over the baseline's median calls (0 if fewer)"),
    ModelFeature("apis_vs_usual", "distinct APIs", "log2 of distinct APIs over the baseline's median (0 if fewer)"),
    ModelFeature("new_api_excess", "new APIs",
                 "share of calls to APIs the baseline never called, above the baseline's own usual share"),
    ModelFeature("error_excess", "errors", "error rate above the baseline's median error rate"),
    ModelFeature("new_ip_excess", "new source IPs",
                 "share of calls from addresses the baseline never used, above the baseline's own usual share"),
    ModelFeature("new_network_excess", "new networks",
                 "share of calls from networks (country and ASN of the source address) the baseline never used, "
                 "above the baseline's own usual share"),
    ModelFeature("off_hours_excess", "unusual hours",
                 "share of calls in hours (UTC) the baseline is not active, above the baseline's own usual share"),
    ModelFeature("write_excess", "write share", "share of write calls above the baseline's median share"),
    ModelFeature("iam_excess", "IAM share", "share of IAM calls above the baseline's median share"),
    ModelFeature("sts_excess", "STS share", "share of STS calls above the baseline's median share"),
    ModelFeature("kms_excess", "KMS share", "share of KMS calls above the baseline's median share"),
    ModelFeature("console_excess", "console use", "share of console calls above the baseline's median share"),
    ModelFeature("regions_vs_usual", "regions", "log2 of regions called over the baseline's median (0 if fewer)"),
)
MODEL_COLUMNS = tuple(f.name for f in MODEL_FEATURES)

#: Columns of the principal-day feature table, in order (model features last).
DAY_COLUMNS = (
    "principal", "event_day", "principal_type", "account_id", "user_name", "role_arn", "baseline", "baseline_days",
    "calls", "distinct_apis", "errors", "error_rate", "failed_logins", "console_logins", "source_ips", "new_ips",
    "new_ip_list", "new_ip_share", "new_networks", "new_network_list", "new_network_share",
    "new_apis", "new_api_list", "new_api_share", "off_hours_share", "usual_hours",
    "aws_regions", "user_agents", "write_share", "iam_share", "sts_share", "kms_share", "console_share",
    "first_call", "last_call",
    "base_calls", "base_apis", "base_error_rate", "base_write_share", "base_iam_share", "base_sts_share",
    "base_kms_share", "base_console_share", "base_regions",
) + MODEL_COLUMNS


def principal_day_features(daily: pd.DataFrame, hourly: pd.DataFrame, api_days: pd.DataFrame, *,
                           min_baseline_days: int = 3) -> pd.DataFrame:
    """One row per principal-day: what happened, what is usual, and how far apart they are.

    Parameters
    ----------
    daily : DataFrame
        Rows of ``principal_day_features``.
    hourly : DataFrame
        Rows of ``principal_hourly_sources`` for the same window.
    api_days : DataFrame
        Rows of ``principal_api_days`` for the same window.
    min_baseline_days : int
        Fewest principal-days a baseline holds; a principal with fewer other days has its
        baseline widened to its role, then its peers, then the organisation.

    Returns
    -------
    DataFrame
        :data:`DAY_COLUMNS`, sorted by principal and day. ``baseline`` names the level used
        (:data:`BASELINE_LEVELS`), ``baseline_days`` how many principal-days it holds;
        ``base_*`` are the baseline's medians; ``new_ip_list`` and ``new_api_list`` name what
        the baseline never saw; ``usual_hours`` are the baseline's active hours (UTC).

    Examples
    --------
    >>> days = principal_day_features(engine.query("principal_day_features", window),
    ...                               engine.query("principal_hourly_sources", window),
    ...                               engine.query("principal_api_days", window))  # doctest: +SKIP
    """
    if daily.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in DAY_COLUMNS})
    days = _clean_daily(daily)
    keys = list(zip(days.principal, days.event_day))
    ips = _sets(hourly, "source_ip", keys, weight="calls")
    networks = _sets(hourly.assign(network=_networks(hourly.source_ip)) if len(hourly) else hourly,
                     "network", keys, weight="calls")
    hours = _sets(hourly, "event_hour", keys, weight="calls")
    apis = _sets(api_days.assign(api=_api_names(api_days)), "api", keys, weight="calls")
    days["identity"] = _identities(days)
    groups = _baseline_rows(days, min_baseline_days=min_baseline_days)
    rows = []
    for i, (level, base) in enumerate(groups):
        rows.append(_compare(days.iloc[i], base, days, keys, ips, hours, apis, level, networks))
    out = pd.concat([days.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    _model_inputs(out, [base for _, base in groups])
    return out[list(DAY_COLUMNS)].sort_values(["principal", "event_day"], kind="stable").reset_index(drop=True)


def principal_ip_features(hourly: pd.DataFrame) -> pd.DataFrame:
    """One row per principal, day and source IP, with how familiar the address is.

    Parameters
    ----------
    hourly : DataFrame
        Rows of ``principal_hourly_sources``.

    Returns
    -------
    DataFrame
        ``principal, event_day, source_ip, calls, errors, error_rate, hours, first_call,
        last_call, other_days`` (days the principal used the address besides this one),
        ``principals`` (principals that used it in the window), ``new_for_principal`` (no
        other day) and ``ip_score``: the share of the principal's other active days on
        which it did not use the address (1.0: never, or no other day), sorted by
        principal, day and calls (most first).
    """
    columns = ["principal", "event_day", "source_ip", "calls", "errors", "error_rate", "hours", "first_call",
               "last_call", "other_days", "principals", "new_for_principal", "ip_score"]
    if hourly.empty:
        return pd.DataFrame(columns=columns)
    frame = hourly.assign(calls=hourly.calls.astype("int64"), errors=hourly.errors.fillna(0).astype("int64"))
    pairs = frame.groupby(["principal", "event_day", "source_ip"], sort=True).agg(
        calls=("calls", "sum"), errors=("errors", "sum"), hours=("event_hour", "nunique"),
        first_call=("first_call", "min"), last_call=("last_call", "max")).reset_index()
    days_used = pairs.groupby(["principal", "source_ip"]).event_day.transform("nunique")
    pairs["other_days"] = (days_used - 1).astype("int64")
    pairs["principals"] = pairs.groupby("source_ip").principal.transform("nunique").astype("int64")
    pairs["new_for_principal"] = pairs.other_days == 0
    other_active = pairs.groupby("principal").event_day.transform("nunique") - 1
    pairs["ip_score"] = np.where(other_active > 0, 1.0 - pairs.other_days / other_active.clip(lower=1), 1.0)
    pairs["error_rate"] = pairs.errors / pairs.calls.clip(lower=1)
    pairs = pairs.sort_values(["principal", "event_day", "calls", "source_ip"], ascending=[True, True, False, True],
                              kind="stable")
    return pairs[columns].reset_index(drop=True)


# -- inputs --------------------------------------------------------------------------


def _clean_daily(daily: pd.DataFrame) -> pd.DataFrame:
    days = daily.copy()
    for column in _COUNTS:
        days[column] = pd.to_numeric(days[column], errors="coerce").fillna(0).astype("int64")
    for column in ("principal", "event_day", "principal_type", "account_id", "user_name", "role_arn"):
        days[column] = days[column].astype("object").where(days[column].notna(), None)
    for share, count in SHARES.items():
        days[share] = days[count] / days.calls.clip(lower=1)
    return days.sort_values(["principal", "event_day"], kind="stable").reset_index(drop=True)


def _api_names(api_days: pd.DataFrame) -> pd.Series:
    """``iam:ListRoles`` from ``iam.amazonaws.com`` and ``ListRoles``."""
    if api_days.empty:
        return pd.Series([], dtype="object")
    service = api_days.event_source.astype(str).str.replace(".amazonaws.com", "", regex=False)
    return service + ":" + api_days.event_name.astype(str)


def _sets(frame: pd.DataFrame, column: str, keys: list, *, weight: str) -> dict:
    """``{(principal, day): Counter(value -> calls)}`` for every key (empty when absent)."""
    found: dict = {}
    if not frame.empty:
        sums = frame.groupby(["principal", "event_day", column], sort=True)[weight].sum()
        for (principal, day, value), calls in sums.items():
            found.setdefault((principal, day), Counter())[value] = int(calls)
    return {key: found.get(key, Counter()) for key in keys}


def _identities(days: pd.DataFrame) -> pd.Series:
    """The principal whose baseline a row shares: a bare IAM user name maps to that user's ARN."""
    arns = days[days.principal.str.startswith("arn:") & (days.principal_type == "IAMUser")]
    by_name = {}
    for row in arns[["account_id", "user_name", "principal"]].drop_duplicates().itertuples(index=False):
        by_name.setdefault((row.account_id, row.user_name), set()).add(row.principal)
    mapped = []
    for row in days[["principal", "principal_type", "account_id", "user_name"]].itertuples(index=False):
        match = by_name.get((row.account_id, row.principal)) if not row.principal.startswith("arn:") else None
        mapped.append(next(iter(match)) if match and len(match) == 1 else row.principal)
    return pd.Series(mapped, index=days.index)


# -- baselines -----------------------------------------------------------------------


def _baseline_rows(days: pd.DataFrame, *, min_baseline_days: int) -> list[tuple[str, np.ndarray]]:
    """For every row: the baseline level and the row numbers that form its baseline."""
    identity = days.identity.to_numpy()
    day = days.event_day.to_numpy()
    role = days.role_arn.fillna("").to_numpy()
    peer = (days.account_id.fillna("") + "|" + days.principal_type.fillna("")).to_numpy()
    by_identity = days.groupby("identity", sort=False).indices
    by_role = {k: np.asarray(v) for k, v in days[days.role_arn.notna()].groupby("role_arn", sort=False).groups.items()}
    by_peer = pd.Series(peer).groupby(peer, sort=False).indices
    everyone = np.arange(len(days))
    out = []
    for i in range(len(days)):
        mine = by_identity[identity[i]]
        base = mine[day[mine] != day[i]]
        level = "own"
        for wider, pool in (("role", by_role.get(role[i]) if role[i] else None),
                            ("peers", by_peer.get(peer[i])), ("organisation", everyone)):
            if len(base) >= min_baseline_days:
                break
            if pool is None:
                continue
            others = pool[identity[pool] != identity[i]]
            if len(others):
                base, level = np.union1d(base, others), wider
        out.append((level, base))
    return out


def _compare(row, base: np.ndarray, days: pd.DataFrame, keys: list, ips: dict, hours: dict, apis: dict,
             level: str, networks: dict) -> dict:
    key = keys[row.name]
    base_keys = [keys[j] for j in base]
    seen_ips = _union(ips, base_keys)
    seen_apis = _union(apis, base_keys)
    active = _union(hours, base_keys)
    usual = {(h + d) % 24 for h in active for d in (-1, 0, 1)} if active else set(range(24))
    day_ips, day_hours, day_apis = ips[key], hours[key], apis[key]
    new_ips = sorted((ip for ip in day_ips if ip not in seen_ips), key=lambda ip: (-day_ips[ip], ip))
    seen_networks, day_networks = _union(networks, base_keys), networks[key]
    new_networks = sorted((n for n in day_networks if n not in seen_networks), key=lambda n: (-day_networks[n], n))
    new_apis = sorted((a for a in day_apis if a not in seen_apis), key=lambda a: (-day_apis[a], a))
    total = max(sum(day_hours.values()), 1)
    b = days.iloc[base] if len(base) else days.iloc[[row.name]]
    return {
        "baseline": level,
        "baseline_days": len(base),
        "new_ips": len(new_ips),
        "new_ip_list": new_ips,
        "new_ip_calls": sum(day_ips[ip] for ip in new_ips),
        "new_networks": len(new_networks),
        "new_network_list": new_networks,
        "new_network_calls": sum(day_networks[n] for n in new_networks),
        "new_apis": len(new_apis),
        "new_api_list": new_apis,
        "new_api_calls": sum(day_apis[a] for a in new_apis),
        "off_hours_share": sum(n for h, n in day_hours.items() if h not in usual) / total,
        "usual_hours": sorted(usual),
        "base_calls": float(b.calls.median()),
        "base_apis": float(b.distinct_apis.median()),
        "base_error_rate": float(b.error_rate.median()),
        "base_write_share": float(b.write_share.median()),
        "base_iam_share": float(b.iam_share.median()),
        "base_sts_share": float(b.sts_share.median()),
        "base_kms_share": float(b.kms_share.median()),
        "base_console_share": float(b.console_share.median()),
        "base_regions": float(b.aws_regions.median()),
    }


def _networks(addresses: pd.Series) -> pd.Series:
    """The network of each public source address, ``"<country> AS<number> <organisation>"``; ``None`` for the rest.

    Addresses AWS writes for itself (``AWS Internal``, service names), private and documentation
    addresses have no network: a call from them is never "from a new network".
    """
    book = context.addresses.default()
    found = {}
    for value in pd.unique(addresses.dropna()):
        a = book.lookup(value)
        found[value] = (f"{a.country or '??'} AS{a.asn} {a.org or ''}".strip() if a.asn is not None
                        else (a.country if a.kind == "public" and a.country else None))
    return addresses.map(found)


def _union(counters: dict, keys: list) -> set:
    seen: set = set()
    for key in keys:
        seen.update(counters[key])
    return seen


def _model_inputs(out: pd.DataFrame, bases: list) -> None:
    """Add :data:`MODEL_COLUMNS`: one-sided departures from the baseline."""
    def log_ratio(value, usual):
        return np.log2((value + 1.0) / (usual + 1.0)).clip(lower=0.0)

    out["calls_vs_usual"] = log_ratio(out.calls, out.base_calls)
    out["apis_vs_usual"] = log_ratio(out.distinct_apis, out.base_apis)
    out["new_api_share"] = out.pop("new_api_calls") / out.calls.clip(lower=1)
    out["error_excess"] = (out.error_rate - out.base_error_rate).clip(lower=0.0)
    out["new_ip_share"] = out.pop("new_ip_calls") / out.calls.clip(lower=1)
    out["new_network_share"] = out.pop("new_network_calls") / out.calls.clip(lower=1)
    for novelty in ("new_api", "new_ip", "new_network", "off_hours"):
        values = out[f"{novelty}_share"].to_numpy(dtype="float64")
        usual = np.array([np.median(values[b]) if len(b) else 0.0 for b in bases])
        out[f"{novelty}_excess"] = (values - usual).clip(min=0.0)
    for name in ("write", "iam", "sts", "kms", "console"):
        out[f"{name}_excess"] = (out[f"{name}_share"] - out[f"base_{name}_share"]).clip(lower=0.0)
    out["regions_vs_usual"] = log_ratio(out.aws_regions, out.base_regions)
    for column in MODEL_COLUMNS:
        out[column] = out[column].astype("float64").round(6)


def _dtype(column: str) -> str:
    if column in MODEL_COLUMNS or column.startswith("base_") or column.endswith(("_share", "_rate")):
        return "float64"
    if column in _COUNTS or column in ("new_ips", "new_networks", "new_apis", "baseline_days"):
        return "int64"
    return "object"
