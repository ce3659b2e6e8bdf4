"""Reasons in words: which features make a principal-day stand out, and by how much.

A model says *how* unusual a principal-day is; the reasons say *why*, in the units a person
checks next (calls, addresses, APIs, hours). A feature is a reason when the row lies in the
far tail of that feature among all principal-days of the window: few rows reach its value
(``tail`` share or fewer, and more than zero, since every model feature is zero on an
ordinary day). These are the tails an isolation forest cuts off first, so the reasons name
what isolated the row; they are computed from the features alone, and so read the same
whichever model ranked the rows.

>>> feature_tails(table).loc[0]          # doctest: +SKIP
calls_vs_usual    0.002
new_ip_share      0.010
...
>>> reasons(table.loc[0], feature_tails(table).loc[0])   # doctest: +SKIP
['690 calls, 21x its usual 32', '52 APIs it never called on its other days ...']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.anomalies.features import MODEL_COLUMNS, MODEL_FEATURES

#: Share of principal-days at or above a value for that value to be a reason.
TAIL = 0.05
#: Most reasons given per row.
MAX_REASONS = 6

_LEVEL_WORDS = {
    "role": "other sessions of its role",
    "peers": "principals of the same type in its account",
    "organisation": "every principal in the window",
    "none": "nothing (no other activity in the window)",
}


def feature_tails(table: pd.DataFrame, *, columns=MODEL_COLUMNS) -> pd.DataFrame:
    """For every row and model feature: the share of rows whose value is at least as high.

    Parameters
    ----------
    table : DataFrame
        The principal-day feature table (any order).
    columns : sequence of str
        Feature columns.

    Returns
    -------
    DataFrame
        Same index as ``table``, one column per feature, values in (0, 1]; 1.0 where the
        row's value is zero (nothing unusual).
    """
    out = {}
    n = max(len(table), 1)
    for column in columns:
        values = table[column].to_numpy(dtype="float64")
        ordered = np.sort(values)
        at_least = len(values) - np.searchsorted(ordered, values, side="left")
        out[column] = np.where(values > 0, at_least / n, 1.0)
    return pd.DataFrame(out, index=table.index)


def reasons(row: pd.Series, tails: pd.Series, *, tail: float = TAIL, most: int = MAX_REASONS) -> list[str]:
    """The features that make ``row`` stand out, as sentences, strongest first.

    Parameters
    ----------
    row : Series
        One row of the principal-day feature table.
    tails : Series
        That row of :func:`feature_tails`.
    tail : float
        A feature is a reason when at most this share of rows reach its value; when none
        does, the rarest non-zero feature still is (a flagged row always gets a reason).
    most : int
        At most this many reasons.

    Returns
    -------
    list of str
        Empty only when every feature is zero.
    """
    order = sorted((float(tails[c]), i, c) for i, c in enumerate(MODEL_COLUMNS) if row[c] > 0)
    chosen = [c for t, _, c in order if t <= tail][:most] or [c for _, _, c in order][:1]
    return [describe(row, c) for c in chosen]


def compared_with(row: pd.Series) -> str:
    """What the row's baseline is, in words (``its own 6 other days``)."""
    n = int(row["baseline_days"])
    if row["baseline"] == "own":
        return f"its own {n} other day{'s' if n != 1 else ''}"
    return f"{_LEVEL_WORDS.get(row['baseline'], str(row['baseline']))} ({n} principal-days)"


def describe(row: pd.Series, feature: str) -> str:
    """One feature of one row as a sentence with the numbers behind it."""
    return _DESCRIBE[feature](row)


def labels() -> dict[str, str]:
    """Model feature column -> short label for tables and figures."""
    return {f.name: f.label for f in MODEL_FEATURES}


# -- one sentence per feature ------------------------------------------------------------


def _pct(x: float) -> str:
    x = float(x)
    if 0 < x < 0.01:
        return "<1%"
    return f"{x:.0%}"


def _times(value: float, usual: float) -> str:
    ratio = value / max(usual, 1.0)
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def _examples(items, n: int = 3) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def _hours(hours) -> str:
    hours = sorted(int(h) for h in hours)
    if len(hours) >= 24 or not hours:
        return "any hour"
    runs, begin, prev = [], hours[0], hours[0]
    for h in hours[1:] + [None]:
        if h is not None and h == prev + 1:
            prev = h
            continue
        runs.append((begin, prev))
        if h is not None:
            begin = prev = h
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][1] == 23:  # a run that wraps round midnight
        runs = [(runs[-1][0], runs[0][1])] + runs[1:-1]
    return ", ".join(f"{a:02d}:00-{(b + 1) % 24:02d}:00" for a, b in runs)


def _calls(r) -> str:
    return f"{int(r['calls']):,} calls, {_times(r['calls'], r['base_calls'])} its usual {r['base_calls']:.0f}"


def _apis(r) -> str:
    return f"{int(r['distinct_apis'])} distinct APIs, {_times(r['distinct_apis'], r['base_apis'])} its usual " \
           f"{r['base_apis']:.0f}"


def _new_apis(r) -> str:
    n = int(r["new_apis"])
    return f"{_pct(r['new_api_share'])} of calls to {n} API{'s' if n != 1 else ''} its baseline never called: " \
           f"{_examples(r['new_api_list'])}"


def _errors(r) -> str:
    text = f"{_pct(r['error_rate'])} of calls failed (usually {_pct(r['base_error_rate'])})"
    failed = int(r["failed_logins"])
    if failed:
        text += f", with {failed} failed console sign-in{'s' if failed != 1 else ''}"
    return text


def _new_ips(r) -> str:
    n = int(r["new_ips"])
    return f"{_pct(r['new_ip_share'])} of calls from {n} address{'es' if n != 1 else ''} its baseline never " \
           f"used: {_examples(r['new_ip_list'])}"


def _new_networks(r) -> str:
    n = int(r["new_networks"])
    return f"{_pct(r['new_network_share'])} of calls from {n} network{'s' if n != 1 else ''} (country and ASN) its " \
           f"baseline never used: {_examples(r['new_network_list'])}"


def _off_hours(r) -> str:
    return f"{_pct(r['off_hours_share'])} of calls outside its baseline's hours ({_hours(r['usual_hours'])} UTC)"


def _share(kind: str, column: str):
    def text(r) -> str:
        return f"{_pct(r[column + '_share'])} {kind} calls (usually {_pct(r['base_' + column + '_share'])})"
    return text


def _console(r) -> str:
    logins = int(r["console_logins"])
    text = f"{_pct(r['console_share'])} of calls from the console (usually {_pct(r['base_console_share'])})"
    if logins:
        text += f", {logins} console sign-in{'s' if logins != 1 else ''}"
    return text


def _regions(r) -> str:
    return f"calls in {int(r['aws_regions'])} regions (usually {r['base_regions']:.0f})"


_DESCRIBE = {
    "calls_vs_usual": _calls,
    "apis_vs_usual": _apis,
    "new_api_excess": _new_apis,
    "error_excess": _errors,
    "new_ip_excess": _new_ips,
    "new_network_excess": _new_networks,
    "off_hours_excess": _off_hours,
    "write_excess": _share("write", "write"),
    "iam_excess": _share("IAM", "iam"),
    "sts_excess": _share("STS", "sts"),
    "kms_excess": _share("KMS", "kms"),
    "console_excess": _console,
    "regions_vs_usual": _regions,
}
