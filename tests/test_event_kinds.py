"""Every kind of CloudTrail event is counted as the query headers say.

Records written here: a root console action invoked by the sign-in service, root calls an AWS
service made, a network activity event (a call through a VPC endpoint, and one the endpoint
policy denied), an Insights event, a data event and eventVersion 1.11 records, imported as an
export would bring them, then every affected query run on them.
"""

from __future__ import annotations

import json

import pytest

from workbench.engines.local import LocalEngine
from workbench.formats.importer import import_files

ACCOUNT = "111122223333"
DAY = "2026-11-03"
ALICE = {"type": "IAMUser", "principalId": "AIDAALICE", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
         "accountId": ACCOUNT, "accessKeyId": "AKIAALICE0000000000", "userName": "alice"}
ROOT = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT,
        "accessKeyId": "ASIAROOTSESSION00000"}


def _event(n: int, identity: dict | None, source: str, name: str, **fields) -> dict:
    record = {"eventVersion": "1.11", "eventTime": f"{DAY}T10:{n:02d}:00Z", "eventSource": source, "eventName": name,
              "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.50", "userAgent": "aws-cli/2.15.0",
              "requestID": f"req-{n}", "eventID": f"{n:08d}-0000-4000-8000-000000000000", "readOnly": False,
              "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
              "eventCategory": "Management"}
    if identity is not None:
        record["userIdentity"] = identity
    record.update(fields)
    return record


def events() -> list[dict]:
    signin = {**ROOT, "invokedBy": "signin.amazonaws.com"}
    return [
        # root
        _event(1, ROOT, "iam.amazonaws.com", "ListUsers", readOnly=True),
        _event(2, signin, "iam.amazonaws.com", "CreateAccessKey", sessionCredentialFromConsole="true"),
        _event(3, {**ROOT, "invokedBy": "support.amazonaws.com"}, "support.amazonaws.com",
               "DescribeTrustedAdvisorChecks", sourceIPAddress="support.amazonaws.com"),
        _event(4, {"accountId": ACCOUNT, "invokedBy": "AWS Internal", "type": "Root"}, "kms.amazonaws.com",
               "RotateKey", eventType="AwsServiceEvent"),
        _event(5, ROOT, "s3.amazonaws.com", "ListBuckets", eventType="AwsVpceEvent", eventCategory="NetworkActivity",
               managementEvent=None, vpcEndpointId="vpce-0123456789abcdef0", vpcEndpointAccountId=ACCOUNT,
               sharedEventID="aaaaaaaa-0000-4000-8000-000000000005"),
        # alice: one call, its network activity record, a denied call through the endpoint, a data event
        _event(10, ALICE, "kms.amazonaws.com", "ListKeys", readOnly=True),
        _event(11, ALICE, "kms.amazonaws.com", "ListKeys", eventType="AwsVpceEvent", eventCategory="NetworkActivity",
               vpcEndpointId="vpce-0123456789abcdef0", vpcEndpointAccountId=ACCOUNT, readOnly=None),
        _event(12, ALICE, "secretsmanager.amazonaws.com", "GetSecretValue", eventType="AwsVpceEvent",
               eventCategory="NetworkActivity", vpcEndpointId="vpce-0123456789abcdef0", vpcEndpointAccountId=ACCOUNT,
               errorCode="VpceAccessDenied", errorMessage="The request was denied due to a VPC endpoint policy"),
        _event(13, ALICE, "s3.amazonaws.com", "GetObject", readOnly=True, eventCategory="Data", managementEvent=False,
               resources=[{"ARN": "arn:aws:s3:::finance/q3.xlsx", "type": "AWS::S3::Object"}]),
        # alice signs in through a console VPC endpoint: one sign-in, two records
        _event(14, ALICE, "signin.amazonaws.com", "ConsoleLogin", eventType="AwsConsoleSignIn",
               responseElements={"ConsoleLogin": "Success"}, additionalEventData={"MFAUsed": "Yes"}),
        _event(15, ALICE, "signin.amazonaws.com", "ConsoleLogin", eventType="AwsVpceEvent",
               eventCategory="NetworkActivity", vpcEndpointId="vpce-0fedcba9876543210"),
        # an Insights event: no identity, not a call
        {"eventVersion": "1.08", "eventTime": f"{DAY}T10:30:00Z", "awsRegion": "us-east-1",
         "eventID": "00000030-0000-4000-8000-000000000000", "eventType": "AwsCloudTrailInsight",
         "recipientAccountId": ACCOUNT, "sharedEventID": "bbbbbbbb-0000-4000-8000-000000000030",
         "eventCategory": "Insight", "eventName": "ConsoleLogin", "eventSource": "signin.amazonaws.com",
         "insightDetails": {"state": "Start", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
                            "insightType": "ApiCallRateInsight",
                            "insightContext": {"statistics": {"baseline": {"average": 0.01},
                                                              "insight": {"average": 4.0}}}}},
    ]


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    source = root / "export.json"
    source.write_text(json.dumps(events()))
    report = import_files([source], root / "logs")
    assert report.complete and report.written == len(events()), report.summary()
    return root / "logs"


def _run(logs, name: str, **params):
    with LocalEngine(logs) as engine:
        return engine.query(name, {"start": DAY, "end": DAY, **params})


def test_root_activity_keeps_roots_own_console_actions_and_leaves_out_services(logs):
    rows = _run(logs, "root_activity")
    assert sorted(rows.event_name) == ["CreateAccessKey", "ListBuckets", "ListUsers"]
    create = rows[rows.event_name == "CreateAccessKey"].iloc[0]
    assert create.invoked_by == "signin.amazonaws.com" and create.event_category == "Management"
    assert rows[rows.event_name == "ListBuckets"].event_category.item() == "NetworkActivity"


def test_principal_activity_counts_each_call_once(logs):
    rows = _run(logs, "principal_daily_activity")
    alice = rows[rows.principal == ALICE["arn"]].iloc[0]
    # ListKeys, GetObject (a data event) and the console sign-in; not the network activity records
    assert alice.calls == 3 and alice.errors == 0
    root = rows[rows.principal == ROOT["arn"]].iloc[0]
    assert root.calls == 2, "ListUsers and root's own CreateAccessKey, not the services' calls nor the VPCE record"
    assert set(rows.principal) == {ALICE["arn"], ROOT["arn"]}, "the Insights event has no principal to count"


@pytest.mark.parametrize("query", ["principal_api_days", "principal_hourly_sources", "principal_ip_events",
                                   "principal_day_features"])
def test_every_principal_query_leaves_out_network_activity_and_insights(logs, query):
    rows = _run(logs, query)
    count = {"principal_api_days": "calls", "principal_hourly_sources": "calls", "principal_day_features": "calls"}
    total = len(rows) if query == "principal_ip_events" else int(rows[count[query]].sum())
    assert total == 5, f"{query}: 3 calls of alice and 2 of root"


def test_a_sign_in_through_a_console_endpoint_is_one_sign_in(logs):
    rows = _run(logs, "console_logins")
    assert len(rows) == 1 and rows.event_id.item().startswith("00000014")


def test_pivots_keep_network_activity_and_say_so(logs):
    rows = _run(logs, "events_by_access_key", access_key_id=ALICE["accessKeyId"])
    kinds = rows.groupby("event_category").size().to_dict()
    assert kinds == {"Management": 2, "Data": 1, "NetworkActivity": 3}
    denied = rows[rows.error_code == "VpceAccessDenied"]
    assert list(denied.event_name) == ["GetSecretValue"], "a denied call has only its network activity record"
    by_ip = _run(logs, "events_by_source_ip", source_ip="203.0.113.50")
    # all but the support call (from a service name) and the Insights event (no address)
    assert "Insight" not in set(by_ip.event_category) and len(by_ip) == len(events()) - 2
