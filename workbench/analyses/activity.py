"""Activity baselines: which principal-days depart from the principal's own normal."""

from __future__ import annotations

import pandas as pd


def volume_outliers(daily: pd.DataFrame, *, min_days: int = 3) -> pd.DataFrame:
    """Rank principal-days by how far their call volume and API mix leave the principal's norm.

    Parameters
    ----------
    daily : DataFrame
        Rows of ``principal_daily_activity``.
    min_days : int
        Principals active on fewer days have no baseline and are left out.

    Returns
    -------
    DataFrame
        The input columns plus ``baseline_calls`` and ``baseline_apis`` (medians over the
        principal's other days), ``volume_ratio``, ``api_ratio`` and ``score`` (the product),
        highest score first.
    """
    if daily.empty:
        return daily.assign(baseline_calls=[], baseline_apis=[], volume_ratio=[], api_ratio=[], score=[])
    rows = []
    for _, group in daily.groupby("principal", sort=True):
        if len(group) < min_days:
            continue
        for idx in group.index:
            others = group.drop(index=idx)
            rows.append((idx, others.calls.median(), others.distinct_apis.median()))
    if not rows:
        return daily.iloc[0:0].assign(baseline_calls=[], baseline_apis=[], volume_ratio=[], api_ratio=[], score=[])
    base = pd.DataFrame(rows, columns=["idx", "baseline_calls", "baseline_apis"]).set_index("idx")
    out = daily.loc[base.index].join(base)
    out["volume_ratio"] = out.calls / out.baseline_calls.clip(lower=1)
    out["api_ratio"] = out.distinct_apis / out.baseline_apis.clip(lower=1)
    out["score"] = out.volume_ratio * out.api_ratio
    return out.sort_values(["score", "principal", "event_day"], ascending=[False, True, True]).reset_index(drop=True)
