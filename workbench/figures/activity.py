"""Figures of activity baselines: the principal-days furthest from their own normal."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import empty, finish


def activity_outliers(outliers: pd.DataFrame, n: int = 10) -> go.Figure:
    """Principal-days furthest above their own baseline (:func:`workbench.analyses.activity.volume_outliers`)."""
    title = "Principal-days furthest from their own normal (calls x API mix vs usual)"
    if outliers.empty:
        return empty(title, "No principal was active on enough days to have a baseline.")
    rows = outliers.head(n).assign(who=lambda f: f.principal.str.rsplit("/", n=1).str[-1] + " " + f.event_day)
    fig = px.bar(rows, x="score", y="who", orientation="h", color="volume_ratio", color_continuous_scale="OrRd",
                 hover_data=["principal", "calls", "baseline_calls", "distinct_apis", "baseline_apis"],
                 labels={"who": "", "score": "departure score", "volume_ratio": "x usual calls"})
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows.who)[::-1])
    return finish(fig, title, height=max(300, 26 * len(rows) + 140))
