"""Real CloudTrail records from attack detonations (bare JSON arrays, anonymised, with
invalid IPs, invented regions and 9- or 10-digit account ids).

They all import into the S3 layout, every query file runs on them, and the count of
records in equals the count queried.
"""

import json
from pathlib import Path

import pytest

from workbench.engines.local import LocalEngine
from workbench.formats.importer import import_files
from workbench.library import list_queries

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "stratus-red-team"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"real-world samples not present ({SAMPLES.name} is not beside the project)"
)


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory):
    """The samples brought into the S3 layout by ``workbench import``."""
    root = tmp_path_factory.mktemp("real")
    total = sum(len(json.loads(p.read_text())) for p in SAMPLES.glob("*.json"))
    report = import_files(sorted(SAMPLES.glob("*.json")), root)
    assert report.records_in == report.written == total, report.summary()
    assert report.complete and not report.problems
    return root, total


def test_every_record_loads(real_logs):
    root, total = real_logs
    with LocalEngine(root) as engine:
        frame = engine.query("SELECT count(*) AS n, count(DISTINCT eventid) AS ids, "
                             "count(eventtime) AS times FROM cloudtrail", allow_full_scan=True)
    assert total == 310
    assert frame.iloc[0].tolist() == [total, total, total]
    assert engine.last_scan.records == total and engine.last_scan.problems == []


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.qualified_name)
def test_every_query_runs(real_logs, query):
    root, _ = real_logs
    params = {"start": "2020-01-01", "end": "2026-12-31"}
    for name in ("access_key_id", "principal", "source_ip"):
        if any(p.name == name for p in query.params):
            params[name] = "225.01.00.16" if name == "source_ip" else "stratus-red-team-nmfalu-jfzdtsvchl"
    ids = [r["eventID"] for p in sorted(SAMPLES.glob("*.json"))[:2] for r in json.loads(p.read_text())]
    for name, values in (("event_ids", ids), ("finding_ids", ["none"]), ("addresses", ["225.01.00.16"])):
        if any(p.name == name for p in query.params):
            params[name] = values
    with LocalEngine(root) as engine:
        frame = engine.query(query.qualified_name, params)
    assert list(frame.columns) == list(query.returns)
    if query.name in ("console_logins", "events_by_source_ip", "events_by_principal", "events_by_id"):
        assert len(frame) >= 1


def test_console_login_without_mfa_is_seen_as_such(real_logs):
    root, _ = real_logs
    with LocalEngine(root) as engine:
        logins = engine.query("console_logins", {"start": "2020-01-01", "end": "2026-12-31"})
    row = logins[logins.event_id == "865d9377-9c6b-4fd7-8aad-725e95f6a140"].iloc[0]
    assert (row.outcome, bool(row.mfa_used), row.source_ip, row.principal_type) == ("Success", False, "225.01.00.16", "IAMUser")
