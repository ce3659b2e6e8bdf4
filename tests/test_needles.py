"""Files passed over because they cannot hold a match: exact, never a guess.

A query with ``column = 'value'`` lets the local engine skip the parsing of files whose text
lacks the value. The answers must equal those of the same query without the shortcut
(``column || '' = 'value'`` gives no needle), also when the value is written with JSON
escapes (``\\u004c``, ``\\/``), and files must really be passed over."""

import gzip
import json

import pytest

from workbench.engines.base import log_table_reads
from workbench.engines.local import LocalEngine
from workbench.engines.local.needles import file_needles
from workbench.engines.pruning import table_reads
from workbench.formats.json_text import escapes, needle_text
from workbench.library import get_query, parse_sql
from workbench.sources import get_source

ACCOUNT, REGION, DAY = "111122223333", "us-east-1", "2026/11/03"


def _event(i, name, **extra):
    return {"eventVersion": "1.09", "eventTime": f"2026-11-03T10:00:{i:02d}Z", "eventID": f"e{i}",
            "eventName": name, "eventSource": "signin.amazonaws.com", "userAgent": "aws-cli/2", **extra}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("needles")
    folder = root / f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{DAY}"
    folder.mkdir(parents=True)
    bodies = {
        "PLAIN": json.dumps({"Records": [_event(1, "ConsoleLogin"), _event(2, "GetObject")]}),
        # the same value spelled with a \u escape, and a / spelled \/: JSON allows both
        "ESCAPED": json.dumps({"Records": [_event(3, "ConsoleLogin"), _event(4, "ListBuckets")]})
        .replace("ConsoleLogin", "Console\\u004cogin"),
        "SLASH": json.dumps({"Records": [_event(5, "GetObject", userAgent="console/web")]}).replace("/", "\\/"),
        # the value elsewhere in the text: read, and the condition still decides
        "ELSEWHERE": json.dumps({"Records": [_event(6, "GetObject", errorMessage="not a ConsoleLogin")]}),
        "NOTHING": json.dumps({"Records": [_event(i, "GetObject") for i in range(7, 17)]}),
    }
    for name, body in bodies.items():
        (folder / f"{ACCOUNT}_CloudTrail_{REGION}_20261103T1000Z_{name}.json.gz").write_bytes(
            gzip.compress(body.encode()))
    return root


def _ids(engine, where, params=None):
    frame = engine.query(f"SELECT eventid FROM cloudtrail WHERE day = '{DAY}' AND {where} ORDER BY eventid",
                         params or {})
    return list(frame.eventid)


@pytest.mark.parametrize("column, value", [("eventname", "ConsoleLogin"), ("useragent", "console/web"),
                                           ("eventname", "GetObject"), ("eventname", "nowhere")])
def test_answers_equal_the_same_query_without_needles(logs, column, value):
    with LocalEngine(logs, cache=False) as engine:
        fast = _ids(engine, f"{column} = :v", {"v": value})
        slow = _ids(engine, f"{column} || '' = :v", {"v": value})
    assert fast == slow
    if value == "ConsoleLogin":
        assert fast == ["e1", "e3"]  # e3 written as Console\u004cogin
    if value == "console/web":
        assert fast == ["e5"]  # written as console\/web


def test_files_without_the_value_are_passed_over(logs):
    with LocalEngine(logs, cache=False) as engine:
        _ids(engine, "eventname = 'ConsoleLogin'")
        read = engine.con.execute("SELECT count(*) FROM cloudtrail").fetchall()[0][0]
        assert engine.last_scan.records == 16
        _ids(engine, "eventname || '' = 'ConsoleLogin'")
        everything = engine.con.execute("SELECT count(*) FROM cloudtrail").fetchall()[0][0]
    # PLAIN (2), ESCAPED (2, holds \u) and ELSEWHERE (1) are read; SLASH and NOTHING are not
    assert (read, everything) == (5, 16)


def test_parameter_values_stay_data(logs):
    with LocalEngine(logs, cache=False) as engine:
        assert _ids(engine, "eventname = :v", {"v": "x') OR TRUE; --"}) == []
        assert _ids(engine, "eventname = :v", {"v": 'say "hi" \\ now'}) == []


def test_needle_text():
    assert needle_text("ConsoleLogin") == "ConsoleLogin"
    assert needle_text('say "hi"') == 'say \\"hi\\"'
    assert needle_text("café") == "café"
    assert needle_text("203.0.113.7") == "203.0.113.7"
    for value in ("", "42", "-1.5e3", "true", "NULL", "{}", "[1]", "nan", "Infinity"):
        assert needle_text(value) is None, value


def _needles(sql, values=None):
    statement = parse_sql(sql)
    reads = table_reads(statement, tables={"cloudtrail": ("account", "region", "day")})
    return file_needles(get_source("cloudtrail"), reads, values or {})


@pytest.mark.parametrize("sql, values, expected", [
    ("SELECT 1 FROM cloudtrail WHERE day = 'x' AND eventname = 'ConsoleLogin'", {}, [["ConsoleLogin"]]),
    ("SELECT 1 FROM cloudtrail t WHERE 'AKIA1' = t.useridentity.accesskeyid AND eventsource = :s",
     {"s": "iam.amazonaws.com"}, [["AKIA1", "iam.amazonaws.com"]]),
    ("SELECT 1 FROM cloudtrail WHERE useridentity.sessioncontext.sessionissuer.arn = :a", {"a": "arn:x"},
     [["arn:x"]]),
    # no usable condition: every file is parsed
    ("SELECT 1 FROM cloudtrail WHERE eventname = 'A' OR eventname = 'B'", {}, None),
    ("SELECT 1 FROM cloudtrail WHERE lower(eventname) = 'a'", {}, None),
    ("SELECT 1 FROM cloudtrail WHERE region = 'us-east-1'", {}, None),  # a partition column
    ("SELECT 1 FROM cloudtrail WHERE recipientaccountid = '111122223333'", {}, None),  # reads as a number too
    ("SELECT 1 FROM cloudtrail WHERE readonly = 'true'", {}, None),  # not a string column
    ("SELECT 1 FROM cloudtrail WHERE eventname = :n", {"n": ["a"]}, None),  # not a string value
    ("SELECT 1 FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid WHERE eventname = 'X'", {}, None),
    ("SELECT 1 FROM cloudtrail WHERE eventname = 'A' UNION ALL SELECT 1 FROM cloudtrail", {}, None),
    # every read has one: a file needs the needles of one of them
    ("SELECT 1 FROM cloudtrail WHERE eventname = 'A' UNION ALL SELECT 1 FROM cloudtrail WHERE eventname = 'B'",
     {}, [["A"], ["B"]]),
])
def test_file_needles(sql, values, expected):
    assert _needles(sql, values) == expected


def test_escapes_include_the_slash_only_when_a_needle_has_one():
    assert escapes([["ConsoleLogin"]]) == ["\\u"]
    assert escapes([["a"], ["arn:aws:iam::1:role/x"]]) == ["\\u", "\\/"]


def test_library_queries_get_their_needles():
    source = get_source("cloudtrail")
    assert file_needles(source, log_table_reads(get_query("console_logins")), {}) == [["ConsoleLogin"]]
    reads = log_table_reads(get_query("events_by_access_key"))
    assert file_needles(source, reads, {"access_key_id": "AKIAEXAMPLE"}) == [["AKIAEXAMPLE"]]
