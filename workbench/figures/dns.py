"""Figures of the dns notebook."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import BAD, GOOD, MIXED, empty, finish


def busiest_hosts(sources: pd.DataFrame) -> go.Figure:
    """Lookups per host, split into names that resolved and names that did not (rows of ``queries_by_source``)."""
    title = "Lookups per host (red: names that do not exist)"
    if sources.empty:
        return empty(title, "No Resolver query log in the window.")
    rows = sources.assign(host=sources.srcaddr + " " + sources.instance_id.fillna(""),
                          answered=sources.queries - sources.nxdomain)
    long = rows.melt(id_vars="host", value_vars=["answered", "nxdomain"], var_name="answer", value_name="lookups")
    fig = px.bar(long, x="lookups", y="host", color="answer", orientation="h",
                 color_discrete_map={"answered": GOOD, "nxdomain": BAD}, labels={"host": ""})
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows.host)[::-1])
    return finish(fig, title, height=max(300, 24 * len(rows) + 140))


def lookups_over_time(lookups: pd.DataFrame) -> go.Figure:
    """Each host's lookups of the rare domains over time (rows of ``lookups_by_entity``): a beacon is a steady line."""
    title = "Lookups of the rare domains, per hour and host (a steady line is a beacon)"
    if lookups.empty:
        return empty(title, "No host looked up a rare domain in the window.")
    rows = lookups.assign(who=lookups.srcaddr + " -> " + lookups.query_name.str.split(".").str[-3:].str.join("."))
    per_hour = rows.groupby(["hour", "who"], as_index=False).queries.sum()
    fig = px.bar(per_hour, x="hour", y="queries", color="who", labels={"hour": "", "queries": "lookups", "who": ""},
                 color_discrete_sequence=[MIXED, BAD, GOOD])
    fig.update_layout(bargap=0)
    return finish(fig, title, height=380)
