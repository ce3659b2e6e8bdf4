"""``workbench doctor``: is everything the workbench needs in place, and how to fix what is not."""

from __future__ import annotations

from workbench.cli.options import add_logs

NAME = "doctor"
HELP = "check the local logs, packages, credentials, region, Athena workgroup and tables in one run"
DESCRIPTION = (
    "Print OK/WARN/FAIL for each check, with a fix for each problem, and go on after a failure so one run "
    "shows everything: the local log folder (which sources and days it holds), the packages, then the AWS "
    "side (settings, region, credentials, the Athena workgroup, the Glue tables and their projection, the "
    "log bucket). Exit 1 if any failed."
)


def add_arguments(parser) -> None:
    add_logs(parser)
    for option in ("database", "workgroup", "region", "output"):
        parser.add_argument(f"--{option}", help=f"Athena {option} "
                            f"(default: $WORKBENCH_ATHENA_{option.upper()} or the config file)")


def local_checks(logs) -> list:
    """What the local engine would read under ``logs``: per source, its days and accounts."""
    from workbench.aws.doctor import OK, WARN, Check
    from workbench.engines.local.listing import LogTree
    from workbench.errors import LogsNotFound
    from workbench.sources import SOURCES

    try:
        tree = LogTree(logs)
    except LogsNotFound as err:
        return [Check(WARN, "local logs", str(err), "only the Athena and Trino engines work without one")]
    checks = []
    for source in SOURCES.values():
        parts = tree.partitions(source)
        if not parts:
            checks.append(Check(WARN, f"local {source.title}", f"none under {tree.root}",
                                "copy them with 'workbench sync' (or 'aws s3 sync') keeping the key layout"))
            continue
        days = sorted({p.day for p in parts})
        checks.append(Check(OK, f"local {source.title}", f"{len(days)} days ({days[0].replace('/', '-')} to "
                            f"{days[-1].replace('/', '-')}), {len({p.account for p in parts})} accounts, "
                            f"{len({p.region for p in parts})} regions under {tree.root}"))
    return checks


def run(args) -> int:
    import sys

    from workbench.aws.doctor import FAIL, doctor
    from workbench.cli.options import logs_of

    local = local_checks(logs_of(args))
    for check in local:
        print(check.lines(), flush=True)
    failed = doctor(database=args.database, workgroup=args.workgroup, region=args.region, output=args.output,
                    stream=sys.stdout)
    return 1 if failed or any(c.status == FAIL for c in local) else 0
