"""``workbench.lineage``: a temporary key traced to the call that issued it, up to its root, and
everything done with every key of the tree attributed to that root and hop."""

import json
from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.analyses import lineage as rules
from workbench.engines.local import LocalEngine
from workbench.errors import UsageError
from workbench.formats.importer import import_files

DETONATIONS = Path(__file__).resolve().parents[2] / "shared" / "samples" / "stratus-red-team"


def _planted(truth):
    return truth["by_kind"]["compromised_access_key"]


def test_the_planted_chain_is_reconstructed_exactly(engine, window, truth):
    planted = _planted(truth)
    chain = planted["role_chain"]
    deepest = chain[-1]["issued_access_key_id"]
    found = workbench.lineage(engine, access_key_id=deepest, **window)

    tree = found.credentials.set_index("access_key_id")
    assert list(found.chain().access_key_id) == [planted["access_key_id"]] + [h["issued_access_key_id"] for h in chain]
    assert len(tree) == 1 + len(chain), "the leaked key issued nothing else in the window"
    root = tree.loc[planted["access_key_id"]]
    assert (root.hop, root.principal) == (0, planted["principal_arn"])
    assert planted["principal_arn"] in root.origin and "long-term" in root.reason
    for hop in chain:
        node = tree.loc[hop["issued_access_key_id"]]
        assert node.hop == hop["hop"]
        assert node.parent_access_key_id == hop["caller_access_key_id"]
        assert node.root_access_key_id == planted["access_key_id"]
        assert (node.role_arn, node.role_session_name, node.principal) == (
            hop["role_arn"], hop["role_session_name"], hop["assumed_role_arn"])
        assert node.account_id == hop["account"]
        assert sorted(node.issue_event_ids) == sorted(hop["assume_role_event_ids"])
        assert (node.shared_event_id if pd.notna(node.shared_event_id) else None) == hop["shared_event_id"]

    done = found.timeline
    assert set(done.root_access_key_id) == {planted["access_key_id"]}
    for hop in chain:
        mine = done[done.credential == hop["issued_access_key_id"]]
        assert set(mine.hop) == {hop["hop"]}
        made_with_key = mine[mine.principal_type == "AssumedRole"]
        assert sorted(made_with_key.event_id) == sorted(hop["event_ids"])
    assert sorted(done[done.hop > 0].event_id) == sorted(planted["role_chain_event_ids"])
    assert set(planted["event_ids"]) <= set(done[done.hop == 0].event_id)
    assert done.event_time.is_monotonic_increasing
    assert found.timeline.event_id.is_unique


def test_the_chain_goes_through_a_second_account(engine, window, truth):
    planted = _planted(truth)
    first, second = planted["role_chain"]
    assert first["account"] == planted["account"] != second["account"], "the sample's chain crosses accounts"
    assert second["shared_event_id"] and len(second["assume_role_event_ids"]) == 2
    found = workbench.lineage(engine, access_key_id=planted["access_key_id"], **window)
    across = found.credentials.set_index("access_key_id").loc[second["issued_access_key_id"]]
    assert across.account_id == second["account"] and across.hop == 2
    copies = found.issued[found.issued.shared_event_id == second["shared_event_id"]]
    assert set(copies.account_id) == {first["account"], second["account"]}
    assert set(copies.caller_type) == {"AssumedRole", "AWSAccount"}, "the role's account names only the caller's"
    in_second = found.timeline[found.timeline.account_id == second["account"]]
    assert set(in_second.hop) == {1, 2}, "the AssumeRole written there is the first role's act; the rest the second's"
    assert set(in_second.event_id) == set(second["event_ids"]) | (set(second["assume_role_event_ids"])
                                                                  - set(first["event_ids"]))


def test_a_session_or_the_principal_finds_the_same_tree(engine, window, truth):
    planted = _planted(truth)
    hop = planted["role_chain"][0]
    by_session = workbench.lineage(engine, session=hop["assumed_role_arn"], **window)
    by_key = workbench.lineage(engine, access_key_id=hop["issued_access_key_id"], **window)
    assert sorted(by_session.credentials.access_key_id) == sorted(by_key.credentials.access_key_id)
    by_name = workbench.lineage(engine, session=hop["role_session_name"], **window)
    assert set(by_name.timeline.event_id) == set(by_key.timeline.event_id)
    with pytest.raises(UsageError):
        workbench.lineage(engine, **window)


def test_the_investigation_records_what_lineage_read(sample_org, window, truth):
    planted = _planted(truth)
    inv = workbench.Investigation("local", sample_org, window["start"], window["end"])
    found = inv.lineage(access_key_id=planted["role_chain"][-1]["issued_access_key_id"])
    assert found.roots.root_access_key_id.tolist() == [planted["access_key_id"]]
    assert {s["query"] for s in inv.scans} == {"credentials_issued", "events_by_entity"}
    assert planted["access_key_id"] in str(found) and "2 hops deep" in str(found)


def _record(event_id, name, time, identity, *, account="111111111111", source="sts.amazonaws.com", **fields):
    return {"eventVersion": "1.08", "userIdentity": identity, "eventTime": time, "eventSource": source,
            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
            "userAgent": "aws-cli/2.15.30", "requestParameters": None, "responseElements": None,
            "eventID": event_id, "eventType": "AwsApiCall", "recipientAccountId": account, **fields}


def _role_session(account, role, session, key):
    return {"type": "AssumedRole", "principalId": f"AROAEXAMPLE{role.upper()}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
            "accessKeyId": key, "sessionContext": {"sessionIssuer": {
                "type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account, "userName": role},
                "attributes": {"creationDate": "2026-11-03T09:00:00Z", "mfaAuthenticated": "false"}}}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A few records written here: a SAML sign-in that assumes a role across accounts with a source
    identity, a key nobody issued in the window, and an IAM Identity Center session."""
    folder = tmp_path_factory.mktemp("lineage")
    saml = {"type": "SAMLUser", "principalId": "Q2FuIHlvdSByZWFk:ana@example.com", "userName": "ana@example.com",
            "identityProvider": "Q2FuIHlvdSByZWFk"}
    issued = {"credentials": {"accessKeyId": "ASIASAMLFIRST0000001"}, "sourceIdentity": "ana@example.com",
              "assumedRoleUser": {"arn": "arn:aws:sts::111111111111:assumed-role/engineer/ana@example.com"}}
    across = {"credentials": {"accessKeyId": "ASIAACROSS000000002"},
              "assumedRoleUser": {"arn": "arn:aws:sts::222222222222:assumed-role/auditor/ana"}}
    rp_across = {"roleArn": "arn:aws:iam::222222222222:role/auditor", "roleSessionName": "ana"}
    records = [
        _record("saml-1", "AssumeRoleWithSAML", "2026-11-03T09:00:00Z", saml,
                requestParameters={"roleArn": "arn:aws:iam::111111111111:role/engineer",
                                   "sourceIdentity": "ana@example.com"}, responseElements=issued),
        _record("use-1", "ListBuckets", "2026-11-03T09:01:00Z",
                _role_session("111111111111", "engineer", "ana@example.com", "ASIASAMLFIRST0000001"),
                source="s3.amazonaws.com"),
        _record("across-caller", "AssumeRole", "2026-11-03T09:02:00Z",
                _role_session("111111111111", "engineer", "ana@example.com", "ASIASAMLFIRST0000001"),
                requestParameters=rp_across, responseElements=across, sharedEventID="shared-1"),
        _record("across-role", "AssumeRole", "2026-11-03T09:02:00Z",
                {"type": "AWSAccount", "principalId": "AROAEXAMPLEENGINEER:ana@example.com",
                 "accountId": "111111111111"}, account="222222222222",
                requestParameters=rp_across, responseElements=across, sharedEventID="shared-1"),
        _record("use-2", "GetSecretValue", "2026-11-03T09:03:00Z",
                _role_session("222222222222", "auditor", "ana", "ASIAACROSS000000002"),
                account="222222222222", source="secretsmanager.amazonaws.com"),
        _record("orphan-1", "DescribeInstances", "2026-11-03T10:00:00Z",
                _role_session("111111111111", "web-server-role", "i-0abc", "ASIAORPHAN00000003"),
                source="ec2.amazonaws.com"),
        _record("sso-1", "GetRoleCredentials", "2026-11-03T11:00:00Z",
                {"type": "Unknown", "principalId": "9067-ana", "accountId": "111111111111", "userName": "bo"},
                source="sso.amazonaws.com", requestParameters={"roleName": "ReadOnly", "accountId": "111111111111"}),
        _record("sso-use", "ListUsers", "2026-11-03T11:01:00Z",
                _role_session("111111111111", "AWSReservedSSO_ReadOnly_0123abcd", "bo", "ASIASSOSESSION00004"),
                source="iam.amazonaws.com"),
    ]
    dump = folder / "records.json"
    dump.write_text(json.dumps(records))
    assert import_files([dump], folder / "logs").complete
    return folder / "logs"


def test_a_saml_person_is_the_root_of_a_cross_account_chain(written):
    found = workbench.lineage(access_key_id="ASIAACROSS000000002", start="2026-11-03", end="2026-11-03",
                              logs=written)
    tree = found.credentials.set_index("access_key_id")
    assert list(found.chain().access_key_id) == ["ASIASAMLFIRST0000001", "ASIAACROSS000000002"]
    root = tree.loc["ASIASAMLFIRST0000001"]
    assert root.origin == "SAML user ana@example.com" and root.issued_by == "AssumeRoleWithSAML"
    assert root.source_identity == "ana@example.com"
    across = tree.loc["ASIAACROSS000000002"]
    assert (across.hop, across.parent_access_key_id, across.shared_event_id) == (1, "ASIASAMLFIRST0000001", "shared-1")
    assert sorted(across.issue_event_ids) == ["across-caller", "across-role"]
    assert found.timeline[["event_id", "hop"]].values.tolist() == [
        ["saml-1", 0], ["use-1", 0], ["across-caller", 0], ["across-role", 0], ["use-2", 1]]


def test_a_key_not_issued_in_the_window_is_a_root_with_a_reason(written):
    found = workbench.lineage(access_key_id="ASIAORPHAN00000003", start="2026-11-03", end="2026-11-03",
                              logs=written)
    (root,) = found.roots.itertuples()
    assert root.root_access_key_id == "ASIAORPHAN00000003"
    assert "instance profile of i-0abc" in root.origin
    assert "not issued in the window" in root.reason and "padding" in root.reason
    assert found.timeline.event_id.tolist() == ["orphan-1"]


def test_an_identity_center_session_is_traced_to_its_user(written):
    found = workbench.lineage(access_key_id="ASIASSOSESSION00004", start="2026-11-03", end="2026-11-03",
                              logs=written)
    root = found.credentials.iloc[0]
    assert root.origin == "IAM Identity Center user bo" and root.issued_by == "GetRoleCredentials"
    assert root.issue_event_ids == ["sso-1"] and "ReadOnly" in root.reason


HOSTILE = ["x' OR '1'='1", "'); DROP TABLE cloudtrail; --", 'ASIA" OR 1=1 --']


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_keys_and_principals_are_bound_not_formatted(written, value, monkeypatch):
    sent = []
    with LocalEngine(written) as engine:
        execute = engine.execute

        def spy(query, values, reads):
            sent.append((query.sql, values))
            return execute(query, values, reads)

        monkeypatch.setattr(engine, "execute", spy)
        for kind in ("access_key_id", "principal", "session"):
            found = workbench.lineage(engine, start="2026-11-03", end="2026-11-03", **{kind: value})
            assert found.timeline.empty and set(found.credentials.access_key_id) <= {value}
        assert engine.query("credentials_issued", {"start": "2026-11-03", "end": "2026-11-03",
                                                   "principals": [value], "access_key_ids": [value]}).empty
        everything = engine.query("credentials_issued", {"start": "2026-11-03", "end": "2026-11-03"})
    assert len(everything) == 4, "the table is still there, whole"
    assert sent and all(value not in sql for sql, _ in sent)
    assert any(value in str(values) for _, values in sent), "the value went in as a bound parameter"


def test_pure_functions_on_an_empty_walk():
    empty = pd.DataFrame(columns=workbench.get_query("credentials_issued").returns)
    assert rules.issuances(empty).empty and rules.next_keys(empty, {"AKIA1"}) == set()
    tree = rules.tree(empty, ["AKIAEXAMPLE000000001"])
    assert tree.hop.tolist() == [0] and "long-term" in tree.reason.iloc[0]
    assert rules.timeline(pd.DataFrame(columns=["access_key_id"]), tree.iloc[0:0]).empty


@pytest.fixture(scope="module")
def detonation(tmp_path_factory):
    source = DETONATIONS / "aws.credential-access.ec2-get-password-data.json"
    if not source.exists():
        pytest.skip(f"the real detonation records are not on this machine ({source} is absent)")
    out = tmp_path_factory.mktemp("detonation")
    assert import_files([source], out).complete
    return out, json.loads(source.read_text())


def test_a_real_temporary_key_is_traced_to_its_assume_role(detonation):
    logs, records = detonation
    issuing = {r["responseElements"]["credentials"]["accessKeyId"]: r for r in records
               if r["eventName"] == "AssumeRole" and r.get("responseElements")}
    used = {r["userIdentity"].get("accessKeyId") for r in records}
    key = next(k for k in issuing if k in used)
    call = issuing[key]
    day = call["eventTime"][:10]
    found = workbench.lineage(access_key_id=key, start=day, end=day, logs=logs)
    node = found.credentials.set_index("access_key_id").loc[key]
    assert node.issued_by == "AssumeRole" and node.issue_event_ids == [call["eventID"]]
    assert node.parent_access_key_id == call["userIdentity"]["accessKeyId"]
    assert node.role_arn == call["requestParameters"]["roleArn"]
    assert node.principal == call["responseElements"]["assumedRoleUser"]["arn"]
    root = found.roots.iloc[0]
    assert root.root_access_key_id == call["userIdentity"]["accessKeyId"]
    assert call["userIdentity"]["arn"] in root.origin
    made = {r["eventID"] for r in records if r["userIdentity"].get("accessKeyId") == key}
    assert set(found.timeline[found.timeline.credential == key].event_id) == made
