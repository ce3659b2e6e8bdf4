"""Figures of the vpc-flow-ports notebook."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import OUTCOME_COLOURS, empty, finish


def port_scatter(points: pd.DataFrame) -> go.Figure:
    """Source port against destination port, log axes; colour is the action, size the flow count.

    Takes :func:`workbench.analyses.flows.port_scatter_points`. Services sit on low
    destination ports with high (ephemeral) source ports; a vertical smear of rejected
    points at one source port is a scanner walking through destination ports.
    """
    title = "Source port vs destination port (colour: action, size: flows)"
    if points.empty:
        return empty(title, "No flow with ports in the window.")
    rows = points.assign(src=points.srcport.clip(lower=1), dst=points.dstport.clip(lower=1))
    fig = px.scatter(rows, x="src", y="dst", color="action", size="flows", size_max=28, log_x=True, log_y=True,
                     color_discrete_map=OUTCOME_COLOURS,
                     hover_data=["srcport", "dstport", "protocol", "flows", "hosts"],
                     labels={"src": "source port", "dst": "destination port"}, opacity=0.6)
    return finish(fig, title, height=560)


def top_rejected(rejected: pd.DataFrame) -> go.Figure:
    """Destinations with the most rejected flows (:func:`workbench.analyses.flows.top_rejected_destinations`)."""
    title = "Most rejected destinations"
    if rejected.empty:
        return empty(title, "No rejected flow in the window.")
    rows = rejected.assign(where=rejected.dstaddr + " (" + rejected.interface_id + ")")
    fig = px.bar(rows, x="rejected", y="where", orientation="h", color="sources",
                 hover_data=["account_id", "ports", "top_ports"], color_continuous_scale="OrRd",
                 labels={"rejected": "rejected flows", "where": "", "sources": "source IPs"})
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
