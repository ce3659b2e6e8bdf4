"""Figures of the vpc-flow-ports notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import BAD, OUTCOME_COLOURS, empty, finish


def port_scatter(points: pd.DataFrame) -> go.Figure:
    """Source port against destination port, log axes; colour is the action, size the flow count.

    Takes :func:`workbench.analyses.flows.port_scatter_points`. Services sit on low
    destination ports with high (ephemeral) source ports; a vertical smear of rejected
    points at one source port is a scanner walking through destination ports.
    """
    title = "Source port vs destination port (colour: action, size: flows)"
    if points.empty:
        return empty(title, "No flow with ports in the window.")
    rows = points.assign(src=points.srcport.clip(lower=1), dst=points.dstport.clip(lower=1),
                         order=points.action.map({"ACCEPT": 0, "REJECT": 1}).fillna(2))
    rows = rows.sort_values("order", kind="stable")  # rejected flows drawn last, on top
    fig = go.Figure()
    for action, part in rows.groupby("action", sort=False):
        rejected = action == "REJECT"
        fig.add_trace(go.Scattergl(
            x=part.src, y=part.dst, mode="markers", name=str(action),
            marker={"color": OUTCOME_COLOURS.get(str(action), BAD), "opacity": 0.9 if rejected else 0.35,
                    "size": 5 + 3 * np.log10(part.flows.clip(lower=1)), "symbol": "x" if rejected else "circle",
                    "line": {"width": 0}},
            customdata=part[["srcport", "dstport", "protocol", "flows", "hosts"]].to_numpy(),
            hovertemplate="source port %{customdata[0]}, destination port %{customdata[1]}, protocol "
                          "%{customdata[2]}<br>%{customdata[3]} flows, %{customdata[4]} hosts<extra></extra>"))
    fig.update_xaxes(type="log", title="source port")
    fig.update_yaxes(type="log", title="destination port")
    return finish(fig, title, height=560)


def top_rejected(rejected: pd.DataFrame) -> go.Figure:
    """Destinations with the most rejected flows (:func:`workbench.analyses.flows.top_rejected_destinations`)."""
    title = "Most rejected destinations (label: how many sources, how many ports)"
    if rejected.empty:
        return empty(title, "No rejected flow in the window.")
    rows = rejected.assign(where=rejected.dstaddr + " (" + rejected.interface_id + ")")
    fig = px.bar(rows.assign(label=rows.sources.astype(int).astype(str) + " sources, "
                             + rows.ports.astype(int).astype(str) + " ports"),
                 x="rejected", y="where", orientation="h", text="label",
                 hover_data=["account_id", "sources", "ports", "top_ports"],
                 labels={"rejected": "rejected flows", "where": "", "sources": "source IPs"})
    fig.update_traces(marker_color=BAD, textposition="inside", insidetextanchor="start")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows["where"])[::-1])
    return finish(fig, title, height=max(300, 24 * len(rows) + 140))


def scan_candidates(scans: pd.DataFrame) -> go.Figure:
    """Scan candidates: ports reached per source and host, coloured by the rejected share."""
    title = "Port-scan candidates: distinct destination ports per source and host"
    if scans.empty:
        return empty(title, "No source reached enough ports of one host.")
    rows = scans.assign(pair=scans.source_ip + " -> " + scans.dst_addr)
    fig = px.bar(rows, x="distinct_ports", y="pair", orientation="h", color="rejected_share", range_color=[0, 1],
                 color_continuous_scale="OrRd", hover_data=["interface_id", "flows", "first_seen", "last_seen"],
                 labels={"distinct_ports": "distinct destination ports", "pair": "", "rejected_share": "rejected"})
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(260, 30 * len(rows) + 160))
