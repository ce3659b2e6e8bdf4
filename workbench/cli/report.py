"""``workbench report``: the investigation notebooks run headless into HTML reports and an index."""

from __future__ import annotations

import sys

from workbench.cli.options import add_engine, add_logs, add_params, params
from workbench.settings import REPORTS

NAME = "report"
HELP = "run the investigation notebooks headless into HTML reports and an index"
DESCRIPTION = (
    "Run notebooks with papermill into OUT/NAME.ipynb and OUT/NAME.html (prose, tables and figures; they "
    "work offline and share one plotly.js in OUT), each with its summary OUT/NAME.summary.json, and "
    "OUT/index.html: the security overview, one line per report with its status (needs attention, clear, "
    "failed to run), most urgent first. Reports already in OUT keep their lines. A failing notebook is named "
    "with its failing cell and makes the exit status 1; the other reports are still written. OUT may be "
    "s3://bucket/prefix."
)


def add_arguments(parser) -> None:
    from workbench.report import list_notebooks

    add_logs(parser)
    parser.add_argument("--out", default=REPORTS, metavar="DIR|s3://...",
                        help="where reports go (default: %(default)s)")
    parser.add_argument("--notebook", action="append", metavar="NAME",
                        help=f"a notebook by name, without its number ({', '.join(list_notebooks())}) or an "
                        ".ipynb path; repeatable (default: all)")
    add_params(parser, what="notebook parameter, e.g. -p start=2026-11-01 -p source_ip=203.0.113.7; given to "
               "each notebook that has it")
    add_engine(parser, default=None)
    parser.add_argument("--show-code", action="store_true",
                        help="keep the code cells in the HTML pages (by default a report is prose, tables and "
                             "figures; the executed notebook beside it always has the code)")


def run(args) -> int:
    from workbench.report import run_reports

    run = run_reports(args.notebook, out=args.out, logs=args.logs, engine=args.engine, params=params(args.param),
                      show_code=args.show_code, progress=sys.stderr, cell_progress=sys.stderr.isatty())
    for failure in run.failures:
        print(f"workbench: report {failure.name} failed at {failure.failed_cell}: {failure.error}", file=sys.stderr)
    print(run.index)
    return 1 if run.failures else 0
