"""Route 53 Resolver query logs: read, imported, queried, pivoted on, and the planted beacon found exactly.

The records below follow AWS's documented fields and example (``version`` 1.100000, ``srcids.instance``,
``answers`` of ``Rdata``/``Type``/``Class``, ``srcport`` as text); the sample organisation's compromised
instance gives the beacon.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import workbench
from workbench.aws.ddl import create_table_sql, table_spec
from workbench.detections import run_rules
from workbench.engines.local import LocalEngine
from workbench.formats.importer import import_files
from workbench.sources import get_source

ACCOUNT, VPC = "111122223333", "vpc-0a1b2c3d4e5f60718"


def _record(name="example.com.", *, t="2021-02-04T17:51:55Z", rcode="NOERROR", qtype="A", src="10.0.0.5",
            port="56067", answers=None, **extra) -> dict:
    rec = {"version": "1.100000", "account_id": ACCOUNT, "region": "us-east-1", "vpc_id": VPC, "query_timestamp": t,
           "query_name": name, "query_type": qtype, "query_class": "IN", "rcode": rcode,
           "answers": answers if answers is not None else [{"Rdata": "203.0.113.9", "Type": qtype, "Class": "IN"}],
           "srcaddr": src, "srcport": port, "transport": "UDP", "srcids": {"instance": "i-0d15cd0d3example"}}
    rec.update(extra)
    return rec


def _write(root: Path, lines: list, *, day="2021/02/04", vpc=VPC, raw: bytes | None = None, stamp="20210204T1755Z",
           tag="71584702") -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "vpcdnsquerylogs" / vpc / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{vpc}_vpcdnsquerylogs_{ACCOUNT}_{stamp}_{tag}.log.gz"
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_bytes(raw if raw is not None else gzip.compress(text.encode()))
    return path


def _rows(root: Path, sql: str = "SELECT * FROM resolver"):
    with LocalEngine(root) as engine:
        return engine.query(sql, allow_full_scan=True), engine.last_scan


def test_the_documented_record_reads_into_its_columns(tmp_path):
    firewall = _record("15.3.4.32.in-addr.arpa.", qtype="PTR", firewall_rule_action="BLOCK",
                       firewall_rule_group_id="rslvr-frg-01234567890abcdef",
                       firewall_domain_list_id="rslvr-fdl-01234567890abcdef")
    _write(tmp_path, [_record(), firewall])
    rows, scan = _rows(tmp_path)
    assert not scan.problems and len(rows) == 2
    first = rows[rows.query_name == "example.com."].iloc[0]
    assert (first.version, first.account_id, first.region, first.vpc_id, first.query_timestamp) == (
        "1.100000", ACCOUNT, "us-east-1", VPC, "2021-02-04T17:51:55Z")
    assert (first.query_type, first.query_class, first.rcode, first.srcaddr, first.srcport, first.transport) == (
        "A", "IN", "NOERROR", "10.0.0.5", 56067, "UDP")
    assert first.srcids["instance"] == "i-0d15cd0d3example" and first.srcids["resolver_endpoint"] is None
    assert [dict(a) for a in first.answers] == [{"rdata": "203.0.113.9", "type": "A", "class": "IN"}], "struct fields in lower case, as Athena names them"
    assert (first.account, first.vpc, first.day) == (ACCOUNT, VPC, "2021/02/04")
    assert "region" in rows.columns, "the region a record names is a column, not a partition"
    blocked = rows[rows.query_type == "PTR"].iloc[0]
    assert (blocked.firewall_rule_action, blocked.firewall_domain_list_id) == ("BLOCK", "rslvr-fdl-01234567890abcdef")


def test_a_damaged_file_names_its_reason_and_keeps_every_good_record(tmp_path):
    hostile = _record("<script>alert(1)</script>\n.evil.\u202e.com.", src="10.0.0.6")
    _write(tmp_path, [_record(), "{not json", ["a", "list"], hostile, _record("b.example.")])
    _write(tmp_path, [], raw=gzip.compress(b"x" * 10)[:-6], tag="0badf11e", stamp="20210204T1800Z")
    rows, scan = _rows(tmp_path)
    assert sorted(rows.query_name) == sorted(["example.com.", "b.example.", hostile["query_name"]])
    named = {Path(p["path"]).name: p["reason"] for p in scan.problems}
    assert any("0badf11e" in name for name in named), named
    assert any("71584702" in name for name in named), "the file with bad lines is named too"
    text = rows[rows.srcaddr == "10.0.0.6"].query_name.iloc[0]
    assert text == hostile["query_name"], "a name is text, kept as it was asked"


@pytest.mark.parametrize("folder", ["..", "vpc-xyz", "not-a-vpc"])
def test_a_folder_that_is_not_a_vpc_id_is_not_a_partition(tmp_path, folder):
    path = "AWSLogs/111122223333/vpcdnsquerylogs/{}/2021/02/04/{}_vpcdnsquerylogs_111122223333_20210204T1755Z_71584702.log.gz"
    assert get_source("resolver").parse_key(path.format(VPC, VPC))["scope"] == VPC
    assert get_source("resolver").parse_key(path.format(folder, folder)) is None


def test_import_files_loose_records_by_their_account_and_vpc(tmp_path):
    loose = tmp_path / "export"
    loose.mkdir()
    records = [_record(), _record("b.example.", t="2021-02-05T01:00:00Z"),
               _record("c.example.", vpc_id="../../../etc"), _record("d.example.", vpc_id=None)]
    (loose / "dns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    report = import_files([loose], tmp_path / "logs")
    assert report.written == 2 and report.rejected == 2
    assert all("no vpc" in reason for _, reason in report.reject_reasons), report.reject_reasons
    placed = sorted(Path(p).relative_to(tmp_path / "logs").parts[:7] for p in report.outputs)
    assert placed == [("AWSLogs", ACCOUNT, "vpcdnsquerylogs", VPC, "2021", "02", "04"),
                      ("AWSLogs", ACCOUNT, "vpcdnsquerylogs", VPC, "2021", "02", "05")]
    assert all(get_source("resolver").parse_key(str(Path(p).relative_to(tmp_path / "logs")).replace("\\", "/"))
               for p in report.outputs), "names as AWS gives them"
    rows, scan = _rows(tmp_path / "logs")
    assert not scan.problems and sorted(rows.query_name) == ["b.example.", "example.com."]
    again = import_files([loose], tmp_path / "logs")
    assert sorted(again.outputs) == sorted(report.outputs), "the same records make the same files, by name"
    assert len(_rows(tmp_path / "logs")[0]) == 2, "importing twice adds nothing"


def test_the_athena_table_has_no_region_partition_and_projects_the_vpcs():
    spec = table_spec(get_source("resolver"), bucket="logs", accounts=[ACCOUNT], regions=[], scopes=[VPC])
    sql = create_table_sql(spec)
    assert "PARTITIONED BY (`account` string, `vpc` string, `day` string)" in sql
    assert f"'projection.vpc.values'='{VPC}'" in sql and "projection.region" not in sql
    assert "'storage.location.template'='s3://logs/AWSLogs/${account}/vpcdnsquerylogs/${vpc}/${day}'" in sql
    assert "org.openx.data.jsonserde.JsonSerDe" in sql
    assert "`answers` array<struct<rdata:string,type:string,class:string>>" in sql


# -- the planted compromised instance ---------------------------------------------------------------------


def test_the_burst_of_names_that_do_not_exist_is_the_planted_one_exactly(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    bursts = engine.query("resolver/nxdomain_bursts", window)
    assert len(bursts) == 1, bursts
    burst = bursts.iloc[0]
    assert (burst.srcaddr, burst.instance_id, burst.vpc, burst.account_id) == (
        planted["source_ip"], planted["instance_id"], planted["vpc_id"], planted["account"])
    assert burst.names == burst.nxdomain == len(planted["nxdomain_names"])
    lookups = engine.query("resolver/lookups_by_entity", {**window, "instance_ids": [planted["instance_id"]]})
    missing = lookups[lookups.rcode == "NXDOMAIN"]
    assert set(planted["nxdomain_names"]) <= set(missing.query_name)
    assert len(set(missing.query_name) - set(planted["nxdomain_names"])) <= 4, "the background's own few misses"


def test_the_controller_is_the_only_rare_domain_and_its_address_is_called_every_time(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    domain = planted["domain"].rstrip(".")
    rare = engine.query("resolver/rare_domains", window)
    assert list(rare.domain) == [domain]
    assert rare.iloc[0].addresses == planted["domain_address"] and rare.iloc[0].srcaddrs == planted["source_ip"]
    assert rare.iloc[0].queries == planted["beacons"] + len(planted["tunnel_names"])
    flows = engine.query("flows_by_entity", {**window, "addresses": [planted["domain_address"]]})
    called = workbench.analyses.dns.contacted(rare, flows)
    assert list(called.domain) == [domain]
    assert called.iloc[0].flows == 2 * planted["flows_to_controller"] == 2 * planted["beacons"]
    who = engine.query("resolver/lookups_by_entity", {**window, "addresses": [planted["domain_address"]]})
    assert set(who.srcaddr) == {planted["source_ip"]} and who[who.query_type == "A"].queries.sum() == planted["beacons"]


def test_the_tunnel_is_the_only_long_labelled_domain(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    tunnels = engine.query("resolver/tunnelling_candidates", window)
    assert len(tunnels) == 1
    row = tunnels.iloc[0]
    assert (row.srcaddr, row.domain, row.names, row.txt_queries) == (
        planted["source_ip"], planted["domain"].rstrip("."), len(planted["tunnel_names"]), len(planted["tunnel_names"]))
    assert row.longest_label == 60


def test_both_dns_rules_fire_on_the_instance_and_nothing_else(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    found = run_rules(engine, start=window["start"], end=window["end"],
                      rules=[r for r in workbench.detections.list_rules() if r.id.startswith("WB-DNS-")])
    assert found.failed == {}
    assert sorted(found.hits.rule_id) == ["WB-DNS-001", "WB-DNS-002"]
    assert set(found.hits.source_ip) == {planted["source_ip"]} and set(found.hits.principal) == {planted["instance_id"]}


def test_the_busiest_hosts_list_counts_the_instances_lookups(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    hosts = engine.query("resolver/queries_by_source", {**window, "top": 100})
    assert hosts.srcaddr.is_unique or hosts.groupby(["vpc", "srcaddr"]).size().max() == 1
    me = hosts[hosts.srcaddr == planted["source_ip"]].iloc[0]
    assert me.txt_queries == len(planted["tunnel_names"]) and me.longest_label == 60
    assert me.nxdomain >= len(planted["nxdomain_names"])
    assert (hosts.drop(me.name).longest_label < 40).all(), "no other host asks for long labels"


def test_a_pivot_on_the_controller_shows_the_lookups_and_the_flows(engine, window, truth):
    planted = truth["by_kind"]["dns_beacon"]
    found = workbench.pivot(engine, source_ip=planted["domain_address"], start=planted["day"], end=planted["day"])
    assert set(found.dns.srcaddr) == {planted["source_ip"]} and found.dns.queries.sum() == planted["beacons"]
    sources = set(found.timeline.source)
    assert {"resolver", "vpcflow"} <= sources
    first = found.timeline[found.timeline.source == "resolver"].time.min()
    assert first <= found.timeline[found.timeline.source == "vpcflow"].time.min(), "the name is looked up first"
    assert "DNS:" in found.summary()
    by_instance = workbench.pivot(engine, instance_id=planted["instance_id"], start=planted["day"], end=planted["day"])
    assert set(planted["tunnel_names"]) <= set(by_instance.dns.query_name)
