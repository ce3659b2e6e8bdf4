"""The production account's other load balancers: a partner TLS endpoint (NLB) and a legacy app (CLB).

Both run beside the shop (:mod:`workbench.sample.web`), in the production account's first region,
and write into the same ``elasticloadbalancing`` folders as its ALB:

- ``net/partner-tls/<id>``, a Network Load Balancer with one TLS listener on 443 for
  ``partners.example.com``. Three partners connect every few minutes during their day over TLS 1.2
  or 1.3; an old warehouse scanner still speaks TLS 1.0 once an hour; now and then an internet
  scanner opens the port and never says hello. The planted port scanner does so several times
  (:func:`probe_tls`). Its access log has one line per connection, per node every five minutes.
- ``legacy-reports``, a Classic Load Balancer with an HTTP listener in front of an app server on
  8080: staff fetch reports from the offices during the working day, and scanners try ``/``.
  Its log is one uncompressed file per node and hour, as a Classic Load Balancer's default.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ids
from .organisation import BROWSERS

PARTNER_HOST = "partners.example.com"
REPORTS_HOST = "reports.example.com"
CLB_NAME = "legacy-reports"
TLS13 = ("tlsv13", "TLS_AES_128_GCM_SHA256", "x25519")
TLS12 = ("tlsv12", "ECDHE-RSA-AES128-GCM-SHA256", "x25519")
TLS10 = ("tlsv10", "ECDHE-RSA-AES128-SHA", "secp256r1")
REPORTS = ("/reports/daily", "/reports/weekly", "/reports/inventory.csv", "/reports/returns", "/", "/login")


@dataclass(frozen=True)
class Balancers:
    """Where the two load balancers are and what they front."""

    account: str
    region: str
    nlb: str                     # net/partner-tls/<id>
    listener: str                # the TLS listener's id
    nlb_nodes: tuple[str, ...]   # the NLB nodes' private addresses (the connections' destination)
    cert: str
    clb_nodes: tuple[str, ...]
    backend: str                 # the app server behind the CLB (port 8080)


def balancers(org) -> Balancers:
    """The load balancers of ``org``: in the shop's account and region."""
    acct = org.accounts[1 % len(org.accounts)]
    region = org.regions[0]
    site = acct.sites[region]
    r = ids.rng(org.seed, "load-balancers", acct.id)
    prefix = site.cidr_prefix
    return Balancers(account=acct.id, region=region, nlb=f"net/partner-tls/{ids.hex_id(r, 16)}",
                     listener=ids.hex_id(r, 16),
                     nlb_nodes=(f"{prefix}.0.{r.randrange(20, 250)}", f"{prefix}.1.{r.randrange(20, 250)}"),
                     cert=f"arn:aws:acm:{region}:{acct.id}:certificate/{ids.uuid4(r)}",
                     clb_nodes=(f"{prefix}.0.{r.randrange(20, 250)}", f"{prefix}.1.{r.randrange(20, 250)}"),
                     backend=site.by_role("app")[0].private_ip)


# -- NLB ---------------------------------------------------------------------------------------

@dataclass
class Connection:
    """One TLS connection to the partner endpoint; ``handshake_ms`` is None when it never completed."""

    t: float                     # when it closed
    ip: str
    duration_ms: int
    handshake_ms: int | None = 12
    received: int = 0
    sent: int = 0
    tls: tuple[str, str, str] = TLS12
    alpn: tuple[str, str, str] = ("h2", "h2", '"h2","http/1.1"')
    port: int = 50000
    node: int = 0


def nlb_line(b: Balancers, c: Connection) -> str:
    """The NLB access-log line of ``c`` (fields in AWS's order)."""
    done = c.handshake_ms is not None
    protocol, cipher, group = c.tls if done else ("-", "-", "-")
    fe, be, offered = c.alpn if done else ("-", "-", "-")
    opened = c.t - c.duration_ms / 1000
    return (f"tls 2.0 {ids.iso(int(c.t))[:-1]} {b.nlb} {b.listener} {c.ip}:{c.port} {b.nlb_nodes[c.node]}:443 "
            f"{c.duration_ms} {c.handshake_ms if done else '-'} {c.received} {c.sent} - {b.cert if done else '-'} - "
            f"{cipher} {protocol} {group} {PARTNER_HOST if done else '-'} {fe} {be} {offered} "
            f"{ids.iso(int(opened))[:-1]}")


def nlb_background(org, b: Balancers, day_index: int, scale: float) -> list[Connection]:
    """The partner endpoint's ordinary connections of one day, in time order."""
    r = ids.rng(org.seed, "nlb", "background", b.account, day_index)
    t0 = ids.epoch(org.day(day_index))
    out: list[Connection] = []
    for n, ip in enumerate(org.partners):
        tls = TLS13 if n == 0 else TLS12
        for hour in range(24):
            for _ in range(ids.scaled(r, scale * (12 if 6 <= hour < 20 else 3))):
                received = r.randint(900, 40000)
                out.append(Connection(t0 + hour * 3600 + r.random() * 3600, ip, r.randint(180, 6000),
                                      r.randint(3, 40), received, r.randint(2000, 250000), tls))
    warehouse = org.accounts[1 % len(org.accounts)].sites[b.region].client_ips[-1]
    for hour in range(24):  # the old warehouse scanner: TLS 1.0, no ALPN
        out.append(Connection(t0 + hour * 3600 + 1800 + r.random() * 60, warehouse, r.randint(400, 900),
                              r.randint(30, 90), r.randint(300, 900), r.randint(400, 2000), TLS10, ("-", "-", "-")))
    for ip, _ports in org.noise[:20]:  # the internet's scanners touch 443 once in a while
        if r.random() < 0.15:
            out.append(Connection(t0 + r.random() * 86000, ip, r.randint(1, 40), None))
    out.sort(key=lambda c: c.t)
    for c in out:
        c.port, c.node = 1024 + int(r.random() * 64000), int(r.random() * 2)
    return [c for c in out if t0 <= c.t < t0 + 86400]


def probe_tls(ip: str, r, start: float) -> list[Connection]:
    """The planted scanner at the partner endpoint: connections that never complete a handshake."""
    out = []
    for n in range(7):
        received = 0 if n % 3 else r.choice((18, 51, 212))  # a bare connect, or bytes that are no client hello
        out.append(Connection(start + n * 7 + r.random() * 3, ip, r.randint(2, 60), None, received,
                              port=40000 + r.randrange(20000), node=n % 2))
    return out


def nlb_files(b: Balancers, conns: list[Connection], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the NLB's files: one per node and five minutes with connections."""
    groups: dict[tuple[int, int], list[str]] = {}
    for c in sorted(conns, key=lambda c: c.t):
        groups.setdefault((ids.delivery_end(c.t, 300), c.node), []).append(nlb_line(b, c))
    lb = b.nlb.split("/", 1)[1].replace("/", ".")
    return [(f"AWSLogs/{b.account}/elasticloadbalancing/{b.region}/{ids.ymd(end)}/{b.account}_elasticloadbalancing_"
             f"{b.region}_net.{lb}_{ids.stamp(end)}_{ids.alnum(r, 8)}.log.gz", ("\n".join(lines) + "\n").encode())
            for (end, _node), lines in sorted(groups.items())]


# -- CLB ---------------------------------------------------------------------------------------

@dataclass
class ClbRequest:
    """One request to the legacy reports app."""

    t: float                     # when the load balancer received it
    ip: str
    path: str
    ua: str
    status: int = 200
    sent: int = 4000
    backend_s: float = 0.05
    port: int = 50000
    node: int = 0


def clb_line(b: Balancers, q: ClbRequest) -> str:
    """The CLB access-log line of ``q`` (fields in AWS's order)."""
    return (f"{ids.iso_us(q.t)} {CLB_NAME} {q.ip}:{q.port} {b.backend}:8080 0.000041 {q.backend_s:.6f} 0.000022 "
            f"{q.status} {q.status} 0 {q.sent} \"GET http://{REPORTS_HOST}:80{q.path} HTTP/1.1\" \"{q.ua}\" - -")


def clb_background(org, b: Balancers, day_index: int, scale: float) -> list[ClbRequest]:
    """The reports app's requests of one day: staff in office hours, and scanners."""
    r = ids.rng(org.seed, "clb", "background", b.account, day_index)
    t0 = ids.epoch(org.day(day_index))
    out: list[ClbRequest] = []
    for n, person in enumerate(sorted(org.people.values(), key=lambda p: p.key)):
        if person.profile not in ("finance", "data", "admin"):
            continue
        ua = BROWSERS[n % len(BROWSERS)]
        for _ in range(ids.scaled(r, 6 * scale)):
            start = t0 + (9 - person.utc_offset) * 3600 + r.random() * 8 * 3600
            for path in r.sample(REPORTS, r.randint(1, 3)):
                out.append(ClbRequest(start, person.ips[0], path, ua, sent=r.randint(2000, 400000),
                                      backend_s=0.02 + r.random() * 1.5))
                start += 2 + r.random() * 60
    for ip, ports in org.noise:
        if 80 in ports and r.random() < 0.3:
            out.append(ClbRequest(t0 + r.random() * 86000, ip, "/", "Mozilla/5.0 zgrab/0.x", sent=1410,
                                  backend_s=0.004))
    out.sort(key=lambda q: q.t)
    for q in out:
        q.port, q.node = 1024 + int(r.random() * 64000), int(r.random() * 2)
    return [q for q in out if t0 <= q.t < t0 + 86400]


def clb_files(b: Balancers, reqs: list[ClbRequest], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the CLB's files: one per node and hour with requests, not compressed."""
    groups: dict[tuple[int, int], list[str]] = {}
    for q in sorted(reqs, key=lambda q: q.t):
        groups.setdefault((ids.delivery_end(q.t, 3600), q.node), []).append(clb_line(b, q))
    return [(f"AWSLogs/{b.account}/elasticloadbalancing/{b.region}/{ids.ymd(end)}/{b.account}_elasticloadbalancing_"
             f"{b.region}_{CLB_NAME}_{ids.stamp(end)}_{b.clb_nodes[node]}_{ids.alnum(r, 8)}.log",
             ("\n".join(lines) + "\n").encode())
            for (end, node), lines in sorted(groups.items())]
