"""Figures of the s3-access notebook."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import empty, finish


def downloads(hours: pd.DataFrame, *, top: int = 8) -> go.Figure:
    """Objects downloaded per hour by the busiest requesters (rows of ``downloads_over_time``).

    A spike is a bulk read.

    ``top``: how many requesters (the busiest by objects) to draw.
    """
    title = "Objects downloaded per hour, by requester (from which address)"
    if hours.empty:
        return empty(title, "No object was downloaded in the window.")
    rows = hours.assign(who=hours.requester.str.rsplit("/", n=1).str[-1] + " from " + hours.remoteip)
    busiest = rows.groupby("who").objects.sum().nlargest(top).index
    rows = rows[rows.who.isin(busiest)].groupby(["hour", "who"], as_index=False).objects.sum()
    fig = px.bar(rows, x="hour", y="objects", color="who", labels={"hour": "", "objects": "objects", "who": ""})
    fig.update_layout(bargap=0)
    return finish(fig, title, height=400)
