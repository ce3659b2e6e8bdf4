"""``workbench doctor`` against a local AWS API server: a healthy setup, and each problem with its fix."""

import datetime as dt
import io

import boto3
import pytest

from tests.moto_aws import aws, aws_server, create_athena_setup, no_credentials  # noqa: F401
from workbench.aws.doctor import _projection_range, doctor, run_checks

TODAY = dt.date(2026, 11, 26)


def _run(**kwargs) -> tuple[int, str]:
    stream = io.StringIO()
    code = doctor(workgroup="workbench", today=TODAY, stream=stream, **kwargs)
    return code, stream.getvalue()


def _by_name(**kwargs) -> dict:
    return {c.name: c for c in run_checks(workgroup="workbench", today=TODAY, **kwargs)}


def _upload_a_log(bucket="org-trail-logs"):
    """A CloudTrail file under AWSLogs/, and an S3 server access log under s3-access-logs/ beside it."""
    s3 = boto3.Session().client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/11/25/"
                  "111122223333_CloudTrail_us-east-1_20261125T0000Z_abc.json.gz", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="s3-access-logs/111122223333/us-east-1/shop-data.example.com/2026/11/25/"
                  "2026-11-25-00-51-07-0123456789ABCDEF", Body=b"")


def test_a_healthy_setup_passes(aws):
    create_athena_setup()
    _upload_a_log()
    code, out = _run()
    assert code == 0, out
    assert "FAIL" not in out and out.rstrip().endswith("all checks passed")
    for line in ("OK    duckdb:", "OK    awswrangler:", "OK    region: us-east-1",
                 "OK    credentials: arn:aws:sts::123456789012:", "OK    workgroup workbench: exists",
                 "OK    result location: s3://athena-results/workbench/", "OK    scan cutoff: 10.0 GB per query",
                 "OK    database security_logs: exists", "OK    table security_logs.cloudtrail: projection over 1 "
                 "accounts x 1 regions x days 2024/01/01..NOW", "OK    logs s3://org-trail-logs/AWSLogs/o-abcdefghij/: readable",
                 "OK    table security_logs.s3access: projection over 1 accounts x 1 regions x 1 bucket values x days "
                 "2024/01/01..NOW", "OK    logs s3://org-trail-logs/s3-access-logs/: readable"):
        assert line in out, line


def test_each_problem_is_named_with_a_fix(aws):
    create_athena_setup(cutoff=None, tables=("cloudtrail", "vpcflow"), day_range={"cloudtrail": "2024/01/01,2026/06/30"},
                        regions=("eu-west-1",))
    code, out = _run()
    assert code == 1 and out.rstrip().endswith("problems found, see the fixes above")
    checks = _by_name()
    assert checks["scan cutoff"].status == "WARN" and "BytesScannedCutoffPerQuery" in checks["scan cutoff"].fix
    gd = checks["table security_logs.guardduty"]
    assert gd.status == "FAIL" and gd.detail == "does not exist" and "workbench ddl --source guardduty" in gd.fix
    ct = checks["table security_logs.cloudtrail"]
    assert ct.status == "FAIL" and "ends 2026/06/30, before today" in ct.detail and "DROP TABLE security_logs.cloudtrail" in ct.fix
    logs = checks["logs s3://org-trail-logs/AWSLogs/"]  # the flow-log table's bucket
    assert logs.status == "FAIL" and "does not exist" in logs.detail
    assert "      fix: " in out


def test_s3_access_logs_are_checked_beside_awslogs(aws):
    """The s3access table's template is .../s3-access-logs/${account}/${region}/${bucket}/${day}: one under
    AWSLogs/ is named with the layout it should have; an empty target prefix says where to look."""
    create_athena_setup(tables=("s3access",))
    check = _by_name()["logs s3://org-trail-logs/s3-access-logs/"]
    assert check.status == "FAIL" and "does not exist" in check.detail
    boto3.Session().client("s3").create_bucket(Bucket="org-trail-logs")
    check = _by_name()["logs s3://org-trail-logs/s3-access-logs/"]
    assert check.status == "WARN" and "is empty" in check.detail and "target prefix s3-access-logs/" in check.fix
    glue = boto3.Session().client("glue")
    table = glue.get_table(DatabaseName="security_logs", Name="s3access")["Table"]
    parameters = {**table["Parameters"], "storage.location.template":
                  "s3://org-trail-logs/AWSLogs/${account}/s3-access-logs/${region}/${bucket}/${day}"}
    glue.update_table(DatabaseName="security_logs", TableInput={
        k: table[k] for k in ("Name", "TableType", "PartitionKeys", "StorageDescriptor")} | {"Parameters": parameters})
    check = _by_name()["table security_logs.s3access"]
    assert check.status == "FAIL" and "'.../s3-access-logs/${account}/${region}/${bucket}/${day}' key layout" in check.detail


def test_a_table_over_hive_compatible_folders_needs_registered_partitions(aws):
    create_athena_setup(tables=("cloudtrail", "vpcflow"), hive=("vpcflow",))
    _upload_a_log()
    check = _by_name()["table security_logs.vpcflow"]
    assert check.status == "WARN" and "no partition registered yet" in check.detail and "upkeep Lambda" in check.fix
    boto3.Session().client("glue").create_partition(
        DatabaseName="security_logs", TableName="vpcflow",
        PartitionInput={"Values": ["111122223333", "us-east-1", "2026/11/25"], "StorageDescriptor": {
            "Location": "s3://org-trail-logs/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/"
                        "aws-region=us-east-1/year=2026/month=11/day=25/"}})
    check = _by_name()["table security_logs.vpcflow"]
    assert check.status == "OK" and "Hive-compatible folders" in check.detail


def test_missing_workgroup_database_and_result_location(aws):
    create_athena_setup(output=None, tables=())
    checks = _by_name()
    assert checks["result location"].status == "FAIL" and "WORKBENCH_ATHENA_OUTPUT" in checks["result location"].fix
    assert {c.status for n, c in checks.items() if n.startswith("table ")} == {"FAIL"}
    checks = _by_name(database="nope")
    assert checks["database nope"].status == "FAIL" and "WORKBENCH_ATHENA_DATABASE" in checks["database nope"].fix
    checks = {c.name: c for c in run_checks(workgroup="nope", today=TODAY)}
    assert checks["workgroup nope"].status == "FAIL" and "infra/" in checks["workgroup nope"].fix


def test_no_credentials_fails_and_skips_what_needs_them(aws, monkeypatch):
    create_athena_setup()
    no_credentials(monkeypatch)
    code, out = _run()
    assert code == 1
    assert "FAIL  credentials: cannot call STS GetCallerIdentity: no AWS credentials found" in out
    assert "aws configure" in out and "SKIP  Athena and Glue" in out


def test_no_region(aws, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    checks = _by_name()
    assert checks["region"].status == "FAIL" and "AWS_DEFAULT_REGION" in checks["region"].fix


def test_missing_aws_packages_are_reported_with_the_install_line(monkeypatch):
    import workbench.aws.doctor as doctor_module

    real = doctor_module._missing
    monkeypatch.setattr(doctor_module, "_missing",
                        lambda name: "No module named 'awswrangler'" if name == "awswrangler" else real(name))
    checks = {c.name: c for c in run_checks(today=TODAY)}
    assert checks["awswrangler"].status == "FAIL" and checks["awswrangler"].fix == "pip install 'awswrangler>=3.9' 'boto3>=1.34'"
    assert checks["AWS"].status == "SKIP"


@pytest.mark.parametrize("text, expected", [
    ("2024/01/01,NOW", (dt.date(2024, 1, 1), TODAY)),
    ("2024/01/01,NOW-2DAYS", (dt.date(2024, 1, 1), TODAY - dt.timedelta(days=2))),
    ("2025/05/05,2025/06/06", (dt.date(2025, 5, 5), dt.date(2025, 6, 6))),
    ("yesterday", (None, None)),
])
def test_projection_ranges(text, expected):
    assert _projection_range(text, TODAY) == expected
