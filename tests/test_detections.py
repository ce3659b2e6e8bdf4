"""The detection rules: each fires on its technique, on records written here and on the real
detonations; the planted incidents fire; the sample's background stays quiet; the CLI reports them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.detections import HIT_COLUMNS, SEVERITIES, Rule, get_rule, list_rules, run_rules
from workbench.detections.judges import JUDGES
from workbench.detections.one_pass import narrows
from workbench.detections.rules import CLIENT_DAYS
from workbench.engines.local import LocalEngine
from workbench.formats.importer import import_files
from workbench.library import parse_query_text

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "stratus-red-team"
ACCOUNT = "111122223333"
USER = {"type": "IAMUser", "principalId": "AIDAMALLORY", "arn": f"arn:aws:iam::{ACCOUNT}:user/mallory",
        "accountId": ACCOUNT, "accessKeyId": "AKIAMALLORY000000000", "userName": "mallory"}

#: Stratus Red Team technique -> the rule that must fire on it.
EXPECTED = {
    "credential-access.ec2-get-password-data": "WB-CT-001",
    "credential-access.ec2-steal-instance-credentials": "WB-CT-023",
    "credential-access.secretsmanager-batch-retrieve-secrets": "WB-CT-003",
    "credential-access.secretsmanager-retrieve-secrets": "WB-CT-004",
    "credential-access.ssm-retrieve-securestring-parameters": "WB-CT-005",
    "defense-evasion.cloudtrail-delete": "WB-CT-010",
    "defense-evasion.cloudtrail-stop": "WB-CT-011",
    "defense-evasion.cloudtrail-event-selectors": "WB-CT-012",
    "defense-evasion.dns-delete-logs": "WB-CT-013",
    "defense-evasion.organizations-leave": "WB-CT-014",
    "defense-evasion.vpc-remove-flow-logs": "WB-CT-015",
    "discovery.ec2-download-user-data": "WB-CT-020",
    "execution.ec2-launch-unusual-instances": "WB-CT-021",
    "execution.ec2-user-data": "WB-CT-022",
    "execution.ssm-send-command": "WB-CT-023",
    "execution.ssm-start-session": "WB-CT-024",
    "exfiltration.ec2-security-group-open-port-22-ingress": "WB-CT-030",
    "exfiltration.ec2-share-ami": "WB-CT-031",
    "exfiltration.ec2-share-ebs-snapshot": "WB-CT-032",
    "exfiltration.rds-share-snapshot": "WB-CT-033",
    "impact.bedrock-invoke-model": "WB-CT-040",
    "initial-access.console-login-without-mfa": "WB-CT-050",
    "lateral-movement.ec2-instance-connect": "WB-CT-060",
    "lateral-movement.ec2-serial-console-send-ssh-public-key": "WB-CT-061",
    "persistence.iam-backdoor-role": "WB-CT-070",
    "persistence.iam-backdoor-user": "WB-CT-071",
    "persistence.iam-create-admin-user": "WB-CT-072",
    "persistence.iam-create-backdoor-role": "WB-CT-080",
    "persistence.iam-create-user-login-profile": "WB-CT-073",
    "persistence.lambda-backdoor-function": "WB-CT-075",
    "persistence.lambda-layer-extension": "WB-CT-076",
    "persistence.lambda-overwrite-code": "WB-CT-077",
    "persistence.rolesanywhere-create-trust-anchor": "WB-CT-078",
    "persistence.sts-federation-token": "WB-CT-079",
    "privilege-escalation.iam-update-user-login-profile": "WB-CT-074",
}

#: The technique's calls as records written here: (technique, source, name, request, times, extra fields).
WRITTEN = [
    ("credential-access.ec2-get-password-data", "ec2", "GetPasswordData", {"instanceId": "i-0abc"}, 3, {}),
    ("credential-access.ec2-steal-instance-credentials", "ssm", "SendCommand",
     {"documentName": "AWS-RunShellScript", "instanceIds": ["i-0abc"], "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"}, 1, {}),
    ("credential-access.secretsmanager-batch-retrieve-secrets", "secretsmanager", "BatchGetSecretValue",
     {"filters": [{"key": "tag-key", "values": ["x"]}]}, 1, {}),
    ("credential-access.secretsmanager-retrieve-secrets", "secretsmanager", "GetSecretValue", "secret", 12, {}),
    ("credential-access.ssm-retrieve-securestring-parameters", "ssm", "GetParameters", "parameter", 6, {}),
    ("defense-evasion.cloudtrail-delete", "cloudtrail", "DeleteTrail", {"name": "org-trail"}, 1, {}),
    ("defense-evasion.cloudtrail-stop", "cloudtrail", "StopLogging", {"name": "org-trail"}, 1, {}),
    ("defense-evasion.cloudtrail-event-selectors", "cloudtrail", "PutEventSelectors", {"trailName": "org-trail"}, 1, {}),
    ("defense-evasion.dns-delete-logs", "route53resolver", "DeleteResolverQueryLogConfig",
     {"resolverQueryLogConfigId": "rqlc-1"}, 1, {}),
    ("defense-evasion.organizations-leave", "organizations", "LeaveOrganization", None, 1,
     {"errorCode": "AccessDenied"}),
    ("defense-evasion.vpc-remove-flow-logs", "ec2", "DeleteFlowLogs",
     {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-1", "tag": 1}}}, 1, {}),
    ("discovery.ec2-download-user-data", "ec2", "DescribeInstanceAttribute", "userdata", 6,
     {"errorCode": "Client.UnauthorizedOperation"}),
    ("execution.ec2-launch-unusual-instances", "ec2", "RunInstances", {"instanceType": "p2.xlarge"}, 1,
     {"errorCode": "Client.UnauthorizedOperation"}),
    ("execution.ec2-user-data", "ec2", "ModifyInstanceAttribute", {"instanceId": "i-0abc", "userData": "<sensitiveDataRemoved>"}, 1, {}),
    ("execution.ssm-send-command", "ssm", "SendCommand", {"documentName": "AWS-RunShellScript", "instanceIds": ["i-0abc"]}, 1, {}),
    ("execution.ssm-start-session", "ssm", "StartSession", {"target": "i-0abc"}, 1, {}),
    ("exfiltration.ec2-security-group-open-port-22-ingress", "ec2", "AuthorizeSecurityGroupIngress",
     {"groupId": "sg-1", "ipPermissions": {"items": [{"fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}, 1, {}),
    ("exfiltration.ec2-share-ami", "ec2", "ModifyImageAttribute",
     {"imageId": "ami-1", "launchPermission": {"add": {"items": [{"userId": "999988887777"}]}}}, 1, {}),
    ("exfiltration.ec2-share-ebs-snapshot", "ec2", "ModifySnapshotAttribute",
     {"snapshotId": "snap-1", "createVolumePermission": {"add": {"items": [{"userId": "999988887777"}]}}}, 1, {}),
    ("exfiltration.rds-share-snapshot", "rds", "ModifyDBSnapshotAttribute",
     {"dBSnapshotIdentifier": "db-snap", "attributeName": "restore", "valuesToAdd": ["999988887777"]}, 1, {}),
    ("impact.bedrock-invoke-model", "bedrock", "InvokeModel", {"modelId": "anthropic.claude-3"}, 1, {}),
    ("initial-access.console-login-without-mfa", "signin", "ConsoleLogin", None, 1,
     {"responseElements": {"ConsoleLogin": "Success"}, "additionalEventData": {"MFAUsed": "No"}}),
    ("lateral-movement.ec2-instance-connect", "ec2-instance-connect", "SendSSHPublicKey",
     {"instanceId": "i-0abc", "instanceOSUser": "ec2-user"}, 1, {}),
    ("lateral-movement.ec2-serial-console-send-ssh-public-key", "ec2", "EnableSerialConsoleAccess", None, 1, {}),
    ("persistence.iam-backdoor-role", "iam", "UpdateAssumeRolePolicy", {"roleName": "deploy"}, 1, {}),
    ("persistence.iam-backdoor-user", "iam", "CreateAccessKey", {"userName": "alice"}, 1, {}),
    ("persistence.iam-create-admin-user", "iam", "AttachUserPolicy",
     {"userName": "backdoor", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, 1, {}),
    ("persistence.iam-create-backdoor-role", "iam", "CreateRole",
     {"roleName": "backdoor", "assumeRolePolicyDocument": '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}'}, 1, {}),
    ("persistence.iam-create-user-login-profile", "iam", "CreateLoginProfile", {"userName": "alice"}, 1, {}),
    ("persistence.lambda-backdoor-function", "lambda", "AddPermission20150331v2",
     {"functionName": "f", "principal": "*", "action": "lambda:InvokeFunction"}, 1, {}),
    ("persistence.lambda-layer-extension", "lambda", "UpdateFunctionConfiguration20150331v2",
     {"functionName": "f", "layers": ["arn:aws:lambda:us-east-1:999988887777:layer:x:1"]}, 1, {}),
    ("persistence.lambda-overwrite-code", "lambda", "UpdateFunctionCode20150331v2", {"functionName": "f"}, 1, {}),
    ("persistence.rolesanywhere-create-trust-anchor", "rolesanywhere", "CreateTrustAnchor", {"name": "x"}, 1, {}),
    ("persistence.sts-federation-token", "sts", "GetFederationToken", {"name": "x"}, 1, {}),
    ("privilege-escalation.iam-update-user-login-profile", "iam", "UpdateLoginProfile", {"userName": "alice"}, 1, {}),
]


def _written_records() -> dict[str, list[dict]]:
    out, n = {}, 0
    for technique, service, name, request, times, extra in WRITTEN:
        records = []
        for i in range(times):
            n += 1
            params = request
            if request == "secret":
                params = {"secretId": f"prod/secret-{i}"}
            elif request == "parameter":
                params = {"names": [f"/prod/param-{i}"], "withDecryption": True}
            elif request == "userdata":
                params = {"instanceId": f"i-{i:04x}", "attribute": "userData"}
            records.append({"eventVersion": "1.10", "userIdentity": USER, "eventTime": f"2026-11-03T10:{n // 60:02d}:{n % 60:02d}Z",
                            "eventSource": f"{service}.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
                            "sourceIPAddress": "198.51.100.66", "userAgent": "aws-cli/2.15.0",
                            "requestParameters": params, "responseElements": None, "eventID": f"{technique}-{i}",
                            "readOnly": False, "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
                            "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
                            **extra})
        out[technique] = records
    return out


def _fired(found, event_ids) -> set[str]:
    return set(found.hits[found.hits.event_id.isin(set(event_ids))].rule_id)


def test_every_rule_keeps_the_contract():
    rules = list_rules()
    assert len(rules) >= 35 and len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.severity in SEVERITIES and rule.tactics and rule.techniques and rule.false_positives
        assert tuple(rule.query.returns) == (CLIENT_DAYS if rule.judge else HIT_COLUMNS)
        assert not rule.judge or rule.judge in JUDGES, f"{rule.id}: no judge {rule.judge!r}"
        assert all(t.startswith("T") for t in rule.techniques)
    assert set(EXPECTED.values()) <= {r.id for r in rules}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    records = _written_records()
    dump = root / "dump.json"
    dump.write_text(json.dumps([r for rs in records.values() for r in rs]))
    assert import_files([dump], root / "logs").complete
    with LocalEngine(root / "logs") as engine:
        found = run_rules(engine, start="2026-11-03", end="2026-11-03")
    return records, found


def test_every_technique_fires_its_rule_on_records_written_here(written):
    records, found = written
    assert found.failed == {}
    missed = {t: rule for t, rule in EXPECTED.items() if rule not in _fired(found, [r["eventID"] for r in records[t]])}
    assert missed == {}, "recall must be 100 %"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real-world samples not present ({SAMPLES.name} is not beside the project)")
def test_every_real_detonation_fires_its_rule(tmp_path):
    assert import_files(sorted(SAMPLES.glob("*.json")), tmp_path).complete
    with LocalEngine(tmp_path) as engine:
        found = run_rules(engine, start="2020-01-01", end="2026-12-31")
    assert found.failed == {}
    missed = {}
    for technique, rule in EXPECTED.items():
        events = [r["eventID"] for r in json.loads((SAMPLES / f"aws.{technique}.json").read_text())]
        if rule not in _fired(found, events):
            missed[technique] = rule
    assert missed == {}, "recall on the real detonations must be 100 %"
    assert set(EXPECTED) == {p.stem[len("aws."):] for p in SAMPLES.glob("aws.*.json")}, "every detonation has its rule"


@pytest.fixture(scope="module")
def on_sample(sample_org):
    with LocalEngine(sample_org) as engine:
        return run_rules(engine, start="2026-11-01", end="2026-11-07")


def test_the_planted_incidents_fire(on_sample, truth):
    assert on_sample.failed == {}
    by_kind = truth["by_kind"]
    assert set(by_kind["root_console_login"]["event_ids"]) <= set(on_sample.hits[on_sample.hits.rule_id == "WB-CT-052"].event_id)
    guessing = on_sample.hits[on_sample.hits.rule_id == "WB-CT-051"]
    assert {by_kind["console_bruteforce"]["source_ip"], by_kind["hidden_user_bruteforce"]["source_ip"]} <= set(guessing.source_ip)
    key = by_kind["compromised_access_key"]
    assert {"WB-CT-071", "WB-CT-072", "WB-CT-081"} <= _fired(on_sample, key["event_ids"])


def test_the_background_stays_quiet(on_sample, truth):
    planted = {e for s in truth["scenarios"] for e in s.get("event_ids", []) + s.get("request_ids", [])}
    noise = on_sample.hits[~on_sample.hits.event_id.isin(planted)]
    account_days = len(truth["accounts"]) * 7
    assert len(noise) / account_days < 1, noise[["rule_id", "principal", "detail"]].to_string()


def test_the_cli_lists_runs_and_prints_json(sample_org, capsys):
    assert main(["detect", "--list"]) == 0
    assert "WB-CT-011  high" in capsys.readouterr().out
    assert main(["detect", "--logs", str(sample_org), "--start", "2026-11-01", "--end", "2026-11-07",
                 "--severity", "high", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {"rule_id", "title", "severity", "event_id", "event_time", "account_id", "principal",
                     "source_ip"} <= set(hits[0])
    assert {h["severity"] for h in hits} <= {"critical", "high"}
    assert main(["detect", "--logs", str(sample_org), "--start", "2026-11-07", "--end", "2026-11-01"]) == 2
    assert "ends" in capsys.readouterr().err


def test_a_rule_that_fails_is_named_and_the_others_run(sample_org, tmp_path, capsys):
    broken = tmp_path / "mine" / "cloudtrail" / "broken_rule.sql"
    broken.parent.mkdir(parents=True)
    source = next(r for r in list_rules() if r.id == "WB-CT-052").query.path.read_text()
    broken.write_text(source.replace("WB-CT-052", "MY-001").replace("name: root_account_used", "name: broken_rule")
                      .replace("useridentity.type = 'Root'", "no_such_column = 'Root'"))
    assert main(["detect", "--logs", str(sample_org), "--start", "2026-11-03", "--end", "2026-11-03",
                 "--rules", str(tmp_path / "mine")]) == 0
    captured = capsys.readouterr()
    assert "rule MY-001 failed" in captured.err
    assert "WB-CT-052" in captured.out, "the built-in rules still ran"


def _hit_keys(found) -> list[tuple]:
    return sorted(found.hits[["rule_id", "event_id", "detail"]].itertuples(index=False, name=None))


def test_one_pass_finds_what_the_rules_find_one_by_one_and_reads_the_files_once(sample_org, truth):
    with LocalEngine(sample_org, cache=False) as engine:
        alone = run_rules(engine, start="2026-11-01", end="2026-11-07", one_pass=False)
        together = run_rules(engine, start="2026-11-01", end="2026-11-07")
    assert together.failed == alone.failed == {}
    assert len(alone.hits) > 10 and _hit_keys(together) == _hit_keys(alone)
    # one pass for the CloudTrail rules that pick calls; the rules that look at every call (first seen,
    # correlations) and the lone flow-log rule each read alone, and the judged rules share one query
    picking = [r for r in together.rules if narrows(r)]
    judged = [r for r in together.rules if r.judge]
    sources = {r.query.source for r in picking}
    assert len(picking) > 30 and sources == {"cloudtrail", "vpcflow", "alb", "resolver", "s3access"} and len(judged) == 3
    assert len(together.scans) == len(sources) + len(together.rules) - len(picking) - len(judged) + 1 < 15
    assert set(together.passes) == {"cloudtrail"}
    assert len(alone.scans) == len(alone.rules) - len(judged) + 1 > 30
    assert together.scans[0]["files"] == alone.scans[0]["files"] > 0, "the pass reads the window's files"


def test_one_pass_keeps_each_rules_own_values_apart(sample_org):
    """Two rules may name a parameter alike: each binds its own value (renamed per rule)."""
    base = next(r for r in list_rules() if r.id == "WB-CT-081")
    text = base.query.path.read_text()
    mine = []
    for n, event in ((1, "CreateUser"), (2, "CreateAccessKey")):
        body = (text.replace("WB-CT-081", f"MY-00{n}").replace("name: iam_user_created", f"name: mine_{n}")
                .replace("--   regions", "--   wanted    string        which call\n--   regions")
                .replace("eventname = 'CreateUser'", "eventname = :wanted"))
        rule = Rule.of(parse_query_text(body))
        mine.append(dataclasses.replace(rule, values={"wanted": event}))
    with LocalEngine(sample_org, cache=False) as engine:
        together = run_rules(engine, start="2026-11-01", end="2026-11-07", rules=mine)
        alone = run_rules(engine, start="2026-11-01", end="2026-11-07", rules=mine, one_pass=False)
    assert set(together.hits.rule_id) == {"MY-001", "MY-002"} and _hit_keys(together) == _hit_keys(alone)
    assert set(together.hits[together.hits.rule_id == "MY-002"].event_name) == {"CreateAccessKey"}


def _call(who: str, day: str, service: str, n: int) -> dict:
    identity = {**USER, "arn": f"arn:aws:iam::{ACCOUNT}:user/{who}", "userName": who}
    return {"eventVersion": "1.10", "userIdentity": identity, "eventTime": f"2026-11-{day}T09:{n // 60:02d}:{n % 60:02d}Z",
            "eventSource": f"{service}.amazonaws.com", "eventName": "List", "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0", "eventID": f"{who}-{day}-{service}-{n}",
            "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT, "eventCategory": "Management"}


def test_first_seen_services_are_judged_against_each_principals_own_baseline(tmp_path):
    usual = ["ec2", "s3", "lambda"]
    records = [_call(who, day, service, i) for who in ("alice", "bob") for day in ("01", "02")
               for i, service in enumerate(usual)]
    records += [_call("alice", "05", s, i) for i, s in enumerate(["ec2", "iam", "kms", "secretsmanager"])]  # 3 new
    records += [_call("bob", "05", s, i) for i, s in enumerate(["iam", "kms", "s3"])]  # 2 new: below the bar
    records += [_call("carol", "05", s, i) for i, s in enumerate(["iam", "kms", "sts", "ssm"])]  # no baseline
    records += [_call("bob", "06", s, i) for i, s in enumerate(["sts", "ssm", "iam"])]  # iam no longer new
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], tmp_path / "logs").complete
    rule = [r for r in list_rules() if r.id == "WB-CT-101"]
    with LocalEngine(tmp_path / "logs") as engine:
        found = run_rules(engine, start="2026-11-05", end="2026-11-06", rules=rule)
        short = run_rules(engine, start="2026-11-05", end="2026-11-06", rules=rule, params={"baseline_days": 2})
    hits = found.hits
    assert list(hits.event_id) == ["alice-05-iam-1"], hits[["principal", "detail"]].to_string()
    assert hits.detail.iloc[0] == "3 services new to this principal that day: iam, kms, secretsmanager"
    assert short.hits.empty, "with two days of baseline (Nov 3-4) nobody has one"


def test_the_port_scan_fires_on_the_flows_of_the_scanner(on_sample, truth):
    scan = truth["by_kind"]["port_scan"]
    hits = on_sample.hits[on_sample.hits.rule_id == "WB-VPC-001"]
    assert list(hits.source_ip) == [scan["source_ip"]]
    assert hits.detail.iloc[0].startswith("60 ports of ")


@pytest.fixture(scope="module")
def later_on_sample(sample_org):
    """The sample's last four days, judged against the three before them."""
    with LocalEngine(sample_org) as engine:
        return run_rules(engine, start="2026-11-04", end="2026-11-07", params={"baseline_days": 3})


def test_the_anomalous_principal_and_the_stolen_key_reach_services_new_to_them(later_on_sample, truth):
    hits = later_on_sample.hits[later_on_sample.hits.rule_id == "WB-CT-101"]
    odd = truth["by_kind"]["anomalous_principal"]
    mine = hits[hits.principal == odd["principal_arn"]]
    names = sorted(n.replace(".amazonaws.com", "") for n in odd["new_event_sources"])
    assert list(mine.detail) == [f"{len(names)} services new to this principal that day: {', '.join(names)}"]
    key = truth["by_kind"]["compromised_access_key"]
    assert key["access_key_id"] in set(hits.access_key_id)
    planted = {e for s in truth["scenarios"] for e in s.get("event_ids", []) + s.get("request_ids", [])}
    noise = later_on_sample.hits[~later_on_sample.hits.event_id.isin(planted)
                                 & (later_on_sample.hits.principal != odd["principal_arn"])]
    assert len(noise) / (len(truth["accounts"]) * 4) < 1, noise[["rule_id", "principal", "detail"]].to_string()


def test_the_stolen_key_looks_around_then_makes_itself_a_user(on_sample, truth):
    key = truth["by_kind"]["compromised_access_key"]
    hits = on_sample.hits[on_sample.hits.rule_id == "WB-CT-110"]
    assert list(hits.access_key_id) == [key["access_key_id"]], hits[["principal", "detail"]].to_string()
    assert hits.event_id.iloc[0] in key["event_ids"] and hits.event_name.iloc[0] == "CreateUser"


def test_calls_after_logging_stopped_are_caught_by_the_logging_that_was_left(tmp_path):
    def at(minute: int, name: str, service: str = "ec2", who: str = "mallory", error: str | None = None) -> dict:
        record = {**_call(who, "03", service, minute), "eventName": name,
                  "eventTime": f"2026-11-03T{10 + minute // 60:02d}:{minute % 60:02d}:00Z",
                  "eventID": f"{who}-{name}-{minute}"}
        return {**record, "errorCode": error} if error else record

    records = [at(0, "StopLogging", "cloudtrail"), at(5, "RunInstances"), at(20, "CreateUser", "iam"),
               at(59, "DescribeInstances"), at(75, "TerminateInstances"),  # past the hour
               at(0, "StopLogging", "cloudtrail", who="carol"),  # nothing after it
               at(1, "DeleteTrail", "cloudtrail", who="dave", error="AccessDenied"), at(2, "RunInstances", who="dave")]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], tmp_path / "logs").complete
    with LocalEngine(tmp_path / "logs") as engine:
        found = run_rules(engine, start="2026-11-03", end="2026-11-03",
                          rules=[r for r in list_rules() if r.id == "WB-CT-111"])
    assert list(found.hits.event_id) == ["mallory-StopLogging-0"], "a refused change blinds nothing"
    assert found.hits.detail.iloc[0] == ("StopLogging, then 3 calls in the hour after: CreateUser, DescribeInstances, "
                                         "RunInstances")
    assert found.hits.severity.iloc[0] == "critical"


def test_the_cli_runs_sigma_rules_beside_the_library_and_lists_what_does_not_convert(sample_org, tmp_path, capsys,
                                                                                   truth):
    folder = tmp_path / "sigma"
    folder.mkdir()
    (folder / "root_sign_in.yml").write_text(
        "title: Root signs in\nid: 5e1d0c2a-1111-4111-8111-000000000001\nlogsource:\n  product: aws\n"
        "  service: cloudtrail\ndetection:\n  selection:\n    eventName: consolelogin\n    userIdentity.type: Root\n"
        "  condition: selection\nlevel: high\ntags:\n  - attack.initial-access\n  - attack.t1078.004\n")
    (folder / "windows.yml").write_text("title: Not ours\nlogsource:\n  product: windows\ndetection:\n"
                                        "  sel:\n    EventID: 1\n  condition: sel\n")
    assert main(["detect", "--logs", str(sample_org), "--start", "2026-11-01", "--end", "2026-11-07",
                 "--sigma", str(folder), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "unsupported: windows.yml: " in captured.err
    hits = json.loads(captured.out)
    mine = {h["event_id"] for h in hits if h["rule_id"] == "5e1d0c2a-1111-4111-8111-000000000001"}
    root = truth["by_kind"]["root_console_login"]
    assert mine and mine <= set(root["event_ids"]), "the root sign-ins of the planted scenario, and only those"
    assert {h["rule_id"] for h in hits} > {"5e1d0c2a-1111-4111-8111-000000000001"}, "the library ran too"
    assert main(["detect", "--logs", str(sample_org), "--start", "2026-11-01", "--end", "2026-11-07",
                 "--baseline-days", "0"]) == 2
    assert "--baseline-days" in capsys.readouterr().err


def test_the_hunt_commands_quote_what_the_logs_wrote(on_sample):
    import shlex

    from workbench.analyses.detections import hunt_pivots

    hostile = on_sample.hits.head(1).assign(principal="x'; touch /tmp/owned; echo '", source_ip="AWS Internal")
    pivots = hunt_pivots(pd.concat([on_sample.hits, hostile], ignore_index=True))
    row = pivots[pivots.value == "x'; touch /tmp/owned; echo '"].iloc[0]
    assert shlex.split(row.hunt)[:6] == ["workbench", "report", "--notebook", "hunt", "-p",
                                         "principal=x'; touch /tmp/owned; echo '"], "one word, never a command"
    assert "AWS Internal" not in set(pivots.value), "a source that is not an address is no pivot"
    assert pivots.severity.map(SEVERITIES.index).is_monotonic_increasing


#: A call that each CIS rule must fire on: (rule, service, event name).
CIS_CALLS = [("WB-CT-121", "iam", "PutRolePolicy"), ("WB-CT-123", "kms", "ScheduleKeyDeletion"),
             ("WB-CT-124", "s3", "PutBucketPolicy"), ("WB-CT-125", "config", "StopConfigurationRecorder"),
             ("WB-CT-126", "ec2", "RevokeSecurityGroupIngress"), ("WB-CT-127", "ec2", "ReplaceNetworkAclEntry"),
             ("WB-CT-128", "ec2", "AttachInternetGateway"), ("WB-CT-129", "ec2", "CreateRoute"),
             ("WB-CT-130", "ec2", "CreateVpcPeeringConnection"), ("WB-CT-131", "organizations", "AttachPolicy")]


def test_the_cis_alarms_fire_once_a_principal_and_day_and_change_monitoring_runs_when_asked(tmp_path):
    records = []
    for n, (rule_id, service, name) in enumerate(CIS_CALLS):
        for i in range(2):  # two of the same change by one principal on one day: one hit, counted
            records.append({**_call(f"admin{n}", "03", service, 2 * n + i), "eventName": name,
                            "eventID": f"{rule_id}-{i}", **({"errorCode": "AccessDenied"} if i else {})})
    apis = ["ListUsers", "ListRoles", "GetAccountSummary", "ListPolicies", "GetUser"]
    records += [{**_call("prober", "03", "iam", i), "eventName": apis[i % 5], "errorCode": "AccessDenied",
                 "eventID": f"denied-{i}"} for i in range(10)]  # 10 refused, 5 APIs, one hour: a probe
    records += [{**_call("buggy", "03", "iam", i), "eventName": "ListUsers", "errorCode": "AccessDenied",
                 "eventID": f"same-{i}"} for i in range(30)]  # one API refused again and again: a bug
    records += [{**_call("fewer", "03", "iam", i), "eventName": apis[i % 5], "errorCode": "AccessDenied",
                 "eventID": f"fewer-{i}"} for i in range(9)]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], tmp_path / "logs").complete
    with LocalEngine(tmp_path / "logs") as engine:
        everything = run_rules(engine, start="2026-11-03", end="2026-11-03", severity="info")
        default = run_rules(engine, start="2026-11-03", end="2026-11-03")
    hits = everything.hits
    for rule_id, _, name in CIS_CALLS:
        mine = hits[hits.rule_id == rule_id]
        assert list(mine.event_id) == [f"{rule_id}-0"], rule_id
        assert mine.detail.iloc[0] == f"2 changes by this principal that day (1 refused): {name}"
    refused = hits[hits.rule_id == "WB-CT-120"]
    assert list(refused.event_id) == ["denied-0"]
    assert refused.detail.iloc[0] == "10 calls refused within the hour, of 5 APIs: " + ", ".join(sorted(apis))
    info = {r.id for r in everything.rules if r.severity == "info"}
    assert info and not info & {r.id for r in default.rules}, "change monitoring only when asked"
    assert not set(default.hits.rule_id) & info


def test_a_region_new_to_a_principal_fires_when_it_is_used_in_earnest(tmp_path):
    records = [_call(who, day, "ec2", i) for who in ("alice", "bob") for day in ("01", "02") for i in range(3)]
    for who, n in (("alice", 10), ("bob", 9), ("carol", 12)):  # carol: no history to judge against
        records += [{**_call(who, "05", "ec2", i), "awsRegion": "eu-west-3"} for i in range(n)]
    records += [{**_call("alice", "06", "ec2", i), "awsRegion": "eu-west-3", "eventID": f"again-{i}"} for i in range(20)]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], tmp_path / "logs").complete
    with LocalEngine(tmp_path / "logs") as engine:
        found = run_rules(engine, start="2026-11-05", end="2026-11-06", rules=[get_rule("WB-CT-102")])
    assert list(found.hits.event_id) == ["alice-05-ec2-0"], "once: on the 6th the region is no longer new"
    assert list(found.hits.detail) == ["first calls in eu-west-3: 10 that day, to 1 APIs"]


def _judged(tmp_path, records, rule, start="2026-11-05", end="2026-11-06"):
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], tmp_path / "logs").complete
    with LocalEngine(tmp_path / "logs") as engine:
        found = run_rules(engine, start=start, end=end, rules=[get_rule(rule)])
    assert found.failed == {}
    return found.hits


def test_a_network_new_to_a_principal_fires_and_a_new_address_in_a_known_one_does_not(tmp_path):
    def at(who, day, ip, n):
        return {**_call(who, day, "ec2", n), "sourceIPAddress": ip, "eventID": f"{who}-{day}-{ip}-{n}"}
    records = [at(who, day, "8.8.8.8", i) for who in ("alice", "bob") for day in ("01", "02") for i in range(2)]
    records += [at("alice", "05", "8.8.4.4", 0)]                     # a new address in Google's network: not news
    records += [at("alice", "05", "1.1.1.1", i) for i in range(3)]   # Cloudflare's: new
    records += [at("bob", "05", "10.0.0.9", 0), at("bob", "05", "3.5.140.2", 0)]  # private; AWS's own range
    records += [at("carol", "05", "1.1.1.1", 0)]                     # no history to judge against
    records += [at("alice", "06", "1.1.1.1", 9)]                     # known from the day before
    hits = _judged(tmp_path, records, "WB-CT-103")
    assert list(hits.event_id) == ["alice-05-1.1.1.1-0"]
    assert hits.detail.iloc[0].startswith("first calls from AU AS13335 Cloudflare") and "3 that day" in hits.detail.iloc[0]
    assert hits.severity.iloc[0] == "low" and hits.source_ip.iloc[0] == "1.1.1.1"


def test_a_client_new_to_a_principal_fires_when_a_script_uses_it(tmp_path):
    boto = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0 lang/python#3.12.6 Botocore/1.35.36"
    records = [_call(who, day, "ec2", i) for who in ("alice", "bob") for day in ("01", "02") for i in range(3)]
    records += [{**_call("alice", "05", "ec2", i), "userAgent": boto} for i in range(100)]   # a script
    records += [{**_call("bob", "05", "ec2", i), "userAgent": boto} for i in range(99)]      # a try
    records += [{**_call("bob", "05", "s3", i), "userAgent": "console.amazonaws.com"} for i in range(200)]
    records += [{**_call("bob", "06", "ec2", i), "userAgent": "aws-cli/1.22.34 Python/3.10"} for i in range(100)]
    hits = _judged(tmp_path, records, "WB-CT-104")
    assert list(hits.event_id) == ["alice-05-ec2-0"], "another AWS CLI version is the same client"
    assert hits.detail.iloc[0] == "first calls with Boto3 (aws-sdk): 100 that day"


def test_an_attack_tool_in_the_user_agent_fires_once_a_principal_tool_and_day(tmp_path):
    records = [{**_call("mallory", "05", "iam", i), "userAgent": "Boto3/1.17.0 Python/3.8 Linux/5.4 Botocore/1.20.0 Pacu/1.0"}
               for i in range(3)]
    records += [{**_call("mallory", "05", "s3", 9), "userAgent": "Boto3/1.26.0 Python/3.11 Linux/6.1.0-kali7-amd64 Botocore/1.29.0"}]
    records += [{**_call("alice", "05", "ec2", 0), "userAgent": "aws-cli/2.15.0 Python/3.11"}]
    records += [{**_call("mallory", "01", "iam", 0), "userAgent": "TruffleHog"}]   # before the window
    hits = _judged(tmp_path, records, "WB-CT-105", start="2026-11-05", end="2026-11-05")
    assert sorted(hits.detail) == ["Kali Linux in the user agent: 1 calls that day", "Pacu in the user agent: 3 calls that day"]
    assert set(hits.event_id) == {"mallory-05-iam-0", "mallory-05-s3-9"} and set(hits.severity) == {"high"}


def test_the_stolen_key_comes_from_a_new_network_and_the_anomalous_principal_scripts(on_sample, truth):
    key, odd = truth["by_kind"]["compromised_access_key"], truth["by_kind"]["anomalous_principal"]
    network = on_sample.hits[on_sample.hits.rule_id == "WB-CT-103"]
    assert key["source_ip"] in set(network.source_ip) and set(network.event_id) & set(key["event_ids"])
    client = on_sample.hits[on_sample.hits.rule_id == "WB-CT-104"]
    assert odd["principal_arn"] in set(client.principal) and "Boto3" in " ".join(client.detail)
    breadth = on_sample.hits[on_sample.hits.rule_id == "WB-CT-106"]
    assert {key["principal_arn"], odd["principal_arn"]} <= set(breadth.principal)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real-world samples not present ({SAMPLES.name} is not beside the project)")
def test_every_real_detonation_names_its_attack_tool(tmp_path):
    assert import_files(sorted(SAMPLES.glob("*.json")), tmp_path).complete
    with LocalEngine(tmp_path) as engine:
        found = run_rules(engine, start="2020-01-01", end="2026-12-31", rules=[get_rule("WB-CT-105")])
    tools = found.hits
    assert found.failed == {} and len(tools) and set(tools.detail.str.split(" in ").str[0]) == {"Stratus Red Team"}
    detonated = {r["userIdentity"].get("arn") for p in SAMPLES.glob("aws.*.json") for r in json.loads(p.read_text())
                 if str(r.get("userAgent", "")).startswith("stratus-red-team")}
    assert set(tools.principal) == detonated - {None}


def test_many_apis_new_to_a_principal_fire_when_the_breadth_is_reached(tmp_path):
    def api(who, day, n, name):
        return {**_call(who, day, "ec2", n), "eventName": name, "eventID": f"{who}-{day}-{name}"}
    records = [api(who, day, 0, "RunInstances") for who in ("alice", "bob") for day in ("01", "02")]
    records += [api("alice", "05", i, f"Describe{i:02d}") for i in range(20)]          # 20 new APIs of a known service
    records += [api("bob", "05", i, f"Describe{i:02d}") for i in range(19)]            # 19: below the bar
    records += [api("alice", "06", i, f"Describe{i:02d}") for i in range(20)]          # known from the day before
    hits = _judged(tmp_path, records, "WB-CT-106")
    assert list(hits.event_id) == ["alice-05-Describe00"]
    assert hits.detail.iloc[0].startswith("20 APIs new to this principal that day: ec2:Describe00, ec2:Describe01")
