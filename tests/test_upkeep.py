"""The partition-upkeep Lambda (workbench/upkeep.py), run against a local AWS API server.

The server (moto, in server mode) holds a sample organisation uploaded as AWS delivers it,
under a key prefix, with the Glue tables exactly as the stack creates them (resolved from
infra/workbench.yaml). The Lambda must find every account and region, widen the projected
values, write nothing on a second run, and register classic partitions where projection is
off.
"""

import contextlib
import datetime as dt
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.moto_aws import aws_server, fake_account  # noqa: F401 - aws_server is a fixture
from workbench.aws import upkeep
from workbench.aws.cfn import load_template, resolve
from workbench.aws.deploy import lambda_zip
from workbench.sample import generate
from workbench.sources import get_source

boto3 = pytest.importorskip("boto3")

BUCKET = "org-trail-logs"
PREFIX = "trail/"
DATABASE = "security_logs"
TABLES = {"cloudtrail": "CloudTrailTable", "vpcflow": "VpcFlowTable", "guardduty": "GuardDutyTable", "alb": "AlbTable",
          "waf": "WafTable",
          "alb_connections": "AlbConnectionsTable", "nlb": "NlbTable", "clb": "ClbTable",
          "cloudfront": "CloudFrontTable", "resolver": "ResolverTable", "s3access": "S3AccessTable"}
#: The folders the sample's logs are in: AWSLogs/ and, beside it, the S3 server access logs' target prefix.
ROOTS = ("AWSLogs", "s3-access-logs")


# -- pure functions ------------------------------------------------------------------


@pytest.mark.parametrize("template, layout", [
    ("s3://b/AWSLogs/${account}/CloudTrail/${region}/${day}", ("b", "AWSLogs/", "CloudTrail")),
    ("s3://b/p/q/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${day}",
     ("b", "p/q/AWSLogs/o-abcdefghij/", "CloudTrail")),
    ("s3://b/AWSLogs/${account}/vpcflowlogs/${region}/${day}/", ("b", "AWSLogs/", "vpcflowlogs")),
    ("s3://b/AWSLogs/${account}/vpcdnsquerylogs/${vpc}/${day}", ("b", "AWSLogs/", "vpcdnsquerylogs", "vpc", False)),
    ("s3://b/p/s3-access-logs/${account}/${region}/${bucket}/${day}", ("b", "p/s3-access-logs/", "", "bucket")),
])
def test_layout_comes_from_the_location_template(template, layout):
    assert upkeep.parse_location_template(template) == upkeep.Layout(*layout)


@pytest.mark.parametrize("template", ["", "s3://b/AWSLogs/${region}/${account}/${day}", "b/AWSLogs/${account}/x/${region}/${day}"])
def test_unknown_layouts_are_refused(template):
    with pytest.raises(ValueError, match="storage.location.template"):
        upkeep.parse_location_template(template)


def test_values_are_widened_not_replaced_unless_pruning():
    assert upkeep.merged_values("b,a", ["c", "a"]) == "a,b,c"
    assert upkeep.merged_values("b,a", ["c", "a"], prune=True) == "a,c"
    assert upkeep.merged_values("a", [], prune=True) == "a"  # an empty enum would break the table


def test_classic_window_runs_to_tomorrow_and_is_bounded():
    assert upkeep.window_days(dt.date(2026, 12, 31), days_back=1) == ["2026/12/30", "2026/12/31", "2027/01/01"]
    with pytest.raises(ValueError, match="too long"):
        upkeep.window_days(dt.date(2026, 1, 1), backfill_from=dt.date(2000, 1, 1))


def test_the_lambda_zip_imports_with_the_standard_library_alone(tmp_path):
    archive = tmp_path / "upkeep.zip"
    archive.write_bytes(lambda_zip())
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import upkeep; "
        "third = sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'pandas', 'duckdb', "
        "'pyarrow', 'numpy', 'workbench', 'yaml'}); print(','.join(third)); print(callable(upkeep.handler))"
    )
    # -I -S: no site-packages at all, so only the standard library can be imported.
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(archive)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["", "True"]


# -- against the local AWS server -------------------------------------------------------


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """A small sample organisation (organisation trail) on disk, and its scenarios.json."""
    out = tmp_path_factory.mktemp("upkeep-org")
    doc = generate(out, start=dt.date(2026, 11, 1), days=1, accounts=4, regions=("us-east-1", "eu-west-1"),
                   seed=21, scale=0.05)
    return out, doc["generator"]


@pytest.fixture(scope="module")
def cloud(aws_server, org, tmp_path_factory):
    """The organisation uploaded to the local server under ``trail/``, with the console's
    zero-byte folder markers; boto3 clients for S3 and Glue."""
    out, _ = org
    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_account(aws_server, monkeypatch, tmp_path_factory.mktemp("aws"))
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        files = [p for root in ROOTS for p in (out / root).rglob("*") if p.is_file()]

        def put(path):
            s3.put_object(Bucket=BUCKET, Key=PREFIX + path.relative_to(out).as_posix(), Body=path.read_bytes())

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(put, files))
        for marker in ("AWSLogs/", f"AWSLogs/{_accounts(out)[0]}/", "s3-access-logs/"):
            s3.put_object(Bucket=BUCKET, Key=PREFIX + marker, Body=b"")
        yield {"s3": s3, "glue": boto3.client("glue")}


@pytest.fixture()
def stack(cloud, org):
    """Database and tables as the stack creates them, projecting one account and us-east-1."""
    _, gen = org
    resolved = resolve(load_template(), {
        "LogBucket": BUCKET, "LogPrefix": PREFIX, "OrganizationId": gen["org_id"], "ArtifactBucket": "artifacts",
        "CreateNotebook": "false",
        "Accounts": sorted(gen["accounts"])[0], "Regions": "us-east-1", "DatabaseName": DATABASE,
    })
    glue = cloud["glue"]
    with contextlib.suppress(glue.exceptions.EntityNotFoundException):
        glue.delete_database(Name=DATABASE)
    glue.create_database(DatabaseInput=resolved["Resources"]["Database"]["Properties"]["DatabaseInput"])
    for logical in TABLES.values():
        glue.create_table(DatabaseName=DATABASE, TableInput=resolved["Resources"][logical]["Properties"]["TableInput"])
    return resolved


@pytest.fixture()
def calls(cloud):
    """Count the API calls made by clients created from now on; check every listing is by folder."""
    counts: dict[str, int] = {}
    session = boto3.Session()

    def count(model, params, **_):
        counts[model.name] = counts.get(model.name, 0) + 1
        if model.name == "ListObjectsV2":
            assert params.get("Delimiter") == "/", "the upkeep must list folders, never every object"

    session.events.register("provide-client-params.*.*", lambda params, model, **kw: count(model, params))
    return counts, session.client("s3"), session.client("glue")


def _accounts(out):
    return sorted(p.name for p in (out / "AWSLogs").iterdir() if p.name.isdigit())


def on_disk(out, source_name: str, *, scopes: bool = False):
    """Accounts and regions (and, with ``scopes``, the folders between region and day) holding this
    source's log files in the sample, by the package's key parser."""
    source = get_source(source_name)
    accounts, regions, found = set(), set(), set()
    for path in (p for root in ROOTS for p in (out / root).rglob("*")):
        parts = source.parse_key(path.relative_to(out).as_posix()) if path.is_file() else None
        if parts:
            accounts.add(parts["account"])
            regions.add(parts["region"])
            found.add((parts["account"], parts["region"], parts["scope"]))
    return sorted(found) if scopes else (sorted(accounts), sorted(regions))


def projection(glue, table: str) -> tuple[list[str], list[str]]:
    """The projected accounts and regions (``[""]`` for a global service's table, which has no region)."""
    params = glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]["Parameters"]
    return params["projection.account.values"].split(","), params.get("projection.region.values", "").split(",")


def test_the_lambda_finds_every_account_and_region_and_is_idempotent(stack, cloud, org, calls, monkeypatch):
    out, gen = org
    for name, value in stack["Resources"]["UpkeepFunction"]["Properties"]["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(upkeep, "discover", _discover_with(calls[1]))

    first = upkeep.handler({}, None)  # the Lambda entry point, configured as the stack configures it

    glue = cloud["glue"]
    initial = ([sorted(gen["accounts"])[0]], ["us-east-1"])  # what the stack projected
    for table in TABLES:
        found = on_disk(out, table)
        start = initial if get_source(table).regional else (initial[0], [""])  # a global service: no region
        wanted = tuple(sorted(set(f) | set(i)) for f, i in zip(found, start))  # widened, never narrowed
        assert projection(glue, table) == wanted, table
        assert first["tables"][table]["updated"] is (wanted != start or bool(get_source(table).scope_partition)), table
        assert first["tables"][table]["accounts"] == wanted[0]
    # the web ACL folders too: the stack projected a placeholder, the upkeep found the real names
    waf_folders = on_disk(out, "waf", scopes=True)
    params = glue.get_table(DatabaseName=DATABASE, Name="waf")["Table"]["Parameters"]
    assert params["projection.web_acl.values"] == ",".join(sorted({"none"} | {s for _, _, s in waf_folders}))
    assert first["tables"]["waf"]["updated"] is True
    # and the distributions, right below the CloudFront folder (no region folder there)
    cdn_folders = on_disk(out, "cloudfront", scopes=True)
    params = glue.get_table(DatabaseName=DATABASE, Name="cloudfront")["Table"]["Parameters"]
    assert cdn_folders and params["projection.distribution.values"] == ",".join(
        sorted({"NONE"} | {s for _, _, s in cdn_folders}))
    assert "projection.region.values" not in params
    # and the VPCs of the Resolver query logs, right below their folder too
    vpc_folders = on_disk(out, "resolver", scopes=True)
    params = glue.get_table(DatabaseName=DATABASE, Name="resolver")["Table"]["Parameters"]
    assert vpc_folders and params["projection.vpc.values"] == ",".join(
        sorted({"vpc-00000000"} | {s for _, _, s in vpc_folders}))
    assert "projection.region.values" not in params
    # and the buckets of the S3 server access logs, below each account's region folders under s3-access-logs/
    bucket_folders = on_disk(out, "s3access", scopes=True)
    params = glue.get_table(DatabaseName=DATABASE, Name="s3access")["Table"]["Parameters"]
    assert bucket_folders and params["projection.bucket.values"] == ",".join(
        sorted({"none"} | {s for _, _, s in bucket_folders}))
    assert params["projection.region.values"] == ",".join(sorted({"us-east-1"} | {r for _, r, _ in bucket_folders}))
    assert projection(glue, "cloudtrail")[0] == sorted(gen["accounts"])
    assert set(projection(glue, "cloudtrail")[1]) == set(gen["cloudtrail_regions"])

    counts, s3, glue_client = calls
    before = {t: glue.get_table(DatabaseName=DATABASE, Name=t)["Table"]["VersionId"] for t in TABLES}
    counts.clear()
    second = upkeep.upkeep(DATABASE, list(TABLES), s3=s3, glue=glue_client)
    assert all(not report["updated"] and not report["would_update"] for report in second["tables"].values())
    assert "UpdateTable" not in counts and counts["GetTable"] == len(TABLES)
    # one listing of the account folders per table, then one per account folder found, then (WAF, S3 server
    # access logs) one per account and region folder found; CloudFront's distributions and Resolver's VPCs
    # are the folders the per-account listing finds
    org_accounts = [p for p in (out / "AWSLogs" / gen["org_id"]).iterdir() if p.name.isdigit()]
    waf_regions = {(a, r) for a, r, _ in waf_folders}
    s3_accounts = [p for p in (out / "s3-access-logs").iterdir() if p.name.isdigit()]
    s3_regions = {(a, r) for a, r, _ in bucket_folders}
    assert counts["ListObjectsV2"] == (len(TABLES) + len(org_accounts) + (len(TABLES) - 2) * len(_accounts(out))
                                      + len(waf_regions) + len(s3_accounts) + len(s3_regions))
    assert {t: glue.get_table(DatabaseName=DATABASE, Name=t)["Table"]["VersionId"] for t in TABLES} == before


def _discover_with(s3):
    """upkeep.discover, always with the counting S3 client."""
    original = upkeep.discover
    return lambda _s3, layout, **kw: original(s3, layout, **kw)


def test_a_new_account_is_added_where_it_appears(stack, cloud, calls):
    counts, s3, glue = calls
    upkeep.upkeep(DATABASE, list(TABLES), s3=s3, glue=glue)
    accounts, regions = projection(cloud["glue"], "vpcflow")
    key = (f"{PREFIX}AWSLogs/999988887777/vpcflowlogs/eu-west-3/2026/11/02/"
           "999988887777_vpcflowlogs_eu-west-3_fl-0abc_20261102T0000Z_0a1b.log.gz")
    cloud["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"")
    try:
        counts.clear()
        report = upkeep.upkeep(DATABASE, list(TABLES), s3=s3, glue=glue)["tables"]
    finally:
        cloud["s3"].delete_object(Bucket=BUCKET, Key=key)
    assert report["vpcflow"]["added"] == {"account": ["999988887777"], "region": ["eu-west-3"]}
    assert projection(cloud["glue"], "vpcflow") == (sorted(accounts + ["999988887777"]), sorted(regions + ["eu-west-3"]))
    assert not report["cloudtrail"]["updated"] and not report["guardduty"]["updated"]
    assert counts["UpdateTable"] == 1


def test_dry_run_writes_nothing(stack, cloud, calls):
    counts, s3, glue = calls
    report = upkeep.upkeep(DATABASE, list(TABLES), s3=s3, glue=glue, dry_run=True)["tables"]
    assert all(r["would_update"] and not r["updated"] for r in report.values())
    assert "UpdateTable" not in counts
    assert projection(cloud["glue"], "guardduty")[1] == ["us-east-1"]


def _projection_off(glue_api, name: str) -> None:
    table = glue_api.get_table(DatabaseName=DATABASE, Name=name)["Table"]
    body = upkeep.table_input(table)
    body["Parameters"] = {**body["Parameters"], "projection.enabled": "false"}
    glue_api.update_table(DatabaseName=DATABASE, TableInput=body)


def test_classic_partitions_where_projection_is_off(stack, cloud, org, calls):
    out, gen = org
    glue_api = cloud["glue"]
    _projection_off(glue_api, "cloudtrail")
    counts, s3, glue = calls
    today = dt.date.fromisoformat(gen["start"])

    report = upkeep.upkeep(DATABASE, ["cloudtrail"], s3=s3, glue=glue, today=today, days_back=1)["tables"]

    accounts, regions = on_disk(out, "cloudtrail")
    pairs = [(a, r) for a in accounts for r in regions]  # every account writes every trail region
    days = ["2026/10/31", "2026/11/01", "2026/11/02"]
    assert report["cloudtrail"]["created"] == len(pairs) * len(days) and not report["cloudtrail"]["errors"]
    partitions = glue_api.get_partitions(DatabaseName=DATABASE, TableName="cloudtrail")["Partitions"]
    assert sorted(tuple(p["Values"]) for p in partitions) == sorted((a, r, d) for a, r in pairs for d in days)
    source = get_source("cloudtrail")
    for part in partitions:
        a, r, d = part["Values"]
        key = source.key_prefix(account=a, region=r, day=d, org_id=gen["org_id"], prefix=PREFIX)
        assert part["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{key}"
        listed = cloud["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key)
        assert (listed["KeyCount"] > 0) == (d == "2026/11/01"), "logs are in the partition's folder"

    counts.clear()
    again = upkeep.upkeep(DATABASE, ["cloudtrail"], s3=s3, glue=glue, today=today, days_back=1)["tables"]
    assert again["cloudtrail"]["created"] == 0 and "BatchCreatePartition" not in counts


def test_classic_partitions_of_a_global_layout_have_no_region(stack, cloud, org, calls):
    """Resolver query logs without projection: each account x VPC x day is registered at
    .../<account>/vpcdnsquerylogs/<vpc>/<day>/, with no region in its values or its location."""
    out, gen = org
    glue_api = cloud["glue"]
    _projection_off(glue_api, "resolver")
    counts, s3, glue = calls
    today = dt.date.fromisoformat(gen["start"])

    report = upkeep.upkeep(DATABASE, ["resolver"], s3=s3, glue=glue, today=today, days_back=0)["tables"]

    folders = [(a, s) for a, _, s in on_disk(out, "resolver", scopes=True)]
    days = ["2026/11/01", "2026/11/02"]
    assert folders and report["resolver"]["created"] == len(folders) * len(days) and not report["resolver"]["errors"]
    partitions = glue_api.get_partitions(DatabaseName=DATABASE, TableName="resolver")["Partitions"]
    assert sorted(tuple(p["Values"]) for p in partitions) == sorted((a, s, d) for a, s in folders for d in days)
    source = get_source("resolver")
    for part in partitions:
        a, vpc, d = part["Values"]
        key = source.key_prefix(account=a, region="", day=d, org_id=gen["org_id"], prefix=PREFIX, scope=vpc)
        assert part["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{key}"
        listed = cloud["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key)
        assert (listed["KeyCount"] > 0) == (d == "2026/11/01"), "logs are in the partition's folder"

    counts.clear()
    again = upkeep.upkeep(DATABASE, ["resolver"], s3=s3, glue=glue, today=today, days_back=0)["tables"]
    assert again["resolver"]["created"] == 0 and "BatchCreatePartition" not in counts


def test_classic_partitions_outside_awslogs(stack, cloud, org, calls):
    """S3 server access logs without projection: each account x region x bucket x day is registered at
    .../s3-access-logs/<account>/<region>/<bucket>/<day>/, found below the target prefix, not AWSLogs/."""
    out, gen = org
    glue_api = cloud["glue"]
    _projection_off(glue_api, "s3access")
    counts, s3, glue = calls
    today = dt.date.fromisoformat(gen["start"])

    report = upkeep.upkeep(DATABASE, ["s3access"], s3=s3, glue=glue, today=today, days_back=0)["tables"]

    folders = on_disk(out, "s3access", scopes=True)
    days = ["2026/11/01", "2026/11/02"]
    assert len(folders) == len(gen["accounts"]), "every account's data bucket logs"
    assert report["s3access"]["created"] == len(folders) * len(days) and not report["s3access"]["errors"]
    partitions = glue_api.get_partitions(DatabaseName=DATABASE, TableName="s3access")["Partitions"]
    assert sorted(tuple(p["Values"]) for p in partitions) == sorted((a, r, b, d) for a, r, b in folders for d in days)
    source = get_source("s3access")
    for part in partitions:
        a, r, b, d = part["Values"]
        key = source.key_prefix(account=a, region=r, day=d, prefix=PREFIX, scope=b)
        assert key.startswith(f"{PREFIX}s3-access-logs/{a}/{r}/{b}/")
        assert part["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{key}"
        listed = cloud["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key)
        assert (listed["KeyCount"] > 0) == (d == "2026/11/01"), "logs are in the partition's folder"

    counts.clear()
    again = upkeep.upkeep(DATABASE, ["s3access"], s3=s3, glue=glue, today=today, days_back=0)["tables"]
    assert again["s3access"]["created"] == 0 and "BatchCreatePartition" not in counts


def test_bucket_folders_are_bucket_names(cloud, calls):
    """The bucket folder may hold dots (a bucket's name), never a name S3 would not give a bucket."""
    _, s3, _ = calls
    layout = upkeep.parse_location_template(f"s3://{BUCKET}/odd/s3-access-logs/${{account}}/${{region}}/${{bucket}}/${{day}}")
    keys = [f"odd/s3-access-logs/111122223333/eu-west-1/{name}/2026/11/01/2026-11-01-00-00-00-0123456789ABCDEF"
            for name in ("logs.example.com", "shop-data", "..", "Not_A_Bucket", "x")]
    keys.append("odd/s3-access-logs/not-an-account/eu-west-1/shop-data/2026/11/01/x")
    for key in keys:
        cloud["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"")
    try:
        found = upkeep.discover(s3, layout)
    finally:
        for key in keys:
            cloud["s3"].delete_object(Bucket=BUCKET, Key=key)
    assert found.pairs == [("111122223333", "eu-west-1")]
    assert found.scopes == ["logs.example.com", "shop-data"]


def test_hive_compatible_prefixes_get_their_partitions_registered(cloud, org, calls):
    """Flow logs and CloudFront logs delivered with Hive-compatible prefixes: the stack makes their tables
    without projection, and the Lambda registers each account x region (or distribution) x day with the
    folder AWS wrote it to; a second run creates nothing."""
    from tests.test_cloudfront_outputs import _hive_key

    out, gen = org
    s3_api, glue_api = cloud["s3"], cloud["glue"]
    s3_api.create_bucket(Bucket="hive-logs")
    wanted = {"vpcflow": set(), "cloudfront": set()}
    for name in wanted:
        source = get_source(name)
        for path in (out / "AWSLogs").rglob("*"):
            key = _hive_key(source, path.relative_to(out).as_posix()) if path.is_file() else None
            if key:
                s3_api.put_object(Bucket="hive-logs", Key="edge/" + key, Body=path.read_bytes())
                parts = source.parse_key(key)
                wanted[name].add((parts["account"], *([parts["region"]] if source.regional else []),
                                  *([parts["scope"]] if source.scope_partition else [])))
    resolved = resolve(load_template(), {
        "LogBucket": "hive-logs", "LogPrefix": "edge/", "ArtifactBucket": "artifacts", "CreateNotebook": "false",
        "DatabaseName": "hive_logs", "FlowLogPaths": "hive", "CloudFrontPaths": "hive"})
    with contextlib.suppress(glue_api.exceptions.EntityNotFoundException):
        glue_api.delete_database(Name="hive_logs")
    glue_api.create_database(DatabaseInput=resolved["Resources"]["Database"]["Properties"]["DatabaseInput"])
    for logical in ("VpcFlowTable", "CloudFrontTable"):
        table_input = resolved["Resources"][logical]["Properties"]["TableInput"]
        assert table_input["Parameters"]["projection.enabled"] == "false"
        glue_api.create_table(DatabaseName="hive_logs", TableInput=table_input)
    counts, s3, glue = calls
    today = dt.date.fromisoformat(gen["start"])

    report = upkeep.upkeep("hive_logs", ["vpcflow", "cloudfront"], s3=s3, glue=glue, today=today,
                           days_back=0)["tables"]

    days = ["2026/11/01", "2026/11/02"]
    for name, found in wanted.items():
        assert found and report[name]["created"] == len(found) * len(days) and not report[name]["errors"]
        partitions = glue_api.get_partitions(DatabaseName="hive_logs", TableName=name)["Partitions"]
        assert sorted(tuple(p["Values"]) for p in partitions) == sorted(f + (d,) for f in found for d in days)
        for part in partitions:
            location = part["StorageDescriptor"]["Location"]
            *where, day = part["Values"]
            y, m, d = day.split("/")
            middle = (f"aws-service=vpcflowlogs/aws-region={where[1]}" if name == "vpcflow"
                      else f"CloudFront/DistributionId={where[1]}")
            assert location == (f"s3://hive-logs/edge/AWSLogs/aws-account-id={where[0]}/{middle}/"
                                f"year={y}/month={m}/day={d}/")
            prefix = location.split("hive-logs/", 1)[1]
            listed = s3_api.list_objects_v2(Bucket="hive-logs", Prefix=prefix)
            assert (listed["KeyCount"] > 0) == (part["Values"][-1] == "2026/11/01"), location
    counts.clear()
    again = upkeep.upkeep("hive_logs", ["vpcflow", "cloudfront"], s3=s3, glue=glue, today=today, days_back=0)
    assert all(r["created"] == 0 for r in again["tables"].values()) and "BatchCreatePartition" not in counts
