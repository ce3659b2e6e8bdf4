"""What every figure shares: size, margins, the template, and the empty-data figure."""

from __future__ import annotations

import plotly.graph_objects as go

TEMPLATE = "plotly_white"
#: Colours that mean the same everywhere.
OUTCOME_COLOURS = {"Success": "#2a9d8f", "Failure": "#e76f51", "ACCEPT": "#2a9d8f", "REJECT": "#e76f51",
                   "OK": "#2a9d8f", "unknown": "#8d99ae"}
SOURCE_COLOURS = {"cloudtrail": "#264653", "vpcflow": "#2a9d8f", "guardduty": "#e76f51"}
BAND_COLOURS = {"critical": "#9d0208", "high": "#e76f51", "medium": "#f4a261", "low": "#8ab17d"}
BAND_ORDER = ["critical", "high", "medium", "low"]


def finish(fig: go.Figure, title: str, *, height: int | None = None, **layout) -> go.Figure:
    """Apply the shared look: template, title, margins, legend on top."""
    fig.update_layout(template=TEMPLATE, title={"text": title, "x": 0.01, "y": 0.98, "yanchor": "top"},
                      margin={"l": 10, "r": 10, "t": 80, "b": 40},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left",
                              "title": None}, **layout)
    if height:
        fig.update_layout(height=height)
    return fig


def empty(title: str, message: str) -> go.Figure:
    """A figure that says there is nothing to draw, and why."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#6c757d"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title, height=220)
