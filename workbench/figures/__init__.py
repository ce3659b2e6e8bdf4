"""Plotly figures for the notebooks, one module per topic of :mod:`workbench.analyses`.

Each function takes the output of a query or of an analysis and returns a ``go.Figure`` with
the shared look (:mod:`workbench.figures.style`); no data means a figure that says so. Call
:func:`embed_plotly` once per notebook so figures also work in saved notebooks and in HTML
reports opened offline.
"""

from workbench.figures import activity, anomalies, findings, flows, hidden, root, signins, timeline
from workbench.figures.offline import embed_plotly

__all__ = ["activity", "anomalies", "embed_plotly", "findings", "flows", "hidden", "root", "signins", "timeline"]
