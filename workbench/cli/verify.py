"""``workbench verify``: were these CloudTrail logs modified, deleted or added since AWS delivered them?"""

from __future__ import annotations

import json

from workbench.cli.options import add_logs, csv, day, logs_of
from workbench.errors import UsageError

NAME = "verify"
HELP = "check CloudTrail files against their signed digests (modified, deleted or added files)"
DESCRIPTION = (
    "Check a local copy of CloudTrail logs the way `aws cloudtrail validate-logs` checks S3: each hourly "
    "digest's RSA signature (recorded beside it by `workbench sync`), the chain of digests, the SHA-256 of "
    "every log file a digest lists, and log files no digest lists. Public keys come from a file "
    "(--public-keys: the JSON of `aws cloudtrail list-public-keys`, or PEM) or from CloudTrail "
    "(--fetch-keys). Exit status: 0 verified, 1 problems found, 3 nothing wrong found but not everything "
    "could be checked."
)
#: Exit status when nothing is wrong but something could not be checked.
NOT_VERIFIABLE = 3


def add_arguments(parser) -> None:
    add_logs(parser)
    parser.add_argument("--start", type=day, required=True, metavar="YYYY-MM-DD", help="first delivery day (UTC)")
    parser.add_argument("--end", type=day, required=True, metavar="YYYY-MM-DD", help="last delivery day (UTC)")
    parser.add_argument("--public-keys", action="append", default=[], metavar="FILE",
                        help="CloudTrail's public keys: `aws cloudtrail list-public-keys --output json` saved "
                             "to a file, or PEM (repeatable; a sample's are in its cloudtrail-public-keys.json)")
    parser.add_argument("--fetch-keys", action="store_true",
                        help="ask CloudTrail for the public keys (ListPublicKeys in each region of the digests)")
    parser.add_argument("--accounts", type=csv, metavar="A1,A2", help="account ids (default: all in the folder)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args) -> int:
    from workbench.integrity import PublicKeys, verify_logs
    from workbench.integrity.verify import digest_regions

    if args.end < args.start:
        raise UsageError(f"--end ({args.end}) is before --start ({args.start})")
    logs = logs_of(args)
    keys = None
    for path in args.public_keys:
        loaded = PublicKeys.from_file(path)
        keys = loaded if keys is None else keys | loaded
    if args.fetch_keys:
        from workbench.aws.public_keys import fetch_public_keys

        regions = digest_regions(logs)
        if not regions:
            raise UsageError(f"no CloudTrail-Digest folders under {logs}/AWSLogs: nothing to fetch keys for")
        fetched = fetch_public_keys(regions, start=args.start, end=args.end)
        keys = fetched if keys is None else keys | fetched
    report = verify_logs(logs, start=args.start, end=args.end, keys=keys, accounts=args.accounts,
                         progress=not args.json)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.summary())
    if report.problems:
        return 1
    return 0 if report.status == "verified" else NOT_VERIFIABLE

