"""``workbench sync`` against a local AWS API server holding an uploaded sample organisation."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from tests.moto_aws import aws_module, aws_server, no_credentials  # noqa: F401
from workbench.aws.clients import AwsCredentialsError, AwsResourceMissing
from workbench.aws.sync import MANIFEST, sync, sync_command
from workbench.engines.local import LocalEngine
from workbench.errors import UsageError
from workbench.integrity import DIGEST_FOLDER, METADATA_SUFFIX, PublicKeys, read_metadata, verify_logs
from workbench.sample import generate
from workbench.sources import SOURCES

BUCKET = "org-trail-logs"
PREFIX = "security"  # a user prefix before AWSLogs/, as trails allow
START = dt.date(2026, 11, 1)
#: The folders the sample's logs are in: AWSLogs/ and, beside it, the S3 server access logs' target prefix.
ROOTS = ("AWSLogs", "s3-access-logs")


def _log_files(organisation: Path) -> list[Path]:
    return [p for root in ROOTS for p in (organisation / root).rglob("*")]


@pytest.fixture(scope="module")
def organisation(tmp_path_factory):
    """A small sample organisation (organisation trail): 2 days, 2 accounts, 2 regions."""
    out = tmp_path_factory.mktemp("org")
    generate(out, start=START, days=2, accounts=2, regions=("us-east-1", "eu-west-1"), org_id="auto",
             seed=7, scale=0.1)
    return out


@pytest.fixture(scope="module")
def bucket(aws_module, organisation):
    """The organisation uploaded to s3://BUCKET/PREFIX/AWSLogs/... (and PREFIX/s3-access-logs/...), plus objects
    sync must leave alone.

    Uploaded once for the module: tests that change an object put it back.
    """
    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket=BUCKET)
    files = [p for p in _log_files(organisation) if p.is_file() and not p.name.endswith(METADATA_SUFFIX)]

    def put(path: Path):
        # a digest's signature is S3 metadata, as CloudTrail writes it (the sample keeps it beside the file)
        metadata = read_metadata(path) or {}
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{path.relative_to(organisation).as_posix()}",
                      Body=path.read_bytes(), Metadata=metadata)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, files))
    s3.put_object(Bucket=BUCKET, Key="other-team/AWSLogs/999999999999/CloudTrail/us-east-1/2026/11/02/x.json.gz",
                  Body=b"not ours")
    return s3


def _expected(organisation: Path, *, days, accounts=None, regions=None, sources=None) -> dict[str, int]:
    """Keys (under PREFIX) and sizes of the log files a sync of that selection must copy."""
    wanted = {}
    for path in _log_files(organisation):
        key = path.relative_to(organisation).as_posix()
        for source in SOURCES.values():
            parts = source.parse_key(key)
            if (parts and (not sources or source.name in sources)
                    and parts["day"] in {d.strftime("%Y/%m/%d") for d in days}
                    and (not accounts or parts["account"] in accounts)
                    and (not regions or parts["region"] in regions)):
                wanted[f"{PREFIX}/{key}"] = path.stat().st_size
    return wanted


def keys_of(expected: dict[str, int]) -> list[str]:
    return list(expected)


def _copied(out: Path) -> dict[str, int]:
    """The log files copied (digests and their signatures aside)."""
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*")
            if p.is_file() and p.name != MANIFEST and DIGEST_FOLDER not in p.parts}


def _count_requests(monkeypatch) -> list[dict]:
    """Record the parameters of every ListObjectsV2 call the server receives."""
    from moto.s3.responses import S3Response

    seen: list[dict] = []
    original = S3Response.list_objects_v2

    def spy(self):
        seen.append({k: v[0] for k, v in self.querystring.items()})
        return original(self)

    monkeypatch.setattr(S3Response, "list_objects_v2", spy)
    return seen


def test_sync_copies_exactly_the_selected_subset_then_nothing(bucket, organisation, tmp_path, monkeypatch):
    doc_accounts = sorted(p.name for p in (organisation / "AWSLogs").glob("o-*/*"))
    account = doc_accounts[0]
    days = [START + dt.timedelta(days=1)]  # the second of the two days
    selection = {"accounts": [account], "regions": ["us-east-1"], "sources": ["cloudtrail", "vpcflow"]}
    listings = _count_requests(monkeypatch)

    out = tmp_path / "logs"
    result = sync(f"s3://{BUCKET}/{PREFIX}", out, start=days[0], end=days[-1], progress=False, **selection)

    expected = _expected(organisation, days=days, **selection)
    assert expected and _copied(out) == expected
    assert (result.listed, result.copied, result.skipped) == (len(expected), len(expected), 0)
    assert result.bytes == sum(expected.values())
    # never the whole bucket: every listing is one AWSLogs level (with a delimiter) or one day prefix
    for call in listings:
        prefix = call.get("prefix", "")
        assert prefix.startswith(f"{PREFIX}/AWSLogs/"), call
        if "delimiter" not in call:  # digests: the day after too, whose first digest lists the last files
            spans = days + ([days[-1] + dt.timedelta(days=1)] if f"/{DIGEST_FOLDER}/" in prefix else [])
            assert any(prefix.endswith(d.strftime("/%Y/%m/%d/")) for d in spans), call

    again = sync(f"s3://{BUCKET}/{PREFIX}", out, start=days[0], end=days[-1], progress=False, **selection)
    assert (again.listed, again.copied, again.skipped, again.bytes) == (len(expected), 0, len(expected), 0)
    assert _copied(out) == expected


def test_sync_discovers_accounts_regions_and_the_organisation(bucket, organisation, tmp_path):
    out = tmp_path / "all"
    day = START + dt.timedelta(days=1)
    result = sync(f"s3://{BUCKET}/{PREFIX}/AWSLogs/", out, start=day, end=day, progress=False)
    expected = _expected(organisation, days=[day])
    assert _copied(out) == expected
    keys = list(expected)
    assert any("/AWSLogs/o-" in k and "/CloudTrail/" in k for k in keys)  # organisation trail
    assert any("/vpcflowlogs/" in k for k in keys) and any("/GuardDuty/" in k for k in keys)
    assert any(k.startswith(f"{PREFIX}/s3-access-logs/") for k in keys)  # beside AWSLogs/, found too
    assert not any("Digest" in k or "Insight" in k or "/Config/" in k for k in _copied(out))
    assert result.ignored == 0 and result.warnings == []
    digests = sorted(out.rglob(f"{DIGEST_FOLDER}/*/*/*/*/*.json.gz"))
    assert result.digests == len(digests) > 0
    assert all(read_metadata(d) and read_metadata(d)["signature-algorithm"] == "SHA256withRSA" for d in digests)

    # the copy verifies against the digests and their signatures, as delivered
    keys = PublicKeys.from_file(organisation / "cloudtrail-public-keys.json")
    report = verify_logs(out, start=day, end=day, keys=keys)
    assert report.status == "verified", report.summary()
    assert report.signatures == report.digests and report.files == sum("/CloudTrail/" in k for k in keys_of(expected))

    # the local engine reads the copy as it is
    with LocalEngine(out) as engine:
        frame = engine.query("console_logins", {"start": day.isoformat(), "end": day.isoformat()})
    assert engine.last_scan.files > 0 and len(frame) >= 0


def test_a_changed_object_is_copied_again(bucket, organisation, tmp_path):
    day = START
    args = {"start": day, "end": day, "sources": ["guardduty"], "progress": False}
    out = tmp_path / "gd"
    first = sync(f"s3://{BUCKET}/{PREFIX}", out, **args)
    key = sorted(_copied(out))[0]
    original = (out / key).read_bytes()
    bucket.put_object(Bucket=BUCKET, Key=key, Body=b"x" * len(original))  # same size, new ETag
    try:
        second = sync(f"s3://{BUCKET}/{PREFIX}", out, **args)
    finally:
        bucket.put_object(Bucket=BUCKET, Key=key, Body=original)
    assert (second.copied, second.skipped) == (1, first.listed - 1)
    assert (out / key).read_bytes() == b"x" * len(original)


def test_a_region_list_without_us_east_1_is_warned_about(bucket, tmp_path):
    result = sync(f"s3://{BUCKET}/{PREFIX}", tmp_path / "eu", start=START, end=START,
                  regions=["eu-west-1"], sources=["cloudtrail"], progress=False)
    assert result.copied > 0 and "us-east-1" in result.warnings[0]
    assert all("/eu-west-1/" in k for k in _copied(tmp_path / "eu"))


def test_sync_errors_say_what_to_fix(bucket, tmp_path, monkeypatch):
    with pytest.raises(AwsResourceMissing, match="bucket 'no-such-bucket' does not exist"):
        sync("s3://no-such-bucket", tmp_path, start=START, end=START, progress=False)
    with pytest.raises(AwsResourceMissing, match="nothing under s3://org-trail-logs/wrong/AWSLogs/"):
        sync(f"s3://{BUCKET}/wrong", tmp_path, start=START, end=START, progress=False)
    with pytest.raises(AwsResourceMissing, match="no logs of account.*000000000000"):
        sync(f"s3://{BUCKET}/{PREFIX}", tmp_path, start=START, end=START, accounts=["000000000000"],
             progress=False)
    with pytest.raises(Exception, match="not an S3 URL"):
        sync("my-bucket/logs", tmp_path, start=START, end=START, progress=False)
    no_credentials(monkeypatch)
    with pytest.raises(AwsCredentialsError, match="no AWS credentials found"):
        sync(f"s3://{BUCKET}/{PREFIX}", tmp_path, start=START, end=START, progress=False)


def test_sync_command_prints_a_summary_and_warnings(bucket, tmp_path, capsys):
    code = sync_command(f"s3://{BUCKET}/{PREFIX}", out=str(tmp_path / "cli"), start="2026-11-02",
                        end="2026-11-02", regions=["eu-west-1"], sources=["guardduty", "cloudtrail"])
    out, err = capsys.readouterr()
    assert code == 0 and " copied (" in out and f"--logs {tmp_path / 'cli'}" in out
    assert "warning: CloudTrail delivers console sign-ins" in err
    with pytest.raises(UsageError, match="unknown source.*no-such-log"):
        sync_command(f"s3://{BUCKET}", out=str(tmp_path), start=START, end=START, sources=["no-such-log"])
    with pytest.raises(UsageError, match="end .* is before start"):
        sync_command(f"s3://{BUCKET}", out=str(tmp_path), start="2026-11-02", end="2026-11-01")


def test_hostile_keys_stay_in_their_own_day_folder_under_out(aws_module, organisation, tmp_path):
    """S3 does not normalise ``..``: a key may climb out of its day folder, out of --out, or into another
    account's folder. None of them is written; each is reported with its reason, and the real file copies."""
    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket="hostile-keys")
    accounts = sorted({p.name for p in (organisation / "AWSLogs").glob("o-*/*") if p.is_dir()})
    mine, theirs = accounts[0], accounts[1]
    real = next(p for p in sorted((organisation / "AWSLogs").rglob(f"{mine}_CloudTrail_us-east-1_*.json.gz"))
                if "/2026/11/01/" in p.as_posix())
    key = real.relative_to(organisation).as_posix()
    day = key.rsplit("/", 1)[0] + "/"
    theirs_name = real.name.replace(mine, theirs)
    theirs_key = day.replace(f"/{mine}/", f"/{theirs}/") + theirs_name
    hostile = {
        day + "../" * 12 + "escaped.json.gz": b"out of --out",
        day + f"../../../../../{theirs}/CloudTrail/us-east-1/2026/11/01/{theirs_name}": b"over another account",
        day + "x" * 300 + ".json.gz": b"a name too long for the file system",
    }
    s3.put_object(Bucket="hostile-keys", Key=key, Body=real.read_bytes())
    for name, body in hostile.items():
        s3.put_object(Bucket="hostile-keys", Key=name, Body=body)
    out = tmp_path / "out"
    before = set(tmp_path.parent.rglob("*"))
    result = sync("s3://hostile-keys", out, start=START, end=START, accounts=[mine], progress=False)
    assert result.copied == 1 and (out / key).read_bytes() == real.read_bytes()
    assert sorted(r["key"] for r in result.refused) == sorted(hostile)
    assert all(r["reason"] for r in result.refused) and any("longer than" in r["reason"] for r in result.refused)
    assert not (out / theirs_key).exists(), "nothing lands in another account's folder"
    created = set(tmp_path.parent.rglob("*")) - before
    assert all(out == p or out in p.parents for p in created - {out}), sorted(map(str, created))
    assert any("not copied because their keys" in w for w in result.warnings)


def test_a_local_copy_changed_in_place_is_copied_again(bucket, organisation, tmp_path):
    """The same size, even the same modification time: the SHA-256 recorded at the copy tells."""
    import os

    args = {"start": START, "end": START, "sources": ["guardduty"], "progress": False}
    out = tmp_path / "gd"
    first = sync(f"s3://{BUCKET}/{PREFIX}", out, **args)
    assert first.copied > 0
    victim = next(p for p in out.rglob("*.jsonl.gz"))
    stat, data = victim.stat(), victim.read_bytes()
    victim.write_bytes(data[::-1])
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = sync(f"s3://{BUCKET}/{PREFIX}", out, **args)
    assert second.copied == 1 and victim.read_bytes() == data
    assert sync(f"s3://{BUCKET}/{PREFIX}", out, **args).copied == 0


def test_waf_files_come_from_their_hour_folders_and_nothing_climbs_out(aws_module, organisation, tmp_path):
    """WAF's files lie in HH/mm folders below the day, under a web ACL's folder: exactly two two-digit folders
    are allowed there, and a web ACL folder that is not a plain name is never listed into."""
    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket="aws-waf-logs-hostile")
    real = sorted((organisation / "AWSLogs").rglob("*_waflogs_*.log.gz"))[0]
    key = real.relative_to(organisation).as_posix()
    day = key.rsplit("/", 3)[0] + "/"
    hostile = {
        day + "10/../../../../../../escaped.log.gz": b"out of its day",
        day + "10/05/extra/deeper.log.gz": b"one folder too many",
        day + "ab/cd/" + real.name: b"not an hour and a minute",
    }
    s3.put_object(Bucket="aws-waf-logs-hostile", Key=key, Body=real.read_bytes())
    for name, body in hostile.items():
        s3.put_object(Bucket="aws-waf-logs-hostile", Key=name, Body=body)
    acl_folder = key.split("/WAFLogs/")[0] + "/WAFLogs/" + key.split("/WAFLogs/")[1].split("/")[0] + "/"
    s3.put_object(Bucket="aws-waf-logs-hostile", Key=acl_folder + "..%2F/2026/11/01/00/00/x.log.gz", Body=b"x")
    the_day = dt.date(*map(int, day.rstrip("/").split("/")[-3:]))
    out = tmp_path / "waf"
    result = sync("s3://aws-waf-logs-hostile", out, start=the_day, end=the_day, sources=["waf"], progress=False)
    assert result.copied == 1 and (out / key).read_bytes() == real.read_bytes()
    assert sorted(r["key"] for r in result.refused) == sorted(hostile)
    assert all(p.is_relative_to(out) for p in out.rglob("*"))


def test_hive_compatible_folders_are_synced_by_their_names(aws_module, organisation, tmp_path):
    """A bucket of Hive-compatible deliveries (CloudFront's and VPC Flow Logs' option): the day's objects
    are found one level at a time through ``aws-account-id=``, ``aws-service=``, ``aws-region=``,
    ``DistributionId=`` and ``year=/month=/day=``, and read locally as the same partitions."""
    from tests.test_cloudfront_outputs import _hive_key

    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket="hive-logs")
    wanted, day = {}, "/2026/11/02/"
    for name in ("cloudfront", "vpcflow"):
        source = SOURCES[name]
        for path in (organisation / "AWSLogs").rglob("*"):
            key = _hive_key(source, path.relative_to(organisation).as_posix()) if path.is_file() else None
            if key:
                s3.put_object(Bucket="hive-logs", Key=key, Body=path.read_bytes())
                if day in path.as_posix():
                    wanted[key] = path
    s3.put_object(Bucket="hive-logs", Key="AWSLogs/aws-account-id=111122223333/CloudFront/DistributionId=E1/"
                  "year=2026/month=11/day=02/hour=../../x.gz", Body=b"climbs")
    out = tmp_path / "hive"
    result = sync("s3://hive-logs", out, start="2026-11-02", end="2026-11-02", sources=["cloudfront", "vpcflow"],
                  progress=False)
    copied = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}
    assert copied == set(wanted) and result.copied == len(wanted) > 20
    assert [r["key"] for r in result.refused] == ["AWSLogs/aws-account-id=111122223333/CloudFront/DistributionId=E1/"
                                                  "year=2026/month=11/day=02/hour=../../x.gz"]
    with LocalEngine(out) as local, LocalEngine(organisation) as plain:
        for table in ("cloudfront", "vpcflow"):
            sql = f"SELECT count(*) AS n FROM {table} WHERE day = '2026/11/02'"
            assert local.query(sql).n.iloc[0] == plain.query(sql).n.iloc[0] > 0, table


def test_s3_access_logs_are_synced_from_beside_awslogs(aws_module, organisation, tmp_path, monkeypatch):
    """A bucket holding S3 server access logs alone (s3-access-logs/<account>/<region>/<bucket>/yyyy/mm/dd/...):
    the asked day's objects are found one level at a time below the target prefix, copied keeping their keys and
    read locally as the same partitions; keys that climb out of their day folder, and folders that are no
    account, region or bucket name, are never copied."""
    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket="access-logs")
    source = SOURCES["s3access"]
    day = START + dt.timedelta(days=1)
    wanted, other_days = {}, 0
    for path in (organisation / "s3-access-logs").rglob("*"):
        parts = source.parse_key(path.relative_to(organisation).as_posix()) if path.is_file() else None
        if parts:
            key = f"{PREFIX}/{path.relative_to(organisation).as_posix()}"
            s3.put_object(Bucket="access-logs", Key=key, Body=path.read_bytes())
            if parts["day"] == day.strftime("%Y/%m/%d"):
                wanted[key] = path.stat().st_size
            else:
                other_days += 1
    assert wanted and other_days
    a_day_folder = sorted(wanted)[0].rsplit("/", 1)[0] + "/"
    account = a_day_folder.split("/")[2]
    climbing = {
        a_day_folder + "../../../../../../../escaped": b"out of --out",
        a_day_folder + "../../../../not-its-bucket/2026/11/02/2026-11-02-00-00-00-0123456789ABCDEF": b"another bucket",
        a_day_folder + "07/2026-11-02-07-00-00-0123456789ABCDEF": b"one folder too many",
    }
    never_listed = [f"{PREFIX}/s3-access-logs/{account}/us-east-1/../{day:%Y/%m/%d}/2026-11-02-00-00-00-0123456789ABCDEF",
                    f"{PREFIX}/s3-access-logs/{account}/us-east-1/Not_A_Bucket/{day:%Y/%m/%d}/x",
                    f"{PREFIX}/s3-access-logs/{account}/../{day:%Y/%m/%d}/x",
                    f"{PREFIX}/s3-access-logs/..%2F/us-east-1/shop/{day:%Y/%m/%d}/x"]
    for key, body in [*climbing.items(), *((k, b"x") for k in never_listed)]:
        s3.put_object(Bucket="access-logs", Key=key, Body=body)
    listings = _count_requests(monkeypatch)

    out = tmp_path / "s3access"
    result = sync(f"s3://access-logs/{PREFIX}", out, start=day, end=day, sources=["s3access"], progress=False)

    assert _copied(out) == wanted and result.copied == result.listed == len(wanted)
    assert sorted(r["key"] for r in result.refused) == sorted(climbing)
    assert all(p == out or out in p.parents for p in tmp_path.rglob("*") if p != out)
    for call in listings:  # never the whole bucket, never AWSLogs/: the target prefix's folders, then day prefixes
        prefix = call.get("prefix", "")
        assert prefix.startswith(f"{PREFIX}/s3-access-logs/"), call
        assert "delimiter" in call or prefix.endswith(day.strftime("/%Y/%m/%d/")), call
    assert not [c for c in listings if "/../" in c.get("prefix", "") or "Not_A_Bucket" in c.get("prefix", "")]
    again = sync(f"s3://access-logs/{PREFIX}/s3-access-logs", out, start=day, end=day, progress=False)
    assert (again.copied, again.skipped) == (0, len(wanted))
    with LocalEngine(out) as local, LocalEngine(organisation) as plain:
        sql = f"SELECT count(*) AS n FROM s3access WHERE day = '{day:%Y/%m/%d}'"
        assert local.query(sql).n.iloc[0] == plain.query(sql).n.iloc[0] > 0
    with pytest.raises(AwsResourceMissing, match="nothing under s3://access-logs/wrong/s3-access-logs/"):
        sync("s3://access-logs/wrong", out, start=day, end=day, sources=["s3access"], progress=False)
