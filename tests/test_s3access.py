"""S3 server access logs: the first source outside AWSLogs/, read, imported, queried and pivoted on.

The entries are AWS's documented example log records (space-separated fields, the time in brackets,
the request line and user agent quoted, ``-`` for none), one of them cut after the host header as an
older delivery writes it; the sample organisation's leaked key gives the bulk download.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.aws.ddl import create_table_sql, table_spec
from workbench.detections import list_rules, run_rules
from workbench.engines.local import LocalEngine
from workbench.engines.local.listing import LogTree
from workbench.formats.importer import import_files
from workbench.sources import get_source

ACCOUNT, REGION, BUCKET = "123456789012", "us-west-1", "amzn-s3-demo-bucket1"
OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
HOST_ID = "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234="
TAIL = (f"SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {BUCKET}.s3.us-west-1.amazonaws.com TLSV1.2 "
        "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1")
VERSIONING = (f'{OWNER} {BUCKET} [06/Feb/2019:00:00:38 +0000] 192.0.2.3 {OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - '
              f'"GET /{BUCKET}?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - {HOST_ID} {TAIL}')
OBJECT = (f'{OWNER} {BUCKET} [06/Feb/2019:00:01:57 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice '
          f'DD6CC733AEXAMPLE REST.GET.OBJECT photos/2019/08/puppy.jpg "GET /{BUCKET}/photos/2019/08/puppy.jpg HTTP/1.1" '
          f'200 - 2662992 3462992 70 10 "-" "aws-cli/2.15.0" - {HOST_ID} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader '
          f'{BUCKET}.s3.us-west-1.amazonaws.com')
ANONYMOUS = (f'{OWNER} {BUCKET} [06/Feb/2019:00:02:10 +0000] 203.0.113.50 - 7B4A0FABBEXAMPLE REST.GET.BUCKET - '
             f'"GET /{BUCKET}?list-type=2 HTTP/1.1" 403 AccessDenied 243 - 9 - "-" "curl/8.5.0" - {HOST_ID} - - - '
             f'{BUCKET}.s3.us-west-1.amazonaws.com TLSV1.2 - - us-west-1')


def _write(root: Path, lines: list[str], *, bucket: str = BUCKET, day: str = "2019/02/06",
           name: str = "2019-02-06-00-05-12-0A1B2C3D4E5F6789") -> Path:
    folder = root / "s3-access-logs" / ACCOUNT / REGION / bucket / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _rows(root: Path, sql: str = "SELECT * FROM s3access"):
    with LocalEngine(root) as engine:
        return engine.query(sql, allow_full_scan=True), engine.last_scan


def test_the_documented_records_read_into_their_columns(tmp_path):
    _write(tmp_path, [VERSIONING, OBJECT, ANONYMOUS])
    rows, scan = _rows(tmp_path)
    assert not scan.problems and len(rows) == 3
    first = rows[rows.requestid == "3E57427F3EXAMPLE"].iloc[0]
    assert (first.bucketowner, first.bucket_name, first.requestdatetime, first.remoteip, first.operation) == (
        OWNER, BUCKET, "06/Feb/2019:00:00:38 +0000", "192.0.2.3", "REST.GET.VERSIONING")
    assert (first.key, first.request_uri, first.httpstatus, first.bytessent) == (
        "-", f"GET /{BUCKET}?versioning HTTP/1.1", "200", 113)
    assert pd.isna(first.objectsize), "a dash is no number"
    assert (first.sigv, first.endpoint, first.accesspointarn, first.aclrequired, first.sourceregion) == (
        "SigV4", f"{BUCKET}.s3.us-west-1.amazonaws.com", "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP",
        "Yes", "us-east-1")
    assert (first.account, first.region, first.bucket, first.day) == (ACCOUNT, REGION, BUCKET, "2019/02/06")
    older = rows[rows.requestid == "DD6CC733AEXAMPLE"].iloc[0]
    assert (older.objectsize, older.requester, older.endpoint) == (
        3462992, "arn:aws:iam::123456789012:user/alice", f"{BUCKET}.s3.us-west-1.amazonaws.com")
    assert pd.isna(older.tlsversion) and pd.isna(older.sourceregion), "fields an older line lacks are null"
    assert rows[rows.requester == "-"].errorcode.tolist() == ["AccessDenied"]


def test_a_damaged_line_is_named_and_the_others_kept(tmp_path):
    _write(tmp_path, [VERSIONING, "not an access log line", OBJECT.replace('"aws-cli/2.15.0"', '"a\x01b"'), ANONYMOUS])
    rows, scan = _rows(tmp_path)
    assert set(rows.requestid) >= {"3E57427F3EXAMPLE", "7B4A0FABBEXAMPLE"}
    assert any("0A1B2C3D4E5F6789" in p["path"] for p in scan.problems), scan.problems


@pytest.mark.parametrize("folder", ["..", "Not_A_Bucket", "x"])
def test_a_folder_that_is_not_a_bucket_name_is_not_a_partition(tmp_path, folder):
    key = "s3-access-logs/{}/{}/{}/2019/02/06/2019-02-06-00-05-12-0A1B2C3D4E5F6789"
    assert get_source("s3access").parse_key(key.format(ACCOUNT, REGION, BUCKET))["scope"] == BUCKET
    assert get_source("s3access").parse_key(key.format(ACCOUNT, REGION, folder)) is None
    assert get_source("s3access").parse_key(key.format(ACCOUNT, "../..", BUCKET)) is None
    bad = tmp_path / "s3-access-logs" / ACCOUNT / REGION / folder / "2019" / "02" / "06"
    if folder != "..":
        bad.mkdir(parents=True)
        (bad / "2019-02-06-00-05-12-0A1B2C3D4E5F6789").write_text(VERSIONING + "\n")
    _write(tmp_path, [OBJECT])
    rows, _ = _rows(tmp_path)
    assert rows.requestid.tolist() == ["DD6CC733AEXAMPLE"], "only the bucket folder is read"


def test_a_log_folder_with_only_access_logs_is_a_log_folder(tmp_path):
    _write(tmp_path, [OBJECT])
    tree = LogTree(tmp_path)
    assert tree.layout()["accounts"] == [ACCOUNT] and tree.layout()["scopes"]["s3access"] == [BUCKET]
    assert [p.scope for p in tree.partitions(get_source("s3access"))] == [BUCKET]


def test_flat_access_logs_import_into_the_partitioned_layout(tmp_path):
    loose = tmp_path / "flat"
    loose.mkdir()
    (loose / "2019-02-06-00-05-12-0A1B2C3D4E5F6789").write_text("\n".join([VERSIONING, OBJECT, ANONYMOUS]) + "\n")
    refused = import_files([loose], tmp_path / "none")
    assert refused.written == 0 and any("--account and --region" in r for _, r in refused.reject_reasons)
    report = import_files([loose], tmp_path / "logs", account=ACCOUNT, region=REGION)
    assert report.complete and report.written == 3
    (written,) = report.outputs
    key = str(Path(written).relative_to(tmp_path / "logs")).replace("\\", "/")
    assert get_source("s3access").parse_key(key)["scope"] == BUCKET, "a key AWS's layout gives, by the line's bucket"
    assert not written.endswith(".gz") and Path(written).read_text().startswith(OWNER), "plain text, as S3 writes it"
    rows, scan = _rows(tmp_path / "logs")
    assert not scan.problems and len(rows) == 3


def test_the_athena_table_projects_accounts_regions_buckets_and_days_outside_awslogs():
    spec = table_spec(get_source("s3access"), bucket="logs", accounts=[ACCOUNT], regions=[REGION], scopes=[BUCKET])
    sql = create_table_sql(spec)
    assert "PARTITIONED BY (`account` string, `region` string, `bucket` string, `day` string)" in sql
    assert f"'projection.bucket.values'='{BUCKET}'" in sql
    assert "'storage.location.template'='s3://logs/s3-access-logs/${account}/${region}/${bucket}/${day}'" in sql
    assert "AWSLogs" not in sql and "RegexSerDe" in sql


# -- the planted leaked key ---------------------------------------------------------------------------------


def test_the_leaked_key_downloads_are_found_exactly(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    hours = engine.query("s3access/downloads_over_time", window)
    big = hours[hours.objects >= 100]
    assert len(big) == 1
    row = big.iloc[0]
    assert (row.bucket, row.requester, row.remoteip) == (planted["s3_bucket"], planted["principal_arn"],
                                                         planted["source_ip"])
    assert row.objects == len(planted["s3_objects"]) and row.sent_bytes == planted["s3_bytes"]
    assert (hours[hours.requester != planted["principal_arn"]].objects < 40).all(), "the application reads a trickle"


def test_the_guesses_are_the_only_error_burst(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    bursts = engine.query("s3access/enumeration_bursts", window)
    assert len(bursts) == 1
    row = bursts.iloc[0]
    assert (row.requester, row.remoteip, row.missing, row.denied) == (
        planted["principal_arn"], planted["source_ip"], len(planted["s3_missing_keys"]), 0)


def test_the_rule_fires_once_on_the_leaked_key(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    found = run_rules(engine, start=window["start"], end=window["end"],
                      rules=[r for r in list_rules() if r.id.startswith("WB-S3-")])
    assert found.failed == {} and found.hits.rule_id.tolist() == ["WB-S3-001"]
    hit = found.hits.iloc[0]
    assert (hit.principal, hit.source_ip) == (planted["principal_arn"], planted["source_ip"])
    assert hit.event_id in planted["s3_request_ids"]


def test_anonymous_requests_are_refused_probes_only(engine, window):
    anonymous = engine.query("s3access/anonymous_requests", window)
    assert len(anonymous) and set(anonymous.httpstatus) == {"403"} and set(anonymous.errorcode) == {"AccessDenied"}
    who = engine.query("s3access/requests_by_requester", window)
    assert who[who.requester == "-"].requests.sum() == anonymous.requests.sum()


def test_a_pivot_on_the_key_or_its_address_shows_the_downloads(engine, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    for entity in ({"source_ip": planted["source_ip"]}, {"principal": planted["user_name"]}):
        found = workbench.pivot(engine, start=planted["day"], end=planted["day"], **entity)
        assert sorted(found.s3.requestid) == sorted(planted["s3_request_ids"])
        assert "s3access" in set(found.timeline.source) and "S3:" in found.summary()
