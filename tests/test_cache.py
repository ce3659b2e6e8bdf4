"""The Parquet cache: the same answers as the raw files for every query in the library,
used only for windows it covers with unchanged raw files, rebuilt per changed day, and never
hiding a damaged file."""

import gzip
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from sqlglot import exp

from tests.test_bad_inputs import CASES, DAY, MAX_RECORD, _key
from workbench.engines.local import LocalEngine
from workbench.engines.local.cache import ParquetCache
from workbench.errors import UnreadableFiles
from workbench.formats import format_of
from workbench.library import list_queries, parse_sql
from workbench.sources import get_source


@pytest.fixture(scope="module")
def cache_dir(sample_org, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache") / "parquet"
    report = ParquetCache(folder).build(sample_org)
    assert report.written > 0 and report.rows > 0 and not report.problems
    return folder


def _value(param, truth):
    """A value for a query parameter that makes the query find something in the sample."""
    key = truth["by_kind"]["compromised_access_key"]
    scan = truth["by_kind"]["port_scan"]
    name = param.name
    picks = [
        ("access_key", [key["access_key_id"]]),
        ("interface", [scan["eni"]]),
        ("instance", [scan["instance_id"]]),
        ("principal", [key["user_name"], key["principal_arn"]]),
        ("ip", [key["source_ip"], scan["source_ip"]]),
        ("address", [key["source_ip"], scan["source_ip"]]),
        ("event_id", key["event_ids"][:5]),
        ("finding_id", key["finding_ids"]),
    ]
    for word, values in picks:
        if word in name:
            return values if param.type == "list<string>" else values[0]
    return None if not param.required else "x"


def _normal(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order, list cells as tuples (ties in ORDER BY may come either way)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: tuple(v.tolist() if isinstance(v, np.ndarray) else v)
                                    if isinstance(v, (list, np.ndarray)) else v)
    keys = pd.Series(["\x00".join(map(repr, row)) for row in out.itertuples(index=False)], index=out.index)
    order = keys.sort_values().index
    return out.loc[order].reset_index(drop=True)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.qualified_name)
def test_every_query_gives_the_same_answer_from_the_cache(query, sample_org, cache_dir, window, truth):
    params = dict(window)
    for param in query.params:
        if param.name not in params:
            value = _value(param, truth)
            if value is not None:
                params[param.name] = value
    with LocalEngine(sample_org, cache=False) as raw, LocalEngine(sample_org, cache=cache_dir) as cached:
        expected = raw.query(query.qualified_name, params)
        got = cached.query(query.qualified_name, params)
        assert all(info.get("cache") for info in cached.last_scan.tables.values()), cached.last_scan.tables
        assert not any(info.get("cache") for info in raw.last_scan.tables.values())
        assert cached.last_scan.records == raw.last_scan.records
        assert sorted(f.path for f in cached.last_files) == sorted(f.path for f in raw.last_files)
    assert list(got.columns) == list(expected.columns)
    assert list(got.dtypes) == list(expected.dtypes)
    # arbitrary() picks any value of its group: it may differ between two raw runs as well
    chosen = _arbitrary_columns(query)
    keep = [c for c in got.columns if c not in chosen]
    pd.testing.assert_frame_equal(_normal(got[keep]), _normal(expected[keep]))


def _arbitrary_columns(query) -> set[str]:
    statement = parse_sql(query.sql)
    return {s.alias_or_name for s in getattr(statement, "selects", []) if s.find(exp.AnyValue)}


def test_the_cached_tables_have_the_raw_tables_columns_and_types(sample_org, cache_dir):
    described = {}
    for cache in (False, cache_dir):
        with LocalEngine(sample_org, cache=cache) as engine:
            for table in ("cloudtrail", "vpcflow", "guardduty"):
                engine.query(f"SELECT count(*) AS n FROM {table} WHERE day = '2026/11/03'")
                rows = engine.con.execute(f'DESCRIBE "{table}"').fetchall()
                described[(cache is False, table)] = [(r[0], r[1].lower()) for r in rows]
    for table in ("cloudtrail", "vpcflow", "guardduty"):
        assert described[(True, table)] == described[(False, table)]


def test_a_window_the_cache_does_not_cover_reads_the_raw_files(sample_org, tmp_path, window):
    cache = ParquetCache(tmp_path / "c")
    cache.build(sample_org, start="2026-11-02", end="2026-11-03", sources=["cloudtrail"])
    with LocalEngine(sample_org, cache=cache.root) as engine:
        inside = engine.query("console_logins", {"start": "2026-11-02", "end": "2026-11-03"})
        assert engine.last_scan.tables["cloudtrail"].get("cache")
        whole = engine.query("console_logins", window)
        assert not engine.last_scan.tables["cloudtrail"].get("cache")
        engine.query("port_pairs", {"start": "2026-11-02", "end": "2026-11-03"})
        assert not engine.last_scan.tables["vpcflow"].get("cache"), "vpcflow was not cached"
    assert set(inside.event_id) < set(whole.event_id)


def test_a_changed_day_is_read_raw_until_rebuilt_and_only_it_is_rebuilt(sample_org, tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(sample_org / "AWSLogs", logs / "AWSLogs")
    cache = ParquetCache(tmp_path / "c")
    first = cache.build(logs, sources=["cloudtrail"])
    day = {"start": "2026-11-04", "end": "2026-11-04"}
    with LocalEngine(logs, cache=cache.root) as engine:
        before = engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/04'").n.iloc[0]
        assert engine.last_scan.tables["cloudtrail"].get("cache")
    victim = sorted((logs / "AWSLogs").glob("*/*/CloudTrail/*/2026/11/04/*.json.gz"))[0]
    body = json.loads(gzip.decompress(victim.read_bytes()))
    body["Records"] = body["Records"][:1]
    victim.write_bytes(gzip.compress(json.dumps(body).encode()))
    with LocalEngine(logs, cache=cache.root) as engine:
        after = engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/04'").n.iloc[0]
        assert not engine.last_scan.tables["cloudtrail"].get("cache"), "a stale day must not be read from the cache"
        engine.query("console_logins", {"start": "2026-11-05", "end": "2026-11-06"})
        assert engine.last_scan.tables["cloudtrail"].get("cache"), "other days stay cached"
    assert after < before
    second = cache.build(logs, sources=["cloudtrail"])
    assert second.written == 1 and second.kept == first.written - 1, "only the changed partition"
    with LocalEngine(logs, cache=cache.root) as engine:
        assert engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/04'").n.iloc[0] == after
        assert engine.last_scan.tables["cloudtrail"].get("cache")
        engine.query("console_logins", day)


def test_a_removed_day_leaves_the_cache(sample_org, tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(sample_org / "AWSLogs", logs / "AWSLogs")
    cache = ParquetCache(tmp_path / "c")
    cache.build(logs, sources=["guardduty"])
    gone = sorted((logs / "AWSLogs").glob("*/GuardDuty/*/2026/11/05"))
    assert gone
    for folder in gone:
        shutil.rmtree(folder)
    assert cache.build(logs, sources=["guardduty"]).removed == len(gone)


@pytest.fixture(scope="module")
def corpus_logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    for i, case in enumerate(CASES):
        path = root / _key(case, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.data())
    return root


def _damaged_read(root, cache):
    with LocalEngine(root, max_record_bytes=MAX_RECORD, cache=cache) as engine:
        out = {}
        for table in ("cloudtrail", "vpcflow", "guardduty"):
            n = engine.query(f"SELECT count(*) AS n FROM {table} WHERE day = :day", {"day": DAY}).n.iloc[0]
            out[table] = (int(n), engine.last_scan.records, sorted((p["path"], p["reason"], p["lost"])
                                                                  for p in engine.last_scan.problems),
                          bool(engine.last_scan.tables[table].get("cache")))
        return out


def test_the_cache_carries_every_file_problem_and_count(corpus_logs, tmp_path):
    cache = ParquetCache(tmp_path / "c")
    raw = _damaged_read(corpus_logs, False)
    report = cache.build(corpus_logs, max_record_bytes=MAX_RECORD)
    assert report.problems, "the build names the damaged files"
    cached = _damaged_read(corpus_logs, cache.root)
    for table in raw:
        assert cached[table][3] and not raw[table][3]
        assert cached[table][:3] == raw[table][:3], table
    assert any("truncated gzip" in reason for _, reason, _ in cached["cloudtrail"][2])
    with LocalEngine(corpus_logs, strict=True, cache=cache.root) as engine, \
            pytest.raises(UnreadableFiles, match="strict mode"):
        engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY})


def test_a_fresh_cache_spares_raw_queries_the_check_pass(sample_org, cache_dir, monkeypatch):
    """Where the cache does not cover a window, its manifests still stand for the check pass."""
    with LocalEngine(sample_org, cache=cache_dir) as engine:
        checked = []
        fmt = format_of(get_source("cloudtrail"))
        original = fmt.check
        monkeypatch.setattr(fmt, "check", lambda con, source, files, **k: checked.extend(files) or original(con, source, files, **k))
        engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day BETWEEN '2026/11/01' AND '2026/11/07'")
        assert engine.last_scan.tables["cloudtrail"].get("cache")
    assert checked == []


def test_cli_cache_build_status_and_clear(sample_org, tmp_path, capsys):
    from workbench.cli import main

    folder = tmp_path / "c"
    assert main(["cache", "build", "--logs", str(sample_org), "--cache", str(folder),
                 "--start", "2026-11-02", "--end", "2026-11-02", "--sources", "guardduty"]) == 0
    out, _ = capsys.readouterr()
    assert "partitions written" in out
    assert main(["cache", "status", "--logs", str(sample_org), "--cache", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "guardduty:" in out and "cached and fresh" in out
    assert main(["cache", "clear", "--logs", str(sample_org), "--cache", str(folder)]) == 0
    assert not folder.exists()


def test_the_cache_folder_in_the_log_folder_is_found_and_never_read_as_logs(sample_org, tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(sample_org / "AWSLogs", logs / "AWSLogs")
    ParquetCache(logs / ".workbench-cache").build(logs, sources=["guardduty"])
    with LocalEngine(logs) as engine:
        engine.query("findings", {"start": "2026-11-01", "end": "2026-11-07"})
        assert engine.last_scan.tables["guardduty"].get("cache")
        assert not any(".workbench-cache" in f.path for f in engine.last_files)
    with LocalEngine(logs, cache=False) as engine:
        engine.query("findings", {"start": "2026-11-01", "end": "2026-11-07"})
        assert not engine.last_scan.tables["guardduty"].get("cache")


def test_a_raw_file_rewritten_with_its_size_and_time_makes_its_day_stale(sample_org, tmp_path):
    import os

    logs = tmp_path / "logs"
    shutil.copytree(sample_org / "AWSLogs", logs / "AWSLogs")
    cache = ParquetCache(tmp_path / "c")
    cache.build(logs, start="2026-11-02", end="2026-11-02", sources=["cloudtrail"])
    assert cache.status(logs)["cloudtrail"]["stale"] == 0
    victim = next(logs.glob("AWSLogs/**/CloudTrail/us-east-1/2026/11/02/*.json.gz"))
    stat, data = victim.stat(), victim.read_bytes()
    victim.write_bytes(data[::-1])  # other bytes, the same size
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.status(logs)["cloudtrail"]["stale"] == 1
    with LocalEngine(logs, cache=cache.root) as engine:
        engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/02'")
        assert not engine.last_scan.tables["cloudtrail"].get("cache"), "the day is read raw again"
        assert any(p["path"] == str(victim) for p in engine.last_scan.problems)


def test_two_builds_of_one_cache_at_once_both_finish_and_agree(sample_org, tmp_path):
    import subprocess
    import sys

    logs = tmp_path / "logs"
    shutil.copytree(sample_org / "AWSLogs", logs / "AWSLogs")
    code = ("import sys; from workbench.engines.local.cache import ParquetCache; "
            "r = ParquetCache(sys.argv[2]).build(sys.argv[1], sources=['cloudtrail', 'guardduty']); "
            "print(r.written, r.kept)")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(logs), str(tmp_path / "c")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    written, kept = zip(*(map(int, out.split()) for out, _ in outputs))
    assert sorted(written)[0] == 0 and sorted(kept)[1] > 0, "the second build, after the first, had nothing to write"
    status = ParquetCache(tmp_path / "c").status(logs)
    assert status["cloudtrail"]["stale"] == 0 and status["cloudtrail"]["missing"] == 0
    assert not list((tmp_path / "c").rglob("*.tmp"))
