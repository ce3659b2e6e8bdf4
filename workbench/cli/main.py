"""The ``workbench`` command line.

Every sub-command is one function ``cmd_<name>(args)``; :func:`build_parser` wires them.
User errors print one line (``workbench: error: ...``) and exit with status 2; results go to
stdout and what was read goes to stderr, so output can be piped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from workbench import __version__
from workbench.errors import UsageError, WorkbenchError

DEFAULT_LOGS = "demo-data"

EPILOG = """\
examples:
  workbench demo                                    sample organisation, every notebook as a report
  workbench report --notebook hunt -p source_ip=203.0.113.7 --logs demo-data   one notebook, headless
  workbench sample --out demo-data --days 7         write a sample organisation's logs
  workbench queries                                 the query library and its parameters
  workbench query root_activity -p start=2026-11-01 -p end=2026-11-07 --logs demo-data
  workbench query events_by_source_ip -p start=2026-11-01 -p end=2026-11-07 \\
      -p source_ip=203.0.113.7 --format json
  workbench ddl --bucket my-trail-bucket --logs demo-data   Athena tables for the same layout
  workbench sync s3://my-trail-bucket --out logs --start 2026-11-01 --end 2026-11-07
  workbench query root_activity -p start=2026-11-01 -p end=2026-11-07 --engine athena
  workbench doctor                                  check the AWS side (credentials, workgroup, tables)
  workbench cache build --logs demo-data            Parquet copy for fast repeated queries

The log folder (--logs) is a folder holding AWSLogs/ as AWS writes it to S3; it defaults
to $WORKBENCH_LOGS, else ./demo-data.
"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args) or 0
    except WorkbenchError as err:
        print(f"workbench: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Answer security questions from the CloudTrail, VPC Flow Log and GuardDuty "
        "files AWS writes to S3, on an embedded engine (DuckDB) or Athena, with one SQL library.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="generate the sample organisation, run every notebook on it, print the reports' index",
        description="Generate the sample organisation (unless it is already there with the same "
        "settings), run every investigation notebook on it as a report (console sign-ins, root and "
        "HIDDEN_DUE_TO_SECURITY_REASONS sign-ins, VPC flow ports, GuardDuty drill-down, hunt), check "
        "each report against the planted ground truth, and print the path of index.html.",
    )
    demo.add_argument("--out", default=DEFAULT_LOGS, help="where the sample lives (default: %(default)s)")
    demo.add_argument("--reports", default="reports", metavar="DIR", help="where the reports go (default: %(default)s)")
    demo.add_argument("--fresh", action="store_true", help="regenerate even if the sample exists")
    demo.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    demo.add_argument("--scale", type=float, default=1.0, help="background volume (default: %(default)s)")
    demo.set_defaults(func=cmd_demo)

    sample = sub.add_parser(
        "sample", help="write a sample organisation's logs with planted incidents",
        description="Write DIR/AWSLogs/... exactly as AWS delivers CloudTrail (organisation trail), "
        "VPC Flow Logs and GuardDuty exports, with background traffic and planted incidents, and "
        "DIR/scenarios.json with the ground truth. Same seed, same bytes.",
    )
    sample.add_argument("--out", required=True, metavar="DIR", help="output folder")
    sample.add_argument("--start", type=_date, default=dt.date(2026, 11, 1), metavar="YYYY-MM-DD",
                        help="first day (default: %(default)s)")
    sample.add_argument("--days", type=_positive_int, default=7, help="number of days (default: %(default)s)")
    sample.add_argument("--accounts", type=_positive_int, default=3, help="number of accounts (default: %(default)s)")
    sample.add_argument("--regions", type=_csv, default=["us-east-1", "ap-northeast-1"], metavar="R1,R2",
                        help="regions with activity (default: us-east-1,ap-northeast-1)")
    org = sample.add_mutually_exclusive_group()
    org.add_argument("--org-id", metavar="o-...", help="organisation id (default: derived from the seed)")
    org.add_argument("--no-org", action="store_true",
                     help="no organisation trail: each account's own trail (AWSLogs/<account>/...)")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    sample.add_argument("--scale", type=float, default=1.0, help="background volume multiplier (default: %(default)s)")
    sample.set_defaults(func=cmd_sample)

    query = sub.add_parser(
        "query", help="run a query from the library (or a .sql file) on a log folder",
        description="Run a query by name (with or without its source folder: root_activity or "
        "cloudtrail/root_activity), or a .sql file, with parameters bound (never formatted into "
        "the SQL). The result goes to stdout; what was read goes to stderr.",
    )
    query.add_argument("name", help="query name, or path to a .sql file")
    query.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                       help="parameter value (repeatable); lists are comma-separated")
    query.add_argument("--logs", default=os.environ.get("WORKBENCH_LOGS", DEFAULT_LOGS), metavar="DIR",
                       help="folder holding AWSLogs/ (default: $WORKBENCH_LOGS or %(default)s)")
    query.add_argument("--engine", default=os.environ.get("WORKBENCH_ENGINE", "local"), choices=("local", "athena"),
                       help="local (default; DuckDB over --logs) or athena (settings from WORKBENCH_ATHENA_* "
                       "or ~/.config/workbench/athena.toml; --logs is ignored); default $WORKBENCH_ENGINE or local")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="output format (default: %(default)s)")
    query.add_argument("--max-rows", type=int, default=100, help="rows shown by --format table (default: %(default)s)")
    query.add_argument("--allow-full-scan", action="store_true",
                       help="read every file of a table the query does not bound in time")
    query.add_argument("--strict", action="store_true",
                       help="fail if any file cannot be read whole (default: read what can be read, report the rest)")
    query.add_argument("--show-sql", action="store_true", help="print the SQL (Athena and DuckDB) to stderr")
    query.set_defaults(func=cmd_query)

    queries = sub.add_parser("queries", help="list the query library: names, parameters, descriptions")
    queries.add_argument("name", nargs="?", help="show one query in full, with its SQL")
    queries.set_defaults(func=cmd_queries)

    ddl = sub.add_parser(
        "ddl", help="print Athena CREATE EXTERNAL TABLE statements with partition projection",
        description="Print Athena tables for CloudTrail, VPC Flow Logs and GuardDuty exports, "
        "with partition projection over account x region x day matching the S3 key layout "
        "(organisation trails included). Accounts and regions come from --accounts/--regions "
        "or are discovered in a local copy (--logs).",
    )
    ddl.add_argument("--bucket", default="YOUR-LOG-BUCKET", help="S3 bucket of the logs")
    ddl.add_argument("--prefix", default="", help="key prefix before AWSLogs/, if any")
    ddl.add_argument("--org-id", help="organisation id of an organisation trail (o-...)")
    ddl.add_argument("--accounts", type=_csv, help="account ids to project (comma-separated)")
    ddl.add_argument("--regions", type=_csv, help="regions to project (comma-separated)")
    ddl.add_argument("--logs", metavar="DIR", help="discover accounts, regions and org id from a local copy")
    ddl.add_argument("--start", default="2024/01/01", help="first projected day (default: %(default)s)")
    ddl.add_argument("--database", default="security_logs", help="Glue database (default: %(default)s)")
    ddl.add_argument("--source", action="append", help="only these sources (default: all)")
    ddl.add_argument("--flow-log-format", default=None,
                     help="your VPC flow logs' format, fields in order (default: AWS's version-2 default)")
    ddl.set_defaults(func=cmd_ddl)

    sync = sub.add_parser(
        "sync", help="copy some days of logs from S3 to a local folder, keeping the key layout",
        description="Copy the CloudTrail, VPC Flow Log and GuardDuty files of the given days from "
        "s3://BUCKET[/PREFIX] (where AWSLogs/ is) to DIR, keeping the key layout, organisation trails "
        "included. Lists only the selected prefixes, never the whole bucket; files already there "
        "unchanged are skipped, so a second run copies nothing. Then: workbench query ... --logs DIR.",
    )
    sync.add_argument("url", metavar="s3://BUCKET[/PREFIX]", help="where AWSLogs/ is")
    sync.add_argument("--out", required=True, metavar="DIR", help="local folder (keys are kept below it)")
    sync.add_argument("--start", type=_date, required=True, metavar="YYYY-MM-DD", help="first day (UTC, inclusive)")
    sync.add_argument("--end", type=_date, required=True, metavar="YYYY-MM-DD", help="last day (UTC, inclusive)")
    sync.add_argument("--accounts", type=_csv, metavar="A1,A2", help="account ids (default: all found)")
    sync.add_argument("--regions", type=_csv, metavar="R1,R2",
                      help="regions (default: all found; keep us-east-1 for console sign-ins)")
    sync.add_argument("--sources", type=_csv, metavar="S1,S2", help="cloudtrail,vpcflow,guardduty (default: all)")
    sync.set_defaults(func=cmd_sync)

    doctor = sub.add_parser(
        "doctor", help="check credentials, region, Athena workgroup, tables and local prerequisites",
        description="Print OK/WARN/FAIL for each check, with a fix for each problem; exit 1 if any failed.",
    )
    for opt in ("database", "workgroup", "region", "output"):
        doctor.add_argument(f"--{opt}", help=f"Athena {opt} (default: $WORKBENCH_ATHENA_{opt.upper()} or the config file)")
    doctor.set_defaults(func=cmd_doctor)

    imp = sub.add_parser(
        "import", help="bring log files that are not in the S3 layout into it (dumps, exports, archives)",
        description="Read CloudTrail files of any shape (S3 body, bare JSON array, JSON lines, LookupEvents "
        "output, console export), GuardDuty findings (exports, arrays, EventBridge archives) and VPC "
        "flow-log text, and write every record under OUT/AWSLogs/... by account, region and day, as AWS "
        "would deliver it. Records that cannot be placed go to OUT/import-rejects/ with the reason; "
        "exit status 1 when anything was rejected or lost.",
    )
    imp.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (read recursively)")
    imp.add_argument("--out", required=True, metavar="DIR", help="destination folder (then: --logs DIR)")
    imp.add_argument("--region", help="region for flow-log rows whose format has no region field")
    imp.set_defaults(func=cmd_import)

    cache = sub.add_parser(
        "cache", help="build a Parquet copy of the raw logs that repeated queries read instead",
        description="build: write (or bring up to date) a partitioned Parquet copy (zstd) of the logs under "
        "--logs, one file per table, account, region and day; only days whose raw files changed are "
        "rewritten. The local engine reads a table from the cache when every day a query selects is "
        "cached and unchanged, and the raw files otherwise; answers are the same either way, and file "
        "problems found while building are reported by every query that reads the cache. "
        "status: what is cached, fresh or stale. clear: remove the cache.",
    )
    cache.add_argument("action", choices=("build", "status", "clear"), help="what to do")
    cache.add_argument("--logs", default=os.environ.get("WORKBENCH_LOGS", DEFAULT_LOGS), metavar="DIR",
                       help="folder holding AWSLogs/ (default: $WORKBENCH_LOGS or %(default)s)")
    cache.add_argument("--cache", metavar="DIR", help="cache folder (default: DIR/.workbench-cache, where "
                       "the engine looks for it)")
    cache.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="first day to cache (default: all)")
    cache.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="last day to cache (default: all)")
    cache.add_argument("--sources", type=_csv, metavar="S1,S2", help="cloudtrail,vpcflow,guardduty (default: all)")
    cache.set_defaults(func=cmd_cache)

    report = sub.add_parser(
        "report", help="run the investigation notebooks headless into HTML reports and an index",
        description="Run notebooks with papermill into OUT/NAME.ipynb and OUT/NAME.html (figures work "
        "offline), each with its summary OUT/NAME.summary.json, and OUT/index.html with one line per "
        "report. A failing notebook is named with its failing cell and makes the exit status 1; the "
        "other reports are still written. OUT may be s3://bucket/prefix.",
    )
    report.add_argument("--logs", default=os.environ.get("WORKBENCH_LOGS", DEFAULT_LOGS), metavar="DIR",
                        help="folder holding AWSLogs/ (default: $WORKBENCH_LOGS or %(default)s)")
    report.add_argument("--out", default="reports", metavar="DIR|s3://...", help="where reports go (default: %(default)s)")
    report.add_argument("--notebook", action="append", metavar="NAME",
                        help="a notebook by name, without its number (console-logins, root-and-hidden-logins, "
                        "vpc-flow-ports, guardduty-drilldown, hunt) or an .ipynb path; repeatable (default: all)")
    report.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                        help="notebook parameter (repeatable), e.g. -p start=2026-11-01 -p source_ip=203.0.113.7; "
                        "given to each notebook that has it; lists are comma-separated")
    report.add_argument("--engine", choices=("local", "athena"), default=None,
                        help="query engine for the notebooks (default: $WORKBENCH_ENGINE, else local)")
    report.add_argument("--hide-code", action="store_true", help="leave code out of the HTML pages")
    report.set_defaults(func=cmd_report)

    from workbench.aws.deploy import add_arguments as add_deploy_arguments

    deploy = sub.add_parser(
        "deploy", help="package the code and create or update the AWS stack (infra/)",
        description="Check the parameters, upload the upkeep Lambda, the workbench wheel and the notebooks "
        "to an S3 bucket of yours, and create or update the stack in infra/ (see docs/deploy.md).",
    )
    add_deploy_arguments(deploy)
    deploy.set_defaults(func=cmd_deploy)
    return parser


# -- commands -------------------------------------------------------------------


def cmd_sample(args) -> int:
    from workbench.sample import generate

    org_id = None if args.no_org else (args.org_id or "auto")
    doc = generate(Path(args.out), start=args.start, days=args.days, accounts=args.accounts,
                   regions=tuple(args.regions), org_id=org_id, seed=args.seed, scale=args.scale,
                   progress=sys.stderr.isatty())
    kinds = ", ".join(s["kind"] for s in doc["scenarios"])
    print(f"wrote {args.out}/AWSLogs and {args.out}/scenarios.json ({len(doc['scenarios'])} planted: {kinds})")
    return 0


def cmd_demo(args) -> int:
    from workbench.demo.run import run_demo

    return run_demo(Path(args.out), fresh=args.fresh, seed=args.seed, scale=args.scale, reports=args.reports)


def cmd_report(args) -> int:
    from workbench.report import run_reports

    run = run_reports(args.notebook, out=args.out, logs=args.logs, engine=args.engine, params=_params(args.param),
                      hide_code=args.hide_code, progress=sys.stderr, cell_progress=sys.stderr.isatty())
    for failure in run.failures:
        print(f"workbench: report {failure.name} failed at {failure.failed_cell}: {failure.error}", file=sys.stderr)
    print(run.index)
    return 1 if run.failures else 0


def cmd_query(args) -> int:
    from workbench.engines import connect
    from workbench.engines.base import resolve_query

    if args.show_sql:
        q = resolve_query(args.name)
        if args.engine == "athena":
            from workbench.engines.athena.params import execution_parameters

            sql, values = execution_parameters(q, q.bind(_params(args.param)))
            print(f"-- Athena SQL as sent\n{sql}\n-- execution parameters\n" + "\n".join(values), file=sys.stderr)
        else:
            print(f"-- Athena SQL\n{q.sql}\n-- DuckDB SQL\n{q.to_duckdb()}", file=sys.stderr)
    options = {"strict": True} if args.strict else {}
    with connect(args.engine, logs=args.logs, **options) as engine:
        frame = engine.query(args.name, _params(args.param), allow_full_scan=args.allow_full_scan)
        report = engine.last_scan
    _print_frame(frame, fmt=args.format, max_rows=args.max_rows)
    print(report.summary(), file=sys.stderr)
    for line in report.problem_lines():
        print(f"  problem: {line}", file=sys.stderr)
    return 0


def cmd_queries(args) -> int:
    from workbench.library import get_query, list_queries

    if args.name:
        q = get_query(args.name)
        print(f"{q.qualified_name}  ({q.path})\n\n{q.sql}")
        return 0
    for q in list_queries():
        print(f"{q.qualified_name}\n    {q.description}")
        for p in q.params:
            default = "" if p.required else f" (default: {p.default if p.default != [] else 'all'})"
            print(f"    -p {p.name}=<{p.type}>  {p.doc}{default}")
        print(f"    returns: {', '.join(q.returns)}\n")
    return 0


def cmd_ddl(args) -> int:
    from workbench.aws.ddl import create_table_sql, table_spec
    from workbench.sources import SOURCES, VPCFLOW_DEFAULT_FORMAT, get_source

    accounts, regions, org_id = args.accounts, args.regions, args.org_id
    if args.logs:
        found = _discover(Path(args.logs))
        accounts = accounts or found["accounts"]
        regions = regions or found["regions"]
        org_id = org_id or found["org_id"]
    if not accounts or not regions:
        raise UsageError(
            "partition projection needs the account ids and regions: give --accounts and "
            "--regions, or --logs DIR to discover them from a local copy"
        )
    sources = [get_source(s) for s in args.source] if args.source else list(SOURCES.values())
    if args.bucket == "YOUR-LOG-BUCKET":
        print("-- replace YOUR-LOG-BUCKET with your log bucket (or pass --bucket)", file=sys.stderr)
    for source in sources:
        spec = table_spec(source, bucket=args.bucket, prefix=args.prefix, org_id=org_id,
                          accounts=accounts, regions=regions, start=args.start, database=args.database,
                          flow_log_format=args.flow_log_format or VPCFLOW_DEFAULT_FORMAT)
        print(f"-- {source.title}: {source.description}")
        print(create_table_sql(spec) + "\n")
    return 0


def cmd_import(args) -> int:
    from workbench.formats.importer import import_files

    try:
        report = import_files(args.paths, args.out, region=args.region, progress=sys.stderr.isatty())
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    print(report.summary())
    if report.written:
        print(f"next: workbench query console_logins -p start=... -p end=... --logs {args.out}")
    return 0 if report.complete else 1


def cmd_cache(args) -> int:
    import shutil

    from workbench.engines.local.cache import ParquetCache, default_cache_dir
    from workbench.engines.local.listing import LogTree

    LogTree(args.logs)  # a clear error when the folder holds no logs
    cache = ParquetCache(args.cache or default_cache_dir(args.logs))
    if args.action == "clear":
        shutil.rmtree(cache.root, ignore_errors=True)
        print(f"removed {cache.root}")
        return 0
    if args.action == "status":
        for table, info in cache.status(args.logs).items():
            print(f"{table}: {info['fresh']} of {info['partitions']} partitions cached and fresh, "
                  f"{info['stale']} stale, {info['missing']} not cached ({info['rows']} rows, "
                  f"{info['bytes'] / 1e6:.1f} MB)")
        return 0
    report = cache.build(args.logs, start=args.start, end=args.end, sources=args.sources,
                         progress=sys.stderr.isatty())
    print(report.summary())
    for problem in report.problems:
        print(f"  problem: {problem['path']}: {problem['reason']}", file=sys.stderr)
    return 0


def cmd_sync(args) -> int:
    from workbench.aws.sync import sync_command

    return sync_command(args.url, out=args.out, start=args.start, end=args.end,
                        accounts=args.accounts, regions=args.regions, sources=args.sources)


def cmd_doctor(args) -> int:
    from workbench.aws.doctor import doctor

    return doctor(database=args.database, workgroup=args.workgroup, region=args.region, output=args.output)


def cmd_deploy(args) -> int:
    from workbench.aws.deploy import run

    return run(args)


# -- helpers --------------------------------------------------------------------


def _discover(logs: Path) -> dict:
    from workbench.engines.local.listing import LogTree

    tree = LogTree(logs)
    accounts, regions, orgs = set(), set(), set()
    for account, folder in tree.account_dirs():
        accounts.add(account)
        if folder.parent.name.startswith("o-"):
            orgs.add(folder.parent.name)
        for service in folder.iterdir():
            if service.is_dir():
                regions.update(r.name for r in service.iterdir() if r.is_dir())
    return {"accounts": sorted(accounts), "regions": sorted(regions),
            "org_id": sorted(orgs)[0] if len(orgs) == 1 else None}


def _print_frame(frame, *, fmt: str, max_rows: int) -> None:
    import pandas as pd

    if fmt == "json":
        print(json.dumps(_records(frame), indent=1, default=str))
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif frame.empty:
        print("(no rows)")
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            print(frame.head(max_rows).to_string(index=False))
        if len(frame) > max_rows:
            print(f"... {len(frame) - max_rows} more rows (use --max-rows, or --format csv/json)")


def _records(frame) -> list[dict]:
    """Rows as plain JSON-able dicts: timestamps as ISO strings, arrays as lists, NaN as null."""
    import math

    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if hasattr(value, "tolist"):
                value = value.tolist()
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            if isinstance(value, float) and math.isnan(value):
                value = None
            if value is not None and value.__class__.__name__ in ("NaTType", "NAType"):
                value = None
            clean[key] = value
        out.append(clean)
    return out


def _params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"parameter {pair!r} is not KEY=VALUE (e.g. -p start=2026-11-01)")
        params[key.strip()] = value
    return params


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


if __name__ == "__main__":
    sys.exit(main())
