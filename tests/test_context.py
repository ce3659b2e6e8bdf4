"""Context for addresses and user agents: kinds, the shipped country/ASN data, AWS's ranges, clients, enrichment."""

import gzip
import http.server
import io
import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from workbench import context
from workbench.cli import main
from workbench.context import addresses, aws_ranges, geo
from workbench.context.agents import agent
from workbench.context.enrichment import ADDRESS_FIELDS, AGENT_FIELDS, enrich
from workbench.context.ranges import address_kind
from workbench.errors import UsageError


@pytest.mark.parametrize("value, kind", [
    ("192.0.2.1", "documentation"), ("198.51.100.7", "documentation"), ("203.0.113.254", "documentation"),
    ("2001:db8::1", "documentation"), ("10.1.2.3", "private"), ("172.31.255.1", "private"),
    ("192.168.0.9", "private"), ("fd12:3456::1", "private"), ("100.64.7.1", "shared"), ("127.0.0.1", "loopback"),
    ("::1", "loopback"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.251", "multicast"),
    ("240.0.0.1", "reserved"), ("0.0.0.0", "reserved"), ("8.8.8.8", "public"), ("2600:1f18::1", "public"),
    ("::ffff:8.8.8.8", "public"), ("AWS Internal", "aws-internal"), ("ec2.amazonaws.com", "aws-service"),
    ("s3.cn-north-1.amazonaws.com.cn", "aws-service"), ("ec2.amazonaws.com.attacker.example", "not-an-address"),
    ("evil amazonaws.com", "not-an-address"), ("'; DROP TABLE x; --", "not-an-address"), ("", "missing"), (None, "missing"),
])
def test_every_value_a_source_address_can_hold_is_named(value, kind):
    assert address_kind(value) == kind


def test_known_public_addresses_resolve_as_the_shipped_data_says():
    book = addresses.default()
    google, cloudflare = book.lookup("8.8.8.8"), book.lookup("1.1.1.1")
    assert (google.kind, google.country, google.asn) == ("public", "US", 15169)
    assert "Google" in google.org and not google.is_aws
    assert cloudflare.asn == 13335 and "Cloudflare" in cloudflare.org
    v6 = book.lookup("2001:4860:4860::8888")
    assert v6.asn == 15169 and v6.country is not None and v6.kind == "public"
    assert book.lookup("203.0.113.7") == context.Address("documentation"), "no country for an address nobody owns"


def test_aws_addresses_are_tagged_with_service_and_region_from_the_snapshot():
    book = addresses.default()
    seoul = book.lookup("3.5.140.2")
    assert (seoul.is_aws, seoul.aws_service, seoul.aws_region, seoul.aws_prefix) == (True, "EC2", "ap-northeast-2",
                                                                                      "3.5.140.0/22")
    assert seoul.asn == 16509, "announced by Amazon's AS as well"
    v6 = book.lookup("2600:1f18::1")
    assert (v6.is_aws, v6.aws_service, v6.aws_region) == (True, "EC2", "us-east-1")
    assert not book.lookup("8.8.8.8").is_aws
    service = book.lookup("lambda.amazonaws.com")
    assert (service.kind, service.is_aws, service.aws_service) == ("aws-service", True, "lambda.amazonaws.com")
    assert book.lookup("AWS Internal").is_aws


def test_every_prefix_of_the_snapshot_looks_up_as_aws():
    doc = json.loads(gzip.decompress(aws_ranges.SHIPPED.read_bytes()))
    ranges = aws_ranges.load()
    assert ranges.published() == doc["createDate"][:10] and ranges.prefixes == len(doc["prefixes"]) + len(doc["ipv6_prefixes"])
    import ipaddress
    for item in doc["prefixes"][::97] + doc["ipv6_prefixes"][::97]:
        net = ipaddress.ip_network(item.get("ip_prefix") or item.get("ipv6_prefix"))
        match = ranges.lookup(net[1] if net.num_addresses > 1 else net[0])
        assert match is not None and item["service"] in match.services, item
        assert ipaddress.ip_network(match.prefix).prefixlen >= net.prefixlen, "the narrowest prefix answers"


def _serve(body: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_update_fetches_newer_ranges_and_uses_them_while_newer(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    newer = {"syncToken": "1900000000", "createDate": "2030-03-01-00-00-00",
             "prefixes": [{"ip_prefix": "5.5.5.0/24", "region": "eu-test-1", "service": "EC2",
                           "network_border_group": "eu-test-1"}], "ipv6_prefixes": []}
    server = _serve(json.dumps(newer).encode())
    try:
        aws_ranges.load.cache_clear()
        assert aws_ranges.load().lookup(__import__("ipaddress").ip_address("5.5.5.9")) is None
        url = f"http://127.0.0.1:{server.server_port}/ip-ranges.json"
        assert main(["context", "--update", "--url", url]) == 0
        assert "published 2030-03-01" in capsys.readouterr().out
        assert (tmp_path / "workbench" / "aws-ip-ranges.json").is_file()
        match = aws_ranges.load().lookup(__import__("ipaddress").ip_address("5.5.5.9"))
        assert (match.service, match.region) == ("EC2", "eu-test-1")
    finally:
        server.shutdown()
        aws_ranges.load.cache_clear()


def test_update_refuses_what_is_not_aws_ranges_and_keeps_the_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = _serve(b"<html>captive portal</html>")
    try:
        with pytest.raises(UsageError, match="did not send AWS's ip-ranges.json"):
            aws_ranges.update(f"http://127.0.0.1:{server.server_port}/")
        assert not (tmp_path / "workbench" / "aws-ip-ranges.json").exists()
        with pytest.raises(UsageError, match="http"):
            aws_ranges.update("file:///etc/passwd")
    finally:
        server.shutdown()
        aws_ranges.load.cache_clear()


def test_a_users_own_mmdb_file_takes_precedence(tmp_path, monkeypatch):
    import detector.data
    from detector.mmdb_lazy import LazyBuffer

    packed = LazyBuffer(Path(detector.data.__file__).parent / geo.SHIPPED["asn"][0])
    own = tmp_path / "my-asn.mmdb"
    own.write_bytes(bytes(packed[0:len(packed)]))
    monkeypatch.setenv("WORKBENCH_ASN_DB", str(own))
    book = addresses.Addresses()
    assert book.networks.name == str(own) and str(own) in book.sources()[1]
    assert book.lookup("8.8.8.8").asn == 15169
    monkeypatch.setenv("WORKBENCH_COUNTRY_DB", str(tmp_path / "missing.mmdb"))
    with pytest.raises(UsageError, match="WORKBENCH_COUNTRY_DB: no file"):
        addresses.Addresses()


def test_records_of_each_vendor_shape_are_read():
    assert geo.country({"country": {"iso_code": "DE", "names": {"en": "Germany"}}}) == ("DE", "Germany")
    assert geo.country({"country_code": "JP", "country": "Japan"}) == ("JP", "Japan")      # IPinfo
    assert geo.asn({"autonomous_system_number": 16509, "autonomous_system_organization": "Amazon.com, Inc."}) == (
        16509, "Amazon.com, Inc.")
    assert geo.asn({"asn": "AS13335", "as_name": "Cloudflare, Inc."}) == (13335, "Cloudflare, Inc.")   # IPinfo
    assert geo.asn({"asn": "ASx"}) == (None, None) and geo.country(None) == (None, None)


@pytest.mark.parametrize("text, family, kind, tool", [
    ("aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython",
     "aws-cli", "aws-cli", "AWS CLI"),
    ("aws-cli/1.22.34 Python/3.10.12 Linux/5.15.0-91-generic botocore/1.23.34", "aws-cli", "aws-cli", "AWS CLI"),
    ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 Botocore/1.35.36",
     "Boto3", "aws-sdk", "Boto3"),
    ("aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.6",
     "aws-sdk-go-v2", "aws-sdk", "aws-sdk-go-v2"),
    ("APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 "
     "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5", "aws-sdk-go-v2", "iac", "Terraform"),
    ("Boto3/1.17.0 Python/3.8 Linux/5.4 Botocore/1.20.0 Pacu/1.0", "Boto3", "offensive-tool", "Pacu"),
    ("TruffleHog", "TruffleHog", "offensive-tool", "TruffleHog"),
    ("stratus-red-team_0b6f1d2e-4f3a", "stratus-red-team", "offensive-tool", "Stratus Red Team"),
    ("Boto3/1.26.0 Python/3.11 Linux/6.1.0-kali7-amd64 Botocore/1.29.0", "Boto3", "offensive-tool", "Kali Linux"),
    ("console.amazonaws.com", "console.amazonaws.com", "aws-console", "AWS Console"),
    ("signin.amazonaws.com", "signin.amazonaws.com", "aws-console", "AWS Console sign-in"),
    ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10]", "aws-sdk-java", "aws-console",
     "AWS Console (S3)"),
    ("AWS Internal", "AWS Internal", "aws-internal", "AWS"),
    ("cloudformation.amazonaws.com", "cloudformation.amazonaws.com", "aws-service", "cloudformation"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
     "Chrome", "browser", "Chrome"),
    ("python-requests/2.31.0", "Python Requests", "script", "Python Requests"),
])
def test_user_agents_say_their_client_and_the_program_behind_it(text, family, kind, tool):
    found = agent(text)
    assert (found.family, found.kind, found.tool) == (family, kind, tool)


def test_user_agent_versions_os_and_language():
    cli = agent("aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6")
    assert (cli.version, cli.os, cli.language) == ("2.19.1", "Windows", "python")
    browser = agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    "Version/18.1 Safari/605.1.15")
    assert (browser.family, browser.os) == ("Safari", "Mac OS X")


def test_hostile_user_agents_stay_bounded_text():
    huge = agent("A" * 100_000)
    assert huge.kind == "other" and len(huge.family) <= 64
    odd = agent("\x1b[31mred\x00/1.0\u202e")
    assert odd.kind == "other" and isinstance(odd.family, str)
    assert agent(None).kind == agent("").kind == agent("   ").kind == "missing"


def test_enrich_adds_columns_beside_each_address_and_agent_and_keeps_the_rows():
    frame = pd.DataFrame({"event_id": ["a", "b", "c", "d"],
                          "source_ip": ["8.8.8.8", "10.0.0.1", None, "8.8.8.8"],
                          "user_agent": ["Boto3/1.17.0 Pacu/1.0", None, "aws-cli/2.1", "Boto3/1.17.0 Pacu/1.0"],
                          "dst_addr": ["3.5.140.2"] * 4}, index=[10, 11, 12, 13])
    frame.attrs["scan"] = {"files": 3}
    out = enrich(frame)
    assert list(out.index) == [10, 11, 12, 13] and out.attrs["scan"] == {"files": 3}
    position = list(out.columns)
    assert position[:2] == ["event_id", "source_ip"]
    assert position[2:2 + len(ADDRESS_FIELDS)] == [f"source_{f}" for f in ADDRESS_FIELDS]
    assert [c for c in position if c.startswith("ua_")] == [f"ua_{f}" for f in AGENT_FIELDS]
    assert [c for c in position if c.startswith("dst_")][1:] == [f"dst_{f}" for f in ADDRESS_FIELDS]
    assert out.source_country.tolist()[:2] == ["US", None] and out.source_kind.tolist() == ["public", "private",
                                                                                            "missing", "public"]
    assert str(out.source_asn.dtype) == "Int64" and out.source_asn.iloc[0] == 15169
    assert out.source_is_aws.tolist() == [False] * 4 and out.dst_is_aws.all()
    assert out.ua_tool.tolist() == ["Pacu", None, "AWS CLI", "Pacu"]
    assert out.ua_kind.tolist() == ["offensive-tool", "missing", "aws-cli", "offensive-tool"]
    assert list(frame.columns) == ["event_id", "source_ip", "user_agent", "dst_addr"], "the input is not changed"
    assert enrich(pd.DataFrame({"x": [1]})).columns.tolist() == ["x"]


def test_enrich_looks_each_distinct_value_up_once():
    calls = []

    class Counting(addresses.Addresses):
        def _lookup(self, value):
            calls.append(value)
            return super()._lookup(value)

    frame = pd.DataFrame({"source_ip": ["8.8.8.8", "1.1.1.1"] * 5000})
    out = enrich(frame, addresses=Counting())
    assert sorted(calls) == ["1.1.1.1", "8.8.8.8"] and len(out) == 10_000


def test_investigation_enriches_the_planted_attackers(sample_org, truth, window):
    import workbench

    inv = workbench.Investigation(logs=sample_org, start=window["start"], end=window["end"])
    key = truth["by_kind"]["compromised_access_key"]
    events = inv.query("events_by_access_key", access_key_id=key["access_key_id"], enrich=True)
    attacker = events[events.source_ip == key["source_ip"]]
    assert len(attacker) and attacker.source_kind.eq("public").all() and attacker.source_country.notna().all()
    assert attacker.ua_family.eq("aws-cli").all() and attacker.ua_kind.eq("aws-cli").all()
    logins = inv.query("console_logins", enrich=True)
    assert {"source_country", "source_asn", "source_org", "source_is_aws", "ua_family"} <= set(logins.columns)
    root = truth["by_kind"]["root_console_login"]
    planted = logins[logins.source_ip == root["source_ip"]]
    assert planted.source_country.notna().all() and planted.ua_family.eq("Firefox").all()


def test_guardduty_details_of_the_sample_agree_with_the_shipped_data(sample_org, truth, engine, window):
    scan = truth["by_kind"]["port_scan"]
    records = engine.query("findings_by_id", {**window, "finding_ids": scan["finding_ids"]})
    ours = addresses.default().lookup(scan["source_ip"])
    body = json.dumps(records.to_dict(orient="records"), default=str)
    assert scan["source_ip"] in body
    assert ours.country_name and ours.country_name in body and str(ours.asn) in body


def test_new_countries_are_judged_against_the_principals_earlier_days():
    from workbench import analyses

    rows = pd.DataFrame({
        "event_time": pd.to_datetime(["2026-11-01T08:00Z", "2026-11-02T08:00Z", "2026-11-03T08:00Z",
                                      "2026-11-03T09:00Z", "2026-11-01T10:00Z"]),
        "event_id": list("abcde"), "account_id": ["1"] * 5, "principal_type": ["IAMUser"] * 5,
        "principal": ["arn:u/anna"] * 4 + ["arn:u/ben"], "user_name": ["anna"] * 4 + ["ben"],
        "outcome": ["Success", "Success", "Failure", "Success", "Success"], "mfa_used": [True] * 5,
        "source_ip": ["8.8.8.8", "8.8.4.4", "5.45.1.2", "5.45.1.2", "1.1.1.1"], "user_agent": [None] * 5})
    new = analyses.signins.new_countries(enrich(rows))
    assert new[["who", "country", "sign_ins", "failures", "known_countries"]].values.tolist() == [["anna", "DE", 2, 1, 1]]
    per_country = analyses.signins.by_country(enrich(rows))
    assert per_country.groupby("country").sign_ins.sum().to_dict() == {"US": 2, "DE": 2, "AU": 1}
    assert per_country.country.iloc[0] in ("US", "DE"), "busiest first"


def test_the_command_line_looks_values_up_and_the_query_enriches(sample_org, truth, window, capsys):
    assert main(["context", "--format", "json", "8.8.8.8", "Boto3/1.17.0 Pacu/1.0", "\x1b]0;owned\x07"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["as"] for r in rows] == ["address", "user agent", "user agent"] and rows[0]["asn"] == 15169
    assert rows[1]["tool"] == "Pacu"
    assert main(["context", "\x1b]0;owned\x07"]) == 0
    assert "\x1b" not in capsys.readouterr().out, "control characters are shown escaped"
    assert main(["context"]) == 2
    key = truth["by_kind"]["compromised_access_key"]
    assert main(["query", "events_by_access_key", "--logs", str(sample_org), "-p", f"start={window['start']}",
                 "-p", f"end={window['end']}", "-p", f"access_key_id={key['access_key_id']}", "--enrich",
                 "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events and all("source_country" in e and "ua_tool" in e for e in events)


def test_no_query_of_the_library_breaks_enrichment(engine, window, truth):
    """Every column an enrichment reads is text; a result without such columns comes back as it was."""
    frame = engine.query("principal_daily_activity", window)
    assert enrich(frame).shape[0] == frame.shape[0]
    assert isinstance(io.StringIO().write(enrich(frame).to_csv()), int)


def test_the_drill_down_sets_guardduty_s_view_of_the_remote_ip_beside_ours(engine, truth, window):
    from workbench import analyses

    key = truth["by_kind"]["compromised_access_key"]
    findings = engine.query("findings", window)
    finding = analyses.findings.pick(findings, key["finding_ids"][0])
    views = analyses.findings.remote_context(finding)
    ours = addresses.default().lookup(key["source_ip"])
    assert list(views.view) == ["GuardDuty (remoteIpDetails)", "workbench (shipped context data)"]
    assert views.country.iloc[0] == ours.country_name and views.asn.iloc[1] == f"AS{ours.asn}"
    assert views.organisation.iloc[1] == ours.org and views.kind.iloc[1] == "public"
    assert analyses.findings.remote_context(finding.drop("remote_ip")).empty
    sequence = analyses.findings.pick(findings, key["attack_sequence_id"])     # its endpoint, not remoteIpDetails
    views = analyses.findings.remote_context(sequence)
    assert views.country.iloc[0] == ours.country_name and views.organisation.iloc[0] == ours.org


def test_the_hunt_says_where_each_address_is_and_which_program_called():
    from workbench import analyses

    events = pd.DataFrame({
        "event_time": pd.to_datetime(["2026-11-04T01:00Z", "2026-11-04T01:05Z", "2026-11-04T02:00Z"]),
        "source_ip": ["1.1.1.1", "1.1.1.1", "10.0.0.7"], "principal": ["arn:u/mallory"] * 3,
        "user_agent": ["Boto3/1.17.0 Python/3.8 Linux/5.4 Botocore/1.20.0 Pacu/1.0", "aws-cli/2.15.0", "aws-cli/2.15.0"],
        "error_code": ["AccessDenied", None, None]})
    out = analyses.timeline.where_from(events)
    top = out.iloc[0]
    assert (top.source_ip, top.kind, top.country, top.asn, top.calls, top.errors) == ("1.1.1.1", "public", "AU", 13335, 2, 1)
    assert top.clients == "AWS CLI, Pacu over Boto3"
    assert out.iloc[1].kind == "private" and out.iloc[1].country is None
