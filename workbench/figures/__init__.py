"""Plotly figures for the notebooks: one function per figure, data in, ``go.Figure`` out.

Each takes the output of a query or of a function in :mod:`workbench.analyses` and
returns a figure with the shared look (:mod:`workbench.figures.style`); no data means a
figure that says so. Call :func:`embed_plotly` once per notebook so figures also work in
saved notebooks and HTML reports opened offline.
"""

from workbench.figures.findings import by_account, by_severity, by_type, over_time
from workbench.figures.flows import port_scatter, scan_candidates, top_rejected
from workbench.figures.offline import embed_plotly
from workbench.figures.root import hidden_attempts, root_timeline
from workbench.figures.signins import mfa_share, outcomes_over_time, principal_kinds, signin_heatmap
from workbench.figures.timeline import activity_outliers, calls_by_source_ip, flows_over_time, timeline

__all__ = [
    "activity_outliers", "by_account", "by_severity", "by_type", "calls_by_source_ip", "embed_plotly",
    "flows_over_time", "hidden_attempts", "mfa_share", "outcomes_over_time", "over_time", "port_scatter",
    "principal_kinds", "root_timeline", "scan_candidates", "signin_heatmap", "timeline", "top_rejected",
]
