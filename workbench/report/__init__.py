"""Headless reports: the investigation notebooks run by papermill, as HTML pages and an index.

>>> from workbench.report import run_reports
>>> run = run_reports(out="reports", logs="demo-data")      # doctest: +SKIP
>>> run.index, [r.name for r in run.failures]                 # doctest: +SKIP
"""

from workbench.report.notebooks import find_notebooks, list_notebooks, report_name
from workbench.report.runner import ReportResult, ReportRun, run_reports

__all__ = ["ReportResult", "ReportRun", "find_notebooks", "list_notebooks", "report_name", "run_reports"]
