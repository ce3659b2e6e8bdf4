"""``workbench demo``: the sample organisation, every notebook run as a report, and a check
of the reports against the planted ground truth."""

from workbench.demo.run import run_demo

__all__ = ["run_demo"]
