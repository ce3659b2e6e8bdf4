"""``workbench cache``: a Parquet copy of the raw logs that repeated queries read instead."""

from __future__ import annotations

import shutil
import sys

from workbench.cli.options import add_logs, add_sources, day, logs_of
from workbench.words import problem_line, size

NAME = "cache"
HELP = "build a Parquet copy of the raw logs that repeated queries read instead"
DESCRIPTION = (
    "build: write (or bring up to date) a partitioned Parquet copy (zstd) of the logs under --logs, one file "
    "per table, account, region and day; only days whose raw files changed are rewritten. The local engine "
    "reads a table from the cache when every day a query selects is cached and unchanged, and the raw files "
    "otherwise; answers are the same either way, and file problems found while building are reported by "
    "every query that reads the cache. status: what is cached, fresh or stale. clear: remove the cache."
)


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=("build", "status", "clear"), help="what to do")
    add_logs(parser)
    parser.add_argument("--cache", metavar="DIR", help="cache folder (default: DIR/.workbench-cache, where "
                        "the engine looks for it)")
    parser.add_argument("--start", type=day, metavar="YYYY-MM-DD", help="first day to cache (default: all)")
    parser.add_argument("--end", type=day, metavar="YYYY-MM-DD", help="last day to cache (default: all)")
    add_sources(parser)


def run(args) -> int:
    from workbench.engines.local.cache import ParquetCache, default_cache_dir
    from workbench.engines.local.listing import LogTree

    logs = logs_of(args)
    LogTree(logs)  # a clear error when the folder holds no logs
    cache = ParquetCache(args.cache or default_cache_dir(logs))
    if args.action == "clear":
        shutil.rmtree(cache.root, ignore_errors=True)
        print(f"removed {cache.root}")
        return 0
    if args.action == "status":
        for table, info in cache.status(logs).items():
            print(f"{table}: {info['fresh']} of {info['partitions']} partitions cached and fresh, "
                  f"{info['stale']} stale, {info['missing']} not cached ({info['rows']} rows, {size(info['bytes'])})")
        return 0
    report = cache.build(logs, start=args.start, end=args.end, sources=args.sources, progress=sys.stderr.isatty())
    print(report.summary())
    for problem in report.problems:
        print(f"  problem: {problem_line(problem)}", file=sys.stderr)
    return 0
