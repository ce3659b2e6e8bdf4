"""``workbench sync``: some days of logs from S3 to a local folder, keeping the key layout."""

from __future__ import annotations

from workbench.cli.options import add_sources, csv, day

NAME = "sync"
HELP = "copy some days of logs from S3 to a local folder, keeping the key layout"
DESCRIPTION = (
    "Copy the log files of the given days from s3://BUCKET[/PREFIX] (where AWSLogs/ is) to DIR, keeping "
    "the key layout, organisation trails included. Lists only the selected prefixes, never the whole "
    "bucket; files already there unchanged are skipped, so a second run copies nothing. Then: "
    "workbench query ... --logs DIR."
)


def add_arguments(parser) -> None:
    parser.add_argument("url", metavar="s3://BUCKET[/PREFIX]", help="where AWSLogs/ is")
    parser.add_argument("--out", required=True, metavar="DIR", help="local folder (keys are kept below it)")
    parser.add_argument("--start", type=day, required=True, metavar="YYYY-MM-DD", help="first day (UTC, inclusive)")
    parser.add_argument("--end", type=day, required=True, metavar="YYYY-MM-DD", help="last day (UTC, inclusive)")
    parser.add_argument("--accounts", type=csv, metavar="A1,A2", help="account ids (default: all found)")
    parser.add_argument("--regions", type=csv, metavar="R1,R2",
                        help="regions (default: all found; keep us-east-1 for console sign-ins)")
    add_sources(parser)


def run(args) -> int:
    from workbench.aws.sync import sync_command

    return sync_command(args.url, out=args.out, start=args.start, end=args.end,
                        accounts=args.accounts, regions=args.regions, sources=args.sources)
