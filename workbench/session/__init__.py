"""The notebook session: the engine, window and scope a notebook works in (:class:`Investigation`),
entity pivots (:func:`workbench.pivot`, :class:`PivotResult`), identity lineage (:func:`workbench.lineage`,
:class:`LineageResult`), the verdict line (:mod:`show`), each
notebook's summary (:mod:`summaries`) and the summary file a report writes (:mod:`summary`)."""

from workbench.session.investigation import Investigation
from workbench.session.lineage import LineageResult
from workbench.session.pivot import PivotResult
from workbench.session.summary import read_summary, write_summary

__all__ = ["Investigation", "LineageResult", "PivotResult", "read_summary", "write_summary"]
