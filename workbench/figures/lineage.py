"""Figures of identity lineage: what each credential of a tree did, hop by hop."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import empty, finish


def timeline(rows: pd.DataFrame, title: str = "Everything done with the credentials, by hop") -> go.Figure:
    """The attributed timeline (:func:`workbench.analyses.lineage.timeline`): one row per hop and API.

    Colour is the account the call was written in; crosses failed. Hop 0 is the root credential,
    hop 1 the keys it issued, and so on.
    """
    if rows.empty:
        return empty(title, "No event made with these credentials in the window.")
    who = rows.principal.fillna("").astype(str).str.rsplit(":", n=1).str[-1].str.replace("assumed-role/", "")
    lane = "hop " + rows.hop.astype(str) + " " + who + ": " + rows.event_name.astype(str)
    shown = rows.assign(lane=lane, result=rows.error_code.notna().map({True: "failed", False: "ok"}),
                        account=rows.account_id.astype(str))
    fig = px.scatter(shown.sort_values(["hop", "event_time"]), x="event_time", y="lane", color="account",
                     symbol="result", symbol_map={"ok": "circle", "failed": "x"},
                     hover_data=["root_access_key_id", "credential", "principal", "source_ip", "event_id",
                                 "error_code"],
                     labels={"event_time": "", "lane": ""})
    fig.update_traces(marker={"size": 9})
    fig.update_yaxes(type="category", autorange="reversed")
    return finish(fig, title, height=max(320, 22 * shown.lane.nunique() + 160))
