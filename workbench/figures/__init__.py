"""Plotly figures for the notebooks, one module per topic of :mod:`workbench.analyses`.

Each function takes the output of a query or of an analysis and returns a ``go.Figure`` with
the shared look (:mod:`workbench.figures.style`); no data means a figure that says so. Call
:func:`embed_plotly` once per notebook so figures also work in saved notebooks and in HTML
reports opened offline, and :func:`embed_tables` so tables read as tables (:mod:`workbench.figures.tables`).
"""

from workbench.figures import (
    activity,
    anomalies,
    detections,
    dns,
    findings,
    flows,
    hidden,
    lineage,
    root,
    s3access,
    signins,
    timeline,
    web,
)
from workbench.figures.offline import embed_plotly
from workbench.figures.tables import embed_tables

__all__ = ["activity", "anomalies", "detections", "dns", "embed_plotly", "embed_tables", "findings", "flows", "hidden",
           "lineage", "root", "s3access", "signins", "timeline", "web"]
