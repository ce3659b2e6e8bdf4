"""Partition upkeep for the Glue tables: the code of the stack's optional Lambda.

Partition projection needs the account ids and regions as ``enum`` values, and those
change: an organisation gains accounts, a team starts using a new region. Once a day this
function lists what really is under ``AWSLogs/`` (and ``s3-access-logs/``) and brings each
table in step:

* a table with projection enabled gets its ``projection.account.values`` and
  ``projection.region.values`` widened to what was found, and for WAF's table the
  ``projection.web_acl.values`` too, from the web ACL folders under each region (nothing is
  written when nothing changed);
* a table with projection disabled (a layout projection cannot express, or a team that
  prefers the classic way) gets its missing partitions registered, the Glue form of
  ``ALTER TABLE ADD PARTITION``, for every account and region found and each day of a
  short window (or from ``backfill_from``).

Where the logs are comes from the table itself: its ``storage.location.template``
(``s3://bucket/prefix/AWSLogs/[o-xxxxxxxxxx/]${account}/<Service>/${region}/${day}``)
names the folders to list. S3 server access logs are not under ``AWSLogs/``: their template
(``s3://bucket/prefix/s3-access-logs/${account}/${region}/${bucket}/${day}``, the date-partitioned
prefix under the target prefix ``s3-access-logs/``) has no service folder, the region folder comes
right after the account's, then the bucket's. Logs delivered with Hive-compatible folders (VPC
Flow Logs' and CloudFront v2's option) have a table without projection, since one ``day`` value cannot be
projected into ``year=/month=/day=`` folders; its template spells the folders
(``.../aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/year=${yyyy}/month=${MM}/day=${dd}``)
and the classic path registers each partition with its own location. Only folder names are
read, with ``ListObjectsV2`` and a ``/`` delimiter, one request per account and table: a bucket with billions of objects
costs the same as an empty one.

This module is deployed on its own, as ``upkeep.py`` at the root of the Lambda's zip: it
imports nothing but the standard library and boto3, never the rest of the package.

Environment (set by the stack)
-------------------------------
WORKBENCH_UPKEEP_DATABASE
    The Glue database.
WORKBENCH_UPKEEP_TABLES
    Comma-separated table names (default: :data:`DEFAULT_TABLES`).
WORKBENCH_UPKEEP_PRUNE
    ``true`` to also drop projected values no longer found (default ``false``: logs of
    a closed account stay in the bucket and stay queryable).
WORKBENCH_UPKEEP_DAYS_BACK
    Days before today whose partitions the classic path registers (default 2).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

ACCOUNT = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")

#: What ``UpdateTable``/``CreateTable`` accept of what ``GetTable`` returns.
TABLE_INPUT_KEYS = (
    "Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
    "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText",
    "TableType", "Parameters", "TargetTable",
)
DEFAULT_TABLES = ("cloudtrail", "vpcflow", "guardduty", "alb", "waf", "alb_connections", "nlb", "clb", "cloudfront",
                  "resolver", "s3access")
_BATCH_CREATE = 100   # BatchCreatePartition limit
_BATCH_GET = 1000     # BatchGetPartition limit
_MAX_BACKFILL_DAYS = 3660
#: The service folder is optional: S3 server access logs have none (``.../s3-access-logs/${account}/${region}/...``).
_TEMPLATE = re.compile(
    r"^s3://(?P<bucket>[^/]+)/(?P<base>(?:[^$]*/)?)\$\{account\}/(?:(?P<service>[^$]+)/)?"
    r"(?P<region>\$\{region\}/)?(?:\$\{(?P<scope>[a-z_]+)\}/)?\$\{day\}/?$"
)
#: The same for logs delivered with Hive-compatible folders (VPC Flow Logs' and CloudFront v2's option):
#: every folder ``name=value``, the day as AWS's suffix path spells it.
_HIVE_TEMPLATE = re.compile(
    r"^s3://(?P<bucket>[^/]+)/(?P<base>(?:[^$]*/)?)aws-account-id=\$\{account\}/(?P<service>[^$/]+)/"
    r"(?P<region>aws-region=\$\{region\}/)?(?:(?P<scope_key>[A-Za-z][A-Za-z_-]{0,40})=\$\{(?P<scope>[a-z_]+)\}/)?"
    r"year=\$\{yyyy\}/month=\$\{MM\}/day=\$\{dd\}/?$"
)
#: A folder name before the day (a WAF web ACL's name, a CloudFront distribution's id, a VPC's id).
SCOPE = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: A bucket's name as S3 allows it (S3 server access logs' ``bucket`` folder: dots too, never a lone dot or two).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
#: Scope partitions whose folder names are not :data:`SCOPE`'s.
SCOPE_PATTERNS = {"bucket": BUCKET}


@dataclass(frozen=True)
class Layout:
    """Where one table's logs are, read from its ``storage.location.template``.

    Attributes
    ----------
    bucket : str
        The log bucket.
    base : str
        Key prefix of the account folders (``AWSLogs/``, ``p/AWSLogs/o-x/``, or ``p/s3-access-logs/``).
    service : str
        Folder between account and region (``CloudTrail``, ``vpcflowlogs``), or ``""`` where the
        region folder is right below the account's (S3 server access logs).
    scope : str
        The partition named by a folder between region and day (WAF's ``web_acl``, S3 server access
        logs' ``bucket``), else ``""``.
    regional : bool
        Whether there is a region folder (a global service's logs, CloudFront's, have none: the
        scope folders are right below the service folder, and the region is ``""`` here).
    hive : bool
        Whether the folders are Hive-compatible ones (``aws-account-id=<account>``,
        ``aws-region=<region>``, ``<scope_key>=<scope>``, ``year=YYYY/month=MM/day=DD``).
    scope_key : str
        The name of the scope folder in a Hive-compatible layout (``DistributionId``).
    """

    bucket: str
    base: str
    service: str
    scope: str = ""
    regional: bool = True
    hive: bool = False
    scope_key: str = ""

    def account_folder(self, account: str) -> str:
        """The folder of one account."""
        return f"aws-account-id={account}" if self.hive else account

    @property
    def scope_pattern(self) -> re.Pattern:
        """What a folder name of the scope partition looks like."""
        return SCOPE_PATTERNS.get(self.scope, SCOPE)

    def region_prefix(self, account: str) -> str:
        """Key prefix holding one account's region folders."""
        return f"{self.base}{self.account_folder(account)}/" + (f"{self.service}/" if self.service else "")

    def folder_value(self, name: str, key: str) -> str | None:
        """The value a folder ``name`` holds (``key=value`` in a Hive layout), or ``None`` when it is no such folder."""
        if not self.hive:
            return name
        return name[len(key) + 1:] if name.startswith(key + "=") else None

    def partition_location(self, account: str, region: str, *rest: str) -> str:
        """``s3://`` location of one partition folder: ``account x region x day`` (``day`` as
        ``yyyy/MM/dd``), or ``account x region x scope x day`` where the layout has a scope."""
        *scope, day = rest
        if self.hive:
            year, month, dd = day.split("/")
            region = f"aws-region={region}" if region else ""
            scope = [f"{self.scope_key}={v}" for v in scope]
            day = f"year={year}/month={month}/day={dd}"
        return (f"s3://{self.bucket}/{self.region_prefix(account)}" + (f"{region}/" if region else "")
                + "".join(f"{v}/" for v in (*scope, day)))


@dataclass
class Found:
    """Accounts and regions that have a folder under a layout (and the scope folders under them)."""

    regions_by_account: dict[str, list[str]] = field(default_factory=dict)
    scopes_by_pair: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def scopes(self) -> list[str]:
        return sorted({s for scopes in self.scopes_by_pair.values() for s in scopes})

    @property
    def accounts(self) -> list[str]:
        return sorted(a for a, regions in self.regions_by_account.items() if regions)

    @property
    def regions(self) -> list[str]:
        return sorted({r for regions in self.regions_by_account.values() for r in regions})

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return sorted((a, r) for a, regions in self.regions_by_account.items() for r in regions)


def parse_location_template(template: str) -> Layout:
    """The :class:`Layout` of a ``storage.location.template``.

    Raises
    ------
    ValueError
        If the template is not ``s3://bucket/...${account}/<Service>/${region}/${day}``.

    Examples
    --------
    >>> parse_location_template("s3://logs/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${day}").base
    'AWSLogs/o-abcdefghij/'
    >>> layout = parse_location_template("s3://logs/AWSLogs/aws-account-id=${account}/CloudFront/"
    ...                                  "DistributionId=${distribution}/year=${yyyy}/month=${MM}/day=${dd}")
    >>> layout.partition_location("111122223333", "", "E1EXAMPLE", "2026/11/03")
    's3://logs/AWSLogs/aws-account-id=111122223333/CloudFront/DistributionId=E1EXAMPLE/year=2026/month=11/day=03/'
    >>> parse_location_template("s3://aws-waf-logs-x/AWSLogs/${account}/WAFLogs/${region}/${web_acl}/${day}").scope
    'web_acl'
    >>> layout = parse_location_template("s3://logs/p/s3-access-logs/${account}/${region}/${bucket}/${day}")
    >>> layout.base, layout.service, layout.region_prefix("111122223333")
    ('p/s3-access-logs/', '', 'p/s3-access-logs/111122223333/')
    """
    match = _TEMPLATE.match(template) or _HIVE_TEMPLATE.match(template)
    if not match:
        raise ValueError(
            f"storage.location.template {template!r} is not "
            "s3://bucket/.../${account}/<Service>/${region}/${day}, nor its Hive-compatible spelling "
            "s3://bucket/.../aws-account-id=${account}/aws-service=<service>/aws-region=${region}/"
            "year=${yyyy}/month=${MM}/day=${dd}"
        )
    if not match["region"] and not match["scope"]:
        raise ValueError(f"storage.location.template {template!r} has neither a region nor a scope folder")
    hive = match.re is _HIVE_TEMPLATE
    return Layout(match["bucket"], match["base"], match["service"] or "", match["scope"] or "", bool(match["region"]),
                  hive=hive, scope_key=match["scope_key"] or "" if hive else "")


def list_folders(s3, bucket: str, prefix: str) -> list[str]:
    """Names of the "folders" directly under ``prefix`` (one ``ListObjectsV2`` page per 1000)."""
    names = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            names.append(common["Prefix"][len(prefix):].rstrip("/"))
    return names


def discover(s3, layout: Layout, *, workers: int = 16) -> Found:
    """Accounts under ``layout.base`` and, for each, the regions with a service folder.

    Parameters
    ----------
    s3 : botocore client
        An S3 client.
    layout : Layout
        Where to look.
    workers : int
        Accounts listed in parallel.
    """
    accounts = [value for value in (layout.folder_value(n, "aws-account-id")
                                    for n in list_folders(s3, layout.bucket, layout.base))
                if value and ACCOUNT.fullmatch(value)]

    direct: dict[str, list[str]] = {}

    def values(names: list[str], key: str, pattern: re.Pattern) -> list[str]:
        return sorted(v for v in (layout.folder_value(n, key) for n in names) if v and pattern.fullmatch(v))

    def regions_of(account: str) -> list[str]:
        names = list_folders(s3, layout.bucket, layout.region_prefix(account))
        if not layout.regional:  # no region folder: these are the scope's folders; the region is ""
            direct[account] = values(names, layout.scope_key, layout.scope_pattern)
            return [""] if direct[account] else []
        return values(names, "aws-region", REGION)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts) or 1))) as pool:
        regions = list(pool.map(regions_of, accounts))
        found = Found(dict(zip(accounts, regions)))
        if not layout.regional:
            found.scopes_by_pair = {(a, ""): direct[a] for a, _ in found.pairs}
        elif layout.scope:  # one more level: the folders between region and day, per account and region
            pairs = found.pairs

            def scopes_of(pair: tuple[str, str]) -> list[str]:
                region = f"aws-region={pair[1]}" if layout.hive else pair[1]
                names = list_folders(s3, layout.bucket, layout.region_prefix(pair[0]) + region + "/")
                return values(names, layout.scope_key, layout.scope_pattern)

            found.scopes_by_pair = dict(zip(pairs, pool.map(scopes_of, pairs)))
    return found


def merged_values(current: str, found: list[str], *, prune: bool = False) -> str:
    """The new ``enum`` value list: sorted, comma-separated.

    ``current`` values are kept unless ``prune`` (then only ``found`` remains, unless
    nothing was found at all: an empty ``enum`` would break the table).
    """
    existing = {v.strip() for v in current.split(",") if v.strip()}
    values = set(found) if prune and found else existing | set(found)
    return ",".join(sorted(values))


def table_input(table: dict) -> dict:
    """The ``TableInput`` of a ``GetTable`` answer's ``Table``."""
    return {key: table[key] for key in TABLE_INPUT_KEYS if key in table}


def update_projection(glue, database: str, table: dict, found: Found, *,
                      prune: bool = False, dry_run: bool = False) -> dict:
    """Widen a projected table's account and region enums to what was found.

    Returns
    -------
    dict
        ``{"mode": "projection", "updated": bool, "accounts": [...], "regions": [...],
        "added": {...}, "removed": {...}}``. ``UpdateTable`` is called only when a value
        list really changed (as sets: order does not count).
    """
    params = dict(table.get("Parameters", {}))
    report = {"mode": "projection", "updated": False, "added": {}, "removed": {}}
    changed = False
    columns = [("account", found.accounts)]
    layout = parse_location_template(params.get("storage.location.template", ""))
    if layout.regional:
        columns.append(("region", found.regions))
    if layout.scope:
        columns.append((layout.scope, found.scopes))
    for column, values in columns:
        key = f"projection.{column}.values"
        if params.get(f"projection.{column}.type", "enum") != "enum":
            continue
        old = params.get(key, "")
        new = merged_values(old, values, prune=prune)
        old_set, new_set = set(filter(None, old.split(","))), set(new.split(","))
        report[f"{column}s"] = sorted(new_set)
        if old_set != new_set:
            changed = True
            params[key] = new
            report["added"][column] = sorted(new_set - old_set)
            report["removed"][column] = sorted(old_set - new_set)
    if changed and not dry_run:
        body = table_input(table)
        body["Parameters"] = params
        kwargs = {"VersionId": table["VersionId"]} if table.get("VersionId") else {}
        glue.update_table(DatabaseName=database, TableInput=body, SkipArchive=True, **kwargs)
    report["updated"] = changed and not dry_run
    report["would_update"] = changed
    return report


def window_days(today: dt.date, *, days_back: int = 2, backfill_from: dt.date | None = None) -> list[str]:
    """Days (``yyyy/MM/dd``) whose partitions the classic path registers: from
    ``backfill_from`` (or ``days_back`` days ago) to tomorrow, so that logs delivered just
    after midnight UTC are queryable at once.

    Raises
    ------
    ValueError
        If the window is longer than about ten years.
    """
    first = backfill_from or today - dt.timedelta(days=days_back)
    last = today + dt.timedelta(days=1)
    count = (last - first).days + 1
    if count > _MAX_BACKFILL_DAYS:
        raise ValueError(f"window of {count} days is too long (at most {_MAX_BACKFILL_DAYS})")
    return [(first + dt.timedelta(days=i)).strftime("%Y/%m/%d") for i in range(max(count, 0))]


def add_partitions(glue, database: str, table: dict, layout: Layout, found: Found, days: list[str], *,
                   dry_run: bool = False) -> dict:
    """Register the missing ``account x region x day`` partitions of a non-projected table.

    Partitions that exist are looked up first (``BatchGetPartition``) and left alone, so
    a second run creates nothing.
    """
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    expected = ["account", *(["region"] if layout.regional else []), *([layout.scope] if layout.scope else []), "day"]
    if keys != expected:
        raise ValueError(f"{table['Name']}: partition keys {keys} are not {', '.join(expected)}")
    if layout.scope:
        wanted = [(a, r, s, d) for a, r in found.pairs for s in found.scopes_by_pair.get((a, r), []) for d in days]
    else:
        wanted = [(a, r, d) for a, r in found.pairs for d in days]
    if not layout.regional:  # the partition values have no region; its location none either
        where = {(v[0], *v[2:]): v for v in wanted}
        wanted = list(where)
    else:
        where = {v: v for v in wanted}
    existing = set()
    for chunk in _chunks(wanted, _BATCH_GET):
        answer = glue.batch_get_partition(
            DatabaseName=database, TableName=table["Name"],
            PartitionsToGet=[{"Values": list(values)} for values in chunk],
        )
        existing.update(tuple(p["Values"]) for p in answer.get("Partitions", []))
    missing = [values for values in wanted if values not in existing]
    errors = []
    if not dry_run:
        descriptor = table.get("StorageDescriptor", {})
        for chunk in _chunks(missing, _BATCH_CREATE):
            inputs = [
                {"Values": list(values),
                 "StorageDescriptor": {**descriptor, "Location": layout.partition_location(*where[values])}}
                for values in chunk
            ]
            answer = glue.batch_create_partition(
                DatabaseName=database, TableName=table["Name"], PartitionInputList=inputs
            )
            errors += [e for e in answer.get("Errors", [])
                       if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"]
    return {"mode": "partitions", "accounts": found.accounts, "regions": found.regions,
            "days": [days[0], days[-1]] if days else [], "created": 0 if dry_run else len(missing) - len(errors),
            "missing": len(missing), "errors": errors}


def upkeep(database: str, tables: list[str] | tuple[str, ...] = DEFAULT_TABLES, *, s3=None, glue=None,
           prune: bool = False, dry_run: bool = False, today: dt.date | None = None,
           days_back: int = 2, backfill_from: dt.date | None = None) -> dict:
    """Bring every table in ``tables`` in step with the log bucket.

    Parameters
    ----------
    database : str
        Glue database holding the tables.
    tables : list of str
        Table names.
    s3, glue : botocore clients, optional
        Default: new clients from the environment.
    prune : bool
        Drop projected values that no longer have a folder.
    dry_run : bool
        Report what would change; write nothing.
    today : date, optional
        "Today" for the classic window (default: the UTC date).
    days_back : int
        Days before today the classic path registers.
    backfill_from : date, optional
        Register the classic partitions from this day instead.

    Returns
    -------
    dict
        ``{"database": ..., "tables": {name: report}}``.
    """
    if s3 is None or glue is None:
        import boto3

        s3 = s3 or boto3.client("s3")
        glue = glue or boto3.client("glue")
    today = today or dt.datetime.now(dt.timezone.utc).date()
    reports = {}
    for name in tables:
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
        params = table.get("Parameters", {})
        layout = parse_location_template(params.get("storage.location.template", ""))
        found = discover(s3, layout)
        if params.get("projection.enabled", "false").lower() == "true":
            reports[name] = update_projection(glue, database, table, found, prune=prune, dry_run=dry_run)
        else:
            days = window_days(today, days_back=days_back, backfill_from=backfill_from)
            reports[name] = add_partitions(glue, database, table, layout, found, days, dry_run=dry_run)
    return {"database": database, "tables": reports}


def handler(event, context):
    """Lambda entry point (``upkeep.handler``).

    The event may override the environment: ``{"tables": [...], "dry_run": true,
    "prune": true, "backfill_from": "2024-01-01"}``. The schedule sends ``{}``.
    """
    event = event or {}
    env = os.environ
    tables = event.get("tables") or [
        t.strip() for t in env.get("WORKBENCH_UPKEEP_TABLES", ",".join(DEFAULT_TABLES)).split(",") if t.strip()
    ]
    backfill = event.get("backfill_from")
    result = upkeep(
        event.get("database") or env["WORKBENCH_UPKEEP_DATABASE"],
        tables,
        prune=_flag(event.get("prune", env.get("WORKBENCH_UPKEEP_PRUNE", "false"))),
        dry_run=_flag(event.get("dry_run", False)),
        days_back=int(env.get("WORKBENCH_UPKEEP_DAYS_BACK", "2")),
        backfill_from=dt.date.fromisoformat(backfill) if backfill else None,
    )
    print(json.dumps(result, sort_keys=True))
    return result


def _flag(value) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes")


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
