"""VPC Flow Log records: background traffic of one VPC per account and region.

A flow is aggregated per 600-second capture window and seen by every interface it
crosses (client and server each log it, once per direction).  Client ports come from a
small fixed pool per (client, server) pair, which is what keyed connection pools and
keep-alive produce, so no background source ever reaches 20 distinct ports of one
host: only a planted port scan does.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

from . import ids

WINDOW = 600
DEFAULT_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
                  "start end action log-status").split()
CUSTOM_FIELDS = ("account-id action az-id bytes dstaddr dstport end flow-direction instance-id interface-id "
                 "log-status packets pkt-dstaddr pkt-srcaddr protocol region srcaddr srcport start subnet-id "
                 "tcp-flags type version vpc-id").split()
TCP, UDP = 6, 17
FIN_SYN_ACK, ACK, SYN = 19, 16, 2


class Flow(NamedTuple):
    """One flow-log record, before it is rendered in a format."""

    window: int        # start of the capture window (epoch seconds)
    start: int
    end: int
    iface: object      # organisation.Instance whose interface logged it
    src: str
    dst: str
    sport: int
    dport: int
    proto: int
    packets: int
    bytes: int
    action: str        # ACCEPT / REJECT, "-" for NODATA and SKIPDATA
    status: str        # OK / NODATA / SKIPDATA
    direction: str     # ingress / egress
    flags: int
    pkt_src: str
    pkt_dst: str


_PORTS: dict[tuple[str, str], tuple[int, ...]] = {}


def client_ports(client: str, server: str) -> tuple[int, ...]:
    """The few (six) ephemeral ports ``client`` uses towards ``server``."""
    ports = _PORTS.get((client, server))
    if ports is None:
        base = 32768 + zlib.crc32(f"{client}>{server}".encode()) % 27000
        ports = _PORTS[(client, server)] = tuple(base + 7 * i for i in range(6))
    return ports


def windows(t0: int, offset: int) -> list[int]:
    """Starts of the 144 capture windows that begin inside the day starting at ``t0``."""
    return [t0 + offset + WINDOW * k for k in range(86400 // WINDOW)]


def connection(out: list, r, w: int, client_iface, server_iface, client: str, server: str, dport: int, *,
               proto: int = TCP, size: tuple[int, int] = (6, 60), pooled: bool = False,
               via=None, nat_ip: str | None = None) -> None:
    """Append the records of one accepted client->server flow as every logging interface sees it.

    ``client_iface``/``server_iface`` are the interfaces on our side (None when the peer is
    outside the VPC); ``via`` is a NAT gateway interface the flow crosses on its way out.
    """
    rnd = r.random  # plain random() arithmetic: this is the hot loop of flow generation
    start = w + int(rnd() * 300)
    end = min(w + WINDOW - 1, start + 1 + int(rnd() * 240))
    out_ip = nat_ip or client
    sport = client_ports(out_ip, server)[int(rnd() * 6)]
    pk = size[0] + int(rnd() * (size[1] - size[0] + 1))
    req_bytes, resp_bytes = pk * (60 + int(rnd() * 141)), pk * (200 + int(rnd() * 1201))
    flags = 0 if proto != TCP else (ACK if pooled else FIN_SYN_ACK)
    for iface, d_req, d_resp in ((client_iface, "egress", "ingress"), (server_iface, "ingress", "egress")):
        if iface is not None:
            out.append(Flow(w, start, end, iface, client, server, sport, dport, proto, pk, req_bytes, "ACCEPT", "OK",
                            d_req, flags, client, server))
            out.append(Flow(w, start, end, iface, server, client, dport, sport, proto, pk, resp_bytes, "ACCEPT", "OK",
                            d_resp, flags, server, client))
    if via is not None:
        out.append(Flow(w, start, end, via, nat_ip, server, sport, dport, proto, pk, req_bytes, "ACCEPT", "OK",
                        "egress", flags, client, server))
        out.append(Flow(w, start, end, via, server, nat_ip, dport, sport, proto, pk, resp_bytes, "ACCEPT", "OK",
                        "ingress", flags, server, client))


def probe(out: list, r, w: int, iface, src: str, dport: int, *, sport: int | None = None, accept: bool = False) -> None:
    """An inbound probe from the internet: one SYN, rejected unless the port is open."""
    start = w + int(r.random() * (WINDOW - 60))
    dst = iface.private_ip
    sport = sport or r.choice(client_ports(src, dst))
    out.append(Flow(w, start, start + r.randint(0, 50), iface, src, dst, sport, dport, TCP, 1, 40 + 4 * r.randint(0, 5),
                    "ACCEPT" if accept else "REJECT", "OK", "ingress", SYN, src, dst))
    if accept:
        out.append(Flow(w, start, start + r.randint(0, 50), iface, dst, src, dport, sport, TCP, 1, 44,
                        "ACCEPT", "OK", "egress", 18, dst, src))


def background(org, account, site, day_index: int, scale: float) -> list[Flow]:
    """Ordinary traffic of one VPC for one day (without NODATA, see :func:`fill_gaps`)."""
    r = ids.rng(org.seed, "vpcflow", account.id, site.region, day_index)
    t0 = ids.epoch(org.day(day_index))
    by_role: dict[str, list] = {}
    for i in site.instances:
        by_role.setdefault(i.role, []).append(i)
    web, apps, nat = by_role["web"][0], by_role["app"], by_role["nat"][0]
    db, cache = by_role["db"][0], by_role["cache"][0]
    bastion = by_role.get("bastion", [None])[0]
    offices = sorted({p.ips[0] for p in org.people.values() if ":" not in p.ips[0]})
    out: list[Flow] = []
    for w in windows(t0, site.flow_offset):
        hour = (w - t0) // 3600
        busy = scale * (1.0 if 7 <= hour < 22 else 0.4)
        for _ in range(ids.scaled(r, 0.8 * busy)):
            client = site.client_ips[int(r.random() * len(site.client_ips))]
            connection(out, r, w, None, web, client, web.private_ip, 443, size=(8, 80))
        for _ in range(ids.scaled(r, 0.5 * busy)):
            app = r.choice(apps)
            connection(out, r, w, web, app, web.private_ip, app.private_ip, 8080, pooled=True)
        for _ in range(ids.scaled(r, 0.5 * busy)):
            app = r.choice(apps)
            connection(out, r, w, app, db, app.private_ip, db.private_ip, 5432, pooled=True)
        for _ in range(ids.scaled(r, 0.4 * busy)):
            app = r.choice(apps)
            connection(out, r, w, app, cache, app.private_ip, cache.private_ip, 6379, pooled=True, size=(4, 30))
        for _ in range(ids.scaled(r, 0.3 * busy)):
            app = r.choice(apps)
            connection(out, r, w, app, None, app.private_ip, r.choice(site.aws_ips), 443, via=nat, nat_ip=nat.private_ip)
        for _ in range(ids.scaled(r, 0.3 * busy)):
            inst = r.choice(apps + [web])
            connection(out, r, w, inst, None, inst.private_ip, site.resolver_ip, 53, proto=UDP, size=(1, 4))
        if bastion and 7 <= hour < 19:
            for _ in range(ids.scaled(r, 0.15 * scale)):
                connection(out, r, w, None, bastion, r.choice(offices), bastion.private_ip, 22, size=(40, 400))
    exposed = [i for i in (web, bastion) if i is not None]
    ws = windows(t0, site.flow_offset)
    for ip, ports in org.noise:
        for iface in exposed:
            for _ in range(ids.scaled(r, 0.6 * scale)):
                port = r.choice(ports)
                probe(out, r, r.choice(ws), iface, ip, port, accept=port in iface.open_ports)
    return out


def fill_gaps(rows: list[Flow], org, site, day_index: int) -> list[Flow]:
    """Add NODATA rows for idle windows and one SKIPDATA row per VPC and week."""
    t0 = ids.epoch(org.day(day_index))
    busy = {(f.iface.eni, f.window) for f in rows}
    skip = ids.rng(org.seed, "skipdata", site.vpc_id)
    skip_day, skip_iface, skip_k = skip.randrange(org.days), skip.choice(site.instances), skip.randrange(144)
    out = list(rows)
    for k, w in enumerate(windows(t0, site.flow_offset)):
        for iface in site.instances:
            if day_index == skip_day and iface is skip_iface and k == skip_k:
                out.append(Flow(w, w, w + WINDOW, iface, "-", "-", -1, -1, -1, -1, -1, "-", "SKIPDATA", "-", -1, "-", "-"))
            elif (iface.eni, w) not in busy:
                out.append(Flow(w, w, w + WINDOW, iface, "-", "-", -1, -1, -1, -1, -1, "-", "NODATA", "-", -1, "-", "-"))
    return out


def render(rows: list[Flow], account, site, fmt: str) -> str:
    """The text of one flow-log file: a header line, then one line per record."""
    acct = account.id
    lines = [" ".join(CUSTOM_FIELDS if fmt == "custom" else DEFAULT_FIELDS)]
    if fmt == "custom":
        for f in rows:
            i = f.iface
            if f.status != "OK":
                lines.append(f"{acct} - {i.az_id} - - - {f.end} - {i.instance_id} {i.eni} {f.status} - - - - "
                             f"{site.region} - - {f.start} {i.subnet} - - 5 {site.vpc_id}")
            else:
                lines.append(f"{acct} {f.action} {i.az_id} {f.bytes} {f.dst} {f.dport} {f.end} {f.direction} "
                             f"{i.instance_id} {i.eni} OK {f.packets} {f.pkt_dst} {f.pkt_src} {f.proto} {site.region} "
                             f"{f.src} {f.sport} {f.start} {i.subnet} {f.flags} IPv4 5 {site.vpc_id}")
    else:
        for f in rows:
            if f.status != "OK":
                lines.append(f"2 {acct} {f.iface.eni} - - - - - - - {f.start} {f.end} - {f.status}")
            else:
                lines.append(f"2 {acct} {f.iface.eni} {f.src} {f.dst} {f.sport} {f.dport} {f.proto} {f.packets} "
                             f"{f.bytes} {f.start} {f.end} {f.action} OK")
    return "\n".join(lines) + "\n"
