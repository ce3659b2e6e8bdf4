"""The JSON feed: whole files inflated by worker threads and scanned by DuckDB as Arrow.

It must give DuckDB exactly each file's text (gzip by content, several gzip members, a
BOM, plain text), with its partition values, in any number of batches; be scannable more
than once in one query; stop cleanly when DuckDB stops early; and name a file it cannot
read, or report it when asked to."""

import gzip
import json

import duckdb
import pytest

from workbench.errors import UnreadableFiles
from workbench.formats.base import LogFile
from workbench.formats.feed import JsonFileFeed, batches_of, file_text
from workbench.formats.raw import INFLATE


def _records(n, tag):
    return {"Records": [{"eventID": f"{tag}-{i}", "eventName": "GetObject"} for i in range(n)]}


@pytest.fixture()
def files(tmp_path):
    """Five files in four shapes, and their expected record counts."""
    def log(name, data, day="2026/11/03"):
        path = tmp_path / name
        path.write_bytes(data)
        return LogFile(str(path), "111122223333", "us-east-1", day, path.stat().st_size)

    one, two = json.dumps(_records(3, "a")).encode(), json.dumps(_records(2, "b")).encode()
    half = len(two) // 2
    return [
        (log("gz.json.gz", gzip.compress(one)), 3),
        (log("members.json.gz", gzip.compress(two[:half]) + gzip.compress(two[half:])), 2),  # two gzip members
        (log("bom.json.gz", gzip.compress(b"\xef\xbb\xbf" + one)), 3),
        (log("plain.json", two, day="2026/11/04"), 2),
        (log("big.json.gz", gzip.compress(json.dumps(_records(5000, "c")).encode())), 5000),
    ]


def _scan(feed, sql="SELECT filename, day, json_array_length(json, '$.Records') AS n FROM feed"):
    con = duckdb.connect()
    con.register("feed", feed)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("batch_bytes", [1, 200, 1 << 20])
@pytest.mark.parametrize("workers", [1, 2])
def test_every_file_arrives_whole_with_its_partition(files, batch_bytes, workers):
    logs = [log for log, _ in files]
    rows = _scan(JsonFileFeed(logs, workers=workers, batch_bytes=batch_bytes))
    assert sorted(rows) == sorted((log.path, log.day, n) for log, n in files)


def test_a_query_can_scan_the_feed_twice(files):
    logs = [log for log, _ in files]
    rows = _scan(JsonFileFeed(logs, workers=2, batch_bytes=100),
                 "SELECT count(*), sum(a.n + b.n) FROM (SELECT filename, json_array_length(json, '$.Records') n "
                 "FROM feed) a JOIN (SELECT filename, json_array_length(json, '$.Records') n FROM feed) b USING (filename)")
    assert rows == [(len(files), 2 * sum(n for _, n in files))]


def test_stopping_early_does_not_hang(files):
    logs = [log for log, _ in files] * 50
    assert len(_scan(JsonFileFeed(logs, workers=2, batch_bytes=1, ahead=2), "SELECT filename FROM feed LIMIT 1")) == 1


def test_batches_keep_order_and_hold_at_least_one_file(files):
    logs = [log for log, _ in files]
    for size in (1, 300, 10 ** 9):
        runs = batches_of(logs, size)
        assert [log for run in runs for log in run] == logs
        assert all(runs)
    assert len(batches_of(logs, 1)) == len(logs)
    assert len(batches_of(logs, 10 ** 9)) == 1


def test_file_text_is_the_inflated_text(files):
    (gz, _), (members, _), (bom, _) = files[:3]
    assert json.loads(file_text(gz.path)) == _records(3, "a")
    assert json.loads(file_text(members.path)) == _records(2, "b")
    assert file_text(bom.path) == file_text(gz.path)
    assert INFLATE in ("isal", "zlib")


def test_a_damaged_file_stops_a_query_with_its_name(files, tmp_path):
    bad = tmp_path / "bad.json.gz"
    data = gzip.compress(json.dumps(_records(500, "x")).encode())
    bad.write_bytes(data[: len(data) // 2])
    logs = [log for log, _ in files] + [LogFile(str(bad), "111122223333", "us-east-1", "2026/11/03", 1)]
    with pytest.raises(duckdb.Error, match="bad.json.gz"):
        _scan(JsonFileFeed(logs, workers=2))
    with pytest.raises(UnreadableFiles, match="bad.json.gz"):
        file_text(str(bad))


def test_the_check_feed_reports_what_it_cannot_read(files, tmp_path):
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"Records":[]}')[:-12])
    latin = tmp_path / "latin1.json.gz"
    latin.write_bytes(gzip.compress('{"Records":[{"userAgent":"caf\xe9"}]}'.encode("latin-1")))
    named = tmp_path / "named.json.gz"
    named.write_bytes(b'{"Records":[]}')
    extra = [LogFile(str(p), "111122223333", "us-east-1", "2026/11/03", 1) for p in (broken, latin, named)]
    rows = _scan(JsonFileFeed([log for log, _ in files] + extra, workers=2, report_problems=True),
                 "SELECT filename, json IS NULL, problem FROM feed")
    got = {path: (null, problem) for path, null, problem in rows}
    assert all(got[log.path] == (False, None) for log, _ in files)
    assert got[str(broken)][0] and "cannot read it" in got[str(broken)][1]
    assert got[str(latin)][0] and "not UTF-8" in got[str(latin)][1]
    assert got[str(named)] == (True, "not gzip although named .gz")
