"""A local server that speaks the AWS API (moto, server mode) for the Athena, sync and doctor tests.

The server runs in a thread of the test process on a free loopback port; boto3 and
awswrangler reach it over HTTP through ``AWS_ENDPOINT_URL``, exactly as they would reach AWS.
Each test starts from an empty account (``/moto-api/reset``) with fake credentials and no
user configuration (no profile, no config files, no instance metadata).

Athena never runs SQL here: a test queues the result set a query should return
(:func:`queue_results`), and moto returns it from ``GetQueryResults`` and writes it as the
CSV file Athena writes to the result location. :func:`script_execution` makes
``GetQueryExecution`` report what real Athena reports and moto does not (bytes scanned,
failures, cancellations).
"""

from __future__ import annotations

import json
import os

import pytest
import requests

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
#: The values a table with a scope partition projects (default: the sample's web ACL, WAF's).
SCOPES = {"cloudfront": ("E2QWRUHEXAMPLE",), "resolver": ("vpc-0123456789abcdef0",),
          "s3access": ("shop-data.example.com",)}

_ENV_TO_CLEAR = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_REGION", "WORKBENCH_CONFIG",
)


@pytest.fixture(scope="module")
def aws_server():
    """URL of a moto server on a free loopback port, for the whole test module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def aws(aws_server, monkeypatch, tmp_path):
    """An empty fake AWS account reached through the server, with fake credentials.

    Returns the server URL; ``boto3.Session()`` made inside the test talks to it.
    """
    fake_account(aws_server, monkeypatch, tmp_path)
    return aws_server


@pytest.fixture(scope="module")
def aws_module(aws_server, tmp_path_factory):
    """Like :func:`aws`, but one account for the whole module (for data that is slow to upload)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_account(aws_server, monkeypatch, tmp_path_factory.mktemp("aws"))
        yield aws_server


def fake_account(aws_server: str, monkeypatch, tmp_path) -> None:
    """Empty the server and point boto3 at it with fake credentials and no user configuration."""
    for name in list(os.environ):
        if name in _ENV_TO_CLEAR or name.startswith(("WORKBENCH_ATHENA_", "AWS_ENDPOINT_URL")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_server)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    requests.post(f"{aws_server}/moto-api/reset", timeout=10).raise_for_status()
    requests.post(
        f"{aws_server}/moto-api/state-manager/set-transition",
        json={"model_name": "athena::execution", "transition": {"progression": "immediate"}},
        timeout=10,
    ).raise_for_status()


def no_credentials(monkeypatch) -> None:
    """Remove the fake credentials: boto3 then finds none anywhere."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)


def queue_results(url: str, columns: list[tuple[str, str]], rows: list[list[str | None]]) -> None:
    """Queue the result set of the next Athena query: header row first, as Athena returns it.

    ``None`` is a SQL NULL (no ``VarCharValue``), as in ``GetQueryResults``.
    """
    def row(values):
        return {"Data": [{} if v is None else {"VarCharValue": v} for v in values]}

    column_info = [
        {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n, "Type": t,
         "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}
        for n, t in columns
    ]
    body = {"account_id": ACCOUNT, "region": REGION, "results": [
        {"rows": [row([n for n, _ in columns])] + [row(r) for r in rows], "column_info": column_info}
    ]}
    requests.post(f"{url}/moto-api/static/athena/query-results", json=body, timeout=10).raise_for_status()


def script_execution(monkeypatch, *, state: str | None = None, reason: str | None = None,
                     scanned: int | None = None) -> None:
    """Make ``GetQueryExecution`` report a final ``state``, its ``reason`` and bytes ``scanned``."""
    from moto.athena.responses import AthenaResponse

    original = AthenaResponse.get_query_execution

    def get_query_execution(self):
        doc = json.loads(original(self))
        execution = doc["QueryExecution"]
        if state:
            execution["Status"]["State"] = state
        if reason:
            execution["Status"]["StateChangeReason"] = reason
        if scanned is not None:
            execution["Statistics"]["DataScannedInBytes"] = scanned
        return json.dumps(doc)

    monkeypatch.setattr(AthenaResponse, "get_query_execution", get_query_execution)


def create_athena_setup(*, database: str = "security_logs", workgroup: str = "workbench",
                        output: str | None = "s3://athena-results/workbench/",
                        cutoff: int | None = 10 * 1024**3, tables=None,
                        bucket: str = "org-trail-logs", org_id: str | None = "o-abcdefghij",
                        accounts=("111122223333",), regions=(REGION,), day_range: dict | None = None,
                        hive: tuple = ()):
    """What the workbench stack creates: results bucket, workgroup, database and log tables.

    Tables (default: every source's) are made from :func:`workbench.aws.ddl.table_spec` (partition
    projection included; WAF's projects the sample's web ACL, CloudFront's, Resolver's and the S3 server
    access logs' a distribution, a VPC and a bucket, :data:`SCOPES`);
    ``day_range`` overrides ``projection.day.range`` per table (``{"cloudtrail": "2024/01/01,2025/06/30"}``);
    the tables named in ``hive`` read Hive-compatible folders (no projection).
    """
    import boto3

    from workbench.aws.ddl import table_spec
    from workbench.sources import SOURCES, get_source

    session = boto3.Session()
    if output:
        session.client("s3").create_bucket(Bucket=output[5:].split("/")[0])
    config: dict = {"ResultConfiguration": {"OutputLocation": output} if output else {}}
    if cutoff:
        config["BytesScannedCutoffPerQuery"] = cutoff
    session.client("athena").create_work_group(Name=workgroup, Configuration=config)
    glue = session.client("glue")
    glue.create_database(DatabaseInput={"Name": database})
    for name in tables if tables is not None else tuple(SOURCES):
        spec = table_spec(get_source(name), bucket=bucket, org_id=org_id, accounts=list(accounts),
                          regions=list(regions), database=database,
                          scopes=list(SCOPES.get(name, ("shop-web-acl",))), hive=name in hive)
        parameters = dict(spec.properties)
        if day_range and name in day_range:
            parameters["projection.day.range"] = day_range[name]
        glue.create_table(DatabaseName=database, TableInput={
            "Name": spec.name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"EXTERNAL": "TRUE", **parameters},
            "PartitionKeys": [{"Name": n, "Type": t} for n, t in spec.partitions],
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in spec.columns],
                "Location": spec.location,
            },
        })
    return session
