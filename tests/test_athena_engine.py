"""The Athena engine against a local AWS API server: SQL and parameters sent, results read,
scan reported, the full-scan guard, settings, and the errors users meet."""

import datetime as dt
import os
import re
import sys

import boto3
import pandas as pd
import pytest

import workbench
from tests.moto_aws import aws, aws_server, create_athena_setup, no_credentials, queue_results, script_execution  # noqa: F401
from workbench.aws.clients import (
    AwsAccessDenied,
    AwsCredentialsError,
    AwsResourceMissing,
    AwsSettingsError,
    ScanCutoffExceeded,
)
from workbench.engines.athena import PRICE_PER_TB_USD, AthenaEngine, estimate_cost
from workbench.engines.athena.params import athena_literal, execution_parameters, to_qmark
from workbench.errors import FullScanRefused, QueryFailed, UsageError, WorkbenchError
from workbench.library import adhoc_query, get_query, list_queries

WINDOW = {"start": "2026-11-01", "end": "2026-11-07"}
LOGIN_COLUMNS = [("event_time", "timestamp with time zone"), ("account_id", "varchar"),
                 ("principal", "varchar"), ("mfa_used", "boolean"), ("n", "bigint")]


@pytest.fixture()
def athena(aws):
    """The workbench stack in the fake account, and an engine connected to it by name."""
    create_athena_setup()
    return workbench.connect("athena", workgroup="workbench", logs="ignored-by-athena")


def _executions():
    client = boto3.Session().client("athena")
    ids = client.list_query_executions()["QueryExecutionIds"]
    return [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


# -- what Athena receives ----------------------------------------------------------------


def test_query_file_is_sent_as_written_with_positional_parameters(athena):
    queue_results(_url(), LOGIN_COLUMNS, [])
    athena.query("console_logins", {**WINDOW, "accounts": ["111122223333", "it's"]})
    (execution,) = _executions()
    query = get_query("console_logins")
    assert execution["Query"] == re.sub(r":(start|end|accounts|regions)\b", "?", query.sql)
    assert execution["Query"].startswith("-- name: console_logins")  # the file, comments and all
    assert execution["ExecutionParameters"] == [
        "'2026-11-01'", "'2026-11-07'",
        "ARRAY['111122223333', 'it''s']", "ARRAY['111122223333', 'it''s']",
        "CAST(ARRAY[] AS ARRAY(VARCHAR))", "CAST(ARRAY[] AS ARRAY(VARCHAR))",
    ]
    assert execution["QueryExecutionContext"]["Database"] == "security_logs"
    assert execution["WorkGroup"] == "workbench"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/workbench/")
    assert athena.last_execution_id == execution["QueryExecutionId"]


@pytest.mark.parametrize("evil", ["x' OR '1'='1", "'; DROP TABLE cloudtrail; --", "\\' OR 1=1 --"])
def test_values_never_enter_the_sql_text(athena, evil):
    queue_results(_url(), [("n", "bigint")], [])
    athena.query("events_by_source_ip", {**WINDOW, "source_ip": evil})
    (execution,) = _executions()
    assert evil not in execution["Query"] and "2026-11-01" not in execution["Query"]
    assert execution["ExecutionParameters"][-1] == "'" + evil.replace("'", "''") + "'"


def test_injected_results_come_back_as_the_expected_dataframe(athena):
    # moto writes the rows as the CSV Athena leaves in the result location (it does not double
    # embedded quotes as Athena does, so the values here have none); awswrangler reads it back
    queue_results(_url(), LOGIN_COLUMNS, [
        ["2026-11-03 09:15:02.000 UTC", "111122223333", "arn:aws:iam::111122223333:root", "false", "3"],
        ["2026-11-04 23:59:59.000 UTC", None, "alice, the admin", "true", "1"],
    ])
    frame = athena.query("console_logins", WINDOW)
    expected = pd.DataFrame({
        "event_time": pd.to_datetime(["2026-11-03 09:15:02", "2026-11-04 23:59:59"], utc=True),
        "account_id": pd.array(["111122223333", None], dtype="string"),
        "principal": pd.array(["arn:aws:iam::111122223333:root", "alice, the admin"], dtype="string"),
        "mfa_used": pd.array([False, True], dtype="boolean"),
        "n": pd.array([3, 1], dtype="Int64"),
    })
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected, check_dtype=False)
    assert str(frame["event_time"].dt.tz) == "UTC"
    assert frame.attrs["scan"]["engine"] == "athena" and frame.attrs["scan"]["rows"] == 2


def test_an_empty_result_keeps_its_columns(athena):
    queue_results(_url(), LOGIN_COLUMNS, [])
    frame = athena.query("console_logins", WINDOW)
    assert frame.empty and list(frame.columns) == [n for n, _ in LOGIN_COLUMNS]


def test_scanned_bytes_and_cost_are_reported(athena, monkeypatch):
    scanned = 3 * 1024**3
    script_execution(monkeypatch, scanned=scanned)
    queue_results(_url(), [("n", "bigint")], [["7"]])
    frame = athena.query("console_logins", WINDOW)
    report = athena.last_scan
    assert report.scanned_bytes == scanned == frame.attrs["scan"]["scanned_bytes"]
    assert report.cost_usd == pytest.approx(3 / 1024 * PRICE_PER_TB_USD)
    assert "scanned 3.0 GB" in report.summary() and "~$0.0146" in report.summary()


def test_cost_has_athenas_ten_megabyte_minimum():
    assert estimate_cost(0) == 0.0
    assert estimate_cost(1) == estimate_cost(10 * 1024**2) == pytest.approx(10 / 1024**2 * PRICE_PER_TB_USD)
    assert estimate_cost(10 * 1024**2 + 1) == pytest.approx(11 / 1024**2 * PRICE_PER_TB_USD)


# -- the full-scan guard -------------------------------------------------------------------


def test_unbounded_query_is_refused_before_anything_runs(athena):
    with pytest.raises(FullScanRefused, match="allow_full_scan"):
        athena.query("SELECT count(*) AS n FROM cloudtrail")
    with pytest.raises(FullScanRefused):
        athena.query("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/03' OR eventname = 'x'")
    assert _executions() == []
    queue_results(_url(), [("n", "bigint")], [["42"]])
    assert athena.query("SELECT count(*) AS n FROM cloudtrail", allow_full_scan=True).n.iloc[0] == 42


def test_ad_hoc_sql_binds_its_parameters(athena):
    queue_results(_url(), [("n", "bigint")], [["1"]])
    athena.query("SELECT count(*) AS n FROM cloudtrail WHERE day = :day AND sourceipaddress = :ip",
                 {"day": "2026/11/03", "ip": "10.0.0.1"})
    (execution,) = _executions()
    assert execution["Query"].endswith("WHERE day = ? AND sourceipaddress = ?")
    assert execution["ExecutionParameters"] == ["'2026/11/03'", "'10.0.0.1'"]


# -- settings ------------------------------------------------------------------------------


def test_settings_come_from_arguments_then_environment_then_config_file(aws, monkeypatch, tmp_path):
    config = tmp_path / "athena.toml"
    config.write_text('[athena]\ndatabase = "from_file"\nworkgroup = "file_wg"\nregion = "eu-west-1"\n'
                      'output = "s3://file-results/"\n')
    monkeypatch.setenv("WORKBENCH_CONFIG", str(config))
    monkeypatch.setenv("WORKBENCH_ATHENA_WORKGROUP", "env_wg")
    engine = AthenaEngine(database="from_argument")
    assert (engine.settings.database, engine.settings.workgroup, engine.region, engine.settings.output) == (
        "from_argument", "env_wg", "eu-west-1", "s3://file-results/")
    assert engine.settings.origin == {"database": "argument", "workgroup": "$WORKBENCH_ATHENA_WORKGROUP",
                                      "region": str(config), "output": str(config)}


def test_engine_is_configured_by_environment_alone(athena, monkeypatch):
    # what a scheduled `workbench report --engine athena` relies on: no arguments at all
    monkeypatch.setenv("WORKBENCH_ATHENA_WORKGROUP", "workbench")
    monkeypatch.setenv("WORKBENCH_ATHENA_DATABASE", "security_logs")
    monkeypatch.setenv("WORKBENCH_ATHENA_REGION", "us-east-1")
    monkeypatch.setenv("WORKBENCH_ATHENA_OUTPUT", "s3://athena-results/scheduled/")
    queue_results(_url(), [("n", "bigint")], [["5"]])
    with workbench.connect("athena") as engine:
        assert engine.query("console_logins", WINDOW).n.tolist() == [5]
    (execution,) = _executions()
    assert execution["WorkGroup"] == "workbench"


def test_config_file_mistakes_are_named(aws, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(UsageError, match="missing.toml, which does not exist"):
        AthenaEngine()
    bad = tmp_path / "bad.toml"
    bad.write_text("[athena]\ndatabse = 'typo'\n")
    monkeypatch.setenv("WORKBENCH_CONFIG", str(bad))
    with pytest.raises(UsageError, match="unknown setting.*databse"):
        AthenaEngine()
    monkeypatch.delenv("WORKBENCH_CONFIG")
    monkeypatch.setenv("WORKBENCH_ATHENA_OUTPUT", "results-bucket/prefix")
    with pytest.raises(UsageError, match="s3:// URL"):
        AthenaEngine()


# -- errors users meet ---------------------------------------------------------------------


def _one_line(err: WorkbenchError) -> str:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_no_credentials(athena, monkeypatch):
    no_credentials(monkeypatch)
    engine = AthenaEngine(workgroup="workbench")
    with pytest.raises(AwsCredentialsError) as err:
        engine.query("console_logins", WINDOW)
    assert "no AWS credentials found" in _one_line(err.value) and "aws sso login" in str(err.value)


def test_no_region(aws, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(AwsSettingsError, match="needs an AWS region.*WORKBENCH_ATHENA_REGION"):
        AthenaEngine()


def test_missing_workgroup(athena):
    engine = AthenaEngine(workgroup="nope")
    with pytest.raises(AwsResourceMissing) as err:
        engine.query("console_logins", WINDOW)
    assert "workgroup 'nope' does not exist" in _one_line(err.value)
    assert "WORKBENCH_ATHENA_WORKGROUP" in str(err.value)


def test_workgroup_without_result_location(aws):
    create_athena_setup(output=None)
    with pytest.raises(AwsSettingsError) as err:
        AthenaEngine(workgroup="workbench").query("console_logins", WINDOW)
    assert "WORKBENCH_ATHENA_OUTPUT=s3://" in _one_line(err.value)


def test_missing_database(athena):
    with pytest.raises(AwsResourceMissing) as err:
        AthenaEngine(workgroup="workbench", database="nope").query("console_logins", WINDOW)
    assert "Glue database 'nope' does not exist" in _one_line(err.value)


def test_missing_table(aws):
    create_athena_setup(tables=("vpcflow",))
    with pytest.raises(AwsResourceMissing) as err:
        AthenaEngine(workgroup="workbench").query("console_logins", WINDOW)
    assert "table 'cloudtrail' does not exist" in _one_line(err.value) and "workbench ddl" in str(err.value)
    assert _executions() == []


def test_query_failure_carries_athenas_reason(athena, monkeypatch):
    reason = "COLUMN_NOT_FOUND: line 14:5: Column 'eventnmae' cannot be resolved"
    script_execution(monkeypatch, state="FAILED", reason=reason)
    with pytest.raises(QueryFailed) as err:
        athena.query("console_logins", WINDOW)
    text = _one_line(err.value)
    assert reason in text and athena.last_execution_id in text


def test_athena_table_not_found_is_explained(athena, monkeypatch):
    script_execution(monkeypatch, state="FAILED",
                     reason="TABLE_NOT_FOUND: line 27:6: Table 'awsdatacatalog.security_logs.cloudtrail' does not exist")
    with pytest.raises(AwsResourceMissing, match="workbench ddl"):
        athena.query("console_logins", WINDOW)


def test_athena_access_denied_on_the_logs_is_explained(athena, monkeypatch):
    script_execution(monkeypatch, state="FAILED",
                     reason="Permission denied on S3 path: s3://org-trail-logs/AWSLogs/o-abcdefghij/111122223333/CloudTrail")
    with pytest.raises(AwsAccessDenied, match="s3:GetObject"):
        athena.query("console_logins", WINDOW)


def test_scan_cutoff_exceeded(athena, monkeypatch):
    script_execution(monkeypatch, state="CANCELLED", reason="Bytes scanned limit was exceeded",
                     scanned=10 * 1024**3)
    with pytest.raises(ScanCutoffExceeded) as err:
        athena.query("console_logins", WINDOW)
    text = _one_line(err.value)
    assert "scan cutoff (10.0 GB per query)" in text and "fewer days" in text
    assert isinstance(err.value, QueryFailed)


def test_a_plain_cancellation_is_not_called_a_cutoff(athena, monkeypatch):
    script_execution(monkeypatch, state="CANCELLED", reason="Query cancelled by user", scanned=1024)
    with pytest.raises(QueryFailed, match="was cancelled") as err:
        athena.query("console_logins", WINDOW)
    assert not isinstance(err.value, ScanCutoffExceeded)


# -- parameters as Athena literals -----------------------------------------------------------


@pytest.mark.parametrize("value, literal", [
    ("plain", "'plain'"),
    ("it's", "'it''s'"),
    ("''", "''''''"),
    ("back\\slash", "'back\\slash'"),
    ("", "''"),
    (0, "0"),
    (-42, "-42"),
    (True, "TRUE"),
    (None, "NULL"),
    (1.5, "DOUBLE '1.5'"),
    (dt.date(2026, 11, 3), "DATE '2026-11-03'"),
    (dt.datetime(2026, 11, 3, 9, 30), "TIMESTAMP '2026-11-03 09:30:00'"),
    (["a", "b'c"], "ARRAY['a', 'b''c']"),
    ([], "CAST(ARRAY[] AS ARRAY(VARCHAR))"),
    ((), "CAST(ARRAY[] AS ARRAY(VARCHAR))"),
])
def test_athena_literals(value, literal):
    assert athena_literal(value) == literal


@pytest.mark.parametrize("value", [float("nan"), {"a": 1}, object()])
def test_values_without_a_literal_are_refused(value):
    with pytest.raises(UsageError):
        athena_literal(value)


def test_every_library_query_turns_into_positional_parameters():
    for query in list_queries():
        sql, names = to_qmark(query)
        rebuilt = iter(names)
        assert re.sub(r"\?", lambda _: ":" + next(rebuilt), sql) == query.sql, query.name  # noqa: B023 - used at once
        assert set(names) == set(query.placeholders)
        values = query.bind({p.name: "2026-11-01" if p.type == "date" else "1"
                             for p in query.params if p.required})
        _, parameters = execution_parameters(query, values)
        assert len(parameters) == sql.count("?")


def test_placeholders_in_comments_and_strings_stay():
    query = adhoc_query("-- compare :ip with ':ip'\nSELECT ':ip' AS s, \"a:ip\" FROM t WHERE x = :ip /* :ip */")
    sql, names = to_qmark(query)
    assert names == ["ip"]
    assert sql == "-- compare :ip with ':ip'\nSELECT ':ip' AS s, \"a:ip\" FROM t WHERE x = ? /* :ip */"


def test_awswrangler_is_optional_and_its_absence_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "awswrangler", None)  # what an environment without it gives
    with pytest.raises(AwsSettingsError, match=r"pip install 'awswrangler>=3.9' 'boto3>=1.34'"):
        AthenaEngine(region="us-east-1")


# -- real AWS (opt-in: pytest -m aws) -------------------------------------------------------


@pytest.mark.aws
def test_real_athena_runs_a_library_query():
    """Needs credentials and WORKBENCH_ATHENA_* (or the config file) naming a deployed stack."""
    today = dt.date.today()
    with workbench.connect("athena") as engine:
        frame = engine.query("console_logins", {"start": (today - dt.timedelta(days=1)).isoformat(),
                                                "end": today.isoformat()})
    assert list(frame.columns)[:2] == ["event_time", "account_id"]
    assert engine.last_scan.scanned_bytes is not None and engine.last_scan.cost_usd is not None


def _url() -> str:
    return os.environ["AWS_ENDPOINT_URL"]
