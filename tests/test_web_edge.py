"""The web edge: ALB access logs and WAF logs as sources, their queries, the planted web attacks and the rules.

Entries are written here in the documented formats (fields in the documented order, values of our
own); the sample organisation's shop gives the planted incidents.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.detections import run_rules
from workbench.engines.local import LocalEngine
from workbench.formats import format_of
from workbench.formats.importer import import_files
from workbench.sample import web
from workbench.sources import get_source

ACCOUNT, REGION = "111122223333", "eu-west-1"
ELB = "app/web-alb/0123456789abcdef"
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/0011223344556677"

#: An HTTPS entry with every field AWS documents, conn_trace_id last.
HTTPS = (f'https 2026-11-03T10:00:01.123456Z {ELB} 203.0.113.7:51234 10.0.1.5:8080 0.001 0.020 0.000 200 200 '
         '512 2048 "GET https://shop.example.com:443/cart?id=1 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" '
         f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {TG} "Root=1-65e1a2b1-0123456789abcdef01234567" "shop.example.com" '
         f'"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/aaaa-bbbb" 10 2026-11-03T10:00:01.100000Z "forward" "-" "-" '
         '"10.0.1.5:8080" "200" "-" "-" TID_0123456789abcdef')
#: A request WAF blocked: no target, -1 times, 403, only the waf action; an older entry (no conn_trace_id).
BLOCKED = (f'https 2026-11-03T10:00:02.000001Z {ELB} 198.51.100.9:40000 - -1 -1 -1 403 - 180 230 '
           '"GET https://shop.example.com:443/.git/config HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - '
           '"Root=1-65e1a2b2-0123456789abcdef01234568" "shop.example.com" "-" 0 2026-11-03T10:00:01.999000Z "waf" '
           '"-" "-" "-" "-" "-" "-"')
#: A request the load balancer could not parse, with fields AWS may add after conn_trace_id.
UNPARSED = (f'http 2026-11-03T10:00:03.5Z {ELB} [2001:db8::7]:443 - -1 -1 -1 400 - 0 150 "- - - " "-" - - - "-" "-" '
            '"-" - 2026-11-03T10:00:03.4Z "-" "-" "-" "-" "-" "Severe" "SpaceInUri" TID_ffff00 "new-field" 42')


def _alb_file(root: Path, lines: list[str], *, name: str = "a1b2c3d4", day: str = "2026/11/03",
              raw: bytes | None = None) -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "elasticloadbalancing" / REGION / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (f"{ACCOUNT}_elasticloadbalancing_{REGION}_app.web-alb.0123456789abcdef_"
                     f"{day.replace('/', '')}T1005Z_10.0.0.5_{name}.log.gz")
    path.write_bytes(raw if raw is not None else gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def _all_rows(root: Path, table: str):
    with LocalEngine(root) as engine:
        rows = engine.query(f"SELECT * FROM {table} ORDER BY 1, 2", allow_full_scan=True)
        return rows, engine.last_scan


def test_documented_alb_entries_parse_to_their_fields(tmp_path):
    _alb_file(tmp_path, [HTTPS, BLOCKED, UNPARSED])
    rows, scan = _all_rows(tmp_path, "alb")
    assert not scan.problems and len(rows) == 3
    ok, blocked, unparsed = (rows[rows.time.str.startswith(f"2026-11-03T10:00:0{i}")].iloc[0] for i in (1, 2, 3))
    assert (ok.type, ok.elb, ok.client_ip, ok.client_port, ok.target_ip, ok.target_port) == (
        "https", ELB, "203.0.113.7", 51234, "10.0.1.5", 8080)
    assert (ok.request_processing_time, ok.target_processing_time, ok.elb_status_code, ok.target_status_code) == (
        0.001, 0.020, 200, "200")
    assert (ok.received_bytes, ok.sent_bytes, ok.request_verb, ok.request_url, ok.request_proto) == (
        512, 2048, "GET", "https://shop.example.com:443/cart?id=1", "HTTP/1.1")
    assert (ok.user_agent, ok.ssl_protocol, ok.target_group_arn, ok.domain_name) == (
        "Mozilla/5.0 (X11; Linux x86_64)", "TLSv1.2", TG, "shop.example.com")
    assert (ok.matched_rule_priority, ok.actions_executed, ok.target_port_list, ok.conn_trace_id) == (
        "10", "forward", "10.0.1.5:8080", "TID_0123456789abcdef")
    assert (ok.account, ok.region, ok.day) == (ACCOUNT, REGION, "2026/11/03")
    assert (blocked.target_ip, blocked.target_processing_time, blocked.elb_status_code) == ("", -1.0, 403)
    assert blocked.actions_executed == "waf" and pd.isna(blocked.conn_trace_id)  # older entries end earlier
    assert (unparsed.client_ip, unparsed.client_port) == ("[2001:db8::7]", 443)
    assert (unparsed.request_verb, unparsed.request_url, unparsed.request_proto) == ("-", "-", "-")
    assert (unparsed.classification, unparsed.classification_reason, unparsed.conn_trace_id) == (
        "Severe", "SpaceInUri", "TID_ffff00")


def test_a_damaged_alb_file_keeps_every_good_entry_and_names_the_rest(tmp_path):
    hostile = HTTPS.replace("Mozilla/5.0 (X11; Linux x86_64)", "evil\x01agent\x1b[31m")
    good = _alb_file(tmp_path, [HTTPS, "not an access log entry", hostile, BLOCKED], name="bad00001")
    _alb_file(tmp_path, [BLOCKED], name="good0001")
    _alb_file(tmp_path, [], name="trunc001", raw=gzip.compress((HTTPS + "\n").encode())[:-12])
    rows, scan = _all_rows(tmp_path, "alb")
    reasons = {}
    for problem in scan.problems:
        reasons.setdefault(Path(problem["path"]).name, []).append(problem["reason"])
    assert "1 line(s) are not in the ALB access logs format (first: line 2); the other lines are kept" in reasons[good.name]
    assert "1 line(s) hold control characters, shown escaped (\\xNN)" in reasons[good.name]
    assert any("gzip" in r for r in reasons[next(n for n in reasons if "trunc001" in n)]), reasons
    agents = set(rows.user_agent)
    assert "evil\\x01agent\\x1b[31m" in agents, "control characters are shown escaped: text stays text"
    assert len(rows[rows.elb_status_code == 403]) == 2 and len(rows[rows.elb_status_code == 200]) >= 2


def test_a_waf_record_as_documented_reads_into_its_columns(tmp_path):
    record = {"timestamp": 1793700000123, "formatVersion": 1,
              "webaclId": f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/shop-acl/0a1b2c3d",
              "terminatingRuleId": "AWS-AWSManagedRulesSQLiRuleSet", "terminatingRuleType": "MANAGED_RULE_GROUP",
              "action": "BLOCK", "terminatingRuleMatchDetails": [{"conditionType": "SQL_INJECTION",
                                                                  "sensitivityLevel": "LOW", "location": "QUERY_STRING",
                                                                  "matchedData": ["1", "OR", "1=1"]}],
              "httpSourceName": "ALB", "httpSourceId": f"{ACCOUNT}-{ELB}",
              "ruleGroupList": [{"ruleGroupId": "AWS#AWSManagedRulesSQLiRuleSet",
                                 "terminatingRule": {"ruleId": "SQLi_QUERYARGUMENTS", "action": "BLOCK"},
                                 "nonTerminatingMatchingRules": [], "excludedRules": None}],
              "rateBasedRuleList": [], "nonTerminatingMatchingRules": [], "requestHeadersInserted": None,
              "responseCodeSent": None,
              "httpRequest": {"clientIp": "198.51.100.9", "country": "NL",
                              "headers": [{"name": "Host", "value": "shop.example.com"}], "uri": "/api",
                              "args": "id=1%27%20OR%201=1", "httpVersion": "HTTP/1.1", "httpMethod": "GET",
                              "requestId": "Root=1-65e1a2b2-0123456789abcdef01234568"},
              "labels": [{"name": "awswaf:managed:aws:sql-database:SQLi_QueryArguments"}],
              "ja3Fingerprint": "e7d705a3286e19ea42f587b344ee6865", "requestBodySize": 0}
    loose = tmp_path / "export.log"
    loose.write_text(json.dumps(record) + "\n")
    report = import_files([loose], tmp_path / "logs")  # the web ACL's ARN says where it belongs
    assert report.complete and report.written == 1
    (placed,) = [Path(p) for p in report.outputs]
    assert placed.relative_to(tmp_path / "logs").parts[:11] == (
        "AWSLogs", ACCOUNT, "WAFLogs", REGION, "shop-acl", "2026", "11", "03", "10", "00", placed.name)
    rows, _ = _all_rows(tmp_path / "logs", "waf")
    row = rows.iloc[0]
    assert (row.web_acl, row.action, row.terminatingruleid, row.httprequest["clientip"]) == (
        "shop-acl", "BLOCK", "AWS-AWSManagedRulesSQLiRuleSet", "198.51.100.9")
    assert row.rulegrouplist[0]["terminatingrule"]["ruleid"] == "SQLi_QUERYARGUMENTS"
    assert row.labels[0]["name"] == "awswaf:managed:aws:sql-database:SQLi_QueryArguments"
    assert row.terminatingrulematchdetails[0]["matcheddata"] == ["1", "OR", "1=1"]


@pytest.mark.parametrize("webacl", ["arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/../../etc/0a",
                                    "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/a b/0a", "not an arn"])
def test_a_waf_record_whose_web_acl_is_not_a_name_is_refused(tmp_path, webacl):
    loose = tmp_path / "export.log"
    loose.write_text(json.dumps({"timestamp": 1793700000123, "webaclId": webacl, "terminatingRuleId": "x",
                                 "action": "ALLOW", "httpRequest": {"clientIp": "198.51.100.9"}}) + "\n")
    report = import_files([loose], tmp_path / "logs", account=ACCOUNT, region=REGION)
    assert report.written == 0 and report.rejected == 1
    assert not (tmp_path / "logs" / "AWSLogs").exists() or not list((tmp_path / "logs").rglob("*.gz"))


def test_the_alb_format_claims_its_lines_and_only_them():
    fmt, alb = format_of(get_source("alb")), get_source("alb")
    assert fmt.claims(HTTPS + "\n", alb) == 100
    assert fmt.claims('{"Records": []}', alb) == 0 and fmt.claims("version account-id\n2 1", alb) == 0


# -- the planted web attacks on the sample organisation ----------------------------------


@pytest.fixture(scope="module")
def engine(sample_org):
    with LocalEngine(sample_org) as engine:
        yield engine


def test_the_injection_is_blocked_then_one_request_gets_through(engine, window, truth):
    planted = truth["by_kind"]["web_injection"]
    through = engine.query("blocked_then_allowed", window)
    row = through[through.client_ip == planted["source_ip"]].iloc[0]
    assert (row.blocked, row.allowed_after) == (planted["blocked"], 1)
    assert row.allowed_requests == f"{planted['allowed_path']}?{planted['allowed_query']}"
    rules = engine.query("blocks_by_rule", window)
    mine = rules[rules.clients == 1]
    assert set(mine.rule) == set(planted["rules"])
    assert int(mine.requests.sum()) == planted["blocked"]
    requests = engine.query("alb/requests_by_client", {**window, "addresses": [planted["source_ip"]]})
    assert list(requests.trace_id) == planted["request_ids"], "exactly its requests, in order"
    answered = requests[requests.elb_status_code == 200]
    assert list(answered.trace_id) == [planted["allowed_request_id"]]
    assert (requests.elb_status_code == 403).sum() == planted["blocked"]
    waf = engine.query("waf/requests_by_client", {**window, "addresses": [planted["source_ip"]]})
    assert list(waf.request_id) == planted["request_ids"], "WAF logs the load balancer's trace id: the logs join"
    assert set(waf.labels.str.split(" ").explode()) == set(planted["labels"]) | {""}


def test_the_credential_stuffing_is_one_burst_of_its_addresses(engine, window, truth):
    planted = truth["by_kind"]["credential_stuffing"]
    spans = engine.query("login_failures", window)
    assert int(spans.failures.sum()) == planted["attempts"] - planted["succeeded"]
    assert int(spans.successes.sum()) == planted["succeeded"]
    assert spans.first_seen.min().isoformat()[:19] == planted["start"].rstrip("Z")
    requests = engine.query("alb/requests_by_client", {**window, "addresses": planted["source_ips"]})
    assert sorted(requests.trace_id) == sorted(planted["request_ids"]), "the botnet did nothing else"


def test_the_port_scanner_also_probes_the_shop(engine, window, truth):
    planted = truth["by_kind"]["port_scan"]
    bursts = engine.query("error_bursts", window)
    mine = bursts[bursts.client_ip == planted["source_ip"]]
    assert int(mine.errors.sum()) == len(planted["web_paths"])
    assert set(bursts.client_ip) == {planted["source_ip"], truth["by_kind"]["web_injection"]["source_ip"]}
    requests = engine.query("alb/requests_by_client", {**window, "addresses": [planted["source_ip"]]})
    assert list(requests.trace_id) == planted["request_ids"]
    assert (requests.elb_status_code == 403).sum() == planted["web_blocked"]


def test_the_queries_read_only_the_days_and_regions_asked_for(engine, truth):
    shop_day = truth["by_kind"]["web_injection"]["day"]
    engine.query("blocks_by_rule", {"start": shop_day, "end": shop_day})
    assert {f.day for f in engine.last_files} == {shop_day.replace("-", "/")}
    assert {f.scope for f in engine.last_files} == {web.ACL_NAME}
    engine.query("blocks_by_rule", {"start": shop_day, "end": shop_day, "regions": ["eu-west-1"]})
    assert engine.last_files == []
    engine.query("alb/top_clients", {"start": shop_day, "end": shop_day})
    assert {f.day for f in engine.last_files} == {shop_day.replace("-", "/")}


# -- the rules ----------------------------------------------------------------------------


def _shop_logs(root: Path, requests: list[web.Request]) -> None:
    """Write ``requests`` as the sample's shop logs them (ALB lines and WAF records)."""
    shop = web.Shop(account=ACCOUNT, region=REGION, elb=ELB, nodes=("10.0.0.5", "10.0.1.5"), target="10.0.1.9",
                    target_group=TG, cert=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/c", acl_id="0a1b")
    web.stamp_requests(requests, web.ids.rng(1, "test"))
    for key, body in web.alb_files(shop, requests, web.ids.rng(1, "alb")) + web.waf_files(shop, requests,
                                                                                        web.ids.rng(1, "waf")):
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(gzip.compress(body))


def _hits(root: Path, rule: str):
    with LocalEngine(root) as engine:
        found = run_rules(engine, start="2026-11-03", end="2026-11-03", severity="info", sources=["alb", "waf"])
    assert found.failed == {}
    return found.hits[found.hits.rule_id == rule]


T0 = 1793700000.0  # 2026-11-03T10:00:00Z


def test_blocked_then_through_fires_from_twenty_blocks(tmp_path):
    requests = []
    for n, ip in ((20, "198.51.100.20"), (19, "198.51.100.19")):
        requests += [web.Request(T0 + k, ip, "GET", "/api", f"id={k}%27", ua="sqlmap", status=403, target_status="-",
                                 block="sqli") for k in range(n)]
        requests.append(web.Request(T0 + 100, ip, "GET", "/api", "id=1", ua="sqlmap"))
    _shop_logs(tmp_path, requests)
    hits = _hits(tmp_path, "WB-WAF-001")
    assert list(hits.source_ip) == ["198.51.100.20"]
    assert hits.detail.iloc[0].startswith("20 requests blocked by shop-web-acl (1 rule(s)) that day, then 1 allowed")


def test_credential_stuffing_fires_from_a_hundred_refusals_and_ten_addresses(tmp_path):
    def burst(start: float, n: int, clients: int, prefix: str) -> list[web.Request]:
        return [web.Request(start + k, f"{prefix}.{k % clients}", "POST", web.LOGIN_PATH, host=web.API, status=401,
                            target_status="401") for k in range(n)]
    _shop_logs(tmp_path, burst(T0, 100, 10, "198.51.100") + burst(T0 + 3600, 99, 10, "192.0.2")
               + burst(T0 + 7200, 150, 9, "203.0.113"))
    hits = _hits(tmp_path, "WB-ALB-001")
    assert len(hits) == 1 and hits.source_ip.iloc[0].startswith("198.51.100.")
    assert "100 sign-ins to /api/v1/login refused in ten minutes from 10 addresses" in hits.detail.iloc[0]


def test_path_probing_fires_from_twenty_missing_paths(tmp_path):
    paths = [f"/probe-{k}" for k in range(20)]
    _shop_logs(tmp_path, [web.Request(T0 + k, "198.51.100.1", "GET", p, status=404, target_status="404")
                          for k, p in enumerate(paths)]
               + [web.Request(T0 + k, "198.51.100.2", "GET", p, status=404, target_status="404")
                  for k, p in enumerate(paths[:19] * 3)])
    hits = _hits(tmp_path, "WB-ALB-002")
    assert list(hits.source_ip) == ["198.51.100.1"]
    assert hits.detail.iloc[0].startswith("20 distinct paths answered 4xx that day (20 requests)")


def test_a_pivot_on_an_address_brings_its_web_requests_into_the_timeline(sample_org, window, truth):
    import workbench

    planted = truth["by_kind"]["web_injection"]
    found = workbench.pivot(source_ip=planted["source_ip"], logs=sample_org, **window)
    assert list(found.web.trace_id) == planted["request_ids"]
    assert list(found.waf.request_id) == planted["request_ids"]
    web = found.timeline[found.timeline.source == "alb"]
    assert web.activity.str.extract(r" x(\d+)$")[0].astype(int).sum() == len(planted["request_ids"])
    assert set(found.timeline.source) == {"alb"}, "WAF's rows of the same requests are left to the load balancer's"
    through = web[web.outcome == "200"]
    assert len(through) == 1 and through.ref.iloc[0] == planted["allowed_request_id"]
    assert f"Web edge: {len(planted['request_ids'])} load balancer requests" in found.summary()


def test_import_of_loose_alb_lines_says_what_to_ask_next(tmp_path, capsys):
    from workbench.cli import main

    loose = tmp_path / "alb-export.log"
    loose.write_text(HTTPS + "\n" + BLOCKED + "\n")
    assert main(["import", str(loose), "--out", str(tmp_path / "logs"), "--account", ACCOUNT, "--region", REGION]) == 0
    out = capsys.readouterr().out
    assert "wrote 2 records" in out and "next: workbench query alb/top_clients" in out
    rows, _ = _all_rows(tmp_path / "logs", "alb")
    assert sorted(rows.elb_status_code) == [200, 403] and set(rows.account) == {ACCOUNT}
