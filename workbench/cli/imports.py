"""``workbench import``: log files that are not in the S3 layout (dumps, exports, archives) into it."""

from __future__ import annotations

import sys

from workbench.errors import UsageError

NAME = "import"
HELP = "bring log files that are not in the S3 layout into it (dumps, exports, archives)"
DESCRIPTION = (
    "Read CloudTrail files of any shape (S3 body, bare JSON array, JSON lines, LookupEvents output, console "
    "export), GuardDuty findings (exports, arrays, EventBridge archives) and VPC flow-log text, and write "
    "every record under OUT/AWSLogs/... by account, region and day, as AWS would deliver it. Records that "
    "cannot be placed go to OUT/import-rejects/ with the reason; exit status 1 when anything was rejected "
    "or lost."
)


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (read recursively)")
    parser.add_argument("--out", required=True, metavar="DIR", help="destination folder (then: --logs DIR)")
    parser.add_argument("--region", help="region for flow-log rows whose format has no region field")


def run(args) -> int:
    from workbench.formats.importer import import_files

    try:
        report = import_files(args.paths, args.out, region=args.region, progress=sys.stderr.isatty())
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    print(report.summary())
    if report.written:
        print(f"next: workbench query console_logins -p start=... -p end=... --logs {args.out}")
    return 0 if report.complete else 1
