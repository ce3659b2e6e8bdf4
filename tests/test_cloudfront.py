"""CloudFront standard logs: a global service's source (no region), read, imported, pruned and pivoted on.

The entries are AWS's documented example log file (header lines, tab-separated fields in the
documented order); the sample organisation's distribution gives the planted leaked key's look around.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from workbench.aws.ddl import create_table_sql, table_spec
from workbench.engines.local import LocalEngine
from workbench.errors import WorkbenchError
from workbench.formats.importer import import_files
from workbench.sources import get_source
from workbench.sources.cloudfront import FIELDS

ACCOUNT, DIST = "111122223333", "EMLARXS9EXAMPLE"
UA = ("Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20"
      "Chrome/78.0.3904.108%20Safari/537.36")
HEADER = ["#Version: 1.0", f"#Fields: {FIELDS}"]
#: Three of the documented example's entries: a cache hit over HTTPS (the last with the trailing
#: tab one entry of the example has), and an origin DNS error over HTTP.
HIT = ["2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET", "d111111abcdef8.cloudfront.net", "/index.html",
       "200", "-", UA, "-", "-", "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
       "d111111abcdef8.cloudfront.net", "https", "23", "0.001", "-", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Hit",
       "HTTP/2.0", "-", "-", "11040", "0.001", "Hit", "text/html", "78", "-", "-"]
HIT2 = HIT[:14] + ["f37nTMVvnKvV2ZSvEsivup_c2kZ7VXzYdjC-GUQZ5qNs-89BlWazbw=="] + HIT[15:] + [""]
ERROR = ["2019-12-13", "22:36:27", "SEA19-C1", "900", "192.0.2.200", "GET", "d111111abcdef8.cloudfront.net",
         "/favicon.ico", "502", "http://www.example.com/", UA, "-", "-", "Error",
         "1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==", "www.example.com", "http", "675", "0.102", "-", "-",
         "-", "Error", "HTTP/1.1", "-", "-", "25260", "0.102", "OriginDnsError", "text/html", "507", "-", "-"]
LINES = HEADER + ["\t".join(HIT), "\t".join(HIT2), "\t".join(ERROR)]


def _write(root: Path, lines: list[str], *, day: str = "2019/12/04", hour: str = "21", tag: str = "RT4KCN4SGK9",
           raw: bytes | None = None) -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "CloudFront" / DIST / day / hour
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DIST}.{day.replace('/', '-')}-{hour}.{tag}.gz"
    path.write_bytes(raw if raw is not None else gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def _rows(root: Path, sql: str = "SELECT * FROM cloudfront"):
    with LocalEngine(root) as engine:
        return engine.query(sql, allow_full_scan=True), engine.last_scan


def test_the_documented_log_file_reads_into_its_fields(tmp_path):
    _write(tmp_path, LINES)
    rows, scan = _rows(tmp_path)
    assert not scan.problems and len(rows) == 3, "the header lines are no records; the trailing tab is allowed"
    hit = rows[rows.x_edge_request_id == HIT[14]].iloc[0]
    assert (hit.date, hit.time, hit.x_edge_location, hit.sc_bytes, hit.c_ip, hit.cs_method) == (
        "2019-12-04", "21:02:31", "LAX1", 392, "192.0.2.100", "GET")
    assert (hit.cs_host, hit.cs_uri_stem, hit.sc_status, hit.cs_referrer, hit.cs_user_agent) == (
        "d111111abcdef8.cloudfront.net", "/index.html", 200, "-", UA)
    assert (hit.x_edge_result_type, hit.cs_protocol, hit.cs_bytes, hit.time_taken, hit.ssl_protocol) == (
        "Hit", "https", 23, 0.001, "TLSv1.2")
    assert (hit.cs_protocol_version, hit.c_port, hit.time_to_first_byte, hit.sc_content_type, hit.sc_content_len) == (
        "HTTP/2.0", 11040, 0.001, "text/html", 78)
    assert pd.isna(hit.sc_range_start) and pd.isna(hit.fle_encrypted_fields), "a dash is no number"
    assert (hit.account, hit.distribution, hit.day) == (ACCOUNT, DIST, "2019/12/04")
    error = rows[rows.sc_status == 502].iloc[0]
    assert (error.x_edge_result_type, error.x_edge_detailed_result_type, error.cs_referrer, error.ssl_cipher) == (
        "Error", "OriginDnsError", "http://www.example.com/", "-")
    assert "region" not in rows.columns, "CloudFront is global: its table has no region"


def test_a_condition_on_region_is_an_error_that_names_the_table(tmp_path):
    _write(tmp_path, LINES)
    with LocalEngine(tmp_path) as engine, pytest.raises(WorkbenchError, match="region"):
        engine.query("SELECT count(*) FROM cloudfront WHERE region = 'us-east-1' AND day = '2019/12/04'")


def test_a_damaged_file_keeps_every_good_entry_and_names_the_rest(tmp_path):
    bad = _write(tmp_path, HEADER + ["\t".join(HIT), "no tabs here", "\t".join(HIT2).replace("/index.html", "/a\x01b")],
                 tag="BAD1")
    _write(tmp_path, [], hour="22", tag="TRUNC1", raw=gzip.compress(("\n".join(LINES) + "\n").encode())[:-9])
    rows, scan = _rows(tmp_path)
    reasons = {}
    for problem in scan.problems:
        reasons.setdefault(Path(problem["path"]).name, []).append(problem["reason"])
    assert "1 line(s) are not in the CloudFront standard logs format (first: line 4); the other lines are kept" \
        in reasons[bad.name]
    assert "1 line(s) hold control characters, shown escaped (\\xNN)" in reasons[bad.name]
    assert any("gzip" in r for name, rs in reasons.items() if "TRUNC1" in name for r in rs)
    assert "/a\\x01b" in set(rows.cs_uri_stem), "text stays text"


def test_a_legacy_flat_file_is_filed_by_its_name(tmp_path):
    loose = tmp_path / "legacy" / "example-prefix"
    loose.mkdir(parents=True)
    (loose / f"{DIST}.2019-12-04-21.RT4KCN4SGK9.gz").write_bytes(gzip.compress(("\n".join(LINES) + "\n").encode()))
    report = import_files([tmp_path / "legacy"], tmp_path / "logs", account=ACCOUNT)
    assert report.complete and report.written == 3
    placed = [Path(p).relative_to(tmp_path / "logs").parts for p in report.outputs]
    assert {p[:8] for p in placed} == {("AWSLogs", ACCOUNT, "CloudFront", DIST, "2019", "12", "04", "21"),
                                       ("AWSLogs", ACCOUNT, "CloudFront", DIST, "2019", "12", "13", "22")}
    assert all(get_source("cloudfront").parse_key("/".join(p)) for p in placed), "names as AWS gives them"
    written = gzip.decompress(Path(report.outputs[0]).read_bytes()).decode().split("\n")
    assert written[:2] == HEADER, "an imported file starts with the header lines, as AWS writes them"
    rows, scan = _rows(tmp_path / "logs")
    assert not scan.problems and sorted(rows.x_edge_request_id) == sorted([HIT[14], HIT2[14], ERROR[14]])


@pytest.mark.parametrize("name", ["../../etc/passwd.2019-12-04-21.X.gz", "notadistribution.gz", "e1lower.2019-12-04-21.X.gz"])
def test_a_loose_file_whose_name_names_no_distribution_is_refused(tmp_path, name):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / Path(name).name).write_bytes(gzip.compress(("\n".join(LINES) + "\n").encode()))
    report = import_files([tmp_path / "in"], tmp_path / "logs", account=ACCOUNT)
    assert report.written == 0 and report.rejected == 3
    assert any("no distribution" in reason for _, reason in report.reject_reasons)
    assert not list((tmp_path / "logs").rglob("*.gz"))


def test_the_athena_table_has_no_region_and_projects_the_distributions():
    spec = table_spec(get_source("cloudfront"), bucket="logs", accounts=[ACCOUNT], regions=[], scopes=[DIST])
    sql = create_table_sql(spec)
    assert "PARTITIONED BY (`account` string, `distribution` string, `day` string)" in sql
    assert "projection.region" not in sql and f"'projection.distribution.values'='{DIST}'" in sql
    assert "'storage.location.template'='s3://logs/AWSLogs/${account}/CloudFront/${distribution}/${day}'" in sql
    assert "'skip.header.line.count'='2'" in sql
    with pytest.raises(ValueError, match="distribution"):
        table_spec(get_source("cloudfront"), bucket="logs", accounts=[ACCOUNT], regions=[], scopes=["../x"])


# -- the sample organisation -----------------------------------------------------------


@pytest.fixture(scope="module")
def engine(sample_org):
    with LocalEngine(sample_org) as engine:
        yield engine


def test_the_leaked_keys_address_looks_around_the_distribution_first(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    rows = engine.query("cloudfront/requests_by_client", {**window, "addresses": [planted["source_ip"]]})
    assert list(rows.x_edge_request_id) == planted["cloudfront_request_ids"], "exactly its requests, in order"
    assert set(rows.distribution) == {planted["distribution"]}
    assert list(rows[rows.sc_status == 200].cs_uri_stem) == planted["cloudfront_paths"]
    assert set(rows.user_agent) == {"python-requests/2.31.0"}, "the user agent is decoded"
    assert rows.request_time.max().isoformat() < planted["start"].replace("Z", "+00:00"), "before it uses the key"
    top = engine.query("cloudfront/top_clients", {**window, "top": 100})
    mine = top[top.c_ip == planted["source_ip"]].iloc[0]
    assert (mine.requests, mine.client_errors) == (len(planted["cloudfront_request_ids"]), 4)
    results = engine.query("cloudfront/cache_results", window)
    assert int(results[results.x_edge_result_type == "Error"].requests.sum()) == 4, "only it was refused"


def test_one_day_reads_only_that_days_folders(sample_org, truth):
    dist = truth["by_kind"]["compromised_access_key"]["distribution"]
    day_files = list((next(sample_org.rglob("CloudFront")) / dist / "2026" / "11" / "03").rglob("*.gz"))
    with LocalEngine(sample_org, cache=False) as engine:
        engine.query("cloudfront/requests_by_edge", {"start": "2026-11-03", "end": "2026-11-03"})
        assert engine.last_scan.files == len(day_files) > 0
        engine.query("cloudfront/requests_by_edge", {"start": "2026-11-03", "end": "2026-11-03",
                                                      "distributions": ["E0THERDIST0000"]})
        assert engine.last_scan.files == 0
