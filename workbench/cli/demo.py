"""``workbench demo``: the sample organisation, every notebook on it as a report, checked against the truth."""

from __future__ import annotations

from pathlib import Path

from workbench.settings import DEMO_LOGS, REPORTS, SAMPLE

NAME = "demo"
HELP = "generate the sample organisation, run every notebook on it, print the reports' index"
DESCRIPTION = (
    "Generate the sample organisation (unless it is already there with the same settings), run every "
    "investigation notebook on it as a report (console sign-ins, root and HIDDEN_DUE_TO_SECURITY_REASONS "
    "sign-ins, VPC flow ports, GuardDuty drill-down, hunt, anomalies, the web edge), check each report against the "
    "planted ground truth, and print the path of index.html."
)


def add_arguments(parser) -> None:
    parser.add_argument("--out", default=DEMO_LOGS, help="where the sample lives (default: %(default)s)")
    parser.add_argument("--reports", default=REPORTS, metavar="DIR", help="where the reports go (default: %(default)s)")
    parser.add_argument("--fresh", action="store_true", help="regenerate even if the sample exists")
    parser.add_argument("--seed", type=int, default=SAMPLE.seed, help="generator seed (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=SAMPLE.scale, help="background volume (default: %(default)s)")


def run(args) -> int:
    from workbench.demo import run_demo

    return run_demo(Path(args.out), fresh=args.fresh, seed=args.seed, scale=args.scale, reports=args.reports)
