"""The notebook session: the engine, window and scope a notebook works in, entity pivots,
the verdict line and the summary each report writes."""

from workbench.session.investigation import Investigation
from workbench.session.pivot import PivotResult, pivot
from workbench.session.summary import read_summary, write_summary

__all__ = ["Investigation", "PivotResult", "pivot", "read_summary", "write_summary"]
