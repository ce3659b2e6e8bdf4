"""Route 53 Resolver query logs: what each VPC's hosts asked the Resolver, and what it answered.

Every account's VPC in every region has a query logging configuration writing to S3. Its hosts
resolve the AWS endpoints of their region (STS, S3, SSM, Secrets Manager...), the services the
shop uses (the payment API, package mirrors, the error tracker), the private hosted zone's names
(``orders-db.shop.internal.``) and, now and then, a name that does not exist: a search suffix
appended to a name (``pypi.org.ec2.internal.``), ``wpad``. A name asked for an ``A`` record is
often asked for its ``AAAA`` record too; the web server looks up its clients' addresses (``PTR``).

A record is rendered as the Resolver writes it: one JSON object per line, fields in the order
AWS documents them, ``version`` ``1.100000``, ``srcids.instance`` the asking instance. Files are
written per VPC and hour as
``AWSLogs/<account>/vpcdnsquerylogs/<vpc>/yyyy/mm/dd/<vpc>_vpcdnsquerylogs_<account>_<yyyymmddThhmmZ>_<hash>.log.gz``.

The planted compromised instance (:func:`beacon`) asks for dozens of random-looking names that do
not exist, finds its controller's live one, asks for it every five minutes and connects to the
address it gets (the flow logs show it), then sends data out in long labels of ``TXT`` queries.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

from . import ids, vpcflow

#: Names every host resolves: ``{region}`` is the site's region. (name, weight)
AWS_NAMES = (("sts.{region}.amazonaws.com.", 6), ("s3.{region}.amazonaws.com.", 8),
             ("ssm.{region}.amazonaws.com.", 5), ("ec2messages.{region}.amazonaws.com.", 4),
             ("ssmmessages.{region}.amazonaws.com.", 3), ("logs.{region}.amazonaws.com.", 5),
             ("monitoring.{region}.amazonaws.com.", 2), ("secretsmanager.{region}.amazonaws.com.", 2),
             ("kms.{region}.amazonaws.com.", 2), ("dynamodb.{region}.amazonaws.com.", 2))
#: What the application servers also reach.
APP_NAMES = (("api.stripe.com.", 4), ("orders-db.shop.internal.", 6), ("cache.shop.internal.", 5),
             ("sentry.io.", 2), ("hooks.slack.com.", 1), ("api.sendgrid.com.", 1))
#: Names asked now and then by any host (package mirrors, time, the distribution's own updates).
RARE_NAMES = (("pypi.org.", 2), ("files.pythonhosted.org.", 2), ("github.com.", 1), ("registry.npmjs.org.", 1),
              ("ntp.ubuntu.com.", 2), ("security.debian.org.", 1), ("deb.debian.org.", 1))
#: Names that do not exist, asked by ordinary hosts: a search suffix appended, WPAD.
MISSING = ("wpad.ec2.internal.", "pypi.org.ec2.internal.", "api.stripe.com.shop.internal.", "wpad.shop.internal.")
#: Top-level domains the planted generator draws names in.
DGA_TLDS = ("top", "xyz", "info", "biz", "online")
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass
class Query:
    """One query the Resolver logged."""

    t: float
    src: str
    instance: str
    name: str
    qtype: str = "A"
    rcode: str = "NOERROR"
    answers: tuple = ()
    port: int = 0


def address_of(name: str) -> str:
    """The (stable) public address a name resolves to in the sample."""
    h = zlib.crc32(name.encode())
    return f"{52 + h % 3}.{h >> 8 & 255}.{h >> 16 & 255}.{1 + (h >> 24) % 254}"


def answer(name: str, qtype: str) -> tuple:
    """The records a NOERROR answer to ``name`` holds."""
    if qtype == "A":
        ip = address_of(name) if not name.endswith(".internal.") else f"10.{zlib.crc32(name.encode()) % 200}.10.20"
        return ({"Rdata": ip, "Type": "A", "Class": "IN"},)
    if qtype == "AAAA":
        if name.endswith(".internal.") or zlib.crc32(name.encode()) % 2:
            return ()
        h = zlib.crc32(name.encode())
        return ({"Rdata": f"2600:1f18:{h & 0xffff:x}:{h >> 16:x}::1", "Type": "AAAA", "Class": "IN"},)
    return ()


def background(org, account, site, day_index: int, scale: float) -> list[Query]:
    """One VPC's ordinary queries of one day, in time order."""
    r = ids.rng(org.seed, "dns", account.id, site.region, day_index)
    t0 = ids.epoch(org.day(day_index))
    hosts = [i for i in site.instances if i.role != "nat"]
    names = [(n.format(region=site.region), w) for n, w in AWS_NAMES]
    app_names = names + list(APP_NAMES)
    rare, rare_w = zip(*RARE_NAMES)
    out: list[Query] = []
    for inst in hosts:
        pool, weights = zip(*(app_names if inst.role in ("app", "web") else names))
        for hour in range(24):
            busy = scale * (1.0 if 7 <= hour < 22 else 0.35)
            for _ in range(ids.scaled(r, 6 * busy)):
                t = t0 + hour * 3600 + r.random() * 3599
                name = r.choices(pool, weights=weights)[0]
                out.append(Query(t, inst.private_ip, inst.instance_id, name, "A", answers=answer(name, "A")))
                if r.random() < 0.5:
                    out.append(Query(t + 0.002, inst.private_ip, inst.instance_id, name, "AAAA",
                                     answers=answer(name, "AAAA")))
            if r.random() < 0.2 * scale:
                name = r.choices(rare, weights=rare_w)[0]
                t = t0 + hour * 3600 + r.random() * 3599
                out.append(Query(t, inst.private_ip, inst.instance_id, name, "A", answers=answer(name, "A")))
            if r.random() < 0.12 * scale:
                t = t0 + hour * 3600 + r.random() * 3599
                out.append(Query(t, inst.private_ip, inst.instance_id, r.choice(MISSING), "A", "NXDOMAIN"))
            if inst.role == "web" and r.random() < 0.3 * scale:  # who is this client?
                client = site.client_ips[int(r.random() * len(site.client_ips))]
                t = t0 + hour * 3600 + r.random() * 3599
                out.append(Query(t, inst.private_ip, inst.instance_id,
                                 ".".join(reversed(client.split("."))) + ".in-addr.arpa.", "PTR", "NXDOMAIN"))
    out.sort(key=lambda q: q.t)
    for q in out:
        q.port = 1024 + int(r.random() * 64000)
    return [q for q in out if t0 <= q.t < t0 + 86400]


def _label(r, n: int, alphabet: str) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


@dataclass
class Beacon:
    """What the planted compromised instance did: its queries, its flows and the facts to check."""

    queries: list
    flows: list
    domain: str
    address: str
    missing: list
    beacons: int
    tunnel: list


def beacon(site, inst, nat, r, start: float, address: str) -> Beacon:
    """The compromised instance's DNS and its connections to the controller.

    At ``start`` it asks for 48 random-looking names of a few top-level domains (NXDOMAIN, one
    or two a second), then the controller's live name, which answers ``address``; it then asks for
    that name about every five minutes for six hours and opens a TLS connection to the address
    each time (through the site's NAT gateway); three hours in, it sends 40 ``TXT`` queries whose
    first label is 60 characters of base32 under a subdomain of the controller's name.
    """
    missing = sorted({_label(r, r.randint(12, 18), "bcdfghjklmnpqrstvwxzaeiou0123456789") + "."
                      + r.choice(DGA_TLDS) + "." for _ in range(48)})
    r.shuffle(missing)
    domain = _label(r, 14, "bcdfghjklmnpqrstvwxz0123456789") + "." + r.choice(DGA_TLDS) + "."
    queries, flows = [], []
    t = start
    for name in missing:
        t += 0.3 + r.random() * 1.5
        queries.append(Query(t, inst.private_ip, inst.instance_id, name, "A", "NXDOMAIN"))
    t += 1.0
    live = ({"Rdata": address, "Type": "A", "Class": "IN"},)
    beacons = 0
    end = t + 6 * 3600
    while t < end:
        queries.append(Query(t, inst.private_ip, inst.instance_id, domain, "A", answers=live))
        _connect(flows, r, site, inst, nat, t + 0.05, address)
        beacons += 1
        t += 280 + r.random() * 40
    tunnel = []
    t = start + 3 * 3600 + 600
    for n in range(40):
        t += 2 + r.random() * 6
        name = f"{_label(r, 60, BASE32)}.{n:02d}.x.{domain}"
        tunnel.append(name)
        queries.append(Query(t, inst.private_ip, inst.instance_id, name, "TXT",
                             answers=({"Rdata": '"ok"', "Type": "TXT", "Class": "IN"},)))
    queries.sort(key=lambda q: q.t)
    for q in queries:
        q.port = 1024 + int(r.random() * 64000)
    return Beacon(queries, flows, domain, address, missing, beacons, tunnel)


def _connect(flows: list, r, site, inst, nat, t: float, server: str) -> None:
    """One short TLS connection from ``inst`` to ``server`` through ``nat``, as both interfaces log it."""
    w = int(t - (t - site.flow_offset) % vpcflow.WINDOW)
    start, end = int(t), int(t) + 1 + r.randint(0, 3)
    sport = vpcflow.client_ports(inst.private_ip, server)[r.randrange(6)]  # a pooled client, as the background
    packets, sent, got = r.randint(8, 14), r.randint(1800, 2600), r.randint(4200, 6400)
    flags = vpcflow.FIN_SYN_ACK
    for iface, src in ((inst, inst.private_ip), (nat, nat.private_ip)):
        flows.append(vpcflow.Flow(w, start, end, iface, src, server, sport, 443, vpcflow.TCP, packets, sent,
                                  "ACCEPT", "OK", "egress", flags, inst.private_ip, server))
        flows.append(vpcflow.Flow(w, start, end, iface, server, src, 443, sport, vpcflow.TCP, packets, got,
                                  "ACCEPT", "OK", "ingress", flags, server, inst.private_ip))


def record(account, site, q: Query) -> str:
    """The log line of ``q``."""
    return json.dumps({
        "version": "1.100000", "account_id": account.id, "region": site.region, "vpc_id": site.vpc_id,
        "query_timestamp": ids.iso(int(q.t)), "query_name": q.name, "query_type": q.qtype, "query_class": "IN",
        "rcode": q.rcode, "answers": list(q.answers), "srcaddr": q.src, "srcport": str(q.port), "transport": "UDP",
        "srcids": {"instance": q.instance},
    }, separators=(",", ":"))


def files(account, site, queries: list[Query], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of one VPC's query log files: one per hour with queries, named for the hour's end."""
    by_hour: dict[int, list[str]] = {}
    for q in sorted(queries, key=lambda q: q.t):
        by_hour.setdefault(int(q.t) // 3600 * 3600, []).append(record(account, site, q))
    out = []
    for hour, lines in sorted(by_hour.items()):
        named = hour + 3540
        key = (f"AWSLogs/{account.id}/vpcdnsquerylogs/{site.vpc_id}/{ids.ymd(hour)}/{site.vpc_id}_vpcdnsquerylogs_"
               f"{account.id}_{ids.stamp(named)}_{ids.hex_id(r, 8)}.log.gz")
        out.append((key, ("\n".join(lines) + "\n").encode()))
    return out
