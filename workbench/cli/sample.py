"""``workbench sample``: a sample organisation's logs with planted incidents."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.options import csv, day, positive_int
from workbench.settings import SAMPLE

NAME = "sample"
HELP = "write a sample organisation's logs with planted incidents"
DESCRIPTION = (
    "Write DIR/AWSLogs/... exactly as AWS delivers CloudTrail (organisation trail), VPC Flow Logs and "
    "GuardDuty exports, with background traffic and planted incidents, and DIR/scenarios.json with the "
    "ground truth. Same seed, same bytes."
)


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--start", type=day, default=SAMPLE.start, metavar="YYYY-MM-DD",
                        help="first day (default: %(default)s)")
    parser.add_argument("--days", type=positive_int, default=SAMPLE.days, help="number of days (default: %(default)s)")
    parser.add_argument("--accounts", type=positive_int, default=SAMPLE.accounts,
                        help="number of accounts (default: %(default)s)")
    parser.add_argument("--regions", type=csv, default=list(SAMPLE.regions), metavar="R1,R2",
                        help=f"regions with activity (default: {','.join(SAMPLE.regions)})")
    org = parser.add_mutually_exclusive_group()
    org.add_argument("--org-id", metavar="o-...", help="organisation id (default: derived from the seed)")
    org.add_argument("--no-org", action="store_true",
                     help="no organisation trail: each account's own trail (AWSLogs/<account>/...)")
    parser.add_argument("--seed", type=int, default=SAMPLE.seed, help="random seed (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=SAMPLE.scale,
                        help="background volume multiplier (default: %(default)s)")


def run(args) -> int:
    from workbench.sample import generate

    org_id = None if args.no_org else (args.org_id or "auto")
    doc = generate(Path(args.out), start=args.start, days=args.days, accounts=args.accounts,
                   regions=tuple(args.regions), org_id=org_id, seed=args.seed, scale=args.scale,
                   progress=sys.stderr.isatty())
    kinds = ", ".join(s["kind"] for s in doc["scenarios"])
    print(f"wrote {args.out}/AWSLogs and {args.out}/scenarios.json ({len(doc['scenarios'])} planted: {kinds})")
    return 0
