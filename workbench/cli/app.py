"""The ``workbench`` command line: one module per command, each with its arguments beside its handler.

A command module has ``NAME``, ``HELP``, ``DESCRIPTION``, ``add_arguments(parser)`` and
``run(args) -> int``; :data:`COMMANDS` lists them in ``--help`` order. User errors print one
line (``workbench: error: ...``) and exit with status 2; results go to stdout and what was
read goes to stderr, so output can be piped.
"""

from __future__ import annotations

import argparse
import sys

from workbench import __version__
from workbench.cli import (
    cache,
    context,
    ddl,
    demo,
    deploy,
    detect,
    doctor,
    imports,
    queries,
    query,
    report,
    sample,
    sync,
    verify,
)
from workbench.errors import WorkbenchError
from workbench.registry import Registry

#: The commands, by name, in the order ``--help`` lists them.
COMMANDS = Registry("command")
for _command in (demo, sample, query, queries, detect, ddl, sync, verify, doctor, imports, cache, context, report,
                 deploy):
    COMMANDS.register(_command.NAME, _command)

EPILOG = """\
examples:
  workbench demo                                    sample organisation, every notebook as a report
  workbench report --notebook hunt -p source_ip=95.186.156.83 --logs demo-data   one notebook, headless
  workbench sample --out demo-data --days 7         write a sample organisation's logs
  workbench queries                                 the query library and its parameters
  workbench detect --start 2026-11-01 --end 2026-11-07 --logs demo-data   what else bad happened?
  workbench query root_activity -p start=2026-11-01 -p end=2026-11-07 --logs demo-data
  workbench query events_by_source_ip -p start=2026-11-01 -p end=2026-11-07 \\
      -p source_ip=95.186.156.83 --format json
  workbench ddl --bucket my-trail-bucket --logs demo-data   Athena tables for the same layout
  workbench sync s3://my-trail-bucket --out logs --start 2026-11-01 --end 2026-11-07
  workbench verify --logs demo-data --start 2026-11-01 --end 2026-11-07 \\
      --public-keys demo-data/cloudtrail-public-keys.json   were files changed, removed or added?
  workbench query root_activity -p start=2026-11-01 -p end=2026-11-07 --engine athena
  workbench doctor                                  check the AWS side (credentials, workgroup, tables)
  workbench cache build --logs demo-data            Parquet copy for fast repeated queries
  workbench context 95.186.156.83 "Boto3/1.17.0 Pacu/1.0"   country, owner, AWS range; client and tool

The log folder (--logs) is a folder holding AWSLogs/ as AWS writes it to S3; it defaults
to $WORKBENCH_LOGS, else the nearest demo-data folder (here or in a folder above).
--engine and --logs may also come before the command: workbench --engine athena query ...
"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    parser = build_parser()
    args = parser.parse_args(_options_after_command(sys.argv[1:] if argv is None else list(argv)))
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return args.command.run(args) or 0
    except WorkbenchError as err:
        print(f"workbench: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


#: Options a user may give before the command (``workbench --engine athena query ...``).
_MOVABLE = ("--engine", "--logs")


def _options_after_command(argv: list[str]) -> list[str]:
    """``argv`` with the :data:`_MOVABLE` options given before the command moved after it,
    where the command's parser reads them (an option given after the command still wins)."""
    moved, rest, i = [], [], 0
    while i < len(argv):
        token = argv[i]
        if token in COMMANDS:
            return rest + [token] + moved + argv[i + 1:]
        option = token.split("=", 1)[0]
        if option in _MOVABLE:
            take = 1 if "=" in token else 2
            moved += argv[i:i + take]
            i += take
            continue
        rest.append(token)
        i += 1
    return argv


def build_parser() -> argparse.ArgumentParser:
    """The parser: one sub-command per module in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Answer security questions from the log files AWS writes to S3 (CloudTrail, VPC Flow Logs, "
        "GuardDuty), on an embedded engine (DuckDB) or Athena, with one SQL library.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS.values():
        child = sub.add_parser(command.NAME, help=command.HELP, description=command.DESCRIPTION)
        command.add_arguments(child)
        child.set_defaults(command=command)
    return parser


if __name__ == "__main__":
    sys.exit(main())
