"""``workbench ddl``: Athena tables with partition projection for the log sources."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.options import csv
from workbench.errors import UsageError

NAME = "ddl"
HELP = "print Athena CREATE EXTERNAL TABLE statements with partition projection"
DESCRIPTION = (
    "Print Athena tables for every log source, with partition projection over account x region x day "
    "matching the S3 key layout (organisation trails included). Accounts and regions come from "
    "--accounts/--regions or are discovered in a local copy (--logs)."
)


def add_arguments(parser) -> None:
    parser.add_argument("--bucket", default="YOUR-LOG-BUCKET", help="S3 bucket of the logs")
    parser.add_argument("--prefix", default="", help="key prefix before AWSLogs/ (and s3-access-logs/), if any")
    parser.add_argument("--org-id", help="organisation id of an organisation trail (o-...)")
    parser.add_argument("--accounts", type=csv, help="account ids to project (comma-separated)")
    parser.add_argument("--regions", type=csv, help="regions to project (comma-separated)")
    parser.add_argument("--logs", metavar="DIR", help="discover accounts, regions and org id from a local copy")
    parser.add_argument("--start", default="2024/01/01", help="first projected day (default: %(default)s)")
    parser.add_argument("--database", default="security_logs", help="Glue database (default: %(default)s)")
    parser.add_argument("--source", action="append", help="only these sources (default: all)")
    parser.add_argument("--flow-log-format", default=None,
                        help="your VPC flow logs' format, fields in order (default: AWS's version-2 default)")
    parser.add_argument("--web-acls", type=lambda text: [v for v in text.split(",") if v], default=None,
                        help="the WAF table's web ACL names, comma-separated (the web_acl partition's values; "
                        "read from --logs when given)")
    parser.add_argument("--distributions", type=lambda text: [v for v in text.split(",") if v], default=None,
                        help="the CloudFront table's distribution ids, comma-separated (the distribution "
                        "partition's values; read from --logs when given)")
    parser.add_argument("--vpcs", type=lambda text: [v for v in text.split(",") if v], default=None,
                        help="the Route 53 Resolver table's VPC ids, comma-separated (the vpc partition's values; "
                        "read from --logs when given)")
    parser.add_argument("--buckets", type=lambda text: [v for v in text.split(",") if v], default=None,
                        help="the S3 server access logs table's bucket names, comma-separated (the bucket "
                        "partition's values; read from --logs when given)")
    parser.add_argument("--hive-paths", type=csv, default=[], metavar="SOURCE,...",
                        help="these sources' logs are delivered with Hive-compatible folders (vpcflow, "
                        "cloudfront: aws-account-id=.../year=YYYY/month=MM/day=DD): their tables have no "
                        "projection and the stack's upkeep Lambda registers their partitions")
    parser.add_argument("--cloudfront-output", choices=("w3c", "json", "parquet"), default="w3c",
                        help="the output format of your CloudFront standard logging (v2) delivery: json or parquet "
                        "print a table of text columns, as AWS's Athena pages declare it, and a view named "
                        "cloudfront over it with the library's columns and types (default: %(default)s)")
    parser.add_argument("--trino", action="store_true",
                        help="print the tables for Trino's Hive connector instead (same columns and partition "
                        "projection; CloudTrail as JSON lines, see docs/trino.md)")
    parser.add_argument("--catalog", default="hive", help="with --trino: the Hive catalog (default: %(default)s)")


def run(args) -> int:
    from workbench.aws.ddl import (
        create_table_sql,
        create_table_sql_trino,
        output_table_spec,
        table_spec,
        typed_view_sql,
    )
    from workbench.engines.local.listing import LogTree
    from workbench.sources import SOURCES, get_source

    accounts, regions, org_id = args.accounts, args.regions, args.org_id
    given = {"waf": args.web_acls, "cloudfront": args.distributions, "resolver": args.vpcs, "s3access": args.buckets}
    scopes = {name: values for name, values in given.items() if values}
    if args.logs:
        found = LogTree(Path(args.logs)).layout()
        accounts = accounts or found["accounts"]
        regions = regions or found["regions"]
        org_id = org_id or found["org_id"]
        scopes = {**found["scopes"], **scopes}
    sources = [get_source(s) for s in args.source] if args.source else list(SOURCES.values())
    hive = set(args.hive_paths)
    for name in sorted(hive):
        if not get_source(name).hive_paths:
            raise UsageError(f"--hive-paths {name}: AWS delivers {get_source(name).title} with plain folders only; "
                             "Hive-compatible paths are an option of: "
                             + ", ".join(s.name for s in SOURCES.values() if s.hive_paths))
    projected = [s for s in sources if s.name not in hive]
    # a global service's table (CloudFront, Resolver query logs: no region folder) projects no region
    if projected and (not accounts or (not regions and any(s.regional for s in projected))):
        raise UsageError(
            "partition projection needs the account ids and regions: give --accounts and "
            "--regions, or --logs DIR to discover them from a local copy"
        )
    if args.bucket == "YOUR-LOG-BUCKET":
        print("-- replace YOUR-LOG-BUCKET with your log bucket (or pass --bucket)", file=sys.stderr)
    for source in sources:
        if source.scope_partition and not scopes.get(source.name) and source.name not in hive:
            if args.source:
                raise UsageError(f"the {source.title} table needs its {source.scope_partition} values: "
                                 f"{source.scope_option} NAME,... (or --logs DIR holding its logs)")
            print(f"-- {source.title}: skipped; give {source.scope_option} NAME,... (its {source.scope_partition} "
                  "partition's values) to print it", file=sys.stderr)
            continue
        options = {"bucket": args.bucket, "prefix": args.prefix, "org_id": org_id, "accounts": accounts or [],
                   "regions": regions or [], "start": args.start, "database": args.database,
                   "fields": args.flow_log_format, "scopes": scopes.get(source.name), "hive": source.name in hive}
        output = args.cloudfront_output if source.name == "cloudfront" else "w3c"
        try:
            spec = table_spec(source, **options) if output == "w3c" else output_table_spec(source, output, **options)
        except ValueError as error:  # a partition value that is no such name (--vpcs vpc-XYZ, --buckets My_Bucket)
            raise UsageError(str(error)) from None
        print(f"-- {source.title}: {source.description}")
        if source.name in hive:
            print("-- Hive-compatible folders: no projection; the partitions are registered by the stack's upkeep "
                  "Lambda (or ALTER TABLE ADD PARTITION)")
        text = create_table_sql_trino(spec, catalog=args.catalog) + ";" if args.trino else create_table_sql(spec)
        print(text + "\n")
        if output != "w3c":
            print(f"-- the {output} delivery's fields are text: this view gives them the library's names and types")
            print(typed_view_sql(source, spec, catalog=args.catalog if args.trino else None) + ";\n")
    return 0
