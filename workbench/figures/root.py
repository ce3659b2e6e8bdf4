"""Figures of root activity."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import empty, finish, outcome_colours


def root_timeline(root: pd.DataFrame) -> go.Figure:
    """Every root action in time, by API and outcome (failures red, successes green); hollow marks
    were made without MFA."""
    title = "Root activity"
    if root.empty:
        return empty(title, "No root activity in the window.")
    rows = root.assign(mfa=root.mfa_used.fillna(False).map({True: "with MFA", False: "without MFA"}),
                       what=root.event_name + " (" + root.account_id + ")")
    fig = px.scatter(rows, x="event_time", y="what", color="outcome", symbol="mfa",
                     color_discrete_map=outcome_colours(rows.outcome),
                     symbol_map={"with MFA": "circle", "without MFA": "circle-open"},
                     hover_data=["source_ip", "user_agent", "event_id"], labels={"event_time": "", "what": ""})
    fig.update_traces(marker={"size": 12, "line": {"width": 2}})
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(300, 30 * rows.what.nunique() + 140))
