"""``workbench doctor``: check that everything the workbench needs is in place, and say how to fix what is not.

Checks, in order (a check whose prerequisite failed is skipped):

- local prerequisites: Python, duckdb, sqlglot, pandas, pyarrow; boto3 and awswrangler for AWS;
- the Athena settings and where each came from, and the region;
- credentials (STS ``GetCallerIdentity``);
- the workgroup: exists, enabled, a result location, and its per-query scan cutoff;
- the Glue database and each log table: present, partitioned by ``account, region, day``,
  with partition projection whose ``day`` range covers today (out-of-range days return no
  rows, silently) and a location template in the source's key layout;
- that the log location the tables point at can be listed (Athena reads it as the caller).

Each line reads ``OK``, ``WARN`` (works, but worth changing) or ``FAIL`` followed by
``fix:`` and what to do. :func:`doctor` returns 1 when anything failed, 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
import importlib
import platform
import re
import sys
from dataclasses import dataclass
from typing import TextIO

from workbench.aws.clients import CREDENTIALS_FIX, INSTALL_HINT, aws_errors, error_code, session
from workbench.errors import WorkbenchError
from workbench.settings import parse_list
from workbench.sources import SOURCES, LogSource
from workbench.words import size

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"

#: Packages checked, with the smallest version the workbench is tested with.
CORE = {"duckdb": "1.2", "sqlglot": "26", "pandas": "2.1", "pyarrow": "15"}
AWS = {"boto3": "1.34", "awswrangler": "3.9"}


@dataclass(frozen=True)
class Check:
    """One result line.

    Attributes
    ----------
    status : str
        ``OK``, ``WARN``, ``FAIL`` or ``SKIP``.
    name : str
        What was checked.
    detail : str
        What was found.
    fix : str
        What to do (``FAIL`` and ``WARN``).
    """

    status: str
    name: str
    detail: str
    fix: str = ""

    def lines(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.detail}"
        if self.fix:
            text += f"\n      fix: {self.fix}"
        return text


def doctor(
    *,
    database: str | None = None,
    workgroup: str | None = None,
    region: str | None = None,
    output: str | None = None,
    today: dt.date | None = None,
    stream: TextIO | None = None,
    boto3_session=None,
) -> int:
    """Run every check, print one line per check (with a fix for each problem), return 0 or 1.

    Parameters
    ----------
    database, workgroup, region, output : str, optional
        As for the Athena engine; default: ``WORKBENCH_ATHENA_*``, then the config file.
    today : date, optional
        The day projection ranges must cover (default: today, UTC).
    stream : file, optional
        Where to print (default: stdout).
    boto3_session : boto3.Session, optional
        Session to check (default: a new default session).

    Returns
    -------
    int
        1 if any check failed, else 0.
    """
    stream = stream or sys.stdout
    failed = False
    for check in run_checks(database=database, workgroup=workgroup, region=region, output=output,
                            today=today, boto3_session=boto3_session):
        print(check.lines(), file=stream, flush=True)
        failed |= check.status == FAIL
    print("doctor: " + ("problems found, see the fixes above" if failed else "all checks passed"),
          file=stream)
    return 1 if failed else 0


def run_checks(*, database=None, workgroup=None, region=None, output=None, today=None, boto3_session=None):
    """Yield the :class:`Check` results one by one (see :func:`doctor`)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    yield from _packages()
    if any(_missing(m) for m in AWS):
        yield Check(SKIP, "AWS", "skipped: the AWS packages are missing")
        return
    from workbench.aws.settings import resolve_settings

    try:
        settings = resolve_settings(database=database, workgroup=workgroup, region=region, output=output)
    except WorkbenchError as err:
        yield Check(FAIL, "settings", str(err), "correct the setting named above")
        return
    described = [f"{n} {settings.describe(n)}" for n in ("database", "workgroup")]
    described.append(f"output {settings.describe('output')}" if settings.output else
                     "output: the workgroup's result location")
    yield Check(OK, "settings", ", ".join(described))
    aws = session(boto3_session, region=settings.region)
    if not aws.region_name:
        yield Check(FAIL, "region", "no AWS region is set",
                    "set AWS_DEFAULT_REGION or WORKBENCH_ATHENA_REGION (e.g. us-east-1), or 'region' "
                    "in the [athena] table of the config file")
        yield Check(SKIP, "credentials, Athena and Glue", "skipped: they need a region (fix the line above, then "
                    "run doctor again)")
        return
    yield Check(OK, "region", aws.region_name + (f" (from {settings.origin['region']})"
                                                 if settings.region else " (from the AWS configuration)"))
    identity = _identity(aws)
    yield identity
    if identity.status != OK:
        yield Check(SKIP, "Athena and Glue", "skipped: no working credentials")
        return
    yield from _workgroup(aws, settings)
    yield from _catalog(aws, settings.database, today)


# -- local --------------------------------------------------------------------------------


def _packages():
    python = platform.python_version()
    yield Check(OK, "python", python)  # the package itself needs 3.10, so an older Python never gets here
    for group, packages in (("core", CORE), ("aws", AWS)):
        for name, minimum in packages.items():
            why = _missing(name)
            if why:
                fix = INSTALL_HINT if group == "aws" else "pip install -e . (or: make install)"
                yield Check(FAIL, name, f"not importable ({why})", fix)
                continue
            version = getattr(importlib.import_module(name), "__version__", "unknown")
            if _older(version, minimum):
                yield Check(FAIL, name, f"{version} is older than {minimum}",
                            f"pip install --upgrade '{name}>={minimum}'")
            else:
                yield Check(OK, name, version)


def _missing(name: str) -> str:
    """Empty if ``name`` imports, else why not."""
    try:
        importlib.import_module(name)
    except ImportError as err:
        return str(err) or "ImportError"
    return ""


def _older(version: str, minimum: str) -> bool:
    def parts(text):
        return tuple(int(p) for p in re.findall(r"\d+", text)[:3])

    found = parts(version)
    return bool(found) and found < parts(minimum)


# -- AWS ----------------------------------------------------------------------------------


def _identity(aws) -> Check:
    try:
        with aws_errors("call STS GetCallerIdentity"):
            who = aws.client("sts").get_caller_identity()
    except WorkbenchError as err:
        return Check(FAIL, "credentials", str(err), CREDENTIALS_FIX)
    return Check(OK, "credentials", f"{who['Arn']} (account {who['Account']})")


def _workgroup(aws, settings):
    name = settings.workgroup
    try:
        with aws_errors(f"read Athena workgroup {name!r}"):
            try:
                found = aws.client("athena").get_work_group(WorkGroup=name).get("WorkGroup")
            except Exception as err:
                if error_code(err) != "InvalidRequestException":
                    raise
                found = None
    except WorkbenchError as err:
        yield Check(FAIL, f"workgroup {name}", str(err), "grant athena:GetWorkGroup, or fix the credentials")
        return
    if not found:
        yield Check(FAIL, f"workgroup {name}", f"does not exist in {aws.region_name}",
                    "deploy the workbench stack (infra/), or set WORKBENCH_ATHENA_WORKGROUP to an "
                    "existing workgroup")
        return
    config = found.get("Configuration") or {}
    state = found.get("State", "ENABLED")
    if state != "ENABLED":
        yield Check(FAIL, f"workgroup {name}", f"is {state}",
                    "enable it (Athena console, or aws athena update-work-group --state ENABLED)")
    else:
        yield Check(OK, f"workgroup {name}", "exists and is enabled")
    location = (config.get("ResultConfiguration") or {}).get("OutputLocation")
    managed = (config.get("ManagedQueryResultsConfiguration") or {}).get("Enabled")
    if location or managed or settings.output:
        where = location or ("managed by Athena" if managed else settings.output)
        yield Check(OK, "result location", where)
    else:
        yield Check(FAIL, "result location", "neither the workgroup nor the settings name one",
                    "set WORKBENCH_ATHENA_OUTPUT=s3://BUCKET/PREFIX/ or give the workgroup a result location")
    cutoff = config.get("BytesScannedCutoffPerQuery")
    if cutoff:
        yield Check(OK, "scan cutoff", f"{size(int(cutoff))} per query")
    else:
        yield Check(WARN, "scan cutoff", "none: one query can scan (and bill) every log ever written",
                    "set the workgroup's per-query data usage control (BytesScannedCutoffPerQuery), "
                    "e.g. 100 GB, as the workbench stack does")


def _catalog(aws, database: str, today: dt.date):
    glue = aws.client("glue")
    try:
        with aws_errors(f"read Glue database {database!r}"):
            try:
                glue.get_database(Name=database)
            except Exception as err:
                if error_code(err) != "EntityNotFoundException":
                    raise
                yield Check(FAIL, f"database {database}", f"does not exist in {aws.region_name}",
                            "deploy the workbench stack (infra/), or set WORKBENCH_ATHENA_DATABASE")
                return
    except WorkbenchError as err:
        yield Check(FAIL, f"database {database}", str(err), "grant glue:GetDatabase and glue:GetTable")
        return
    yield Check(OK, f"database {database}", "exists")
    locations = {}
    for source in SOURCES.values():
        check, location = _table(glue, database, source, today)
        yield check
        if location:
            locations.setdefault(location, source)
    for location, source in locations.items():
        yield _log_location(aws, location, source)


def _table(glue, database: str, source: LogSource, today: dt.date) -> tuple[Check, str | None]:
    """The table's check, and the static part of its location template (``s3://b/p/AWSLogs/``,
    ``s3://b/p/s3-access-logs/``)."""
    check, table = _table_check(glue, database, source, today)
    template = ((table or {}).get("Parameters") or {}).get("storage.location.template", "")
    if check.status == FAIL or not template.startswith("s3://"):
        return check, None
    return check, template.split("${", 1)[0]


def _log_location(aws, location: str, source: LogSource) -> Check:
    """Can the caller list the logs the tables point at? (Athena reads them as the caller.)"""
    bucket, _, prefix = location[5:].partition("/")
    name = f"logs {location}"
    try:
        with aws_errors(f"list {location}"):
            try:
                found = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
            except Exception as err:
                if error_code(err) != "NoSuchBucket":
                    raise
                return Check(FAIL, name, f"bucket {bucket!r} does not exist",
                             f"recreate the {source.table} table with the log bucket's name ('workbench ddl --bucket')")
    except WorkbenchError as err:
        return Check(FAIL, name, str(err), "grant s3:ListBucket and s3:GetObject on the log bucket "
                     "(and kms:Decrypt on the GuardDuty export key) to this identity")
    if not found.get("KeyCount", len(found.get("Contents", []))):
        if not source.awslogs:
            return Check(WARN, name, "is empty", f"check the target bucket and prefix of the {source.title} "
                         f"(target prefix {source.service_folder}/, date-based partitioning), and recreate the "
                         f"{source.table} table with them")
        return Check(WARN, name, "is empty", "check the bucket and prefix the trail, flow logs and "
                     "GuardDuty export write to, and recreate the tables with them")
    return Check(OK, name, "readable")


def _table_check(glue, database: str, source: LogSource, today: dt.date) -> tuple[Check, dict | None]:
    name = f"table {database}.{source.table}"
    ddl_fix = (f"run the statement that 'workbench ddl --source {source.name} --bucket YOUR-LOG-BUCKET "
               f"--database {database} ...' prints in Athena, or deploy infra/")
    redo = f"DROP TABLE {database}.{source.table}, then " + ddl_fix
    try:
        with aws_errors(f"read Glue table {database}.{source.table}"):
            try:
                table = glue.get_table(DatabaseName=database, Name=source.table)["Table"]
            except Exception as err:
                if error_code(err) != "EntityNotFoundException":
                    raise
                return Check(FAIL, name, "does not exist", ddl_fix), None
    except WorkbenchError as err:
        return Check(FAIL, name, str(err), "grant glue:GetTable"), None
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    if keys != list(source.partitions):
        return Check(FAIL, name, f"partitioned by ({', '.join(keys) or 'nothing'}), not "
                     f"({', '.join(source.partitions)}) as the queries expect", redo), table
    params = table.get("Parameters") or {}
    template = params.get("storage.location.template", "")
    if params.get("projection.enabled", "").lower() != "true" and source.hive_paths and (
            "/aws-account-id=${account}/" in template and template.endswith("/year=${yyyy}/month=${MM}/day=${dd}")):
        # Hive-compatible folders: no projection can spell them; the upkeep Lambda registers the partitions
        with aws_errors(f"read the partitions of {database}.{source.table}"):
            registered = glue.get_partitions(DatabaseName=database, TableName=source.table,
                                             MaxResults=1).get("Partitions")
        if not registered:
            return Check(WARN, name, "Hive-compatible folders, and no partition registered yet: queries see no rows",
                         "run the stack's upkeep Lambda (it registers them every day; give it backfill_from for "
                         "earlier days), or ALTER TABLE ... ADD PARTITION"), table
        return Check(OK, name, "Hive-compatible folders: partitions registered (by the upkeep Lambda)"), table
    if params.get("projection.enabled", "").lower() != "true":
        return Check(FAIL, name, "has no partition projection: queries would see no partitions",
                     redo), table
    problems = []
    first, last = _projection_range(params.get("projection.day.range", ""), today)
    if first is None:
        problems.append(f"projection.day.range {params.get('projection.day.range')!r} is not 'START,NOW'")
    else:
        if last < today:
            problems.append(f"the day projection ends {last:%Y/%m/%d}, before today: later days return "
                            "no rows, silently")
        if first > today:
            problems.append(f"the day projection starts {first:%Y/%m/%d}, after today")
    scope = f"${{{source.scope_partition}}}/" if source.scope_partition else ""
    region = "${region}/" if source.regional else ""  # a global service's keys have no region folder
    if source.awslogs:
        layout = f"/{source.service_folder}/{region}{scope}${{day}}"
        expected = f".../AWSLogs/[o-.../]${{account}}{layout}"
    else:  # S3 server access logs: their own folder beside AWSLogs/, the account folder right below it
        layout = f"/{source.service_folder}/${{account}}/{region}{scope}${{day}}"
        expected = f"...{layout}"
    if "${account}" not in template or layout not in template:
        problems.append(f"storage.location.template {template!r} does not follow the "
                        f"'{expected}' key layout")
    accounts = parse_list(params.get("projection.account.values", ""))
    regions = parse_list(params.get("projection.region.values", ""))
    if problems:
        return Check(FAIL, name, "; ".join(problems),
                     redo + " (its day range ends at NOW)"), table
    scopes = (f" x {len(parse_list(params.get(f'projection.{source.scope_partition}.values', '')))} "
              f"{source.scope_partition} values" if source.scope_partition else "")
    over = f" x {len(regions) or 'injected'} regions" if source.regional else ""
    until = "NOW" if last == today else f"{last:%Y/%m/%d}"
    detail = f"projection over {len(accounts) or 'injected'} accounts{over}{scopes} x days {first:%Y/%m/%d}..{until}"
    if regions and source.global_region and source.global_region not in regions:
        missing = f"; {source.global_region} is not projected, so console sign-ins and other global events are missing"
        return Check(WARN, name, detail + missing, f"add {source.global_region} to projection.region.values "
                     "(global events are delivered there)"), table
    return Check(OK, name, detail), table


def _projection_range(text: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of a ``projection.day.range`` such as ``2024/01/01,NOW``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        return None, None
    days = []
    for part in parts:
        relative = re.fullmatch(r"NOW(?:([+-])(\d+)DAYS?)?", part.upper())
        if relative:
            sign, amount = relative.groups()
            offset = int(amount or 0) * (-1 if sign == "-" else 1)
            days.append(today + dt.timedelta(days=offset))
            continue
        try:
            days.append(dt.datetime.strptime(part, "%Y/%m/%d").date())
        except ValueError:
            return None, None
    return days[0], days[1]
