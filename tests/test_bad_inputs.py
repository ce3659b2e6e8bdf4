"""A corpus of bad and unusual inputs, built here: no crash, every good record counted,
every bad file named with its reason, in the local engine and in ``workbench import``.

Each corpus entry writes one file and says how many records must survive and which
reason (if any) must be reported for it.
"""

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.engines.local import LocalEngine
from workbench.errors import UnreadableFiles
from workbench.formats import format_of
from workbench.formats.importer import import_files
from workbench.sources import get_source

ACCOUNT, REGION, DAY = "111122223333", "us-east-1", "2026/11/03"
MAX_RECORD = 50_000  # bytes: the engine's limit in these tests, so a 'huge record' stays small


def record(tag: str, i: int, **extra) -> dict:
    rec = {
        "eventVersion": "1.09", "eventTime": f"2026-11-03T10:{i % 60:02d}:00Z", "eventID": f"{tag}-{i}",
        "eventName": "ListBuckets", "eventSource": "s3.amazonaws.com", "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.10", "recipientAccountId": ACCOUNT,
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": ACCOUNT,
                         "arn": f"arn:aws:iam::{ACCOUNT}:user/alice"},
    }
    rec.update(extra)
    return rec


def body(tag: str, n: int) -> bytes:
    return json.dumps({"Records": [record(tag, i) for i in range(n)]}).encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


FLOW_V2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
FLOW_CUSTOM = "account-id action az-id bytes dstaddr dstport end instance-id interface-id log-status packets protocol region srcaddr srcport start version"


def flow_row(i: int) -> str:
    return f"2 {ACCOUNT} eni-0a1b2c3d 10.0.0.{i} 10.0.1.5 4{i:04d} 443 6 10 840 1793700000 1793700060 ACCEPT OK"


def finding(fid: str, count: int, updated: str) -> dict:
    return {"schemaVersion": "2.0", "accountId": ACCOUNT, "region": REGION, "partition": "aws", "id": fid,
            "arn": f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/d/finding/{fid}", "type": "Recon:EC2/PortProbeUnprotectedPort",
            "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0abc"}},
            "service": {"count": count, "eventFirstSeen": "2026-11-03T01:00:00.000Z", "eventLastSeen": updated},
            "severity": 2, "createdAt": "2026-11-03T01:00:00.000Z", "updatedAt": updated, "title": "t", "description": "d"}


@dataclass
class Case:
    """One corpus file: where it goes, its bytes, what must be saved, what must be said."""

    name: str
    source: str  # cloudtrail | vpcflow | guardduty
    data: Callable[[], bytes]
    saved: int | tuple[int, int]  # exact, or (at least, at most)
    reason: str | None = None  # substring of the reported reason; None: no problem expected
    importable: bool = True  # part of the import corpus too
    import_saved: int | None = None  # when import saves a different number (it has no size limit)

    def expected(self, *, imported: bool = False) -> tuple[int, int]:
        saved = self.import_saved if imported and self.import_saved is not None else self.saved
        return (saved, saved) if isinstance(saved, int) else saved


def _truncated() -> bytes:
    data = gz(body("trunc", 40))
    return data[: int(len(data) * 0.6)]


def _cut_json() -> bytes:
    text = body("cut", 4).decode()
    return gz(text[: text.rindex('{"eventVersion"') + 30].encode())


def _huge() -> bytes:
    return gz(json.dumps({"Records": [record("huge", 0, requestParameters={"blob": "x" * (MAX_RECORD * 2)}),
                                      record("huge", 1)]}).encode())


def _two_members() -> bytes:
    text = body("members", 6)
    return gz(text[:100]) + gz(text[100:])


CASES = [
    Case("good", "cloudtrail", lambda: gz(body("good", 5)), 5),
    Case("truncated-gzip", "cloudtrail", _truncated, (1, 39), "truncated gzip"),
    Case("zero-byte", "cloudtrail", lambda: b"", 0, "empty file"),
    Case("not-gzip-named-gz", "cloudtrail", lambda: body("plain", 3), 3, "not gzip"),
    Case("invalid-json", "cloudtrail", lambda: gz(b'{"Records":[' + json.dumps(record("inv", 0)).encode() + b', {"eventTime": ]}'), 1, "invalid JSON"),
    Case("records-not-a-list", "cloudtrail", lambda: gz(b'{"Records": "oops"}'), 0, "not a list"),
    Case("record-without-eventtime", "cloudtrail",
         lambda: gz(json.dumps({"Records": [record("notime", 0), {k: v for k, v in record("notime", 1).items() if k != "eventTime"}]}).encode()),
         2, None, importable=False),
    Case("huge-record", "cloudtrail", _huge, 1, "larger than", import_saved=2),
    Case("non-utf8", "cloudtrail", lambda: gz(body("utf", 2).replace(b"203.0.113.10", b"203.0.113.\xff\xfe", 1)), 2, "not valid UTF-8"),
    Case("bare-array", "cloudtrail", lambda: gz(json.dumps([record("bare", i) for i in range(2)]).encode()), 2, "bare array"),
    Case("json-lines", "cloudtrail", lambda: gz("\n".join(json.dumps(record("jl", i)) for i in range(3)).encode()), 3, "JSON lines"),
    Case("lookup-events", "cloudtrail",
         lambda: gz(json.dumps({"Events": [{"EventId": f"lk-{i}", "CloudTrailEvent": json.dumps(record("lk", i))} for i in range(2)]}).encode()),
         2, "LookupEvents"),
    Case("cut-json", "cloudtrail", _cut_json, 3, "cut off"),
    Case("elements-not-objects", "cloudtrail", lambda: gz(json.dumps({"Records": [record("el", 0), 5, "x", None]}).encode()), 1, "not CloudTrail records"),
    Case("unknown-fields", "cloudtrail",
         lambda: gz(json.dumps({"Records": [record("new", 0, eventVersion="1.99", brandNewField={"a": [1, 2]}, userIdentity={"type": "IAMUser", "newThing": {"x": 1}, "accountId": ACCOUNT})]}).encode()),
         1),
    Case("gzip-members", "cloudtrail", _two_members, 6),
    Case("flow-default-with-nodata", "vpcflow",
         lambda: gz((FLOW_V2 + "\n" + "\n".join(flow_row(i) for i in range(4))
                     + f"\n2 {ACCOUNT} eni-0a1b2c3d - - - - - - - 1793700000 1793700060 - NODATA"
                     + f"\n2 {ACCOUNT} eni-0a1b2c3d - - - - - - - 1793700000 1793700060 - SKIPDATA\n").encode()), 6),
    Case("flow-custom-format", "vpcflow",
         lambda: gz((FLOW_CUSTOM + "\n" + "\n".join(
             f"{ACCOUNT} REJECT use1-az1 60 10.0.1.5 {22 + i} 1793700060 i-0abc eni-0a1b2c3d OK 1 6 {REGION} 198.51.100.7 5000{i} 1793700000 5"
             for i in range(3)) + "\n").encode()), 3),
    Case("flow-repeated-header", "vpcflow",
         lambda: gz((FLOW_V2 + "\n" + flow_row(1) + "\n" + flow_row(2) + "\n\n" + FLOW_V2 + "\n" + flow_row(3) + "\n" + flow_row(4) + "\n").encode()), 4),
    Case("flow-wrong-width", "vpcflow", lambda: gz((FLOW_V2 + "\n" + flow_row(1) + "\n1 2 3\n" + flow_row(2) + "\n").encode()), 2, "field count"),
    Case("flow-not-a-number", "vpcflow", lambda: gz((FLOW_V2 + "\n" + flow_row(1).replace(" 443 ", " https ") + "\n" + flow_row(2) + "\n").encode()), 2, "not numbers"),
    Case("flow-two-formats", "vpcflow",
         lambda: gz((FLOW_V2 + "\n" + flow_row(1) + "\n" + "version account-id action srcaddr\n" + f"2 {ACCOUNT} REJECT 198.51.100.9\n").encode()), 2, "fallback"),
    Case("flow-field-twice", "vpcflow",  # dstaddr twice: which value is the destination?
         lambda: gz((FLOW_V2.replace("dstaddr", "dstaddr dstaddr") + "\n" + flow_row(1).replace(" 10.0.1.5 ", " 10.0.1.5 10.0.1.6 ")
                     + "\n").encode()), 0, "more than once"),
    Case("flow-truncated-gzip", "vpcflow", lambda: gz((FLOW_V2 + "\n" + "\n".join(flow_row(i) for i in range(200)) + "\n").encode())[:900], (1, 199), "truncated gzip"),
    Case("guardduty-export", "guardduty", lambda: gz((json.dumps(finding("f1", 1, "2026-11-03T02:00:00.000Z")) + "\n" + json.dumps(finding("f2", 1, "2026-11-03T02:00:00.000Z")) + "\n").encode()), 2),
    Case("guardduty-updated-export", "guardduty", lambda: gz((json.dumps(finding("f1", 5, "2026-11-03T09:00:00.000Z")) + "\n").encode()), 1),
    Case("guardduty-eventbridge", "guardduty",
         lambda: gz("\n".join(json.dumps({"version": "0", "detail-type": "GuardDuty Finding", "source": "aws.guardduty", "detail": finding(f"eb{i}", 1, "2026-11-03T03:00:00.000Z")}) for i in range(2)).encode()),
         2, "EventBridge"),
    Case("guardduty-bad-line", "guardduty", lambda: gz((json.dumps(finding("f3", 1, "2026-11-03T04:00:00.000Z")) + "\n{oops\n" + json.dumps(finding("f4", 1, "2026-11-03T04:00:00.000Z")) + "\n").encode()), 2, "not valid JSON"),
]


def _key(case: Case, i: int) -> str:
    folder = {"cloudtrail": "CloudTrail", "vpcflow": "vpcflowlogs", "guardduty": "GuardDuty"}[case.source]
    prefix = f"AWSLogs/{ACCOUNT}/{folder}/{REGION}/{DAY}/"
    if case.source == "cloudtrail":
        return prefix + f"{ACCOUNT}_CloudTrail_{REGION}_20261103T{i:04d}Z_{case.name.replace('-', '')}.json.gz"
    if case.source == "vpcflow":
        return prefix + f"{ACCOUNT}_vpcflowlogs_{REGION}_fl-0123456789abcdef0_20261103T{i:04d}Z_{i:08x}.log.gz"
    return prefix + f"{i:08x}-0000-4000-8000-{i:012x}.jsonl.gz"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    paths = {}
    for i, case in enumerate(CASES):
        path = root / _key(case, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.data())
        paths[case.name] = str(path)
    # objects that share the tree and must never be read
    for folder, name in (("CloudTrail-Digest", f"{ACCOUNT}_CloudTrail-Digest_{REGION}_t_{REGION}_20261103T000000Z.json.gz"),
                         ("CloudTrail-Insight", f"{ACCOUNT}_CloudTrail-Insight_{REGION}_20261103T0000Z_x.json.gz")):
        extra = root / f"AWSLogs/{ACCOUNT}/{folder}/{REGION}/{DAY}/{name}"
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_bytes(gz(body("never", 7)))
    (root / f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{DAY}/README.txt").write_text("not a log")
    return root, paths


def test_corpus_has_twenty_kinds_or_more():
    assert len(CASES) >= 20


@pytest.fixture(scope="module")
def engine_run(corpus):
    root, _ = corpus
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as engine:
        counts = {}
        for source in ("cloudtrail", "vpcflow", "guardduty"):
            frame = engine.query(f"SELECT count(*) AS n FROM {source} WHERE day = :day", {"day": DAY})
            counts[source] = (int(frame.n.iloc[0]), engine.last_scan)
        findings = engine.query("findings", {"start": "2026-11-03", "end": "2026-11-03"})
        yield counts, findings


@pytest.mark.parametrize("source", ["cloudtrail", "vpcflow", "guardduty"])
def test_engine_counts_every_saved_record(engine_run, source):
    counts, _ = engine_run
    queried, scan = counts[source]
    cases = [c for c in CASES if c.source == source]
    low, high = (sum(c.expected()[k] for c in cases) for k in (0, 1))
    assert low <= queried <= high
    assert scan.records == queried, "the records reported are the records the query saw"
    assert scan.files == len(cases), "digest, insight and stray files are never read"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_engine_names_each_bad_file_with_its_reason(engine_run, corpus, case):
    counts, _ = engine_run
    _, paths = corpus
    problems = [p for p in counts[case.source][1].problems if p["path"] == paths[case.name]]
    if case.reason is None:
        assert problems == []
    else:
        assert problems, f"{case.name}: no problem reported"
        assert any(case.reason in p["reason"] for p in problems), problems


def test_duplicate_findings_collapse_to_the_latest_update(engine_run):
    _, findings = engine_run
    assert findings.finding_id.is_unique
    assert set(findings.finding_id) == {"f1", "f2", "eb0", "eb1", "f3", "f4"}
    assert int(findings.set_index("finding_id").loc["f1", "count"]) == 5


def test_strict_mode_fails_and_names_the_files(corpus):
    root, paths = corpus
    with LocalEngine(root, strict=True, max_record_bytes=MAX_RECORD) as engine, \
            pytest.raises(UnreadableFiles) as err:
        engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY})
    assert paths["truncated-gzip"] in str(err.value) and paths["zero-byte"] in str(err.value)


def test_import_accounts_for_every_record(corpus, tmp_path):
    _, paths = corpus
    cases = [c for c in CASES if c.importable]
    report = import_files([paths[c.name] for c in cases], tmp_path / "out", region=REGION)
    low, high = (sum(c.expected(imported=True)[k] for c in cases) for k in (0, 1))
    assert low <= report.records_in <= high
    assert report.written + report.duplicates + report.rejected == report.records_in
    # the second section of flow-two-formats has no start field: its file's S3 key gives the day
    assert report.rejected == 0
    assert report.supplied["day from the S3 key"] == 1
    assert report.supplied["region from the S3 key"] > 100, "flow rows without a region field: the key has it"
    for case in cases:
        # shapes that are only unusual inside the S3 tree, and the engine's size limit, are no problem here
        if case.reason and case.reason not in ("bare array", "JSON lines", "LookupEvents", "EventBridge", "fallback", "larger than",
                                                 "not numbers"):  # import keeps flow-log text as it is
            assert any(p.path == paths[case.name] and case.reason in p.reason for p in report.problems), case.name
    total, problems = 0, []
    with LocalEngine(tmp_path / "out") as engine:
        for source in ("cloudtrail", "vpcflow", "guardduty"):
            total += int(engine.query(f"SELECT count(*) AS n FROM {source}", allow_full_scan=True).n.iloc[0])
            problems += [p["reason"] for p in engine.last_scan.problems]
    assert total == report.written
    assert len(problems) == 1 and "not numbers" in problems[0], "imported files are clean, values kept as they were"


def test_import_rejects_records_it_cannot_place_with_the_reason(corpus, tmp_path):
    _, paths = corpus
    report = import_files([paths["record-without-eventtime"]], tmp_path / "out")
    assert (report.records_in, report.written, report.rejected) == (2, 1, 1)
    rejects = (tmp_path / "out" / "import-rejects" / "cloudtrail.jsonl").read_text().splitlines()
    assert len(rejects) == 1 and "no usable time" in json.loads(rejects[0])["reason"]
    assert not report.complete


def test_import_unwraps_eventbridge_and_lookup_events_and_places_them_by_day(corpus, tmp_path):
    _, paths = corpus
    report = import_files([paths["guardduty-eventbridge"], paths["lookup-events"]], tmp_path / "out")
    assert report.written == 4 and report.complete
    written = sorted(Path(p).relative_to(tmp_path / "out").as_posix() for p in report.outputs)
    assert any(p.startswith(f"AWSLogs/{ACCOUNT}/GuardDuty/{REGION}/2026/11/03/") for p in written)
    assert any(p.startswith(f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/03/{ACCOUNT}_CloudTrail_") for p in written)


def test_flow_rows_without_region_need_one(corpus, tmp_path):
    _, paths = corpus
    loose = tmp_path / "loose.log.gz"  # the same file away from its S3 key
    loose.write_bytes(Path(paths["flow-default-with-nodata"]).read_bytes())
    report = import_files([loose], tmp_path / "out")
    assert report.rejected == 6
    rejects = (tmp_path / "out" / "import-rejects" / "vpcflow.jsonl").read_text()
    assert "--region" in rejects
    placed = import_files([loose], tmp_path / "given", region=REGION)
    assert placed.rejected == 0 and placed.supplied == {"region": 6}
    under_key = import_files([paths["flow-default-with-nodata"]], tmp_path / "keyed")
    assert under_key.rejected == 0 and under_key.supplied == {"region from the S3 key": 6}


def test_cli_shows_what_was_not_read_and_strict_fails(corpus, capsys):
    from workbench.cli import main

    root, paths = corpus
    sql = "SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/03'"
    assert main(["query", sql, "--logs", str(root), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)[0]["n"] > 0
    assert f"problem: {paths['truncated-gzip']}: truncated gzip" in err
    assert "files with problems" in err
    assert main(["query", sql, "--logs", str(root), "--strict"]) == 2
    _, err = capsys.readouterr()
    assert "strict mode" in err and paths["zero-byte"] in err


def test_cli_import_reports_counts_and_exit_status(corpus, tmp_path, capsys):
    from workbench.cli import main

    _, paths = corpus
    assert main(["import", paths["good"], paths["bare-array"], "--out", str(tmp_path / "o")]) == 0
    out, _ = capsys.readouterr()
    assert "read 7 records from 2 files" in out and "wrote 7 records" in out
    assert main(["import", paths["record-without-eventtime"], "--out", str(tmp_path / "o2")]) == 1
    out, _ = capsys.readouterr()
    assert "1 records rejected" in out
    assert main(["import", str(tmp_path / "missing"), "--out", str(tmp_path / "o3")]) == 2


def test_notebooks_show_what_was_not_read(corpus, capsys):
    from workbench import Investigation

    root, paths = corpus
    inv = Investigation("local", root, "2026-11-03", "2026-11-03")
    try:
        inv.query("console_logins")
        printed = capsys.readouterr().out
        inv.query("root_activity")  # the same files again: said once, not twice
        again = capsys.readouterr().out
    finally:
        inv.close()
    assert "could not be read whole" in printed and paths["truncated-gzip"] in printed
    assert again == ""
    assert paths["zero-byte"] in {p["path"] for p in inv.problems()}
    assert "could not be read whole" in inv.scanned()


def test_checks_of_healthy_files_are_kept_between_sessions(corpus, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = tmp_path / "logs"
    shutil.copytree(corpus[0], root)
    sql, params = "SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY}
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as first:
        n = int(first.query(sql, params).n.iloc[0])
        problems = first.last_scan.problems
    assert list((tmp_path / "home-cache" / "workbench" / "file-checks").glob("*.json"))
    good = next(root.glob("AWSLogs/**/*_good.json.gz"))
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as second:
        calls = []
        fmt = format_of(get_source("cloudtrail"))
        original = fmt.check
        monkeypatch.setattr(fmt, "check", lambda con, source, files, **k: calls.append(files) or original(con, source, files, **k))
        assert int(second.query(sql, params).n.iloc[0]) == n
        # healthy files are not checked again; damaged ones are, and still reported
        assert calls and not any(f.path == str(good) for batch in calls for f in batch)
        assert sorted(p["path"] for p in second.last_scan.problems) == sorted(p["path"] for p in problems)
    good.write_bytes(_truncated())  # the same file, damaged since: checked afresh
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as third:
        third.query(sql, params)
        assert any(p["path"] == str(good) and "truncated gzip" in p["reason"] for p in third.last_scan.problems)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_deeply_nested_record_is_a_problem_line_not_a_crash(tmp_path):
    """Thousands of nested arrays break a recursive parser: the file is named, its good record kept."""
    deep = gz(('{"Records": [' + json.dumps(record("deep", 0)) + ', {"eventTime": "2026-11-03T10:01:00Z", '
               '"requestParameters": ' + _deep(200_000) + "}]}").encode())
    lookup = gz(json.dumps({"Events": [{"CloudTrailEvent": json.dumps(record("lk", 0))},
                                        {"CloudTrailEvent": '{"a": ' + _deep(200_000) + "}"}]}).encode())
    root = tmp_path / "logs"
    paths = []
    for i, data in enumerate((deep, lookup)):
        path = root / _key(Case(f"deep{i}", "cloudtrail", lambda: b"", 0), i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(str(path))
    with LocalEngine(root) as engine:
        frame = engine.query("SELECT eventid FROM cloudtrail WHERE day = :day", {"day": DAY})
        problems = {p["path"]: p["reason"] for p in engine.last_scan.problems}
    assert {"deep-0", "lk-0"} <= set(frame.eventid), "the good records beside the deep ones come back"
    assert paths[1] in problems and all(problems.values()), problems
    report = import_files(paths, tmp_path / "imported")
    assert report.written == 2, "the import keeps the good record of each file"
    assert {p.path for p in report.problems} == set(paths)
    assert any("deeper than" in p.reason for p in report.problems)


def test_an_unreadable_file_is_a_problem_line_and_its_day_is_still_answered(corpus, monkeypatch):
    """A file the engine may not open (permissions) is named with the reason; every other record of the day comes back."""
    import builtins

    root, paths = corpus
    denied = paths["good"]
    original = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file) == denied:
            raise PermissionError(13, "Permission denied", str(file))
        return original(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    with LocalEngine(root, max_record_bytes=MAX_RECORD, remember_checks=False) as engine:
        n = int(engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY}).n.iloc[0])
        problems = {p["path"]: p for p in engine.last_scan.problems}
    low, high = (sum(c.expected()[k] for c in CASES if c.source == "cloudtrail" and c.name != "good") for k in (0, 1))
    assert low <= n <= high
    assert "Permission denied" in problems[denied]["reason"] and problems[denied]["lost"] is None


BOMB_BYTES = 1 << 30  # what the hostile file inflates to: 1 GiB
BOMB_SCRIPT = """
import resource, sys
from workbench.engines.local import LocalEngine
from workbench.formats.importer import import_files
logs, bomb, out, mode = sys.argv[1:5]
if mode == "query":
    with LocalEngine(logs, remember_checks=False) as engine:
        n = int(engine.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/03'").n.iloc[0])
        problems = [p for p in engine.last_scan.problems if p["path"] == bomb]
else:
    report = import_files([bomb], out)
    n, problems = report.records_in, [p.as_dict() for p in report.problems if p.path == bomb]
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, repr(problems))
"""


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A CloudTrail file of about 4 MB that inflates to 1 GiB of records, in a day folder beside a good file."""
    import zlib

    root = tmp_path_factory.mktemp("bomb")
    path = root / _key(Case("bomb", "cloudtrail", lambda: b"", 0), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / Path(_key(Case("good", "cloudtrail", lambda: b"", 0), 2)).name).write_bytes(gz(body("good", 5)))
    one = json.dumps(record("bomb", 0)).encode() + b","
    stream = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as fh:
        fh.write(stream.compress(b'{"Records": ['))
        chunk = one * (4 * 1024 * 1024 // len(one))
        for _ in range(BOMB_BYTES // len(chunk)):
            fh.write(stream.compress(chunk))
        fh.write(stream.compress(json.dumps(record("bomb", 1)).encode() + b"]}") + stream.flush())
    return root, str(path)


@pytest.mark.parametrize("mode", ["query", "import"])
def test_a_gzip_bomb_is_cut_at_the_cap_and_memory_stays_bounded(bomb, tmp_path, mode):
    import subprocess
    import sys

    root, path = bomb
    assert Path(path).stat().st_size < 8 * 1024 * 1024
    env = {**__import__("os").environ, "WORKBENCH_MAX_FILE_BYTES": "64M"}
    done = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(root), path, str(tmp_path / "out"), mode],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    records, peak_mb, problems = done.stdout.strip().split(" ", 2)
    problems = eval(problems)  # our own script's repr of plain data
    assert int(records) > 1000, "the records before the cap are kept"
    assert problems and "more than the 64.0 MB" in problems[0]["reason"] and problems[0]["lost"] is None
    assert int(peak_mb) < 1200, f"peak RSS {peak_mb} MB for a file that inflates to 1 GiB"


def _rewrite_in_place(path: Path, data: bytes) -> None:
    """Give ``path`` other bytes of the same size and put its modification time back, as a tamperer would."""
    stat = path.stat()
    assert len(data) == stat.st_size
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _same_size_damage(data: bytes) -> bytes:
    return data[: len(data) // 2] + bytes(len(data) - len(data) // 2)


def test_a_file_rewritten_in_place_with_its_size_and_time_is_checked_again(corpus, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = tmp_path / "logs"
    shutil.copytree(corpus[0], root)
    good = next(root.glob("AWSLogs/**/*_good.json.gz"))
    sql, params = "SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY}
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as first:
        first.query(sql, params)
        assert not any(p["path"] == str(good) for p in first.last_scan.problems)
    _rewrite_in_place(good, _same_size_damage(good.read_bytes()))
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as second:
        second.query(sql, params)
        assert any(p["path"] == str(good) for p in second.last_scan.problems), "checked afresh, not trusted"


def test_a_kept_check_that_turns_out_wrong_is_forgotten_and_the_file_checked(corpus, tmp_path, monkeypatch):
    """Even when the version the check was kept under still matches, a file that fails is checked again."""
    import shutil

    from workbench.engines.local.checks import default_store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = tmp_path / "logs"
    shutil.copytree(corpus[0], root)
    good = next(root.glob("AWSLogs/**/*_good.json.gz"))
    _rewrite_in_place(good, _same_size_damage(good.read_bytes()))
    sql, params = "SELECT count(*) AS n FROM cloudtrail WHERE day = :day", {"day": DAY}
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as first:
        expected = int(first.query(sql, params).n.iloc[0])
    store = default_store(root)
    doc = json.loads(store.read_text())
    stat = good.stat()
    lie = "|".join(map(str, (str(good), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)))
    doc["checks"][lie] = [5, 2000]  # a store that says the damaged file is healthy
    store.write_text(json.dumps(doc))
    with LocalEngine(root, max_record_bytes=MAX_RECORD) as second:
        assert int(second.query(sql, params).n.iloc[0]) == expected
        assert any(p["path"] == str(good) for p in second.last_scan.problems)
    assert lie not in json.loads(store.read_text())["checks"]


def test_an_import_stopped_mid_write_leaves_no_file_under_a_log_name(corpus, tmp_path, monkeypatch):
    import workbench.writes as writes

    _, paths = corpus
    out = tmp_path / "out"

    def killed(*args):
        raise KeyboardInterrupt  # as a kill between writing a file and naming it

    monkeypatch.setattr(writes.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        import_files([paths["good"]], out)
    monkeypatch.undo()
    source = get_source("cloudtrail")
    named = [p for p in out.rglob("*") if p.is_file() and source.file_regex().fullmatch(p.name)]
    assert named == [], named
    assert import_files([paths["good"]], out).written == 5, "the import, run again, writes the records"


def test_rerunning_an_import_adds_no_reject_twice(corpus, tmp_path):
    _, paths = corpus
    files = [paths["record-without-eventtime"], paths["good"]]
    for _ in range(3):
        import_files(files, tmp_path / "out")
    rejects = (tmp_path / "out" / "import-rejects" / "cloudtrail.jsonl").read_text().splitlines()
    assert len(rejects) == 1
