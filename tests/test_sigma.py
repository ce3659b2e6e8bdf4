"""Sigma rules over CloudTrail, converted into rules and run on the local engine.

Every rule here is written here, each for one modifier or condition form, and run over CloudTrail
records written here; its hits must be the events worked out by hand beside it, the misses as
much as the matches: case, literal ``%`` and ``_``, a quote and a backslash, values that would be
SQL injection if they were written into the SQL. Rules that do not convert are listed with the
reason, and the others still convert.
"""

from __future__ import annotations

import json
import re
import textwrap
import uuid
from pathlib import Path

import pytest

from workbench.detections import HIT_COLUMNS, load_sigma_rules, run_rules
from workbench.detections.rules import TACTICS
from workbench.detections.sigma.load import DEFAULT_TACTIC
from workbench.engines.local import LocalEngine
from workbench.errors import UsageError
from workbench.formats.importer import import_files

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
DAY = "2026-11-03"
ALICE = {"type": "IAMUser", "principalId": "AIDAALICE", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
         "accountId": ACCOUNT, "accessKeyId": "AKIAALICE00000000000", "userName": "alice"}
DEPLOY = {"type": "AssumedRole", "principalId": "AROADEPLOY:ci", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci",
          "accountId": ACCOUNT, "accessKeyId": "ASIADEPLOY0000000000",
          "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROADEPLOY",
                                               "arn": f"arn:aws:iam::{ACCOUNT}:role/deploy", "accountId": ACCOUNT,
                                               "userName": "deploy"},
                             "attributes": {"mfaAuthenticated": "false", "creationDate": f"{DAY}T08:00:00Z"}}}
ROOT = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
CLI = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1"

#: The events: id -> (identity, service, API, what differs from a plain successful CLI call).
EVENTS = {
    "stop": (ALICE, "cloudtrail", "StopLogging", {"requestParameters": {"name": "org-trail"}}),
    "stop-shouting": (DEPLOY, "cloudtrail", "STOPLOGGING", {"eventSource": "CloudTrail.AmazonAWS.com",
                                                             "sourceIPAddress": "10.1.2.3",
                                                             "userAgent": "Boto3/1.34.0 Python/3.11.6"}),
    "delete-denied": (ALICE, "cloudtrail", "DeleteTrail", {
        "errorCode": "AccessDenied", "sourceIPAddress": "10.0.200.1",
        "errorMessage": f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized"}),
    "describe": (DEPLOY, "cloudtrail", "DescribeTrails", {"readOnly": True, "userAgent": None,
                                                          "sourceIPAddress": "110.1.2.3"}),
    "user-percent": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "50%_off"}}),
    "user-decoy": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "50xyoff"}}),
    "user-quote": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "o'brien\\x"}}),
    "user-hostile": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "x' OR '1'='1"}}),
    "user-star": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "star*name"}}),
    "user-starx": (ALICE, "iam", "CreateUser", {"requestParameters": {"userName": "starXname"}}),
    "key-self": (ALICE, "iam", "CreateAccessKey", {"requestParameters": {"userName": "Alice"}}),
    "key-other": (ALICE, "iam", "CreateAccessKey", {"requestParameters": {"userName": "bob"}}),
    "sg-ssh": (ALICE, "ec2", "AuthorizeSecurityGroupIngress", {"requestParameters": {"groupId": "sg-1", "fromPort": 22}}),
    "sg-web": (ALICE, "ec2", "AuthorizeSecurityGroupIngress", {"requestParameters": {"groupId": "sg-1", "fromPort": 8080}}),
    "login": (ROOT, "signin", "ConsoleLogin", {"eventType": "AwsConsoleSignIn", "responseElements": {"ConsoleLogin": "Success"},
                                               "additionalEventData": {"MFAUsed": "No"}}),
    "login-mfa": (ALICE, "signin", "ConsoleLogin", {"eventType": "AwsConsoleSignIn",
                                                    "responseElements": {"ConsoleLogin": "Success"},
                                                    "additionalEventData": {"MFAUsed": "Yes"}}),
    "stop-elsewhere": ({**ALICE, "accountId": OTHER_ACCOUNT}, "cloudtrail", "StopLogging", {
        "awsRegion": "eu-west-1", "recipientAccountId": OTHER_ACCOUNT}),
}

#: Sigma rules (the detection of each, as YAML) and the events each must match, worked out by hand.
RULES = {
    # values: case-insensitive unless cased
    "equals_any_case": ("sel: {eventName: StopLogging}\ncondition: sel", {"stop", "stop-shouting", "stop-elsewhere"}),
    "cased": ("sel: {eventName|cased: StopLogging}\ncondition: sel", {"stop", "stop-elsewhere"}),
    "cased_miss": ("sel: {eventName|cased: stoplogging}\ncondition: sel", set()),
    "field_names_any_case": ("sel:\n  EVENTNAME: consolelogin\n  useridentity.TYPE: root\ncondition: sel", {"login"}),
    # wildcards, and LIKE's own metacharacters taken literally
    "star": ("sel: {eventSource: 'cloudtrail.*.com'}\ncondition: sel",
             {"stop", "stop-shouting", "delete-denied", "describe", "stop-elsewhere"}),
    "question_mark": ("sel: {eventName: 'Stop?ogging'}\ncondition: sel", {"stop", "stop-shouting", "stop-elsewhere"}),
    "question_mark_is_one_character": ("sel: {eventName: 'Stop?gging'}\ncondition: sel", set()),
    "percent_and_underscore_literal": ("sel: {requestParameters.userName|contains: '%_'}\ncondition: sel", {"user-percent"}),
    "escaped_star_literal": ("sel: {requestParameters.userName: 'star\\*name'}\ncondition: sel", {"user-star"}),
    "unescaped_star_wildcard": ("sel: {requestParameters.userName: 'star*name'}\ncondition: sel", {"user-star", "user-starx"}),
    # modifiers
    "contains": ("sel: {errorMessage|contains: 'NOT AUTHORIZED'}\ncondition: sel", {"delete-denied"}),
    "startswith": ("sel: {userAgent|startswith: boto3/}\ncondition: sel", {"stop-shouting"}),
    "endswith": ("sel: {userIdentity.arn|endswith: ':ROOT'}\ncondition: sel", {"login"}),
    "contains_all": ("sel: {eventName|contains|all: [stop, logging]}\ncondition: sel",
                     {"stop", "stop-shouting", "stop-elsewhere"}),
    "contains_all_miss": ("sel: {eventName|contains|all: [stop, trail]}\ncondition: sel", set()),
    "re_is_case_sensitive": ("sel: {userAgent|re: 'boto3/1\\.3[0-9]'}\ncondition: sel", set()),
    "re": ("sel: {userAgent|re: 'Boto3/1\\.3[0-9]'}\ncondition: sel", {"stop-shouting"}),
    "re_i": ("sel: {userAgent|re|i: '^BOTO3/1\\.3[0-9]'}\ncondition: sel", {"stop-shouting"}),
    "re_anchored": ("sel: {eventName|re: '^Trail'}\ncondition: sel", set()),
    "fieldref": ("sel:\n  eventName: CreateAccessKey\n  requestParameters.userName|fieldref: userIdentity.userName\n"
                 "condition: sel", {"key-self"}),
    "fieldref_endswith": ("sel:\n  eventName: CreateAccessKey\n  userIdentity.arn|fieldref|endswith: requestParameters.userName\n"
                            "condition: sel", {"key-self"}),
    "exists_false": ("sel: {userAgent|exists: false}\ncondition: sel", {"describe"}),
    "exists_json_path": ("sel: {additionalEventData.MFAUsed|exists: true}\ncondition: sel", {"login", "login-mfa"}),
    "null": ("sel:\n  eventSource: cloudtrail.amazonaws.com\n  errorCode: null\ncondition: sel",
             {"stop", "stop-shouting", "describe", "stop-elsewhere"}),
    "number": ("sel: {requestParameters.fromPort: 22}\ncondition: sel", {"sg-ssh"}),
    "lt": ("sel: {requestParameters.fromPort|lt: 1024}\ncondition: sel", {"sg-ssh"}),
    "gte": ("sel: {requestParameters.fromPort|gte: 1024}\ncondition: sel", {"sg-web"}),
    "bool": ("sel:\n  eventSource: cloudtrail.amazonaws.com\n  readOnly: true\ncondition: sel", {"describe"}),
    "cidr": ("sel: {sourceIPAddress|cidr: 10.0.0.0/15}\ncondition: sel", {"stop-shouting", "delete-denied"}),
    "neq": ("sel:\n  eventSource: cloudtrail.amazonaws.com\n  eventName|neq: StopLogging\ncondition: sel",
            {"delete-denied", "describe"}),
    # fields: struct fields at any depth, JSON paths
    "struct_field": ("sel: {userIdentity.sessionContext.sessionIssuer.userName: DEPLOY}\ncondition: sel",
                     {"stop-shouting", "describe"}),
    "json_paths": ("sel:\n  responseElements.ConsoleLogin: success\n  additionalEventData.MFAUsed: 'no'\ncondition: sel",
                   {"login"}),
    # lists, maps, conditions
    "list_is_or": ("sel: {eventName: [DeleteTrail, StopLogging]}\ncondition: sel",
                   {"stop", "stop-shouting", "delete-denied", "stop-elsewhere"}),
    "map_is_and": ("sel:\n  eventSource: iam.amazonaws.com\n  eventName: CreateAccessKey\ncondition: sel",
                   {"key-self", "key-other"}),
    "list_of_maps_is_or": ("sel:\n  - eventName: ConsoleLogin\n    userIdentity.type: Root\n  - eventName: DescribeTrails\n"
                           "condition: sel", {"login", "describe"}),
    "not_keeps_missing_fields": ("sel: {eventSource: cloudtrail.amazonaws.com}\ndenied: {errorCode: AccessDenied}\n"
                                 "condition: sel and not denied", {"stop", "stop-shouting", "describe", "stop-elsewhere"}),
    "and_or_parentheses": ("a: {eventName: CreateUser}\nb: {eventName: CreateAccessKey}\n"
                           "c: {requestParameters.userName|startswith: [star, b]}\ncondition: (a or b) and c",
                           {"user-star", "user-starx", "key-other"}),
    "one_of_selection": ("selection_stop: {eventName: StopLogging}\nselection_key: {eventName: CreateAccessKey}\n"
                         "other: {eventName: ConsoleLogin}\ncondition: 1 of selection_*",
                         {"stop", "stop-shouting", "stop-elsewhere", "key-self", "key-other"}),
    "all_of_them": ("source: {eventSource: iam.amazonaws.com}\nname: {requestParameters.userName|startswith: star}\n"
                    "condition: all of them", {"user-star", "user-starx"}),
    "one_of_them": ("a: {eventName: ConsoleLogin}\nb: {eventName: DescribeTrails}\ncondition: 1 of them",
                    {"login", "login-mfa", "describe"}),
    "all_of_selection_not_one_of_filter": (
        "selection_iam: {eventSource: iam.amazonaws.com}\nselection_create: {eventName|startswith: Create}\n"
        "filter_a: {requestParameters.userName|startswith: star}\nfilter_b: {requestParameters.userName: bob}\n"
        "condition: all of selection_* and not 1 of filter_*",
        {"user-percent", "user-decoy", "user-quote", "user-hostile", "key-self"}),
    "conditions_list_is_any": ("a: {eventName: ConsoleLogin}\nb: {eventName: DeleteTrail}\ncondition: [a, b]",
                               {"login", "login-mfa", "delete-denied"}),
    # values that would break or subvert SQL if they were written into it
    "quote_and_backslash": ("sel: {requestParameters.userName: 'o''brien\\x'}\ncondition: sel", {"user-quote"}),
    "quote_and_backslash_in_pattern": ("sel: {requestParameters.userName|endswith: \"'BRIEN\\\\x\"}\ncondition: sel",
                                       {"user-quote"}),
    "hostile_value_matched_literally": ("sel: {requestParameters.userName: \"x' OR '1'='1\"}\ncondition: sel",
                                        {"user-hostile"}),
    "injection_is_a_value": ("sel:\n  eventName:\n    - \"' OR '1'='1\"\n    - \"StopLogging') OR (1=1\"\n"
                             "    - \"x'; DROP TABLE cloudtrail; --\"\n    - \"%' OR eventname LIKE '%\"\ncondition: sel", set()),
}

#: Files that do not convert, and a word of the reason each must give.
UNSUPPORTED = {
    "windows.yml": ("title: Windows rule\nlogsource: {product: windows, category: process_creation}\n"
                    "detection: {sel: {Image|endswith: '\\cmd.exe'}, condition: sel}\n", "logsource"),
    "unknown_field.yml": ("title: Typo\nlogsource: {product: aws, service: cloudtrail}\n"
                          "detection: {sel: {eventNam: StopLogging}, condition: sel}\n", "did you mean eventName"),
    "keyword.yml": ("title: Keyword\nlogsource: {product: aws, service: cloudtrail}\n"
                    "detection: {keywords: [StopLogging], condition: keywords}\n", "keywords"),
    "minute.yml": ("title: Minute\nlogsource: {product: aws, service: cloudtrail}\n"
                   "detection: {sel: {eventTime|minute: 5}, condition: sel}\n", "timestamp"),
    "expand.yml": ("title: Expand\nlogsource: {product: aws, service: cloudtrail}\n"
                   "detection: {sel: {userIdentity.userName|expand: '%admins%'}, condition: sel}\n", "placeholders"),
    "array_index.yml": ("title: Index\nlogsource: {product: aws, service: cloudtrail}\n"
                        "detection: {sel: {'requestParameters.items[0].x': y}, condition: sel}\n", "array indexes"),
    "resources.yml": ("title: Resources\nlogsource: {product: aws, service: cloudtrail}\n"
                      "detection: {sel: {resources.ARN: x}, condition: sel}\n", "list of values"),
    "broken.yml": ("title: [unclosed\n", "not YAML"),
    "not_sigma.yml": ("just: a mapping\n", "not a Sigma rule"),
    "unknown_modifier.yml": ("title: Modifier\nlogsource: {product: aws, service: cloudtrail}\n"
                             "detection: {sel: {eventName|sounds_like: Stop}, condition: sel}\n", "not a Sigma rule"),
}

CORRELATION = """title: Base
id: 6c1f3a52-0f4e-4c59-9b73-2d1f8a0e7c11
name: failed_trail_calls
logsource: {product: aws, service: cloudtrail}
detection: {sel: {errorCode: AccessDenied}, condition: sel}
---
title: Many failed trail calls
id: 6c1f3a52-0f4e-4c59-9b73-2d1f8a0e7c12
correlation:
  type: event_count
  rules: [failed_trail_calls]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 5}
"""


def _record(event_id: str, identity: dict, service: str, api: str, extra: dict) -> dict:
    record = {"eventVersion": "1.10", "userIdentity": identity, "eventTime": f"{DAY}T10:00:00Z",
              "eventSource": f"{service}.amazonaws.com", "eventName": api, "awsRegion": "us-east-1",
              "sourceIPAddress": "198.51.100.7", "userAgent": CLI, "requestParameters": None, "responseElements": None,
              "requestID": f"req-{event_id}", "eventID": event_id, "readOnly": False, "eventType": "AwsApiCall",
              "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
    record.update(extra)
    return {k: v for k, v in record.items() if v is not None or k in ("requestParameters", "responseElements")}


def _sigma_file(name: str, detection: str) -> str:
    """A whole Sigma rule around ``detection``, its id derived from ``name``."""
    body = textwrap.indent(detection, "  ")
    return (f"title: Test rule {name}\nid: {uuid.uuid5(uuid.NAMESPACE_URL, 'workbench-test/' + name)}\n"
            "status: test\ndescription: A rule written for the test.\n"
            "logsource:\n  product: aws\n  service: cloudtrail\n"
            f"detection:\n{body}\nlevel: high\ntags: [attack.defense-evasion, attack.t1562.008]\n"
            "falsepositives: [Tests]\n")


@pytest.fixture(scope="module")
def sigma_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sigma")
    for name, (detection, _) in RULES.items():
        (folder / "converts" / f"{name}.yml").parent.mkdir(parents=True, exist_ok=True)
        (folder / "converts" / f"{name}.yml").write_text(_sigma_file(name, detection))
    for file, (text, _) in UNSUPPORTED.items():
        (folder / file).write_text(text)
    (folder / "correlation.yml").write_text(CORRELATION)
    (folder / ".git").mkdir()
    (folder / ".git" / "ignored.yml").write_text("title: [not read\n")
    return folder


@pytest.fixture(scope="module")
def loaded(sigma_dir):
    return load_sigma_rules(sigma_dir)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("sigma-logs")
    dump = root / "records.json"
    dump.write_text(json.dumps([_record(event_id, *event) for event_id, event in EVENTS.items()]))
    assert import_files([dump], root / "logs").complete
    with LocalEngine(root / "logs") as local:
        yield local


@pytest.fixture(scope="module")
def found(engine, loaded):
    rules, _ = loaded
    return run_rules(engine, start=DAY, end=DAY, rules=rules)


def _by_name(rules) -> dict:
    return {rule.query.name.removeprefix("sigma_"): rule for rule in rules}


def test_every_rule_written_here_converts(loaded):
    rules, _ = loaded
    assert sorted(_by_name(rules)) == sorted(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_rule_matches_the_events_worked_out_by_hand(name, loaded, found):
    rule = _by_name(loaded[0])[name]
    assert rule.id not in found.failed, found.failed.get(rule.id)
    hits = set(found.hits[found.hits.rule_id == rule.id].event_id)
    assert hits == RULES[name][1], rule.query.sql


def test_each_rule_run_alone_gives_the_same_hits(engine, loaded):
    """Each rule's own query, its values bound beside the window's (as every engine runs one rule)."""
    window = {"start": DAY, "end": DAY, "accounts": [], "regions": []}
    for name, rule in _by_name(loaded[0]).items():
        frame = engine.query(rule.query.sql, {**window, **rule.values})
        assert list(frame.columns) == list(HIT_COLUMNS)
        assert set(frame.event_id) == RULES[name][1], name


def test_rules_that_do_not_convert_are_listed_with_the_reason(loaded):
    rules, unsupported = loaded
    reasons: dict[str, list[str]] = {}
    for file, reason in unsupported:
        reasons.setdefault(file, []).append(reason)
    assert set(reasons) == set(UNSUPPORTED) | {"correlation.yml"}, "hidden folders are not read"
    for file, (_, word) in UNSUPPORTED.items():
        assert len(reasons[file]) == 1 and word in reasons[file][0], (file, reasons[file])
    correlation = " | ".join(reasons["correlation.yml"])
    assert "correlation rules do not convert" in correlation and "used by a correlation rule only" in correlation
    assert len(rules) == len(RULES), "the other rules still convert"


def test_no_value_is_written_into_the_sql(loaded):
    rules, _ = loaded
    checked = 0
    for rule in rules:
        body = "\n".join(line for line in rule.query.sql.splitlines() if not line.startswith("--"))
        assert sorted(set(re.findall(r":(sigma_\d+)\b", body))) == sorted(rule.values)
        assert {p.name for p in rule.query.params} == {"start", "end", "accounts", "regions", *rule.values}
        for value in rule.values.values():
            if len(value) >= 4 and value not in ("true", "false"):
                assert value not in rule.query.sql, (rule.query.name, value)
                checked += 1
    assert checked > 40
    hostile = _by_name(rules)["injection_is_a_value"]
    assert "DROP" not in hostile.query.sql and "1=1" not in hostile.query.sql and "'1'" not in hostile.query.sql
    assert "DROP TABLE cloudtrail" in " ".join(hostile.values.values())


def test_the_header_follows_the_rule_contract(loaded, tmp_path):
    rule = _by_name(loaded[0])["cased"]
    assert rule.id == str(uuid.uuid5(uuid.NAMESPACE_URL, "workbench-test/cased"))
    assert (rule.title, rule.severity, rule.tactics, rule.techniques) == ("Test rule cased", "high", ("TA0005",),
                                                                          ("T1562.008",))
    assert rule.false_positives == "Tests" and rule.query.source == "cloudtrail"
    assert tuple(rule.query.returns) == HIT_COLUMNS and rule.query.path is None
    (tmp_path / "Bare Rule.yaml").write_text(
        "title: Bare\nlevel: informational\ntags: [attack.privilege_escalation, attack.t1078, attack.s0002]\n"
        "logsource: {product: AWS, service: CloudTrail}\ndetection: {sel: {eventName: ConsoleLogin}, condition: sel}\n")
    (tmp_path / "untagged.yml").write_text(
        "title: Untagged\nlogsource: {product: aws, service: cloudtrail}\n"
        "detection: {sel: {eventName: ConsoleLogin}, condition: sel}\n")
    rules, unsupported = load_sigma_rules(tmp_path)
    assert unsupported == []
    bare, untagged = rules
    assert (bare.id, bare.severity, bare.tactics, bare.techniques) == ("sigma-bare-rule", "info", ("TA0004",), ("T1078",))
    assert TACTICS[DEFAULT_TACTIC] in untagged.tactic_names and untagged.techniques == ("-",)
    assert untagged.severity == "medium" and f"filed under {DEFAULT_TACTIC}" in untagged.query.description


def test_ids_stay_unique_and_files_of_several_rules_convert_each(tmp_path):
    rule = "logsource: {{product: aws, service: cloudtrail}}\ndetection: {{sel: {{eventName: {api}}}, condition: sel}}\n"
    same_id = "id: 0a5d1a4e-3c1b-4f7e-9a61-5b2f8c9d0e11\n"
    (tmp_path / "a.yml").write_text("title: First\n" + same_id + rule.format(api="StopLogging"))
    (tmp_path / "b.yml").write_text("title: Second\n" + same_id + rule.format(api="DeleteTrail"))
    (tmp_path / "c.yml").write_text("title: Retired\nstatus: unsupported\n" + rule.format(api="StopLogging"))
    (tmp_path / "d.yml").write_text("title: One\n" + rule.format(api="StopLogging") + "---\n"
                                    "title: Two\n" + rule.format(api="DeleteTrail"))
    rules, unsupported = load_sigma_rules(tmp_path)
    assert [r.query.name for r in rules] == ["sigma_a", "sigma_d_1", "sigma_d_2"]
    assert [r.id for r in rules[1:]] == ["sigma-d-1", "sigma-d-2"]
    assert [file for file, _ in unsupported] == ["b.yml", "c.yml"]
    assert "also the id of a rule in a.yml" in unsupported[0][1] and "status is unsupported" in unsupported[1][1]


def test_a_sigma_filter_applies_to_the_rules_of_its_file(tmp_path, engine):
    rule = ("title: Stops\nname: stops\nlogsource: {product: aws, service: cloudtrail}\n"
            "detection: {sel: {eventName: StopLogging}, condition: sel}\n")
    not_roles = ("title: Not roles\nlogsource: {product: aws, service: cloudtrail}\n"
                 "filter: {rules: [stops], selection: {userIdentity.type: AssumedRole}, condition: not selection}\n")
    (tmp_path / "stops.yml").write_text(rule + "---\n" + not_roles)
    (tmp_path / "lone_filter.yml").write_text(not_roles)
    rules, unsupported = load_sigma_rules(tmp_path)
    assert unsupported == [("lone_filter.yml", "a Sigma filter with none of its rules: a filter applies to the rules "
                                                "of its own file")]
    assert set(run_rules(engine, start=DAY, end=DAY, rules=rules).hits.event_id) == {"stop", "stop-elsewhere"}


def test_the_window_accounts_and_regions_filter_sigma_rules(engine, loaded):
    rule = _by_name(loaded[0])["equals_any_case"]
    in_europe = run_rules(engine, start=DAY, end=DAY, rules=[rule], regions=["eu-west-1"])
    assert set(in_europe.hits.event_id) == {"stop-elsewhere"}
    in_one_account = run_rules(engine, start=DAY, end=DAY, rules=[rule], accounts=[ACCOUNT])
    assert set(in_one_account.hits.event_id) == {"stop", "stop-shouting"}
    assert run_rules(engine, start="2026-11-04", end="2026-11-05", rules=[rule]).hits.empty
    hit = run_rules(engine, start=DAY, end=DAY, rules=[rule]).hits.iloc[0]
    assert hit.detail.startswith("sigma_equals_any_case: ") and hit.principal and hit.account_id


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_sigma_rules(tmp_path / "missing")
