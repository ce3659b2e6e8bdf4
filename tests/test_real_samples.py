"""Real CloudTrail records from attack detonations (bare JSON arrays, anonymised).

They are laid out here as S3 delivers them ({"Records": [...]} per file under
AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/) and every query file runs on them.
"""

import collections
import gzip
import json
from pathlib import Path

import pytest

from workbench.engines.local import LocalEngine
from workbench.library import list_queries

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "stratus-red-team"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"real-world samples not present ({SAMPLES.name} is not beside the project)"
)


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    groups = collections.defaultdict(list)
    total = 0
    for path in sorted(SAMPLES.glob("*.json")):
        for record in json.loads(path.read_text()):
            total += 1
            account = record["recipientAccountId"]  # 9- to 12-digit ids, as anonymised
            groups[(account, record["awsRegion"], record["eventTime"][:10])].append(record)
    for i, ((account, region, day), records) in enumerate(sorted(groups.items())):
        folder = root / "AWSLogs" / account / "CloudTrail" / region / day.replace("-", "/")
        folder.mkdir(parents=True)
        name = f"{account}_CloudTrail_{region}_{day.replace('-', '')}T0000Z_sample{i:04d}.json.gz"
        with gzip.open(folder / name, "wt") as fh:
            json.dump({"Records": records}, fh)
    return root, total


def test_every_record_loads(real_logs):
    root, total = real_logs
    with LocalEngine(root) as engine:
        frame = engine.query("SELECT count(*) AS n, count(DISTINCT eventid) AS ids, "
                             "count(eventtime) AS times FROM cloudtrail", allow_full_scan=True)
    assert total == 310
    assert frame.iloc[0].tolist() == [total, total, total]


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.qualified_name)
def test_every_query_runs(real_logs, query):
    root, _ = real_logs
    params = {"start": "2020-01-01", "end": "2026-12-31"}
    for name in ("access_key_id", "principal", "source_ip"):
        if any(p.name == name for p in query.params):
            params[name] = "225.01.00.16" if name == "source_ip" else "stratus-red-team-nmfalu-jfzdtsvchl"
    with LocalEngine(root) as engine:
        frame = engine.query(query.qualified_name, params)
    assert list(frame.columns) == list(query.returns)
    if query.name in ("console_logins", "events_by_source_ip", "events_by_principal"):
        assert len(frame) >= 1


def test_console_login_without_mfa_is_seen_as_such(real_logs):
    root, _ = real_logs
    with LocalEngine(root) as engine:
        logins = engine.query("console_logins", {"start": "2020-01-01", "end": "2026-12-31"})
    row = logins[logins.event_id == "865d9377-9c6b-4fd7-8aad-725e95f6a140"].iloc[0]
    assert (row.outcome, bool(row.mfa_used), row.source_ip, row.principal_type) == ("Success", False, "225.01.00.16", "IAMUser")
