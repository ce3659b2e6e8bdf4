"""DuckDB's JSON buffer is sized to the data: a file larger than the small first-pass buffer
is checked again with the full allowance and read whole, not reported as damaged."""

import gzip
import json

from workbench.engines.local import LocalEngine
from workbench.formats.base import SMALL_OBJECT_BYTES, object_buffer_bytes

ACCOUNT, REGION = "111122223333", "us-east-1"


def test_a_file_larger_than_the_first_pass_buffer_is_read_whole(tmp_path):
    folder = tmp_path / f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/03"
    folder.mkdir(parents=True)
    big = {"eventVersion": "1.09", "eventTime": "2026-11-03T10:00:00Z", "eventID": "big", "eventName": "PutObject",
           "requestParameters": {"blob": "x" * (SMALL_OBJECT_BYTES + 1024)}}
    small = {**big, "eventID": "small", "requestParameters": None}
    for name, records in (("BIGBIG", [big, small]), ("SMALL", [small])):
        path = folder / f"{ACCOUNT}_CloudTrail_{REGION}_20261103T1000Z_{name}.json.gz"
        path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), 1))
    with LocalEngine(tmp_path, cache=False) as engine:
        frame = engine.query("SELECT eventid, length(requestparameters) AS n FROM cloudtrail WHERE day = '2026/11/03' "
                             "ORDER BY eventid")
        assert engine.last_scan.problems == []
        assert engine.last_scan.records == 3
    assert list(frame.eventid) == ["big", "small", "small"]
    assert frame.n.iloc[0] > SMALL_OBJECT_BYTES


def test_buffer_sizes():
    assert object_buffer_bytes(None) > object_buffer_bytes(0) == SMALL_OBJECT_BYTES
    assert object_buffer_bytes(100 * 2 ** 20) == 200 * 2 ** 20
