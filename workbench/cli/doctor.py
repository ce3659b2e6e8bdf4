"""``workbench doctor``: is everything the workbench needs in place, and how to fix what is not."""

from __future__ import annotations

NAME = "doctor"
HELP = "check credentials, region, Athena workgroup, tables and local prerequisites"
DESCRIPTION = "Print OK/WARN/FAIL for each check, with a fix for each problem; exit 1 if any failed."


def add_arguments(parser) -> None:
    for option in ("database", "workgroup", "region", "output"):
        parser.add_argument(f"--{option}", help=f"Athena {option} "
                            f"(default: $WORKBENCH_ATHENA_{option.upper()} or the config file)")


def run(args) -> int:
    from workbench.aws.doctor import doctor

    return doctor(database=args.database, workgroup=args.workgroup, region=args.region, output=args.output)
