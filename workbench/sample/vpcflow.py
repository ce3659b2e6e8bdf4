"""VPC Flow Log records: background traffic of one VPC per account and region.

A flow is aggregated per 600-second capture window and seen by every interface it
crosses (client and server each log it, once per direction).  Client ports come from a
small fixed pool per (client, server) pair, which is what keyed connection pools and
keep-alive produce, so no background source ever reaches 20 distinct ports of one
host: only a planted port scan does.

Background records are rendered as they are made, into a :class:`FlowLog` that keeps
the lines of each capture window in the order they were added (what a stable sort of
all records by window gives); planted records come as :class:`Flow` tuples.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

from . import ids

WINDOW = 600
DEFAULT_FIELDS = ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status"]
CUSTOM_FIELDS = ["account-id", "action", "az-id", "bytes", "dstaddr", "dstport", "end", "flow-direction", "instance-id", "interface-id", "log-status", "packets", "pkt-dstaddr", "pkt-srcaddr", "protocol", "region", "srcaddr", "srcport", "start", "subnet-id", "tcp-flags", "type", "version", "vpc-id"]
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


class FlowLog:
    """The flow-log lines of one VPC and day, by capture window, in the order they were added.

    Parameters
    ----------
    account : organisation.Account
        Gives the account id and the ``flow_format``: "default" (version 2 fields) or
        "custom" (:data:`CUSTOM_FIELDS`).
    site : organisation.Site
    """

    def __init__(self, account, site) -> None:
        self.custom = account.flow_format == "custom"
        self.header = " ".join(CUSTOM_FIELDS if self.custom else DEFAULT_FIELDS)
        self.acct, self.region, self.vpc = account.id, site.region, site.vpc_id
        self.lines: dict[int, list[str]] = {}      # window start -> lines
        self.busy: set[tuple[str, int]] = set()    # (eni, window) of every record but NODATA/SKIPDATA

    @property
    def count(self) -> int:
        """Number of records."""
        return sum(map(len, self.lines.values()))

    def window(self, w: int) -> list[str]:
        """The lines of the window starting at ``w``."""
        lines = self.lines.get(w)
        if lines is None:
            lines = self.lines[w] = []
        return lines

    def add(self, w: int, start, end, iface, src: str, dst: str, sport, dport, proto, packets, size, action: str,
            direction: str, flags, pkt_src: str, pkt_dst: str) -> None:
        """One record with data (log-status OK) seen by ``iface``; numbers may come as text."""
        if self.custom:
            line = (f"{self.acct} {action} {iface.az_id} {size} {dst} {dport} {end} {direction} {iface.instance_id} "
                    f"{iface.eni} OK {packets} {pkt_dst} {pkt_src} {proto} {self.region} {src} {sport} {start} "
                    f"{iface.subnet} {flags} IPv4 5 {self.vpc}")
        else:
            line = (f"2 {self.acct} {iface.eni} {src} {dst} {sport} {dport} {proto} {packets} {size} {start} {end} "
                    f"{action} OK")
        lines = self.lines.get(w)
        if lines is None:
            lines = self.lines[w] = []
        lines.append(line)
        self.busy.add((iface.eni, w))

    def exchange(self, w: int, iface, a: str, b: str, sport: str, dport: str, proto: str, packets: str, req: str,
                 resp: str, start: str, end: str, flags: str, outbound: bool, pa: str, pb: str) -> None:
        """A request from ``a`` to ``b`` and its response, accepted, as ``iface`` logs them; numbers as text.

        ``outbound``: the request leaves through ``iface``; ``pa``/``pb`` are the packets'
        own addresses (``pa`` differs from ``a`` behind a NAT gateway).  The same lines as
        two :meth:`add` calls.
        """
        lines = self.lines.get(w)
        if lines is None:
            lines = self.lines[w] = []
        if self.custom:
            go, back = ("egress", "ingress") if outbound else ("ingress", "egress")
            head, where = f"{self.acct} ACCEPT {iface.az_id}", f"{iface.instance_id} {iface.eni} OK {packets}"
            mid, rest = f"{proto} {self.region}", f"{start} {iface.subnet} {flags} IPv4 5 {self.vpc}"
            lines.append(f"{head} {req} {b} {dport} {end} {go} {where} {pb} {pa} {mid} {a} {sport} {rest}")
            lines.append(f"{head} {resp} {a} {sport} {end} {back} {where} {pa} {pb} {mid} {b} {dport} {rest}")
        else:
            head, mid, rest = f"2 {self.acct} {iface.eni} ", f" {proto} {packets} ", f" {start} {end} ACCEPT OK"
            lines.append(f"{head}{a} {b} {sport} {dport}{mid}{req}{rest}")
            lines.append(f"{head}{b} {a} {dport} {sport}{mid}{resp}{rest}")
        self.busy.add((iface.eni, w))

    def idle(self, w: int, iface, status: str) -> None:
        """A NODATA or SKIPDATA record of ``iface`` for the whole window ``w``."""
        start, end = w, w + WINDOW
        if self.custom:
            line = (f"{self.acct} - {iface.az_id} - - - {end} - {iface.instance_id} {iface.eni} {status} - - - - "
                    f"{self.region} - - {start} {iface.subnet} - - 5 {self.vpc}")
        else:
            line = f"2 {self.acct} {iface.eni} - - - - - - - {start} {end} - {status}"
        self.window(w).append(line)

    def extend(self, rows: list[Flow]) -> None:
        """Add :class:`Flow` records (planted ones), in their order."""
        for f in rows:
            if f.status == "OK":
                self.add(f.window, f.start, f.end, f.iface, f.src, f.dst, f.sport, f.dport, f.proto, f.packets,
                         f.bytes, f.action, f.direction, f.flags, f.pkt_src, f.pkt_dst)
            else:
                self.idle(f.window, f.iface, f.status)

    def hours(self, t0: int) -> list[tuple[int, str]]:
        """``(hour of the day, file text)`` for every hour with records, in order."""
        by_hour: dict[int, list[str]] = {}
        for w in sorted(self.lines):
            by_hour.setdefault((w - t0) // 3600, [self.header]).extend(self.lines[w])
        return [(hour, "\n".join(lines) + "\n") for hour, lines in by_hour.items()]


def connection(log: FlowLog, r, w: int, client_iface, server_iface, client: str, server: str, dport: int, *,
               proto: int = TCP, size: tuple[int, int] = (6, 60), pooled: bool = False,
               via=None, nat_ip: str | None = None) -> None:
    """Add the records of one accepted client->server flow as every logging interface sees it.

    ``client_iface``/``server_iface`` are the interfaces on our side (None when the peer is
    outside the VPC); ``via`` is a NAT gateway interface the flow crosses on its way out.
    Numbers shared by the records are formatted once.
    """
    rnd = r.random  # plain random() arithmetic: this is the hot loop of flow generation
    start = w + int(rnd() * 300)
    end = min(w + WINDOW - 1, start + 1 + int(rnd() * 240))
    out_ip = nat_ip or client
    sport = client_ports(out_ip, server)[int(rnd() * 6)]
    pk = size[0] + int(rnd() * (size[1] - size[0] + 1))
    req_bytes, resp_bytes = str(pk * (60 + int(rnd() * 141))), str(pk * (200 + int(rnd() * 1201)))
    flags = str(0 if proto != TCP else (ACK if pooled else FIN_SYN_ACK))
    start, end, sport, dport, proto, pk = str(start), str(end), str(sport), str(dport), str(proto), str(pk)
    if client_iface is not None:
        log.exchange(w, client_iface, client, server, sport, dport, proto, pk, req_bytes, resp_bytes, start, end, flags,
                     True, client, server)
    if server_iface is not None:
        log.exchange(w, server_iface, client, server, sport, dport, proto, pk, req_bytes, resp_bytes, start, end, flags,
                     False, client, server)
    if via is not None:
        log.exchange(w, via, nat_ip, server, sport, dport, proto, pk, req_bytes, resp_bytes, start, end, flags,
                     True, client, server)


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


def background(log: FlowLog, org, account, site, day_index: int, scale: float) -> None:
    """Add the ordinary traffic of one VPC for one day to ``log`` (without NODATA, see :func:`fill_gaps`)."""
    r = ids.rng(org.seed, "vpcflow", account.id, site.region, day_index)
    t0 = ids.epoch(org.day(day_index))
    by_role: dict[str, list] = {}
    for i in site.instances:
        by_role.setdefault(i.role, []).append(i)
    web, apps, nat = by_role["web"][0], by_role["app"], by_role["nat"][0]
    db, cache = by_role["db"][0], by_role["cache"][0]
    bastion = by_role.get("bastion", [None])[0]
    offices = sorted({p.ips[0] for p in org.people.values() if ":" not in p.ips[0]})
    out = log
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
    probes: list[Flow] = []
    for ip, ports in org.noise:
        for iface in exposed:
            for _ in range(ids.scaled(r, 0.6 * scale)):
                port = r.choice(ports)
                probe(probes, r, r.choice(ws), iface, ip, port, accept=port in iface.open_ports)
    log.extend(probes)


def fill_gaps(log: FlowLog, org, site, day_index: int) -> None:
    """Add NODATA records for idle windows and one SKIPDATA record per VPC and week."""
    t0 = ids.epoch(org.day(day_index))
    busy = log.busy
    skip = ids.rng(org.seed, "skipdata", site.vpc_id)
    skip_day, skip_iface, skip_k = skip.randrange(org.days), skip.choice(site.instances), skip.randrange(144)
    for k, w in enumerate(windows(t0, site.flow_offset)):
        for iface in site.instances:
            if day_index == skip_day and iface is skip_iface and k == skip_k:
                log.idle(w, iface, "SKIPDATA")
            elif (iface.eni, w) not in busy:
                log.idle(w, iface, "NODATA")
