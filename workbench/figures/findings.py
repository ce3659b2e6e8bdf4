"""Figures of the guardduty-drilldown notebook: the overview, and an attack sequence's signals."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.analyses.findings import band, with_band
from workbench.figures.style import BAND_COLOURS, BAND_ORDER, empty, finish


def by_severity(counts: pd.DataFrame) -> go.Figure:
    """Findings per severity level (``counts(findings, "band")``)."""
    return _bars(counts, "band", "GuardDuty findings by severity")


def by_type(counts: pd.DataFrame) -> go.Figure:
    """Findings per type, coloured by severity (``counts(findings, "type")``)."""
    return _bars(counts, "type", "GuardDuty findings by type")


def by_account(counts: pd.DataFrame) -> go.Figure:
    """Findings per account, coloured by severity (``counts(findings, "account_id")``)."""
    return _bars(counts, "account_id", "GuardDuty findings by account")


def over_time(findings: pd.DataFrame) -> go.Figure:
    """Each finding at its last update, by severity; size is how many times it was seen."""
    title = "GuardDuty findings over time (last update; size: times seen)"
    if findings.empty:
        return empty(title, "No GuardDuty finding in the window.")
    rows = with_band(findings)
    fig = px.scatter(rows, x="updated_at", y="severity", color="band", size="count", size_max=30,
                     color_discrete_map=BAND_COLOURS, category_orders={"band": BAND_ORDER},
                     hover_data=["type", "account_id", "region", "finding_id"], labels={"updated_at": ""})
    fig.update_yaxes(range=[0, 10.5])
    return finish(fig, title, height=380)


def signals(signal_rows: pd.DataFrame, covered: pd.DataFrame) -> go.Figure:
    """An attack sequence's signals in time: one line per signal from first to last seen,
    coloured by its severity level, with how many CloudTrail events it covers.

    Parameters
    ----------
    signal_rows : DataFrame
        :func:`workbench.analyses.findings.signals`.
    covered : DataFrame
        :func:`workbench.analyses.findings.signal_events`.
    """
    title = "The attack sequence's signals (first to last seen; label: CloudTrail events covered)"
    rows = signal_rows.dropna(subset=["first_seen", "last_seen"])
    if rows.empty:
        return empty(title, "This finding is not an attack sequence: it has no signals.")
    fig = go.Figure()
    for i, sig in enumerate(rows.itertuples(index=False)):
        events = int((covered.signal_uid == sig.signal_uid).sum()) if len(covered) else 0
        level = band(float(sig.severity)) if pd.notna(sig.severity) else "low"
        label = f"{i + 1}. {sig.signal_type}: {sig.name}"
        fig.add_trace(go.Scatter(
            x=[sig.first_seen, sig.last_seen], y=[label, label], mode="lines+markers+text",
            text=["", f"{events} events"], textposition="middle right", name=level, legendgroup=level,
            showlegend=level not in {t.name for t in fig.data[:-1]} if fig.data else True,
            line={"color": BAND_COLOURS[level], "width": 8}, marker={"size": 10},
            hovertext=f"{sig.description or ''} | keys: {', '.join(sig.access_key_ids)} | "
                      f"from: {', '.join(sig.source_ips)}", hoverinfo="text"))
    fig.update_yaxes(type="category", autorange="reversed")
    return finish(fig, title, height=max(260, 40 * len(rows) + 140))


def _bars(counts: pd.DataFrame, by: str, title: str) -> go.Figure:
    if counts.empty:
        return empty(title, "No GuardDuty finding in the window.")
    fig = px.bar(counts, x="findings", y=by, color="band", orientation="h", color_discrete_map=BAND_COLOURS,
                 category_orders={"band": BAND_ORDER}, labels={by: ""})
    fig.update_yaxes(type="category", categoryorder="total ascending")
    return finish(fig, title, height=max(260, 26 * counts[by].nunique() + 140))
