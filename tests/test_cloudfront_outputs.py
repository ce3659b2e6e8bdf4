"""CloudFront standard logging (v2)'s other output formats: JSON lines and Parquet, read by content.

The sample organisation's W3C files are rewritten as v2 would deliver the same entries in JSON
(one object per line, every value a string, keys as the ``#Fields`` header spells them) and in
Parquet (every column text, as AWS's own Athena table for it declares them); every library query
must answer the same whatever the format, and whatever mix of formats a folder holds.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.engines.local import LocalEngine
from workbench.formats import format_of
from workbench.formats.importer import import_files
from workbench.formats.output_choice import JSON_LINES, PARQUET, TEXT, as_line, file_kind
from workbench.library import list_queries
from workbench.sources import get_source

SOURCE = get_source("cloudfront")
KEYS = [c.key for c in SOURCE.columns]
ACCOUNT, DIST = "111122223333", "EMLARXS9EXAMPLE"


def _entries(path: Path) -> list[dict]:
    """The entries of a W3C file as v2's JSON writes them: every value a string, ``-`` kept."""
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    return [dict(zip(KEYS, line.split("\t")[:len(KEYS)])) for line in lines if line and not line.startswith("#")]


def _parquet_bytes(entries: list[dict], *, names=None, row_group_size: int | None = None) -> bytes:
    names = names or {}
    table = pa.table({names.get(k, k): pa.array([e.get(k) for e in entries], pa.string()) for k in KEYS})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=row_group_size, compression="snappy")
    return sink.getvalue().to_pybytes()


def _json_bytes(entries: list[dict]) -> bytes:
    return gzip.compress("".join(json.dumps(e) + "\n" for e in entries).encode())


def _rewrite(store: Path, how) -> int:
    """Rewrite every CloudFront file of ``store`` with ``how(index, path, entries)``; returns the files."""
    files = sorted(p for p in store.rglob("*") if "/CloudFront/" in p.as_posix() and p.is_file())
    for i, path in enumerate(files):
        how(i, path, _entries(path))
    return len(files)


def _as_json(i, path, entries):
    path.with_name(path.name[:-len(".gz")] + ".json.gz").write_bytes(_json_bytes(entries))
    path.unlink()


def _as_parquet(i, path, entries):
    # AWS's Athena table for the Parquet output names the columns in snake case (cs_host, cs_referer)
    names = {k: re.sub(r"[^a-z0-9]+", "_", k.lower()).strip("_") for k in KEYS}
    path.with_name(path.name[:-len(".gz")] + ".parquet").write_bytes(_parquet_bytes(entries, names=names))
    path.unlink()


def _mixed(i, path, entries):
    if i % 3 == 1:
        _as_json(i, path, entries)
    elif i % 3 == 2:  # JSON under the W3C file's own name: the content decides, not the name
        path.write_bytes(_json_bytes(entries))
    if i % 6 == 0 and i:
        _as_parquet(i, path, entries)


@pytest.fixture(scope="module")
def stores(sample_org, tmp_path_factory):
    """The sample's CloudFront logs as W3C, as JSON, as Parquet, and mixed."""
    out = {}
    for name, how in (("w3c", None), ("json", _as_json), ("parquet", _as_parquet), ("mixed", _mixed)):
        root = tmp_path_factory.mktemp(name)
        for folder in sample_org.rglob("CloudFront"):
            shutil.copytree(folder, root / folder.relative_to(sample_org))
        if how is not None:
            assert _rewrite(root, how) > 100
        out[name] = root
    return out


def _answers(root: Path, params: dict) -> dict[str, pd.DataFrame]:
    out = {}
    with LocalEngine(root, cache=False) as engine:
        for query in (q for q in list_queries() if q.qualified_name.startswith("cloudfront/")):
            wanted = {k: v for k, v in params.items() if k in {p.name for p in query.params}}
            rows = engine.query(query.qualified_name, wanted)
            assert not engine.last_scan.problems, engine.last_scan.problems
            out[query.qualified_name] = rows.sort_values(list(rows.columns)).reset_index(drop=True)
    return out


@pytest.mark.parametrize("output", ["json", "parquet", "mixed"])
def test_every_query_answers_the_same_whatever_the_output_format(stores, output, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    params = {**window, "addresses": [planted["source_ip"]], "top": 50}
    expected, got = _answers(stores["w3c"], params), _answers(stores[output], params)
    assert len(expected) == 4 and all(len(rows) for rows in expected.values())
    for name, rows in expected.items():
        pd.testing.assert_frame_equal(got[name], rows, obj=name)
    assert list(got["cloudfront/requests_by_client"].sort_values("request_time").x_edge_request_id) == sorted(
        planted["cloudfront_request_ids"], key=planted["cloudfront_request_ids"].index)


def test_each_file_is_read_by_what_it_holds(stores):
    kinds = {file_kind(str(p)) for p in stores["mixed"].rglob("*") if p.is_file()}
    assert kinds == {TEXT, JSON_LINES, PARQUET}
    text = next(p for p in stores["w3c"].rglob("*.gz"))
    assert file_kind(str(text)) == TEXT


def test_json_numbers_and_dash_spellings_read_as_the_text_format_does(tmp_path):
    folder = tmp_path / "AWSLogs" / ACCOUNT / "CloudFront" / DIST / "2024" / "11" / "15" / "19"
    folder.mkdir(parents=True)
    entry = dict.fromkeys(KEYS, "-") | {"date": "2024-11-15", "time": "19:45:51", "x-edge-location": "IAD89-P1",
                                      "sc-status": 200, "sc-bytes": "1024", "c-ip": "192.0.2.10",
                                      "cs(Host)": "d111111abcdef8.cloudfront.net", "time-taken": 0.25,
                                      "x-edge-request-id": "abc==", "cs(User-Agent)": "curl/8.4.0"}
    del entry["cs(Cookie)"]  # a field the delivery did not select
    (folder / f"{DIST}.2024-11-15-19.a1b2c3d4.json.gz").write_bytes(_json_bytes([entry]))
    with LocalEngine(tmp_path) as engine:
        row = engine.query("SELECT * FROM cloudfront", allow_full_scan=True).iloc[0]
    assert (row.sc_status, row.sc_bytes, row.time_taken, row.cs_host, row.x_edge_location) == (
        200, 1024, 0.25, "d111111abcdef8.cloudfront.net", "IAD89-P1")
    assert row.cs_cookie == "-" and pd.isna(row.sc_range_start), "absent and dash read as the W3C file reads them"
    assert (row.account, row.distribution, row.day) == (ACCOUNT, DIST, "2024/11/15")


def _hour_folder(root: Path, hour: str = "21") -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "CloudFront" / DIST / "2019" / "12" / "04" / hour
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _entry(n: int, **values) -> dict:
    return dict.fromkeys(KEYS, "-") | {"date": "2019-12-04", "time": f"21:{n // 60:02d}:{n % 60:02d}",
                                     "x-edge-location": "LAX1", "c-ip": "192.0.2.100", "sc-status": "200",
                                     "x-edge-request-id": f"req{n}==", "cs-uri-stem": f"/p{n}"} | values


def test_a_damaged_parquet_file_keeps_every_row_group_that_reads(tmp_path):
    folder = _hour_folder(tmp_path)
    good = [_entry(n) for n in range(10)]
    (folder / f"{DIST}.2019-12-04-21.good0001.parquet").write_bytes(_parquet_bytes(good))
    data = bytearray(_parquet_bytes([_entry(n) for n in range(100, 300)], row_group_size=100))
    second = pq.ParquetFile(pa.BufferReader(bytes(data))).metadata.row_group(1).column(14)
    start = second.data_page_offset
    data[start + 8:start + 40] = b"\xff" * 32  # a damaged page in the second row group
    damaged = folder / f"{DIST}.2019-12-04-21.bad00001.parquet"
    damaged.write_bytes(bytes(data))
    cut = folder / f"{DIST}.2019-12-04-21.cut00001.parquet"
    cut.write_bytes(_parquet_bytes(good)[:-20])
    with LocalEngine(tmp_path) as engine:
        rows = engine.query("SELECT x_edge_request_id FROM cloudfront", allow_full_scan=True)
        problems = {p["path"]: p for p in engine.last_scan.problems}
    ids = set(rows.x_edge_request_id)
    assert {f"req{n}==" for n in range(10)} <= ids, "the healthy file beside them is read whole"
    assert {f"req{n}==" for n in range(100, 200)} <= ids, "the damaged file's first row group is kept"
    assert not ids & {f"req{n}==" for n in range(200, 300)} and len(ids) == 110
    assert "row group" in problems[str(damaged)]["reason"] and problems[str(damaged)]["lost"] == 100
    assert "not a readable Parquet file" in problems[str(cut)]["reason"] and problems[str(cut)]["lost"] is None


def test_a_damaged_json_file_keeps_its_objects_and_a_value_cannot_add_a_field_or_a_line(tmp_path):
    folder = _hour_folder(tmp_path)
    hostile = _entry(1, **{"cs(User-Agent)": "evil\tagent\nsecond line\x1b[31m", "cs-uri-stem": "/a%20b"})
    body = json.dumps(_entry(0)) + "\n[1, 2]\n{not json\n" + json.dumps(hostile) + "\n"
    path = folder / f"{DIST}.2019-12-04-21.json0001.gz"
    path.write_bytes(gzip.compress(body.encode()))
    with LocalEngine(tmp_path) as engine:
        rows = engine.query("SELECT x_edge_request_id, cs_user_agent, cs_uri_stem FROM cloudfront ORDER BY 1",
                            allow_full_scan=True)
        problem = engine.last_scan.problems[0]
    assert list(rows.x_edge_request_id) == ["req0==", "req1=="]
    assert rows.cs_user_agent.iloc[1] == "evil%09agent%0Asecond line%1B[31m", "percent-encoded as CloudFront does"
    assert rows.cs_uri_stem.iloc[1] == "/a%2520b", "a % is encoded too, so the value reads back as it was"
    assert problem["path"] == str(path) and "2 line(s) are not JSON objects (first: line 2)" in problem["reason"]
    assert as_line(hostile, SOURCE).count("\t") == len(KEYS) - 1


def test_a_parquet_column_name_is_an_identifier_never_sql(tmp_path):
    folder = _hour_folder(tmp_path)
    entries = [_entry(0, **{"cs(Host)": "h.example"})]
    names = {"cs(Host)": 'cs"(Host)', "cs(Cookie)": 'x"; DROP TABLE cloudfront; --'}
    (folder / f"{DIST}.2019-12-04-21.name0001.parquet").write_bytes(_parquet_bytes(entries, names=names))
    with LocalEngine(tmp_path) as engine:
        row = engine.query("SELECT cs_host, cs_cookie, x_edge_request_id FROM cloudfront", allow_full_scan=True).iloc[0]
        assert int(engine.query("SELECT count(*) AS n FROM cloudfront", allow_full_scan=True).n.iloc[0]) == 1
    assert (row.cs_host, row.x_edge_request_id) == ("h.example", "req0=="), "a quote in a name is part of the name"
    assert row.cs_cookie == "-", "a column no field is called reads as an absent field: none"


def test_v2_json_and_parquet_files_import_into_the_text_layout(stores, tmp_path, window):
    loose = tmp_path / "loose"
    loose.mkdir()
    picked = sorted(p for p in stores["mixed"].rglob("*") if p.is_file() and file_kind(str(p)) != TEXT)[:12]
    for path in picked:
        shutil.copy(path, loose / path.name)  # flat, as a download: the distribution from the name
    report = import_files([loose], tmp_path / "out", account=ACCOUNT)
    expected = sum(len(format_of(SOURCE).salvage(str(p), SOURCE).records) for p in picked)
    assert report.written == report.records_in == expected > 0 and not report.problems
    written = [Path(p) for p in report.outputs]
    assert all(file_kind(str(p)) == TEXT and p.name.endswith(".gz") for p in written)
    with LocalEngine(tmp_path / "out") as engine:
        rows = engine.query("SELECT count(*) AS n FROM cloudfront", allow_full_scan=True)
        assert int(rows.n.iloc[0]) == expected and not engine.last_scan.problems


# -- Hive-compatible paths -------------------------------------------------------------------


def _hive_key(source, key: str) -> str | None:
    """``key`` as a Hive-compatible delivery of the same logs names it (AWS's documented spelling)."""
    parts = source.parse_key(key)
    if parts is None:
        return None
    y, m, d = parts["day"].split("/")
    below = key.split("/")[-1 - source.time_folders:-1]
    names = ["hour", "minute"][:source.time_folders]
    folders = ["AWSLogs", f"aws-account-id={parts['account']}"]
    if source.regional:
        folders += [f"aws-service={source.service_folder}", f"aws-region={parts['region']}"]
    else:
        folders += [source.service_folder]
    if source.scope_partition:
        folders.append(f"DistributionId={parts['scope']}" if source.name == "cloudfront" else parts["scope"])
    folders += [f"year={y}", f"month={m}", f"day={d}"] + [f"{n}={v}" for n, v in zip(names, below)]
    return "/".join(folders + [parts["file"]])


@pytest.fixture(scope="module")
def hive_store(sample_org, tmp_path_factory):
    """The sample's CloudFront and VPC flow logs under Hive-compatible folder names."""
    root = tmp_path_factory.mktemp("hive")
    moved = 0
    for name in ("cloudfront", "vpcflow"):
        source = get_source(name)
        for path in sample_org.rglob("*"):
            key = _hive_key(source, path.relative_to(sample_org).as_posix()) if path.is_file() else None
            if key:
                (root / key).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, root / key)
                moved += 1
    assert moved > 200
    return root


def test_hive_compatible_folders_answer_as_the_plain_layout(stores, hive_store, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    params = {**window, "addresses": [planted["source_ip"]], "top": 50}
    expected, got = _answers(stores["w3c"], params), _answers(hive_store, params)
    for name, rows in expected.items():
        pd.testing.assert_frame_equal(got[name], rows, obj=name)
    assert any("DistributionId=" in str(p) for p in hive_store.rglob("*.gz"))


def test_hive_compatible_flow_log_folders_are_partitions_too(sample_org, hive_store, window):
    sql = "SELECT account, region, day, count(*) AS n FROM vpcflow GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    with LocalEngine(sample_org, cache=False) as plain, LocalEngine(hive_store, cache=False) as hive:
        expected = plain.query(sql, allow_full_scan=True)
        got = hive.query(sql, allow_full_scan=True)
        one_day = hive.query("SELECT count(*) AS n FROM vpcflow WHERE day = :day",
                             {"day": window["start"].replace("-", "/")})
        assert 0 < hive.last_scan.files < len(list(hive_store.rglob("*.log.gz"))), "one day's folders only"
    assert len(expected) > 3
    pd.testing.assert_frame_equal(got, expected)
    assert int(one_day.n.iloc[0]) == int(expected[expected.day == window["start"].replace("-", "/")].n.sum())


def test_a_hive_keyed_file_imports_by_its_folders(hive_store, tmp_path):
    path = next(p for p in hive_store.rglob("*.gz") if "DistributionId=" in p.as_posix())
    loose = tmp_path / "in" / path.relative_to(hive_store)
    loose.parent.mkdir(parents=True)
    shutil.copy(path, loose)
    report = import_files([tmp_path / "in"], tmp_path / "out")
    dist = path.as_posix().split("DistributionId=")[1].split("/")[0]
    assert report.written > 0 and not report.problems and not report.rejected
    assert all(f"/CloudFront/{dist}/" in Path(p).as_posix() for p in report.outputs), "filed by its folders"


def test_a_parquet_file_with_a_column_of_any_name_is_read_beside_the_others(tmp_path):
    """``filename`` is what DuckDB calls the column it adds; a file's own column of that name, or of the
    name the reader picks instead, must not stop the others being read."""
    folder = _hour_folder(tmp_path)
    good = [_entry(n) for n in range(3)]
    (folder / f"{DIST}.2019-12-04-21.good0001.parquet").write_bytes(_parquet_bytes(good))
    table = pa.table({"filename": ["x"], "workbench_file": ["y"], "x-edge-request-id": ["odd=="],
                      "date": ["2019-12-04"], "time": ["21:00:00"], "sc-status": [404]})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    (folder / f"{DIST}.2019-12-04-21.odd00001.parquet").write_bytes(sink.getvalue().to_pybytes())
    stray = pa.table({"something": ["else"]})
    sink = pa.BufferOutputStream()
    pq.write_table(stray, sink)
    foreign = folder / f"{DIST}.2019-12-04-21.for00001.parquet"
    foreign.write_bytes(sink.getvalue().to_pybytes())
    with LocalEngine(tmp_path) as engine:
        rows = engine.query("SELECT x_edge_request_id, sc_status, cs_host FROM cloudfront ORDER BY 1",
                            allow_full_scan=True)
        problems = {p["path"]: p["reason"] for p in engine.last_scan.problems}
    assert list(rows.x_edge_request_id) == ["odd==", "req0==", "req1==", "req2=="]
    assert int(rows.sc_status.iloc[0]) == 404 and rows.cs_host.iloc[0] == "-", "a number column reads as a number"
    assert "none of the CloudFront standard logs fields" in problems[str(foreign)]


def test_a_parquet_file_that_inflates_past_the_cap_is_read_no_further(tmp_path, monkeypatch):
    """A small file may declare row groups far larger than itself: salvage reads row groups only while
    what they inflate to stays within the cap a text file has, and names what it did not read."""
    from workbench.formats.parquet_table import ParquetTable

    entries = [_entry(n, **{"cs(User-Agent)": "A" * 2000 + str(n)}) for n in range(400)]
    path = tmp_path / "big.parquet"
    table = pa.table({k: pa.array([e.get(k) for e in entries], pa.string()) for k in KEYS})
    pq.write_table(table, path, row_group_size=100, use_dictionary=False, compression="zstd")
    groups = pq.ParquetFile(path).metadata
    first = groups.row_group(0).total_byte_size
    assert path.stat().st_size < first * 2, "it compresses well: the file is small, the rows are not"
    monkeypatch.setenv("WORKBENCH_MAX_FILE_BYTES", str(int(first * 2.5)))
    result = ParquetTable(none_text="-").salvage(str(path), SOURCE)
    assert len(result.records) == 200, "two row groups fit within the cap"
    problem = result.problems[0]
    assert "row groups 3 to 4 inflate to more than" in problem.reason and problem.lost == 200
