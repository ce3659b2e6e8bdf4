"""``workbench query``: one query of the library (or a ``.sql`` file) on the logs."""

from __future__ import annotations

import sys

from workbench.cli.options import add_engine, add_logs, add_params, logs_of, params
from workbench.cli.output import print_frame

NAME = "query"
HELP = "run a query from the library (or a .sql file) on a log folder"
DESCRIPTION = (
    "Run a query by name (with or without its source folder: root_activity or cloudtrail/root_activity), "
    "or a .sql file, with parameters bound (never formatted into the SQL). Library queries need the window: "
    "-p start=YYYY-MM-DD -p end=YYYY-MM-DD (UTC days, both inclusive); 'workbench queries NAME' shows a "
    "query's other parameters and columns. The result goes to stdout; what was read goes to stderr, and "
    "an empty result says why (the days the logs hold, a source with no logs)."
)


def add_arguments(parser) -> None:
    parser.add_argument("name", help="query name, or path to a .sql file")
    add_params(parser, what="parameter value")
    add_logs(parser)
    add_engine(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default: %(default)s)")
    parser.add_argument("--max-rows", type=int, default=100, help="rows shown by --format table (default: %(default)s)")
    parser.add_argument("--allow-full-scan", action="store_true",
                        help="read every file of a table the query does not bound in time")
    parser.add_argument("--strict", action="store_true",
                        help="fail if any file cannot be read whole (default: read what can be read, report the rest)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL (Athena and DuckDB) to stderr")
    parser.add_argument("--enrich", action="store_true",
                        help="add context columns: country, ASN, organisation and AWS range of each address "
                             "(source_country, source_asn, source_org, source_is_aws...) and the client of each user "
                             "agent (ua_family, ua_tool, ua_kind...); offline, the same on every engine")


def run(args) -> int:
    from workbench.engines import connect

    if args.show_sql:
        _show_sql(args)
    options = {"strict": True} if args.strict else {}
    with connect(args.engine, logs=logs_of(args), **options) as engine:
        frame = engine.query(args.name, params(args.param), allow_full_scan=args.allow_full_scan)
        report = engine.last_scan
    if args.enrich:
        from workbench.context import enrich

        frame = enrich(frame)
    print_frame(frame, fmt=args.format, max_rows=args.max_rows)
    print(report.summary(), file=sys.stderr)
    if frame.empty:
        for note in report.notes:
            print(f"  why no rows: {note}", file=sys.stderr)
    for line in report.problem_lines():
        print(f"  problem: {line}", file=sys.stderr)
    return 0


def _show_sql(args) -> None:
    from workbench.engines.base import resolve_query

    query = resolve_query(args.name)
    if args.engine in ("athena", "trino"):  # both bind the values as execution parameters
        from workbench.engines.athena.params import execution_parameters

        sql, values = execution_parameters(query, query.bind(params(args.param)))
        print(f"-- SQL as sent to {args.engine}\n{sql}\n-- execution parameters\n" + "\n".join(values),
              file=sys.stderr)
    else:
        print(f"-- Athena SQL\n{query.sql}\n-- DuckDB SQL\n{query.to_duckdb()}", file=sys.stderr)
