"""The command line: output formats, what goes to stderr, one-line errors."""

import json
import subprocess
import sys

import pytest

from workbench.cli import main
from workbench.sources import SOURCES


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_json_is_an_array_of_row_objects(capsys, sample_org, window, truth):
    planted = truth["by_kind"]["root_console_login"]
    code, out, err = run(capsys, "query", "cloudtrail/root_activity", "-p", f"start={window['start']}",
                         "-p", f"end={window['end']}", "--logs", str(sample_org), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert sorted(r["event_id"] for r in rows) == sorted(planted["event_ids"])
    assert set(rows[0]) >= {"event_time", "account_id", "event_name", "source_ip", "outcome", "mfa_used"}
    assert rows[0]["event_time"].startswith("2026-11-")
    assert "root_activity on local" in err and "files" in err


def test_query_csv_and_table(capsys, sample_org, window):
    code, out, _ = run(capsys, "query", "scan_candidates", "-p", f"start={window['start']}",
                       "-p", f"end={window['end']}", "--logs", str(sample_org), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("account_id,interface_id,source_ip")
    code, out, _ = run(capsys, "query", "findings", "-p", f"start={window['start']}",
                       "-p", f"end={window['end']}", "--logs", str(sample_org))
    assert code == 0 and "finding_id" in out.splitlines()[0]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["query", "root_activity", "-p", "start=2026-11-01"], "needs parameter end"),
        (["query", "root_activity", "-p", "start=2026-13-01", "-p", "end=2026-11-02"], "not a valid day"),
        (["query", "no_such_query"], "no query called"),
        (["query", "root_activity", "-p", "start"], "KEY=VALUE"),
        (["query", "SELECT count(*) AS n FROM cloudtrail"], "--allow-full-scan"),
        (["ddl"], "--accounts"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(capsys, sample_org, argv, message):
    if argv[0] == "query":
        argv = argv + ["--logs", str(sample_org)]
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_log_folder_says_what_to_do(capsys, tmp_path):
    code, _, err = run(capsys, "query", "root_activity", "-p", "start=2026-11-01", "-p", "end=2026-11-02",
                       "--logs", str(tmp_path / "nope"))
    assert code == 2 and "workbench sample" in err


def test_query_from_a_sql_file(capsys, sample_org, tmp_path):
    sql = tmp_path / "mine.sql"
    sql.write_text("SELECT eventname, count(*) AS n FROM cloudtrail WHERE day = '2026/11/03' GROUP BY 1")
    code, out, _ = run(capsys, "query", str(sql), "--logs", str(sample_org), "--format", "json")
    assert code == 0 and any(r["eventname"] == "ConsoleLogin" for r in json.loads(out))


def test_queries_lists_every_query_with_parameters(capsys):
    code, out, _ = run(capsys, "queries")
    assert code == 0
    for name in ("cloudtrail/console_logins", "vpcflow/scan_candidates", "guardduty/findings"):
        assert name in out
    assert "-p min_ports=<int>" in out and "(default: 20)" in out
    code, out, _ = run(capsys, "queries", "root_activity")
    assert code == 0 and "FROM cloudtrail" in out


def test_ddl_discovers_layout_from_a_local_copy(capsys, sample_org, truth):
    code, out, _ = run(capsys, "ddl", "--bucket", "b", "--logs", str(sample_org))
    assert code == 0
    assert out.count("CREATE EXTERNAL TABLE") == len(SOURCES)
    for account in truth["accounts"]:
        assert account["id"] in out
    org = truth["generator"]["org_id"]
    assert f"s3://b/AWSLogs/{org}/${{account}}/CloudTrail/${{region}}/${{day}}" in out
    # the web ACL folder is a partition whose values the local copy names
    assert "s3://b/AWSLogs/${account}/WAFLogs/${region}/${web_acl}/${day}" in out
    assert "'projection.web_acl.values'='shop-web-acl'" in out
    assert "'input.regex'='^" in out  # the ALB table reads lines with the source's expression


def test_ddl_asks_for_the_web_acl_names_it_cannot_find(capsys):
    args = ("ddl", "--bucket", "b", "--accounts", "111122223333", "--regions", "us-east-1")
    code, out, err = run(capsys, *args)
    assert code == 0 and "CREATE EXTERNAL TABLE" in out and "WAFLogs" not in out
    assert "WAF logs: skipped; give --web-acls" in err
    code, _, err = run(capsys, *args, "--source", "waf")
    assert code != 0 and "--web-acls" in err
    code, out, _ = run(capsys, *args, "--source", "waf", "--web-acls", "edge-acl,shop-acl")
    assert code == 0 and "'projection.web_acl.values'='edge-acl,shop-acl'" in out


def test_sample_command(capsys, tmp_path):
    code, out, _ = run(capsys, "sample", "--out", str(tmp_path / "s"), "--days", "1", "--accounts", "1",
                       "--scale", "0.05", "--no-org")
    assert code == 0 and (tmp_path / "s" / "scenarios.json").is_file()
    assert "root_console_login" in out


def test_console_script_help_runs():
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "query", "--help"],
                            capture_output=True, text=True, check=True)
    assert "--allow-full-scan" in result.stdout and "-p KEY=VALUE" in result.stdout
