"""``workbench import``: log files that are not in the S3 layout (dumps, exports, archives) into it."""

from __future__ import annotations

import sys

from workbench.errors import UsageError

NAME = "import"
HELP = "bring log files that are not in the S3 layout into it (dumps, exports, archives)"
DESCRIPTION = (
    "Read CloudTrail files of any shape (S3 body, bare JSON array, JSON lines, LookupEvents output, console "
    "export; Elasticsearch/OpenSearch documents and search hits, Logstash documents, Splunk JSON and CSV "
    "exports, with the original record when they kept it, else their fields mapped back), GuardDuty "
    "findings (exports, arrays, EventBridge archives), VPC flow-log text, load balancer and WAF logs, and "
    "CloudFront standard logs (legacy files, flat under a prefix, are filed by the distribution id in their "
    "names), and write every record under OUT/AWSLogs/... by account, region (or distribution) and day, as "
    "AWS would deliver it. The summary says which export "
    "shapes and mappings were used. Records that cannot be placed go to OUT/import-rejects/ with the "
    "reason; exit status 1 when anything was rejected or lost."
)


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (read recursively)")
    parser.add_argument("--out", required=True, metavar="DIR", help="destination folder (then: --logs DIR)")
    parser.add_argument("--account", metavar="ACCOUNT_ID",
                        help="account id for records that carry none (exports that strip recipientAccountId and "
                             "userIdentity.accountId, load balancer and CloudFront lines); a record's own account "
                             "always wins")
    parser.add_argument("--region", help="region for records that carry none (flow-log rows whose format has no "
                                         "region field, load balancer lines)")


def run(args) -> int:
    from workbench.formats.base import ACCOUNT_ID
    from workbench.formats.importer import import_files

    try:
        if args.account is not None and not ACCOUNT_ID.fullmatch(args.account):
            raise UsageError(f"--account {args.account!r} is not an account id (AWS account ids are 12 digits)")
        report = import_files(args.paths, args.out, account=args.account, region=args.region,
                              progress=sys.stderr.isatty())
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    print(report.summary())
    if report.written:
        kinds = [f["kind"] for f in report.files if f.get("kind") in FIRST_QUERY]
        query = FIRST_QUERY[max(dict.fromkeys(kinds), key=kinds.count)] if kinds else "console_logins"
        print(f"next: workbench query {query} -p start=... -p end=... --logs {args.out}")
    return 0 if report.complete else 1


#: The first question to ask of each source's records, for the hint after an import.
FIRST_QUERY = {"cloudtrail": "console_logins", "vpcflow": "scan_candidates", "guardduty": "findings",
               "alb": "alb/top_clients", "waf": "blocks_by_rule", "nlb": "nlb/top_clients",
               "clb": "clb/top_clients", "alb_connections": "alb_connections/tls_versions",
               "cloudfront": "cloudfront/top_clients"}
