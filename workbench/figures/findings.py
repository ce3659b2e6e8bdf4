"""Figures of the guardduty-drilldown notebook's overview."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.analyses.findings import with_band
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


def _bars(counts: pd.DataFrame, by: str, title: str) -> go.Figure:
    if counts.empty:
        return empty(title, "No GuardDuty finding in the window.")
    fig = px.bar(counts, x="findings", y=by, color="band", orientation="h", color_discrete_map=BAND_COLOURS,
                 category_orders={"band": BAND_ORDER}, labels={by: ""})
    fig.update_yaxes(type="category", categoryorder="total ascending")
    return finish(fig, title, height=max(260, 26 * counts[by].nunique() + 140))
