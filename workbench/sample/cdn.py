"""The shop's CloudFront distribution: its scripts, styles, images and downloads at the edge.

``static.shop.example.com`` is a distribution of the production account (``E`` and 13 letters and
digits; domain ``d<hex>.cloudfront.net``) in front of an S3 bucket. Customers' browsers fetch the
site's assets from their nearest edge location, mostly from the cache; crawlers fetch images; a
catalogue PDF is downloaded now and then. The logs are written as standard logging (v2) delivers
them with the partitioning AWS's Athena pages use: an hourly file or two per distribution under
``AWSLogs/<account>/CloudFront/<distribution>/yyyy/mm/dd/HH/``, each starting with the
``#Version``/``#Fields`` header lines. The planted leaked key's address looks around the
distribution before it uses the key (:func:`recon`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from workbench.sources.cloudfront import FIELDS

from . import ids
from .organisation import BROWSERS

ALIAS = "static.shop.example.com"
#: Edge locations (IATA code, number, suffix as CloudFront names them) and who they serve.
EDGES = ("FRA56-P4", "LHR62-C2", "IAD89-P1", "SEA19-C1", "NRT57-P2", "BOM78-P1", "GRU3-C1", "SFO5-P2")
#: The distribution's objects: (path, content type, size in bytes, weight).
ASSETS = (("/static/app.4f9c2e.js", "application/javascript", 182000, 10),
          ("/static/app.4f9c2e.css", "text/css", 48000, 10), ("/img/logo.svg", "image/svg+xml", 5200, 8),
          ("/img/products/{n}.webp", "image/webp", 65000, 30), ("/fonts/inter-var.woff2", "font/woff2", 98000, 4),
          ("/downloads/catalogue-2026.pdf", "application/pdf", 4800000, 1))
RECON_UA = "python-requests/2.31.0"
#: What the leaked key's address asks the distribution for: (path, status, result, detailed result, bytes).
RECON = (("/", 403, "Error", "Error", 487), ("/.env", 403, "Error", "Error", 487),
         ("/backup.zip", 403, "Error", "Error", 487), ("/static/app.4f9c2e.js", 200, "Hit", "Hit", 182000),
         ("/config/settings.json", 200, "Miss", "Miss", 2214), ("/config/aws-exports.js", 403, "Error", "Error", 487))


@dataclass(frozen=True)
class Distribution:
    """Where the distribution is and what it is called."""

    account: str
    id: str
    domain: str


def distribution(org) -> Distribution:
    """The shop's distribution: in the production account (the second, when there is one)."""
    acct = org.accounts[1 % len(org.accounts)]
    r = ids.rng(org.seed, "cdn", acct.id)
    return Distribution(acct.id, "E" + ids.alnum(r, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                        f"d{ids.hex_id(r, 14)}.cloudfront.net")


@dataclass
class Fetch:
    """One request to the distribution."""

    t: float
    ip: str
    path: str
    ua: str
    status: int = 200
    result: str = "Hit"
    detailed: str = "Hit"
    sent: int = 5000
    content_type: str = "text/html"
    edge: str = EDGES[0]
    referrer: str = "-"
    request_id: str = ""
    port: int = 50000


def cdn_line(d: Distribution, f: Fetch) -> str:
    """The standard-log entry of ``f``: the 33 fields, tab-separated, URL-encoded as CloudFront writes them."""
    taken = 0.001 if f.result == "Hit" else 0.042
    fields = [ids.iso(int(f.t))[:10], ids.iso(int(f.t))[11:19], f.edge, str(f.sent + 380), f.ip, "GET", d.domain,
              f.path, str(f.status), f.referrer, quote(f.ua, safe="/;(),:."), "-", "-", f.result, f.request_id, ALIAS,
              "https", str(180 + len(f.path)), f"{taken:.3f}", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", f.result,
              "HTTP/2.0", "-", "-", str(f.port), f"{taken:.3f}", f.detailed, f.content_type,
              str(f.sent), "-", "-"]
    return "\t".join(fields)


def _request_id(r) -> str:
    return ids.alnum(r, 54, ids.MIXED_ALNUM + "_-") + "=="


def background(org, d: Distribution, day_index: int, scale: float) -> list[Fetch]:
    """The distribution's ordinary requests of one day, in time order."""
    r = ids.rng(org.seed, "cdn", "background", d.account, day_index)
    t0 = ids.epoch(org.day(day_index))
    customers = org.account(d.account).sites[org.regions[0]].client_ips
    paths, weights = zip(*[(a[:3], a[3]) for a in ASSETS])
    out: list[Fetch] = []
    for hour in range(24):
        busy = scale * (1.0 if 7 <= hour < 22 else 0.3)
        for _ in range(ids.scaled(r, 30 * busy)):
            ip = customers[int(r.random() * len(customers))]
            edge = EDGES[sum(map(ord, ip)) % len(EDGES)]
            t = t0 + hour * 3600 + r.random() * 3590
            for path, kind, size in r.choices(paths, weights=weights, k=r.randint(1, 4)):
                t += r.random() * 2
                miss = r.random() < 0.08
                out.append(Fetch(t, ip, path.format(n=r.randint(100, 240)), BROWSERS[sum(map(ord, ip)) % 4],
                                 result="Miss" if miss else "Hit", detailed="Miss" if miss else "Hit",
                                 sent=int(size * (0.9 + r.random() * 0.2)), content_type=kind, edge=edge,
                                 referrer="https://shop.example.com/"))
        if r.random() < 0.5 * scale:  # a crawler's image fetch
            out.append(Fetch(t0 + hour * 3600 + r.random() * 3590, "66.249.66.1",
                             f"/img/products/{r.randint(100, 240)}.webp",
                             "Googlebot-Image/1.0", sent=64000, content_type="image/webp", edge="IAD89-P1"))
    out.sort(key=lambda f: f.t)
    for f in out:
        f.request_id, f.port = _request_id(r), 1024 + int(r.random() * 64000)
    return [f for f in out if t0 <= f.t < t0 + 86400]


def recon(ip: str, r, start: float) -> list[Fetch]:
    """The leaked key's address looking around the distribution (an exposed config among 403s)."""
    out = []
    t = start
    for path, status, result, detailed, size in RECON:
        t += r.randint(2, 30)
        kind = "application/json" if path.endswith(".json") else "application/javascript" if path.endswith(
            ".js") else "application/xml"
        out.append(Fetch(t, ip, path, RECON_UA, status, result, detailed, size, kind, "IAD89-P1",
                         request_id=_request_id(r), port=40000 + r.randrange(20000)))
    return out


def files(d: Distribution, fetches: list[Fetch], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the distribution's log files: per hour, one file or (busy hours) two."""
    groups: dict[tuple[int, int], list[str]] = {}
    for f in sorted(fetches, key=lambda f: f.t):
        hour = int(f.t) // 3600 * 3600
        groups.setdefault((hour, int(r.random() * 2)), []).append(cdn_line(d, f))
    header = f"#Version: 1.0\n#Fields: {FIELDS}\n"
    out = []
    for (hour, _part), lines in sorted(groups.items()):
        stamp = ids.iso(hour)
        name = f"{d.id}.{stamp[:10]}-{stamp[11:13]}.{ids.alnum(r, 8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}.gz"
        key = f"AWSLogs/{d.account}/CloudFront/{d.id}/{ids.ymd(hour)}/{stamp[11:13]}/{name}"
        out.append((key, (header + "\n".join(lines) + "\n").encode()))
    return out
