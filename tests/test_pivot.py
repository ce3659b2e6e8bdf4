"""``workbench.session.pivot``: from one entity to everything the three sources know, and the next pivots."""

import datetime as dt

import pandas as pd
import pytest

import workbench
from workbench.analyses import pivots as rules
from workbench.analyses.timeline import around, combine
from workbench.errors import UsageError
from workbench.settings import default_engine, default_logs, default_window
from workbench.settings import window as notebook_window


def test_from_the_attacker_ip_to_the_key(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    found = workbench.pivot(engine, source_ip=planted["source_ip"], **window)
    assert sorted(found.cloudtrail.event_id) == sorted(planted["event_ids"])
    assert sorted(found.findings.finding_id) == sorted(planted["finding_ids"]), "the finding and its attack sequence"
    assert found.findings.matched.tolist() == ["source_ip", "source_ip"]
    assert found.flows.empty, "API calls do not cross a VPC"
    top = found.next_pivots.iloc[0]
    assert (top.kind, top.value, top.n_sources) == ("access_key_id", planted["access_key_id"], 2)
    assert found.next_pivots.value.iloc[1] == planted["principal_arn"]
    assert set(found.timeline.source) == {"cloudtrail", "guardduty", "cloudfront", "s3access"}
    assert sorted(found.s3.requestid) == sorted(planted["s3_request_ids"]), "and what it took from the bucket"
    assert list(found.cdn.x_edge_request_id) == planted["cloudfront_request_ids"], "it looked around the CDN first"
    assert found.cdn.request_time.max() < found.cloudtrail.event_time.min()
    assert found.timeline.time.is_monotonic_increasing
    assert {s["query"] for s in found.scans} == {"findings", "events_by_entity", "flows_by_entity",
                                                 "requests_by_client", "connections_by_client", "lookups_by_entity"}, \
        "an address's web, CDN and S3 requests, TLS connections and DNS lookups too"
    assert found.web.empty and found.waf.empty and found.tls.empty, "the leaked key's address never visited the shop"
    assert planted["source_ip"] in found.summary() and planted["access_key_id"] in found.summary()

    wider = found.follow(1)
    assert wider.entities["access_key_id"] == [planted["access_key_id"]]
    assert set(planted["event_ids"]) < set(wider.cloudtrail.event_id), "the owner's own use of the key as well"
    assert set(planted["usual_ips"]) & set(wider.next_pivots.value)
    assert found.follow(0) is found


def test_by_name_from_a_python_prompt(sample_org, window, truth, monkeypatch):
    planted = truth["by_kind"]["compromised_access_key"]
    monkeypatch.delenv("WORKBENCH_ENGINE", raising=False)
    found = workbench.pivot(access_key_id=planted["access_key_id"], logs=sample_org, **window)
    assert found.engine.name == "local"
    assert set(planted["event_ids"]) <= set(found.cloudtrail.event_id)
    assert set(found.cloudtrail.access_key_id) == {planted["access_key_id"]}


def test_a_principal_by_name_reaches_its_arn(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    found = workbench.pivot(engine, principal=planted["user_name"], **window)
    assert set(found.cloudtrail.principal) == {planted["principal_arn"]}
    assert sorted(planted["finding_ids"]) == sorted(found.findings.finding_id)
    assert planted["principal_arn"] not in set(found.next_pivots.value), "the ARN is the principal given"
    assert planted["access_key_id"] == found.next_pivots.value.iloc[0]


def test_an_instance_brings_its_flows_and_its_role_calls(engine, window, truth):
    planted = truth["by_kind"]["port_scan"]
    found = workbench.pivot(engine, instance_id=planted["instance_id"], **window)
    assert set(planted["finding_ids"]) <= set(found.findings.finding_id)
    assert set(found.findings.instance_id) == {planted["instance_id"]}
    scan = found.flows[found.flows.srcaddr == planted["source_ip"]]
    assert set(scan.dstport) == set(planted["dst_ports"]) and set(scan.interface_id) == {planted["eni"]}
    assert (scan.action == "REJECT").sum() > len(scan) / 2
    assert found.cloudtrail.principal.str.endswith("/" + planted["instance_id"]).any(), "calls with its role"
    scanner = found.next_pivots[found.next_pivots.value == planted["source_ip"]]
    assert scanner.sources.iloc[0] == "guardduty, vpcflow"


def test_padding_and_a_window_in_hours(engine, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    first = pd.Timestamp(planted["start"])
    found = workbench.pivot(engine, access_key_id=planted["access_key_id"], start=first, end=first, padding="5min")
    assert found.first == first - pd.Timedelta("5min") and found.last == first + pd.Timedelta("5min")
    assert found.cloudtrail.event_time.between(found.first, found.last).all()
    assert set(found.cloudtrail.event_id) < set(planted["event_ids"])


def test_pivot_needs_an_entity(engine, window):
    with pytest.raises(UsageError, match="at least one of source_ip"):
        workbench.pivot(engine, **window)


# -- the pure parts -------------------------------------------------------------------------


def test_time_window_whole_days_and_padding():
    first, last = rules.time_window("2026-11-01", "2026-11-02", "1h")
    assert (first, last) == (pd.Timestamp("2026-10-31 23:00", tz="UTC"), pd.Timestamp("2026-11-03 01:00", tz="UTC"))
    assert rules.query_days(first, last) == {"start": "2026-10-31", "end": "2026-11-03"}
    first, last = rules.time_window(dt.date(2026, 11, 1), "2026-11-01T10:00:00Z")
    assert last == pd.Timestamp("2026-11-01 10:00", tz="UTC")
    assert rules.query_days(*rules.time_window("2026-11-01", "2026-11-01")) == {"start": "2026-11-01",
                                                                                "end": "2026-11-01"}


def test_next_pivots_rank_by_sources_and_leave_out_what_is_not_an_entity():
    ct = pd.DataFrame({
        "event_time": pd.to_datetime(["2026-11-01T01:00Z", "2026-11-01T02:00Z", "2026-11-01T03:00Z"]),
        "event_id": ["a", "b", "c"],
        "source_ip": ["203.0.113.7", "AWS Internal", "ec2.amazonaws.com"],
        "access_key_id": ["AKIAEXAMPLE", "AKIAEXAMPLE", None],
        "principal": ["arn:aws:iam::111122223333:user/alice", "HIDDEN_DUE_TO_SECURITY_REASONS",
                      "arn:aws:sts::111122223333:assumed-role/web/i-0abc"],
    })
    findings = pd.DataFrame({"finding_id": ["f"], "access_key_id": ["AKIAEXAMPLE"], "remote_ip": ["203.0.113.7"],
                             "instance_id": [None], "user_name": ["alice"], "principal_id": ["AIDA"],
                             "first_seen": pd.to_datetime(["2026-11-01T01:00Z"])})
    entities = rules.entity_lists(source_ip="203.0.113.7")
    ranked = rules.next_pivots(ct, pd.DataFrame(), findings, entities)
    assert ranked.kind.tolist() == ["access_key_id", "principal", "instance_id", "principal"]
    assert ranked.value.tolist() == ["AKIAEXAMPLE", "arn:aws:iam::111122223333:user/alice", "i-0abc",
                                     "arn:aws:sts::111122223333:assumed-role/web/i-0abc"]
    assert ranked.n_sources.tolist() == [2, 2, 1, 1] and ranked.hits.tolist() == [3, 2, 1, 1]
    assert rules.top_entities(ranked, 2) == {"access_key_id": ["AKIAEXAMPLE"], "source_ip": [], "instance_id": [],
                                             "principal": ["arn:aws:iam::111122223333:user/alice"]}
    assert rules.match_findings(findings, rules.entity_lists(principal="alice")).matched.tolist() == ["principal"]
    assert rules.next_pivots(ct.iloc[0:0], pd.DataFrame(), findings.iloc[0:0], entities).empty


def test_timeline_combines_sources_in_time_order():
    ct = pd.DataFrame({"event_time": pd.to_datetime(["2026-11-01T02:00Z"]), "account_id": ["1"], "region": ["us-east-1"],
                       "event_source": ["iam.amazonaws.com"], "event_name": ["CreateUser"], "principal": ["p"],
                       "source_ip": ["203.0.113.7"], "access_key_id": ["AKIA"], "error_code": [None],
                       "event_id": ["e"]})
    flows = pd.DataFrame({"first_seen": pd.to_datetime(["2026-11-01T01:00Z"]), "account_id": ["1"], "protocol": [6],
                          "dstport": [22], "srcaddr": ["203.0.113.7"], "dstaddr": ["10.0.0.1"], "flows": [3],
                          "action": ["REJECT"], "interface_id": ["eni-1"]})
    rows = combine(ct, flows, pd.DataFrame())
    assert rows.source.tolist() == ["vpcflow", "cloudtrail"]
    assert rows.activity.tolist() == ["tcp/22 203.0.113.7 -> 10.0.0.1 x3", "iam:CreateUser"]
    assert rows.outcome.tolist() == ["REJECT", "OK"]
    assert around(rows, "2026-11-01T01:50Z", "2026-11-01T02:00Z", "5min").source.tolist() == ["cloudtrail"]


def test_defaults_for_notebook_parameters(tmp_path, monkeypatch, sample_org, truth):
    monkeypatch.delenv("WORKBENCH_ENGINE", raising=False)
    assert default_engine() == "local"
    monkeypatch.setenv("WORKBENCH_ENGINE", "athena")
    assert default_engine() == "athena"
    monkeypatch.delenv("WORKBENCH_LOGS", raising=False)
    (tmp_path / "demo-data").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert default_logs() == tmp_path / "demo-data", "a notebook opened from notebooks/ finds the sample"
    monkeypatch.setenv("WORKBENCH_LOGS", str(sample_org))
    assert default_logs() == sample_org
    assert default_window(sample_org) == (truth["generator"]["start"], truth["generator"]["end"])
    assert default_window(tmp_path, today=dt.date(2026, 11, 26)) == ("2026-11-20", "2026-11-26")
    assert notebook_window(None, "2026-11-07", None) == ("2026-11-01", "2026-11-07")
    with pytest.raises(UsageError, match="ends"):
        notebook_window("2026-11-07", "2026-11-01")


def test_investigation_shares_the_window_and_counts_what_it_read(sample_org, truth):
    inv = workbench.Investigation("local", sample_org, accounts=truth["generator"]["accounts"][0])
    assert (inv.start, inv.end) == (truth["generator"]["start"], truth["generator"]["end"])
    root = inv.query("root_activity")
    assert set(root.account_id) <= {truth["generator"]["accounts"][0]}
    assert "1 queries on the local engine read" in inv.scanned()
    assert "all regions" in inv.describe()
