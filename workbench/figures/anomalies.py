"""Figures of the anomalies notebook: why the top entries stand out, and what they did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.anomalies.explain import describe, feature_tails, labels
from workbench.anomalies.features import MODEL_COLUMNS
from workbench.figures.style import as_text, empty, finish


def short_principal(principal: str) -> str:
    """``lukas.weber@example.com (186489688791)`` from an assumed-role session ARN, and so on."""
    text = str(principal)
    if not text.startswith("arn:"):
        return text
    account = text.split(":")[4]
    resource = text.split(":", 5)[-1]
    name = resource.rsplit("/", 1)[-1] if "/" in resource else resource
    return f"{name} ({account})"


def why_they_stand_out(ranked: pd.DataFrame, *, top_n: int = 10) -> go.Figure:
    """Heatmap: for each of the top entries, how rare its value of each feature is.

    A dark cell is a feature value few principal-days of the window reach: the darkest, this
    row alone; white, the ordinary value. Rarity is ``log(share of principal-days at or above
    the value) / log(1 / principal-days)``, so 5% of the rows at or above the value is about
    halfway. Hovering shows the feature in words and how many principal-days reach it.
    """
    title = f"Why the top {top_n} principal-days stand out: how rare each feature's value is"
    if ranked.empty:
        return empty(title, "No principal activity in the window.")
    tails = feature_tails(ranked)
    top = ranked.head(top_n)
    share = tails.loc[top.index, list(MODEL_COLUMNS)].to_numpy()
    rarity = np.log(share) / np.log(1.0 / max(len(ranked), 2))
    reach = np.rint(share * len(ranked)).astype(int)
    words = [[(as_text(describe(row, c)) + f"<br>{reach[i, j]} of {len(ranked)} principal-days reach this")
              if row[c] > 0 else "ordinary" for j, c in enumerate(MODEL_COLUMNS)]
             for i, (_, row) in enumerate(top.iterrows())]
    names = labels()
    rows = [f"#{r.rank} {short_principal(r.principal)} {r.event_day}" for r in top.itertuples()]
    fig = go.Figure(go.Heatmap(
        z=np.round(rarity, 3), x=[names[c] for c in MODEL_COLUMNS], y=rows, text=words, zmin=0, zmax=1,
        colorscale="OrRd", colorbar={"title": "rarity"},
        hovertemplate="%{y}<br><b>%{x}</b>: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-30)
    return finish(fig, title, height=max(360, 34 * len(rows) + 160))


def calls_of_top(hourly: pd.DataFrame) -> go.Figure:
    """Calls per hour of each top entry's day, coloured by source IP (:func:`workbench.anomalies.calls_by_hour`)."""
    title = "What the top entries did: calls per hour (UTC), by source IP"
    if hourly.empty:
        return empty(title, "No events for the top entries.")
    frame = hourly.assign(entry=[f"#{r} {short_principal(p)}"
                                 for r, p in zip(hourly["rank"], hourly.anomalous_principal)])
    fig = px.bar(frame, x="hour", y="calls", color="source_ip", facet_row="entry", hover_data=["errors"],
                 labels={"hour": "hour of the day (UTC)", "calls": "calls", "source_ip": "source IP"})
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    fig.update_yaxes(matches=None, title=None)
    fig.update_xaxes(range=[-0.5, 23.5], dtick=2)
    return finish(fig, title, height=max(320, 220 * frame.entry.nunique() + 80), bargap=0.1)
