"""NLB access logs, CLB access logs and ALB connection logs: the entries AWS documents, the folder
they share with ALB access logs, damaged files, and the port scanner at both TLS listeners.

The entries below are AWS's documented examples (fields and order as the docs give them, one entry
per line); the sample organisation gives the planted scanner.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.engines.local import LocalEngine
from workbench.sources import get_source

ACCOUNT, REGION, DAY = "111122223333", "us-east-2", "2026/11/03"
CERT = "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99"
NLB_HOST = "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com"
#: The NLB page's two entries: without and with an ALPN policy (the second carries the creation time).
NLB_PLAIN = (f"tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd "
             f"72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - {CERT} - ECDHE-RSA-AES128-SHA tlsv12 - "
             f"{NLB_HOST} - - -")
NLB_ALPN = (f"tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd "
            f"72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - {CERT} - ECDHE-RSA-AES128-SHA tlsv12 - "
            f'{NLB_HOST} h2 h2 "h2","http/1.1" 2020-04-01T08:51:20')
#: The CLB page's four entries: HTTP, HTTPS, TCP and SSL listeners.
CLB_HTTP = ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 '
            '200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -')
CLB_HTTPS = ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 '
             '200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2')
CLB_TCP = ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 '
           '- - 82 305 "- - - " "-" - -')
CLB_SSL = ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001065 0.000015 0.000023 '
           '- - 57 502 "- - - " "-" ECDHE-ECDSA-AES128-GCM-SHA256 TLSv1.2')
#: The connection-log page's two entries (mutual TLS, verify mode): a success and a failure.
SUBJECT = "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US"
VALIDITY = "NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z"
CONN_OK = (f'2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 '
           f'"{SUBJECT}" {VALIDITY} FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe')
CONN_FAILED = (f'2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 - '
               f'"{SUBJECT}" {VALIDITY} FEF257372D5C14D4 Failed:ClientCertUntrusted TID_1c71a68d70587445ad5127ff8b2687d7')
#: An ALB access-log entry, to show that the neighbours in the folder are not read as one of these.
ALB_LINE = ('https 2026-11-03T10:00:01.123456Z app/web/0123456789abcdef 203.0.113.7:51234 10.0.1.5:8080 0.001 0.020 '
            '0.000 200 200 512 2048 "GET https://shop.example.com:443/ HTTP/1.1" "curl/8" ECDHE-RSA-AES128-GCM-SHA256 '
            'TLSv1.2 - "Root=1-65e1a2b1-0123456789abcdef01234567" "shop.example.com" "-" 10 '
            '2026-11-03T10:00:01.100000Z "forward" "-" "-" "10.0.1.5:8080" "200" "-" "-" TID_01')

NAMES = {
    "nlb": f"{ACCOUNT}_elasticloadbalancing_{REGION}_net.my-nlb.c6e77e28c25b2234_20261103T1005Z_{{tag}}.log.gz",
    "clb": f"{ACCOUNT}_elasticloadbalancing_{REGION}_my-loadbalancer_20261103T1100Z_10.0.0.9_{{tag}}.log",
    "alb_connections": (f"conn_log_{ACCOUNT}_elasticloadbalancing_{REGION}_app.web.0123456789abcdef_20261103T1005Z_"
                        f"10.0.0.5_{{tag}}.log.gz"),
    "alb": f"{ACCOUNT}_elasticloadbalancing_{REGION}_app.web.0123456789abcdef_20261103T1005Z_10.0.0.5_{{tag}}.log.gz",
}
LINES = {"nlb": [NLB_PLAIN, NLB_ALPN], "clb": [CLB_HTTP, CLB_HTTPS, CLB_TCP, CLB_SSL],
         "alb_connections": [CONN_OK, CONN_FAILED], "alb": [ALB_LINE]}


def _write(root: Path, source: str, lines: list[str], *, tag: str = "a1b2c3d4", raw: bytes | None = None) -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "elasticloadbalancing" / REGION / DAY
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NAMES[source].format(tag=tag)
    body = ("\n".join(lines) + "\n").encode()
    path.write_bytes(raw if raw is not None else gzip.compress(body) if path.name.endswith(".gz") else body)
    return path


@pytest.fixture
def shared_folder(tmp_path):
    """Every load balancer's documented entries in one day folder, as AWS puts them."""
    for source, lines in LINES.items():
        _write(tmp_path, source, lines)
    return tmp_path


def _rows(root: Path, table: str):
    with LocalEngine(root) as engine:
        rows = engine.query(f"SELECT * FROM {table}", allow_full_scan=True)
        return rows, engine.last_scan


def test_each_expression_matches_its_own_entries_and_no_neighbours():
    for name, lines in LINES.items():
        for other in LINES:
            pattern = re.compile(get_source(other).line_regex)
            assert all(bool(pattern.fullmatch(line)) == (name == other) for line in lines), (name, other)


def test_documented_nlb_entries_parse_to_their_fields(shared_folder):
    rows, scan = _rows(shared_folder, "nlb")
    assert not scan.problems and len(rows) == 2, "only the net. file of the shared folder is read"
    plain, alpn = rows.sort_values("time").itertuples()
    assert (plain.type, plain.version, plain.elb, plain.listener_id) == (
        "tls", "2.0", "net/my-network-loadbalancer/c6e77e28c25b2234", "g3d4b5e8bb8464cd")
    assert (plain.client_ip, plain.client_port, plain.target_ip, plain.target_port) == (
        "72.21.218.154", 51341, "172.100.100.185", 443)
    assert (plain.tcp_connection_time_ms, plain.tls_handshake_time_ms, plain.received_bytes, plain.sent_bytes) == (
        5, 2, 98, 246)
    assert pd.isna(plain.incoming_tls_alert) and plain.cert_arn == CERT and plain.certificate_serial == "-"
    assert (plain.tls_cipher_suite, plain.tls_protocol_version, plain.domain_name) == (
        "ECDHE-RSA-AES128-SHA", "tlsv12", NLB_HOST)
    assert (plain.alpn_fe_protocol, plain.alpn_client_preference_list) == ("-", "-")
    assert pd.isna(plain.tls_connection_creation_time), "older entries end before the creation time"
    assert (alpn.alpn_fe_protocol, alpn.alpn_be_protocol, alpn.alpn_client_preference_list) == (
        "h2", "h2", '"h2","http/1.1"')
    assert alpn.tls_connection_creation_time == "2020-04-01T08:51:20"
    assert (alpn.account, alpn.region, alpn.day) == (ACCOUNT, REGION, DAY)


def test_documented_clb_entries_parse_to_their_fields(shared_folder):
    rows, scan = _rows(shared_folder, "clb")
    assert not scan.problems and len(rows) == 4, "the CLB's uncompressed file is read, and only it"
    by_time = {round(t, 6): r for t, r in zip(rows.request_processing_time, rows.itertuples())}
    http, https, tcp, ssl = (by_time[t] for t in (0.000073, 0.000086, 0.001069, 0.001065))
    assert (http.timestamp, http.elb_name, http.request_ip, http.request_port, http.backend_ip, http.backend_port) == (
        "2015-05-13T23:39:43.945958Z", "my-loadbalancer", "192.168.131.39", 2817, "10.0.0.1", 80)
    assert (http.backend_processing_time, http.client_response_time, http.elb_response_code) == (0.001048, 0.000057, "200")
    assert (http.received_bytes, http.sent_bytes, http.request_verb, http.url, http.protocol) == (
        0, 29, "GET", "http://www.example.com:80/", "HTTP/1.1")
    assert (http.user_agent, http.ssl_cipher, http.ssl_protocol) == ("curl/7.38.0", "-", "-")
    assert (https.url, https.ssl_cipher, https.ssl_protocol) == (
        "https://www.example.com:443/", "DHE-RSA-AES128-SHA", "TLSv1.2")
    assert (tcp.elb_response_code, tcp.backend_response_code, tcp.request_verb, tcp.url, tcp.protocol) == (
        "-", "-", "-", "-", "-")
    assert (tcp.received_bytes, tcp.sent_bytes, tcp.user_agent) == (82, 305, "-")
    assert (ssl.ssl_cipher, ssl.sent_bytes) == ("ECDHE-ECDSA-AES128-GCM-SHA256", 502)


def test_documented_connection_log_entries_parse_to_their_fields(shared_folder):
    rows, scan = _rows(shared_folder, "alb_connections")
    assert not scan.problems and len(rows) == 2
    ok = rows[rows.tls_verify_status == "Success"].iloc[0]
    failed = rows[rows.tls_verify_status != "Success"].iloc[0]
    assert (ok.time, ok.client_ip, ok.client_port, ok.listener_port) == (
        "2023-10-04T17:05:15.514108Z", "203.0.113.1", 36280, 443)
    assert (ok.tls_protocol, ok.tls_cipher, ok.tls_handshake_latency) == ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 4.036)
    assert (ok.leaf_client_cert_subject, ok.leaf_client_cert_validity, ok.leaf_client_cert_serial_number) == (
        SUBJECT, VALIDITY, "FEF257372D5C14D4")
    assert ok.conn_trace_id == "TID_3180a73013c8ca4bac2f731159d4b0fe"
    assert pd.isna(ok.tls_keyexchange) and pd.isna(ok.elb) and pd.isna(ok.ip_address), "newer fields are optional"
    assert failed.tls_verify_status == "Failed:ClientCertUntrusted" and pd.isna(failed.tls_handshake_latency)


def test_the_newer_connection_log_fields_are_read_and_later_ones_ignored(tmp_path):
    _write(tmp_path, "alb_connections", [CONN_OK + " X25519MLKEM768 app/web/0123456789abcdef 10.0.0.5 - future"])
    rows, scan = _rows(tmp_path, "alb_connections")
    assert not scan.problems
    assert tuple(rows.iloc[0][["tls_keyexchange", "elb", "ip_address"]]) == (
        "X25519MLKEM768", "app/web/0123456789abcdef", "10.0.0.5")


def test_a_damaged_clb_file_keeps_every_good_entry_and_names_the_rest(tmp_path):
    bad = _write(tmp_path, "clb", [CLB_HTTP, "garbage in the middle", CLB_TCP.replace("curl", "x"), CLB_SSL], tag="bad1")
    _write(tmp_path, "nlb", [NLB_PLAIN], raw=gzip.compress((NLB_PLAIN + "\n").encode())[:-10], tag="trunc1")
    rows, scan = _rows(tmp_path, "clb")
    reasons = {Path(p["path"]).name: p["reason"] for p in scan.problems}
    assert reasons == {bad.name: "1 line(s) are not in the CLB access logs format (first: line 2); "
                                 "the other lines are kept"}
    assert len(rows) == 3
    _, nlb_scan = _rows(tmp_path, "nlb")
    assert any("gzip" in p["reason"] for p in nlb_scan.problems), nlb_scan.problems


# -- the sample organisation --------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(sample_org):
    with LocalEngine(sample_org) as engine:
        yield engine


def test_the_port_scanner_never_completes_a_handshake_at_either_tls_listener(engine, window, truth):
    planted = truth["by_kind"]["port_scan"]
    failed = engine.query("nlb/failed_handshakes", window)
    top = failed.iloc[0]
    assert (top.client_ip, top.failed, top.completed) == (planted["source_ip"], planted["nlb_failed_handshakes"], 0)
    assert top.load_balancers == planted["tls_load_balancer"]
    assert (failed.failed[1:] < top.failed).all(), "the internet's background scanners touch the port now and then"
    assert len(failed) > 3, "and they are there too"
    alb = engine.query("alb_connections/failed_handshakes", window)
    assert alb.to_dict("records") == [{
        "client_ip": planted["source_ip"], "tls_verify_status": "Failed:UnmappedConnectionError",
        "connections": planted["failed_alb_handshakes"], "certificate_subjects": "-",
        "first_seen": alb.first_seen.iloc[0], "last_seen": alb.last_seen.iloc[0]}]


def test_every_request_has_its_connection_and_tls_versions_name_the_old_client(engine, window, sample_org, truth):
    joined = engine.query(
        "SELECT count(*) AS requests, count(c.conn_trace_id) AS with_connection FROM alb AS a "
        "LEFT JOIN alb_connections AS c ON c.conn_trace_id = a.conn_trace_id "
        "WHERE a.day BETWEEN '2026/11/01' AND '2026/11/07' AND c.day BETWEEN '2026/11/01' AND '2026/11/07'")
    assert joined.requests[0] == joined.with_connection[0] == truth["stats"]["web_requests"]
    versions = engine.query("nlb/tls_versions", window)
    old = versions[versions.tls_protocol_version == "tlsv10"]
    assert list(old.clients) == [1], "one old client still speaks TLS 1.0"
    total = engine.query("SELECT count(*) AS n FROM nlb WHERE day BETWEEN '2026/11/01' AND '2026/11/07'")
    assert total.n[0] == truth["stats"]["nlb_connections"]
    clb = engine.query("clb/top_clients", {**window, "top": 100})
    assert clb.requests.sum() == truth["stats"]["clb_requests"]


def test_a_pivot_on_the_scanner_puts_its_tls_touches_on_the_timeline(engine, window, truth):
    planted = truth["by_kind"]["port_scan"]
    found = workbench.pivot(engine, source_ip=planted["source_ip"], **window)
    assert len(found.tls) == planted["nlb_failed_handshakes"]
    assert set(found.tls.handshake) == {"never completed"} and set(found.tls.load_balancer) == {
        planted["tls_load_balancer"]}
    rows = found.timeline[found.timeline.source == "nlb"]
    assert rows.activity.str.extract(r" x(\d+)$")[0].astype(int).sum() == planted["nlb_failed_handshakes"]
    assert f"TLS listeners: {planted['nlb_failed_handshakes']} connections" in found.summary()
    assert found.timeline.time.is_monotonic_increasing
