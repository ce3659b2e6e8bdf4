"""Each planted scenario is found by the query meant for it, and nothing else leaks in."""

import workbench
from workbench import analyses
from workbench.analyses.activity import volume_outliers
from workbench.analyses.root import verdict as root_verdict
from workbench.analyses.signins import failed_login_bursts


def test_root_console_login_is_every_root_action_and_nothing_else(engine, window, truth):
    planted = truth["by_kind"]["root_console_login"]
    root = engine.query("root_activity", window)
    assert sorted(root.event_id) == sorted(planted["event_ids"])
    logins = root[root.event_name == "ConsoleLogin"]
    success = logins[logins.outcome == "Success"]
    assert len(success) == 1 and not success.mfa_used.iloc[0]
    assert success.source_ip.iloc[0] == planted["source_ip"]
    assert (logins.outcome == "Failure").sum() >= 1
    assert "1 root sign-in (1 without MFA) from 1 IP" in root_verdict(root)


def test_root_sign_in_survives_a_region_filter_without_us_east_1(engine, window, truth):
    planted = truth["by_kind"]["root_console_login"]
    other = [r for r in truth["generator"]["regions"] if r != "us-east-1"]
    assert other, "the sample must have a region besides us-east-1"
    root = engine.query("root_activity", {**window, "regions": other})
    assert sorted(root.event_id) == sorted(planted["event_ids"])
    read_regions = {f.region for f in engine.last_files}
    assert read_regions == {"us-east-1", *other}


def test_hidden_user_burst_is_one_group_and_the_typo_stands_alone(engine, window, truth):
    planted = truth["by_kind"]["hidden_user_bruteforce"]
    hidden = engine.query("hidden_user_logins", window)
    burst = hidden[hidden.source_ip == planted["source_ip"]]
    assert len(burst) == 1
    assert sorted(burst.event_ids.iloc[0]) == sorted(planted["event_ids"])
    assert burst.attempts.iloc[0] == len(planted["event_ids"]) >= 30
    assert burst.account_id.iloc[0] == planted["account"]
    singles = hidden[hidden.attempts == 1]
    assert sorted(e for ids in singles.event_ids for e in ids) == sorted(planted["typo_event_ids"])
    # nothing else: every HIDDEN event in the sample is one of the planted ones
    assert hidden.attempts.sum() == len(planted["event_ids"]) + len(planted["typo_event_ids"])


def test_console_bruteforce_against_a_real_user(engine, window, truth):
    planted = truth["by_kind"]["console_bruteforce"]
    logins = engine.query("console_logins", window)
    bursts = failed_login_bursts(logins)
    assert len(bursts) == 1, bursts
    row = bursts.iloc[0]
    assert (row.user_name, row.source_ip, row.account_id) == (planted["user_name"], planted["source_ip"], planted["account"])
    assert sorted(row.event_ids) == sorted(planted["event_ids"])
    failures = logins[(logins.source_ip == planted["source_ip"]) & (logins.outcome == "Failure")]
    assert set(failures.error_message) == {"Failed authentication"}


def test_compromised_access_key_from_its_finding_to_its_events(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    findings = engine.query("findings", window)
    assert findings.finding_id.is_unique
    finding = findings[findings.finding_id.isin(planted["finding_ids"]) & ~findings.is_attack_sequence]
    assert len(finding) == 1
    f = finding.iloc[0]
    assert (f.access_key_id, f.remote_ip) == (planted["access_key_id"], planted["source_ip"])
    assert f["count"] >= 2, "the second, updated export wins"

    by_key = engine.query("events_by_access_key", {**window, "access_key_id": f.access_key_id})
    from_attacker = by_key[by_key.source_ip == f.remote_ip]
    assert sorted(from_attacker.event_id) == sorted(planted["event_ids"])
    assert len(by_key) > len(from_attacker), "the owner's own use of the key is there too"
    assert {"CreateUser", "CreateAccessKey", "GetCallerIdentity"} <= set(from_attacker.event_name)
    assert from_attacker.error_code.notna().sum() >= 3

    by_ip = engine.query("events_by_source_ip", {**window, "source_ip": planted["source_ip"]})
    assert sorted(by_ip.event_id) == sorted(planted["event_ids"])

    by_user = engine.query("events_by_principal", {**window, "principal": planted["user_name"]})
    assert set(planted["event_ids"]) <= set(by_user.event_id)
    by_arn = engine.query("events_by_principal", {**window, "principal": planted["principal_arn"]})
    assert set(planted["event_ids"]) <= set(by_arn.event_id)


def test_port_scan_is_the_only_scan_candidate(engine, window, truth):
    planted = truth["by_kind"]["port_scan"]
    scan = engine.query("scan_candidates", window)
    assert len(scan) == 1, scan
    row = scan.iloc[0]
    assert (row.source_ip, row.interface_id) == (planted["source_ip"], planted["eni"])
    assert sorted(row.dst_ports) == sorted(planted["dst_ports"])
    assert row.rejected_share > 0.5
    findings = engine.query("findings", window)
    portscan = findings[findings.finding_id.isin(planted["finding_ids"])]
    assert portscan.type.tolist() == ["Recon:EC2/Portscan"]
    assert portscan.instance_id.tolist() == [planted["instance_id"]]


def test_port_pairs_leave_out_nodata(engine, window):
    pairs = engine.query("port_pairs", window)
    assert len(pairs) > 0
    assert pairs.srcaddr.notna().all() and pairs.action.isin(["ACCEPT", "REJECT"]).all()


def test_anomalous_principal_tops_its_own_baseline(engine, window, truth):
    planted = truth["by_kind"]["anomalous_principal"]
    ranked = volume_outliers(engine.query("principal_daily_activity", window))
    top = ranked.iloc[0]
    assert (top.principal, top.event_day) == (planted["principal_arn"], planted["day"])


def test_the_attack_sequence_comes_with_its_signals_and_they_reach_their_events(engine, window, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    findings = engine.query("findings", window)
    sequence = findings[findings.finding_id == planted["attack_sequence_id"]].iloc[0]
    assert sequence.is_attack_sequence and sequence.type.startswith("AttackSequence:")
    assert analyses.findings.band(sequence.severity) == "critical"
    assert (sequence.access_key_id, sequence.remote_ip, sequence.user_name) == (
        planted["access_key_id"], planted["source_ip"], planted["user_name"]), "pivots from its first actor and endpoint"
    assert analyses.findings.pick(findings).finding_id == sequence.finding_id, "the most severe is opened first"
    signals = analyses.findings.signals(sequence)
    assert sequence.signals == len(signals) and list(signals.name) == planted["signal_names"]
    assert signals.first_seen.notna().all() and (signals.first_seen <= signals.last_seen).all()
    assert all(keys == [planted["access_key_id"]] for keys in signals.access_key_ids)
    found = workbench.pivot(engine, **analyses.findings.pivots(sequence), **window)
    covered = analyses.findings.signal_events(signals, found.cloudtrail)
    assert sorted(set(covered.event_id)) == sorted(planted["event_ids"])
    takeover = covered[covered.signal_type == "CLOUD_TRAIL"]
    for name in ("CreateUser", "CreateAccessKey", "AttachUserPolicy"):
        assert list(takeover[takeover.name == name].event_name) == [name], "a signal that names an API keeps its call"
    others = findings[~findings.is_attack_sequence]
    assert others.signals.eq(0).all() and analyses.findings.signals(others.iloc[0]).empty
