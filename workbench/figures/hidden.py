"""Figures of sign-ins with an unknown user name (HIDDEN_DUE_TO_SECURITY_REASONS)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.analyses.hidden import BURST, ONE_OFF
from workbench.figures.style import BAD, NEUTRAL, empty, finish


def hidden_attempts(classified: pd.DataFrame) -> go.Figure:
    """HIDDEN_DUE_TO_SECURITY_REASONS attempts per source IP over time: one bar per burst.

    Takes :func:`workbench.analyses.hidden.classify`; each bar spans the burst, its
    label is the number of attempts.
    """
    title = "Sign-ins with an unknown user name (HIDDEN_DUE_TO_SECURITY_REASONS), per source IP"
    if classified.empty:
        return empty(title, "No sign-in with an unknown user name in the window.")
    rows = classified.assign(last=classified.last_seen.where(
        classified.last_seen > classified.first_seen, classified.first_seen + pd.Timedelta(minutes=10)),
        label=classified.attempts.astype(str) + " attempts")
    fig = px.timeline(rows, x_start="first_seen", x_end="last", y="source_ip", color="kind", text="label",
                      color_discrete_map={BURST: BAD, ONE_OFF: NEUTRAL},
                      hover_data=["account_id", "attempts", "minutes"], labels={"source_ip": ""})
    fig.update_traces(textposition="outside")
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(260, 40 * rows.source_ip.nunique() + 160))
