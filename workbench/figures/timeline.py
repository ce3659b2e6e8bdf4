"""Figures of the pivot: the combined timeline, what each entity did, flows, outliers."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import OUTCOME_COLOURS, SOURCE_COLOURS, empty, finish


def timeline(rows: pd.DataFrame, title: str = "Timeline: CloudTrail, VPC flows and GuardDuty") -> go.Figure:
    """The combined timeline (:func:`workbench.analyses.timeline.combine`): one row per activity.

    Colour is the source; crosses are failed calls and rejected flows.
    """
    if rows.empty:
        return empty(title, "Nothing in the window for these entities.")
    failed = ~rows.outcome.isin(["OK", "ACCEPT"]) & (rows.source != "guardduty")
    shown = rows.assign(lane=_lanes(rows), result=failed.map({True: "failed / rejected", False: "ok"}))
    fig = px.scatter(shown, x="time", y="lane", color="source", symbol="result", color_discrete_map=SOURCE_COLOURS,
                     symbol_map={"ok": "circle", "failed / rejected": "x"},
                     hover_data=["activity", "actor", "source_ip", "access_key_id", "outcome", "ref"],
                     labels={"time": "", "lane": ""})
    fig.update_traces(marker={"size": 9})
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(320, 22 * shown.lane.nunique() + 160))


def calls_by_source_ip(cloudtrail: pd.DataFrame) -> go.Figure:
    """API calls per event name, split by source IP: what the key/principal/IP did, and from where."""
    title = "CloudTrail calls per API, by source IP"
    if cloudtrail.empty:
        return empty(title, "No CloudTrail event for these entities.")
    counts = cloudtrail.groupby(["event_name", "source_ip"]).size().rename("calls").reset_index()
    fig = px.bar(counts, x="calls", y="event_name", color="source_ip", orientation="h", labels={"event_name": ""})
    fig.update_yaxes(type="category", categoryorder="total ascending")
    return finish(fig, title, height=max(320, 20 * counts.event_name.nunique() + 160))


def flows_over_time(flows: pd.DataFrame) -> go.Figure:
    """VPC flows of the pivot per hour, by destination port; crosses are rejected."""
    title = "VPC flows to and from the pivots (per hour)"
    if flows.empty:
        return empty(title, "No VPC flow for these entities (API activity does not cross a VPC).")
    rows = flows.assign(port=flows.dstport.fillna(-1).astype(int).astype(str),
                        pair=flows.srcaddr + " -> " + flows.dstaddr)
    fig = px.scatter(rows, x="first_seen", y="pair", color="action", symbol="action", size="flows", size_max=18,
                     color_discrete_map=OUTCOME_COLOURS, symbol_map={"ACCEPT": "circle", "REJECT": "x"},
                     hover_data=["port", "protocol", "interface_id", "bytes"], labels={"first_seen": "", "pair": ""})
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(320, 20 * rows.pair.nunique() + 160))


def _lanes(rows: pd.DataFrame) -> pd.Series:
    """CloudTrail rows by API, flows by action, findings by type: a readable y axis."""
    flow = "vpcflow " + rows.outcome.astype(str)
    return rows.activity.where(rows.source != "vpcflow", flow)
