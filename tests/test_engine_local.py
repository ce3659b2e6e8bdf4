"""The local engine: pruning, the full-scan guard, bound parameters, layouts, errors."""

import json
import shutil
from pathlib import Path

import pytest

from workbench.engines.local import LocalEngine
from workbench.errors import FullScanRefused, LogsNotFound, QueryFailed


def _files_on_disk(root, service, day):
    y, m, d = day.split("-")
    return sorted(str(p) for p in root.glob(f"AWSLogs/**/{service}/*/{y}/{m}/{d}/*") if p.is_file()
                  and "Digest" not in p.name)


def test_one_day_query_opens_only_that_days_files(engine, sample_org, window):
    day = "2026-11-03"
    engine.query("console_logins", {"start": day, "end": day})
    opened = sorted(f.path for f in engine.last_files)
    assert opened == _files_on_disk(sample_org, "CloudTrail", day)
    assert {f.day for f in engine.last_files} == {"2026/11/03"}
    one_day = engine.last_scan.bytes
    engine.query("console_logins", window)
    assert engine.last_scan.bytes > 3 * one_day


def test_account_filter_prunes_folders(engine, window, truth):
    account = truth["accounts"][0]["id"]
    frame = engine.query("console_logins", {**window, "accounts": [account]})
    assert {f.account for f in engine.last_files} == {account}
    assert set(frame.account_id) <= {account}


def test_unbounded_query_is_refused_unless_asked(engine):
    sql = "SELECT count(*) AS n FROM cloudtrail"
    with pytest.raises(FullScanRefused, match="allow_full_scan"):
        engine.query(sql)
    assert engine.query(sql, allow_full_scan=True).n.iloc[0] > 1000


def test_a_where_that_cannot_prune_counts_as_unbounded(engine):
    with pytest.raises(FullScanRefused):
        engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/03' OR eventname = 'x'")


@pytest.mark.parametrize("evil", ["x' OR '1'='1", "'; DROP TABLE x; --", "\\' OR 1=1 --", "\" OR \"\"=\""])
def test_parameter_values_are_data(engine, window, evil):
    for name, param in (("events_by_source_ip", "source_ip"), ("events_by_principal", "principal"),
                        ("events_by_access_key", "access_key_id")):
        assert engine.query(name, {**window, param: evil}).empty
    assert engine.query("console_logins", {**window, "accounts": [evil]}).empty
    assert engine.query("console_logins", {**window, "regions": evil}).empty
    assert len(engine.query("console_logins", window)) > 0  # still intact


def test_ad_hoc_sql_binds_its_parameters(engine):
    frame = engine.query(
        "SELECT count(*) AS n FROM cloudtrail WHERE day = :day AND sourceipaddress = :ip",
        {"day": "2026/11/03", "ip": "x' OR '1'='1"},
    )
    assert frame.n.iloc[0] == 0


def test_non_log_files_in_partition_folders_are_left_alone(sample_org, tmp_path, window):
    root = tmp_path / "copy"
    shutil.copytree(sample_org, root)
    folder = next(root.glob("AWSLogs/*/*/CloudTrail/*/2026/11/03"))
    (folder / "README.txt").write_text("not a log")
    (folder / "123456789012_CloudTrail_xx_20261103T0000Z_bad.json.gz").write_bytes(b"not gzip")
    with LocalEngine(root) as eng:
        eng.query("console_logins", window)
        assert eng.last_scan.ignored == 2
        assert not any("README" in f.path or "_xx_" in f.path for f in eng.last_files)


def test_digest_and_insight_files_exist_but_are_never_read(engine, sample_org, window):
    assert list(sample_org.glob("AWSLogs/**/CloudTrail-Digest/**/*.json.gz"))
    engine.query("SELECT count(*) AS n FROM cloudtrail", allow_full_scan=True)
    assert not any("Digest" in f.path or "Insight" in f.path for f in engine.last_files)


def test_layouts_single_account_and_prefix(tmp_path, window):
    from workbench.sample import generate

    single = tmp_path / "bucket" / "team" / "trail"
    doc = generate(single, days=2, accounts=2, org_id=None, scale=0.05, seed=3)
    assert not list(single.glob("AWSLogs/o-*"))
    with LocalEngine(tmp_path / "bucket") as eng:  # prefix 'team/trail' before AWSLogs/
        frame = eng.query("root_activity", {"start": doc["generator"]["start"], "end": "2026-11-02"})
    assert eng.last_scan.files > 0
    assert set(frame.account_id) <= {a["id"] for a in doc["accounts"]}


def test_empty_window_gives_typed_empty_result(engine):
    frame = engine.query("console_logins", {"start": "2020-01-01", "end": "2020-01-02"})
    assert frame.empty and engine.last_scan.files == 0
    assert list(frame.columns)[:3] == ["event_time", "account_id", "region"]


def test_errors_name_the_problem(engine, tmp_path):
    with pytest.raises(QueryFailed, match="nosuchcolumn"):
        engine.query("SELECT nosuchcolumn FROM cloudtrail WHERE day = '2026/11/03'")
    with pytest.raises(LogsNotFound, match="does not exist"):
        LocalEngine(tmp_path / "missing")
    with pytest.raises(LogsNotFound, match="no AWSLogs"):
        LocalEngine(tmp_path)


def test_scan_report_travels_with_the_frame(engine, window):
    frame = engine.query("findings", window)
    scan = frame.attrs["scan"]
    assert scan["query"] == "findings" and scan["rows"] == len(frame)
    assert scan["tables"]["guardduty"]["files"] == scan["files"] > 0
    assert "guardduty" in engine.last_scan.summary()


def test_nested_field_names_are_athenas_lower_case(sample_org, window, tmp_path):
    """Whole structs and arrays of structs come back with Athena's field names, raw and cached."""
    from workbench.engines.local.cache import ParquetCache

    def names(value, found):
        if isinstance(value, dict):
            for key, sub in value.items():
                found.add(key)
                names(sub, found)
        elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
            for sub in (value.tolist() if hasattr(value, "tolist") else value):
                names(sub, found)
        return found

    sql = ("SELECT useridentity, resources, tlsdetails FROM cloudtrail WHERE day BETWEEN replace(:start, '-', '/') "
           "AND replace(:end, '-', '/') AND resources IS NOT NULL")
    cache = ParquetCache(tmp_path / "cache")
    cache.build(sample_org, start=window["start"], end=window["end"], sources=["cloudtrail"])
    for where in (False, cache.root):
        with LocalEngine(sample_org, cache=where) as engine:
            frame = engine.query(sql, window)
            assert bool(engine.last_scan.tables["cloudtrail"].get("cache")) == bool(where)
        found = set()
        for column in frame.columns:
            for value in frame[column]:
                names(value, found)
        assert {"sessioncontext", "sessionissuer", "accountid", "tlsversion", "arn"} <= found
        assert found == {n.lower() for n in found}, sorted(n for n in found if n != n.lower())


def test_listing_sees_added_rewritten_and_removed_files(tmp_path):
    """Names remembered per folder (while its modification time stands) never hide a change."""
    import gzip
    import os

    from workbench.engines.local.listing import LogTree
    from workbench.sources import get_source

    folder = tmp_path / "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03"
    folder.mkdir(parents=True)

    def put(name, n):
        path = folder / f"111122223333_CloudTrail_us-east-1_20261103T{name}Z_ABCDEFGHIJKLMNOP.json.gz"
        path.write_bytes(gzip.compress(json.dumps({"Records": [{"eventID": str(i)} for i in range(n)]}).encode()))
        return path

    def settle():  # as if the folder had last changed an hour ago
        old = os.stat(folder).st_mtime_ns - 3600 * 10 ** 9
        os.utime(folder, ns=(old, old))

    first = put("0000", 1)
    (folder / "notes.txt").write_text("not a log")
    settle()
    tree, source = LogTree(tmp_path), get_source("cloudtrail")
    listed = lambda: tree.files(source, tree.partitions(source))  # noqa: E731
    files, ignored = listed()
    assert [f.path for f in files] == [str(first)] and [os.path.basename(p) for p in ignored] == ["notes.txt"]
    assert tree._names, "a settled folder's names are remembered"
    assert listed()[0] == files

    first.write_bytes(gzip.compress(b'{"Records":[{"eventID":"a"},{"eventID":"b"},{"eventID":"c"}]}' * 3))
    assert listed()[0][0].size == first.stat().st_size != files[0].size  # rewritten in place
    second = put("0015", 2)  # the folder's time moves: listed again
    assert [f.path for f in listed()[0]] == [str(first), str(second)]
    assert not tree._names.get((str(folder), source.file_regex(account="111122223333", region="us-east-1").pattern)), \
        "a folder changed just now is not remembered"
    settle()
    listed()
    first.unlink()
    assert [f.path for f in listed()[0]] == [str(second)]


def test_symbolic_links_out_of_the_log_folder_are_not_read_and_are_named(tmp_path):
    """A link that stays inside the log folder is read; one that leads out of it is refused and reported."""
    import json

    from tests.test_bad_inputs import ACCOUNT, DAY, REGION, body, gz

    logs = tmp_path / "logs"
    day = logs / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / DAY
    day.mkdir(parents=True)
    name = f"{ACCOUNT}_CloudTrail_{REGION}_20261103T{{}}Z_{{}}.json.gz"
    (day / name.format("0000", "inside")).write_bytes(gz(body("inside", 3)))
    (day / name.format("0005", "alias")).symlink_to(day / name.format("0000", "inside"))
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / name.format("0010", "outside")).write_bytes(gz(body("outside", 7)))
    (day / name.format("0010", "outside")).symlink_to(secret / name.format("0010", "outside"))
    other_day = logs / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2026" / "11" / "04"
    other_day.symlink_to(secret, target_is_directory=True)
    with LocalEngine(logs) as engine:
        frame = engine.query("SELECT eventid FROM cloudtrail WHERE day BETWEEN '2026/11/03' AND '2026/11/04'")
        problems = {p["path"]: p["reason"] for p in engine.last_scan.problems}
    assert sorted(frame.eventid) == sorted([f"inside-{i}" for i in range(3)] * 2)
    assert set(problems) == {str(day / name.format("0010", "outside")), str(other_day)}
    assert all("outside the log folder" in r for r in problems.values()), json.dumps(problems)


def test_ad_hoc_sql_reaches_no_file_outside_the_log_folder(sample_org, tmp_path):
    from workbench.errors import QueryFailed

    secret = tmp_path / "credentials"
    secret.write_text("[default]\naws_secret_access_key = not-for-sql\n")
    with LocalEngine(sample_org) as engine:
        with pytest.raises(QueryFailed, match="disabled by configuration"):
            engine.query(f"SELECT content FROM read_text('{secret}')")
        with pytest.raises(QueryFailed, match="disabled by configuration"):
            engine.query(f"COPY (SELECT 42 AS x) TO '{tmp_path / 'written.csv'}'")
        assert not (tmp_path / "written.csv").exists()
        inside = next((sample_org / "AWSLogs").rglob("*.jsonl.gz"))
        assert len(engine.query(f"SELECT * FROM read_json_objects('{inside}')")) > 0, "the logs stay readable"


def test_repaired_copies_go_when_the_session_ends_without_closing(tmp_path):
    import subprocess
    import sys

    from tests.test_bad_inputs import ACCOUNT, DAY, REGION, body, gz

    day = tmp_path / "logs" / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / DAY
    day.mkdir(parents=True)
    (day / f"{ACCOUNT}_CloudTrail_{REGION}_20261103T0000Z_cut.json.gz").write_bytes(gz(body("cut", 20))[:-40])
    code = ("import sys; from workbench.engines.local import LocalEngine; e = LocalEngine(sys.argv[1]); "
            "e.query(\"SELECT count(*) FROM cloudtrail WHERE day = '2026/11/03'\"); "
            "import os; assert os.listdir(e.checker.workdir); print(e.checker.workdir)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "logs")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    workdir = Path(done.stdout.strip())
    assert workdir.name.startswith("workbench-repaired-") and not workdir.exists()
