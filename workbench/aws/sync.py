"""``workbench sync``: copy the logs of some days from S3 to a local folder, keeping the key layout.

Only the partition prefixes a query could read are listed, never the whole bucket:

1. ``ListObjectsV2`` with ``Delimiter='/'`` at ``[prefix/]AWSLogs/`` finds the account ids and
   organisation ids (``o-...``), and at ``AWSLogs/o-.../`` the accounts of an organisation trail;
2. the same at ``<account>/<Service>/`` finds the regions there (kept if wanted);
3. each day prefix (``.../<region>/YYYY/MM/DD/``) of each wanted source is listed in full.

S3 server access logs are not under ``AWSLogs/`` but beside it, under their target prefix
(``[prefix/]s3-access-logs/<account>/<region>/<bucket>/YYYY/MM/DD/``): the account, region and
bucket folders there are found the same way, one level at a time, and only names that are
account ids, regions and bucket names are listed into.

With CloudTrail, its digests are copied too (``CloudTrail-Digest/<region>/<day>/`` of the
same days and of the day after, whose first digest lists the last files), each with its
signature from the object's S3 metadata, recorded beside it (``workbench verify`` checks
them). Objects whose names are not log files of the source (markers, stray files) are left
alone. Each object is written to ``out/<its key>``, through a temporary file and a rename,
so an interrupted run leaves no half files; an object whose key would land anywhere
but its own day folder under ``out`` (``..``, separators) is refused and reported. An object
already there with the same size, and the same ETag as recorded in ``out/.workbench-sync.json``
by the run that copied it, is skipped, unless the local copy was changed since (its SHA-256,
recorded at the copy, no longer matches): a second run copies nothing.

The local engine then works on ``out`` (``workbench query ... --logs out``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from workbench.aws.clients import AwsResourceMissing, aws_errors, error_code, session, split_s3_url
from workbench.errors import UsageError
from workbench.integrity.layout import DIGEST_FOLDER, DIGEST_NAME, LOG_FOLDER, metadata_path, write_metadata
from workbench.sources import SOURCES, LogSource, get_source, is_org_id
from workbench.words import size
from workbench.writes import replacing, write_atomic

#: Bookkeeping file written in ``out/``: key -> size, ETag and modification time as copied.
MANIFEST = ".workbench-sync.json"

_ACCOUNT = re.compile(r"\d{9,12}")
_REGION = re.compile(r"[a-z0-9-]+")
_SCOPE = re.compile(r"[A-Za-z0-9_-]{1,128}")  # a folder before the day (a web ACL name, a distribution or VPC id)
_TWO_DIGITS = re.compile(r"(?:(?:hour|minute)=)?\d{2}")
_HIVE_ACCOUNT = re.compile(r"aws-account-id=(\d{9,12})")
_HIVE_SCOPE = re.compile(r"[A-Za-z][A-Za-z_-]{0,40}=([A-Za-z0-9_-]{1,128})")


@dataclass
class SyncResult:
    """What a sync did.

    Attributes
    ----------
    listed : int
        Log objects found under the selected prefixes.
    digests : int
        CloudTrail digests found (copied with their signatures, or already there).
    copied : int
        Objects downloaded (new or changed).
    skipped : int
        Objects already present and unchanged.
    bytes : int
        Bytes downloaded.
    ignored : int
        Objects in the day folders that are not log files of the source (left alone).
    prefixes : int
        Day prefixes listed.
    out : str
        The local folder (point ``--logs`` at it).
    warnings : list of str
        Things worth knowing, e.g. a region list without us-east-1 for CloudTrail.
    refused : list of dict
        Objects not copied, each ``{"key", "reason"}``: keys that would leave their day folder
        (``..``, separators, names the file system cannot hold) and objects that could not be written.
    """

    listed: int = 0
    digests: int = 0
    copied: int = 0
    skipped: int = 0
    bytes: int = 0
    ignored: int = 0
    prefixes: int = 0
    out: str = ""
    warnings: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        return (f"{self.listed} log files" + (f" and {self.digests} digests" if self.digests else "")
                + f" under {self.prefixes} day prefixes: {self.copied} copied "
                f"({size(self.bytes)}), {self.skipped} already there"
                + (f", {self.ignored} non-log objects left alone" if self.ignored else "")
                + f"; query them with --logs {self.out}")

    def as_dict(self) -> dict:
        """Plain data."""
        return asdict(self)


@dataclass(frozen=True)
class _Object:
    key: str
    size: int
    etag: str
    modified: str


class _Digests:
    """CloudTrail's digest files, listed and copied beside the CloudTrail source."""

    name = title = "CloudTrail digests"

    @staticmethod
    def parse_key(key: str) -> dict | None:
        folders, _, name = key.rpartition("/")
        if f"/{DIGEST_FOLDER}/" not in f"/{folders}/" or not DIGEST_NAME.match(name):
            return None
        return {"name": name}


DIGESTS = _Digests()


def sync(
    url: str,
    out: str | os.PathLike,
    *,
    start: dt.date | str,
    end: dt.date | str,
    accounts: list[str] | None = None,
    regions: list[str] | None = None,
    sources: list[str] | None = None,
    progress: bool = True,
    workers: int = 8,
    boto3_session=None,
) -> SyncResult:
    """Copy the log files of ``start``..``end`` from ``url`` to ``out``, keeping the key layout.

    Parameters
    ----------
    url : str
        ``s3://bucket`` or ``s3://bucket/prefix``: where ``AWSLogs/`` (and ``s3-access-logs/``) is (a URL
        ending in ``/AWSLogs`` or ``/s3-access-logs`` is accepted too).
    out : str or Path
        Local folder; objects go to ``out/<key>``.
    start, end : date or str
        First and last day (inclusive, UTC, ``YYYY-MM-DD``): the delivery days in the keys.
    accounts : list of str, optional
        Account ids to copy; default: every account found.
    regions : list of str, optional
        Regions to copy; default: every region found. CloudTrail delivers console sign-ins
        and other global events under us-east-1, so keep it in the list.
    sources : list of str, optional
        ``cloudtrail``, ``vpcflow``, ``guardduty``; default: all.
    progress : bool
        Show progress bars on stderr.
    workers : int
        Parallel downloads.
    boto3_session : boto3.Session, optional
        Session to use; default: a new default session.

    Returns
    -------
    SyncResult
        Counts: listed, copied, skipped, bytes (and ignored, prefixes).

    Raises
    ------
    UsageError, AwsCredentialsError, AwsAccessDenied, AwsResourceMissing
        With a message that says what to fix.

    Examples
    --------
    >>> sync("s3://my-trail-bucket", "logs", start="2026-11-01", end="2026-11-07",
    ...      regions=["us-east-1", "eu-west-1"])                          # doctest: +SKIP
    """
    bucket, prefix = split_s3_url(url)
    for top in ("AWSLogs", *_own_folders()):
        if prefix == top or prefix.endswith(f"/{top}"):
            prefix = prefix[: -len(top)].rstrip("/")
            break
    days = _days(start, end)
    unknown = [s for s in sources or [] if s not in SOURCES]
    if unknown:
        raise UsageError(f"unknown source(s) {', '.join(unknown)}; sources: {', '.join(SOURCES)}")
    wanted = [get_source(s) for s in sources] if sources else list(SOURCES.values())
    result = SyncResult(out=str(out))
    for source in wanted:
        if regions and source.global_region and source.global_region not in regions:
            result.warnings.append(f"{source.title} delivers console sign-ins and other global events under "
                                   f"{source.global_region}: add it to the regions to have them")
    client = session(boto3_session).client("s3")
    lister = _Lister(client, bucket)
    root = (prefix + "/" if prefix else "") + "AWSLogs/"

    prefixes, missing = _day_prefixes(lister, root, prefix, wanted, days, accounts, regions)
    if missing:
        result.warnings.append(f"no logs of account(s) {', '.join(missing)} under "
                               + _where(bucket, root, prefix, wanted))
    # the load balancers' four sources share their day folders: each folder is listed once, and an
    # object is a log when any source of its folder takes it
    shared: dict[str, list] = {}
    for source, day_prefix in prefixes:
        shared.setdefault(day_prefix, []).append(source)
    result.prefixes = len(shared)
    found: list[_Object] = []
    out = Path(out)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        listings = pool.map(lambda item: (item[0], item[1], lister.objects(item[0])), shared.items())
        for day_prefix, owners, objects in tqdm(listings, total=len(shared), desc="listing", unit="prefix",
                                                disable=not progress, file=sys.stderr, leave=False):
            depth = max(getattr(source, "time_folders", 0) for source in owners)
            for obj in objects:
                why = _refused(out, day_prefix, obj.key, depth)
                if why:
                    result.refused.append({"key": obj.key, "reason": why})
                elif all(source.parse_key(obj.key) is None for source in owners):
                    result.ignored += 1
                else:
                    found.append(obj)
    digests = {o.key for o in found if DIGESTS.parse_key(o.key)}
    result.digests = len(digests)
    result.listed = len(found) - len(digests)
    if result.refused:
        result.warnings.append(f"{len(result.refused)} object(s) not copied because their keys would not land in "
                               "their own day folder under --out (see .refused): "
                               + "; ".join(f"{r['key']!r}: {r['reason']}" for r in result.refused[:3]))

    manifest = _read_manifest(out)
    todo = [o for o in found if not _unchanged(out, o, manifest.get(o.key))
            or (o.key in digests and not metadata_path(out / o.key).is_file())]
    result.skipped = len(found) - len(digests) - len([o for o in todo if o.key not in digests])
    with tqdm(total=sum(o.size for o in todo), desc="copying", unit="B", unit_scale=True,
              disable=not progress or not todo, file=sys.stderr) as bar:
        def copy(obj: _Object) -> tuple[_Object, str | None]:
            try:
                if obj.key in digests:
                    _download_digest(client, bucket, obj, out)
                else:
                    _download(client, bucket, obj, out)
            except OSError as err:  # a name the local file system refuses, a full disk: this object only
                return obj, f"cannot write it here ({err.strerror or err})"
            bar.update(obj.size)
            return obj, None

        try:
            with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                for obj, failed in pool.map(copy, todo):
                    if failed:
                        result.refused.append({"key": obj.key, "reason": failed})
                        result.warnings.append(f"not copied: {obj.key!r}: {failed}")
                        continue
                    path = out / obj.key
                    manifest[obj.key] = {"size": obj.size, "etag": obj.etag, "modified": obj.modified,
                                         "sha256": _sha256(path), "version": _version(path.stat())}
                    if obj.key not in digests:
                        result.copied += 1
                        result.bytes += obj.size
        finally:
            if result.copied:
                _write_manifest(out, manifest)
    return result


# -- listing --------------------------------------------------------------------------


class _Lister:
    """``ListObjectsV2`` one level at a time (``Delimiter='/'``) or one prefix in full."""

    def __init__(self, client, bucket: str):
        self.client, self.bucket = client, bucket

    def folders(self, prefix: str) -> list[str]:
        """Names of the "folders" directly under ``prefix``."""
        names = []
        for page in self._pages(prefix, delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                names.append(common["Prefix"][len(prefix):].rstrip("/"))
        return names

    def objects(self, prefix: str) -> list[_Object]:
        """Every object whose key starts with ``prefix``."""
        found = []
        for page in self._pages(prefix):
            for item in page.get("Contents", []):
                if item["Key"].endswith("/"):
                    continue  # folder marker objects
                found.append(_Object(item["Key"], int(item["Size"]), item.get("ETag", "").strip('"'),
                                     item["LastModified"].isoformat() if item.get("LastModified") else ""))
        return found

    def _pages(self, prefix: str, delimiter: str | None = None):
        kwargs = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter:
            kwargs["Delimiter"] = delimiter
        with aws_errors(f"list s3://{self.bucket}/{prefix}"):
            try:
                yield from self.client.get_paginator("list_objects_v2").paginate(**kwargs)
            except Exception as err:
                if error_code(err) == "NoSuchBucket":
                    raise AwsResourceMissing(
                        f"bucket {self.bucket!r} does not exist (or is not visible in this AWS "
                        "partition): check the s3:// URL, e.g. the trail's bucket in the CloudTrail console"
                    ) from None
                raise


def _day_prefixes(lister: _Lister, root: str, prefix: str, sources: list[LogSource], days: list[dt.date],
                  accounts: list[str] | None, regions: list[str] | None
                  ) -> tuple[list[tuple[LogSource, str]], list[str]]:
    """Every ``(source, day prefix)`` to list, found one ``Delimiter='/'`` level at a time,
    and the wanted accounts that have no logs there."""
    under_awslogs = [s for s in sources if s.awslogs]
    # (source, its account folders) of the sources beside AWSLogs/
    own = [(s, _own_accounts(lister, prefix, s)) for s in sources if not s.awslogs]
    top = lister.folders(root) if under_awslogs else []
    if not top and not any(found for _, found in own):
        raise AwsResourceMissing(
            f"nothing under {_where(lister.bucket, root, prefix, sources)}: give the bucket (and prefix) that "
            "holds AWSLogs/, as set in the trail, flow log or GuardDuty export"
            + (" (or s3-access-logs/, the target prefix of the buckets' server access logs)" if own else "")
        )
    owners: list[tuple[str | None, str]] = [(None, a) for a in top if _ACCOUNT.fullmatch(a)]
    for org_id in (o for o in top if is_org_id(o)):
        owners += [(org_id, a) for a in lister.folders(f"{root}{org_id}/") if _ACCOUNT.fullmatch(a)]
    hive = [m.group(1) for m in map(_HIVE_ACCOUNT.fullmatch, top) if m]  # Hive-compatible delivery's folders
    missing: list[str] = []
    if accounts:
        present = {a for _, a in owners} | set(hive) | {a for _, found in own for a in found}
        missing = sorted(set(accounts) - present)
        if missing == sorted(set(accounts)):
            raise AwsResourceMissing(f"no logs of account(s) {', '.join(missing)} under "
                                     f"{_where(lister.bucket, root, prefix, sources)}; accounts there: "
                                     f"{', '.join(sorted(present)) or 'none'}")
        owners = [(o, a) for o, a in owners if a in set(accounts)]
        hive = [a for a in hive if a in set(accounts)]
        own = [(s, [a for a in found if a in set(accounts)]) for s, found in own]
    out = [item for account in hive for source in under_awslogs
           for item in _hive_prefixes(lister, root, source, account, days, regions)]
    for org_id, account in owners:
        for source in under_awslogs:
            if org_id and not source.org_trail:
                continue
            # AWSLogs/[o-.../]<account>/<Service>/: one listing finds the regions that exist
            scoped = "-" if source.scope_partition else None
            levels = 1 + (scoped is not None) + source.regional  # the day, the scope and the region folders
            service = source.key_prefix(account=account, region="-", day="-", org_id=org_id, prefix=prefix,
                                        scope=scoped).rsplit("/", levels + 1)[0] + "/"
            if source.regional:
                found = [r for r in lister.folders(service) if _REGION.fullmatch(r) and (not regions or r in regions)]
            else:  # no region folder (CloudFront, Resolver query logs): a region filter does not apply
                found = [""]
            for region in found:
                # WAF: one more listing per region finds its web ACLs' folders (CloudFront's distributions
                # are right below its folder)
                below = f"{service}{region}/" if region else service
                scopes = ([f for f in lister.folders(below) if _SCOPE.fullmatch(f)] if scoped else [None])
                for scope in scopes:
                    for day in days:
                        out.append((source, source.key_prefix(account=account, region=region, day=day,
                                                              org_id=org_id, prefix=prefix, scope=scope)))
            if source.service_folder == LOG_FOLDER:
                out += _digest_prefixes(lister, service, days, regions)
    for source, found in own:
        out += [item for account in found for item in _own_prefixes(lister, prefix, source, account, days, regions)]
    return out, missing


def _own_folders() -> list[str]:
    """The folders beside ``AWSLogs/`` of the sources that do not write under it (``s3-access-logs``)."""
    return sorted({s.service_folder for s in SOURCES.values() if not s.awslogs})


def _own_root(prefix: str, source: LogSource) -> str:
    """``[prefix/]<folder>/``: where a source that does not write under ``AWSLogs/`` keeps its account folders."""
    return (prefix + "/" if prefix else "") + source.service_folder + "/"


def _where(bucket: str, root: str, prefix: str, sources: list[LogSource]) -> str:
    """The ``s3://`` folders the sources' account folders are in, for messages."""
    roots = ([root] if any(s.awslogs for s in sources) else []) + sorted(
        {_own_root(prefix, s) for s in sources if not s.awslogs})
    return " or ".join(f"s3://{bucket}/{r}" for r in roots)


def _own_accounts(lister: _Lister, prefix: str, source: LogSource) -> list[str]:
    """The account folders of a source that does not write under ``AWSLogs/`` (one listing)."""
    return [a for a in lister.folders(_own_root(prefix, source)) if _ACCOUNT.fullmatch(a)]


def _own_prefixes(lister: _Lister, prefix: str, source: LogSource, account: str, days: list[dt.date],
                  regions: list[str] | None) -> list[tuple[LogSource, str]]:
    """The day prefixes of one account of a source outside ``AWSLogs/`` (S3 server access logs:
    ``<folder>/<account>/<region>/<bucket>/YYYY/MM/DD/``): one listing finds the account's regions, one per
    region its buckets; only names that are regions and bucket names (:attr:`LogSource.scope_pattern`) count."""
    base = f"{_own_root(prefix, source)}{account}/"
    scope = re.compile(source.scope_pattern)
    out = []
    for region in lister.folders(base):
        if not _REGION.fullmatch(region) or (regions and region not in regions):
            continue
        names = [f for f in lister.folders(f"{base}{region}/") if scope.fullmatch(f) and f not in (".", "..")]
        out += [(source, source.key_prefix(account=account, region=region, day=day, prefix=prefix, scope=name))
                for name in names for day in days]
    return out


def _hive_prefixes(lister: _Lister, root: str, source: LogSource, account: str, days: list[dt.date],
                   regions: list[str] | None) -> list[tuple[LogSource, str]]:
    """The day prefixes of one account's Hive-compatible folders (``aws-account-id=<account>/``).

    Regional services spell their service and region folders too (``aws-service=vpcflowlogs/aws-region=<r>/``),
    CloudFront keeps ``CloudFront/``; a scope folder is ``<Name>=<value>`` (``DistributionId=E1...``) and the
    day ``year=YYYY/month=MM/day=DD/``. Only folder names that say so are listed into.
    """
    base = f"{root}aws-account-id={account}/"
    if source.regional:
        service = f"{base}aws-service={source.service_folder}/"
        found = [f for f in lister.folders(service) if f.startswith("aws-region=")
                 and _REGION.fullmatch(f[len("aws-region="):]) and (not regions or f[len("aws-region="):] in regions)]
    else:
        service, found = f"{base}{source.service_folder}/", [""]
    out = []
    for region in found:
        below = f"{service}{region}/" if region else service
        scopes = [f + "/" for f in lister.folders(below) if _HIVE_SCOPE.fullmatch(f) or _SCOPE.fullmatch(f)] \
            if source.scope_partition else [""]
        out += [(source, f"{below}{scope}year={day:%Y}/month={day:%m}/day={day:%d}/")
                for scope in scopes for day in days]
    return out


def _digest_prefixes(lister: _Lister, service: str, days: list[dt.date],
                     regions: list[str] | None) -> list[tuple[_Digests, str]]:
    """The digest day prefixes beside a trail's ``.../CloudTrail/``: the days and the day after."""
    folder = service[: -len(f"{LOG_FOLDER}/")] + f"{DIGEST_FOLDER}/"
    found = [r for r in lister.folders(folder) if _REGION.fullmatch(r)]
    spans = days + [days[-1] + dt.timedelta(days=1)]
    return [(DIGESTS, f"{folder}{region}/{day:%Y/%m/%d}/")
            for region in found if not regions or region in regions for day in spans]


def _days(start: dt.date | str, end: dt.date | str) -> list[dt.date]:
    try:
        first = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        last = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))
    except ValueError as err:
        raise UsageError(f"start and end must be days as YYYY-MM-DD ({err})") from None
    if last < first:
        raise UsageError(f"end ({last}) is before start ({first})")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# -- copying --------------------------------------------------------------------------

#: The longest file name most local file systems take, in bytes.
MAX_NAME_BYTES = 255


def _refused(out: Path, day_prefix: str, key: str, time_folders: int = 0) -> str | None:
    """Why the object ``key``, listed under ``day_prefix``, must not be written below ``out``; ``None`` if it may.

    S3 keys are the attacker's text: ``..`` is not normalised by S3, and a key listed under one
    account's day folder may name another's. An object is copied only when its key is the day
    prefix and one plain file name (below ``time_folders`` two-digit folders where the source has
    them: WAF's ``HH/mm/``, a Hive-compatible ``hour=HH/``), and its local path resolves inside ``out``.
    """
    if not key.startswith(day_prefix):
        return "not under the day folder it was listed in"
    *folders, name = key[len(day_prefix):].split("/")
    if len(folders) != time_folders or not all(_TWO_DIGITS.fullmatch(f) for f in folders):
        where = f"{time_folders} two-digit folders below" if time_folders else "directly in"
        return f"not a plain file name {where} its day folder"
    if not name or "\\" in name or name in (".", "..") or "\x00" in name:
        return "not a plain file name directly in its day folder"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"a file name longer than {MAX_NAME_BYTES} bytes"
    root = out.resolve()
    path = (out / key).resolve()
    if root != path and root not in path.parents:
        return "its local path would leave --out"
    return None


def _unchanged(out: Path, obj: _Object, recorded: dict | None) -> bool:
    """Whether the local copy of ``obj`` is the object as it is in S3 now.

    The size must match and the ETag be the one copied. The local file must be the one written:
    when its version (modification and change times, inode) differs from the one recorded, its
    SHA-256 is compared with the one recorded at the copy, so a copy changed in place is copied again.
    """
    path = out / obj.key
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    if stat.st_size != obj.size:
        return False
    if recorded is None:
        return True
    if recorded.get("etag") not in ("", obj.etag):
        return False
    if recorded.get("version") == _version(stat) or not recorded.get("sha256"):
        return True
    return _sha256(path) == recorded["sha256"]


def _version(stat: os.stat_result) -> list[int]:
    return [stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(client, bucket: str, obj: _Object, out: Path) -> None:
    path = out / obj.key
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial, aws_errors(f"download s3://{bucket}/{obj.key} (GuardDuty exports also "
                                                "need kms:Decrypt on the export's KMS key)"):
        client.download_file(bucket, obj.key, str(partial))


def _download_digest(client, bucket: str, obj: _Object, out: Path) -> None:
    """A digest and, beside it, its signature from the object's S3 metadata (``x-amz-meta-signature``)."""
    path = out / obj.key
    path.parent.mkdir(parents=True, exist_ok=True)
    with aws_errors(f"download s3://{bucket}/{obj.key}"):
        response = client.get_object(Bucket=bucket, Key=obj.key)
        body = response["Body"].read()
    with replacing(path) as partial:
        partial.write_bytes(body)
    write_metadata(path, {k.lower(): v for k, v in (response.get("Metadata") or {}).items()})


def _read_manifest(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _write_manifest(out: Path, manifest: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=0, sort_keys=True))


# -- command line ---------------------------------------------------------------------


def sync_command(
    url: str,
    *,
    out: str,
    start: dt.date | str,
    end: dt.date | str,
    accounts: list[str] | None = None,
    regions: list[str] | None = None,
    sources: list[str] | None = None,
    boto3_session=None,
) -> int:
    """``workbench sync``: run :func:`sync`, print its summary (stdout) and warnings (stderr).

    Progress bars are shown when stderr is a terminal. Returns the exit status (0).
    """
    result = sync(url, out, start=start, end=end, accounts=accounts, regions=regions, sources=sources,
                  progress=sys.stderr.isatty(), boto3_session=boto3_session)
    for warning in result.warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    print(result.summary())
    return 0
