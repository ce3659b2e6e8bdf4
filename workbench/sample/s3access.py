"""S3 server access logs of each account's data bucket: who read and wrote which objects.

Every account has a data bucket in its first region (``<account name>-data-<hex>``) with server
access logging on, delivered with the date-partitioned prefix under the workbench's target prefix:
``s3-access-logs/<account>/<region>/<bucket>/yyyy/mm/dd/<yyyy-mm-dd-HH-MM-SS>-<16 hex>``, plain text,
a file or two per hour. The application servers' role reads and writes order documents through
the NAT gateway's address (a few reads miss: 404 ``NoSuchKey``), lists a prefix now and then, and
addresses on the internet try the bucket anonymously (403 ``AccessDenied``). The planted leaked key
(:func:`exfiltration`) lists the bucket and downloads hundreds of customer exports within half an hour.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from . import ids

APP_UA = "aws-sdk-java/2.25.60 Linux/6.1.102-111.182.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4"
ANONYMOUS_UA = "Mozilla/5.0 (compatible; bucket-finder/2.1)"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bucket:
    """An account's data bucket."""

    account: str
    region: str
    name: str
    owner: str  # the owner's canonical user id


def bucket(org, account) -> Bucket:
    """The data bucket of ``account``."""
    r = ids.rng(org.seed, "s3-bucket", account.id)
    return Bucket(account.id, org.regions[0], f"{account.name}-data-{ids.hex_id(r, 8)}", ids.hex_id(r, 64))


@dataclass
class Request:
    """One request the bucket received."""

    t: float
    ip: str
    requester: str       # an IAM ARN, or "-" for an anonymous request
    operation: str       # REST.GET.OBJECT, REST.PUT.OBJECT, REST.HEAD.OBJECT, REST.GET.BUCKET
    key: str = "-"
    status: int = 200
    error: str = "-"
    size: int = 0        # the object's size
    ua: str = APP_UA
    request_id: str = ""


def _clf(t: float) -> str:
    when = dt.datetime.fromtimestamp(int(t), dt.timezone.utc)
    return f"{when.day:02d}/{_MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} +0000"


def line(b: Bucket, q: Request, r) -> str:
    """The access-log entry of ``q``, fields in the documented order."""
    method = q.operation.split(".")[1]  # REST.GET.OBJECT -> GET
    target = f"/{b.name}/{q.key}" if q.key != "-" else f"/{b.name}?list-type=2&prefix=orders%2F"
    sent = "-" if q.operation != "REST.GET.OBJECT" or q.status != 200 else str(q.size)
    if q.status != 200:
        sent = str(243 + r.randrange(60))
    size = str(q.size) if q.key != "-" and q.status == 200 else "-"
    total = 8 + r.randrange(40) + q.size // 200000
    host_id = base64.b64encode(r.randbytes(57)).decode()
    auth, sig = ("-", "-") if q.requester == "-" else ("AuthHeader", "SigV4")
    return (f"{b.owner} {b.name} [{_clf(q.t)}] {q.ip} {q.requester} {q.request_id} {q.operation} {q.key} "
            f"\"{method} {target} HTTP/1.1\" {q.status} {q.error} {sent} {size} {total} {max(1, total - 5)} "
            f"\"-\" \"{q.ua}\" - {host_id} {sig} TLS_AES_128_GCM_SHA256 {auth} {b.name}.s3.{b.region}.amazonaws.com "
            f"TLSv1.3 - - {b.region}")


def background(org, account, b: Bucket, day_index: int, scale: float) -> list[Request]:
    """One bucket's ordinary requests of one day, in time order."""
    r = ids.rng(org.seed, "s3access", account.id, day_index)
    t0 = ids.epoch(org.day(day_index))
    site = account.sites[b.region]
    app = site.by_role("app")[0]
    nat = site.by_role("nat")[0]
    role = f"arn:aws:sts::{account.id}:assumed-role/{app.profile_role}/{app.instance_id}"
    day = org.day(day_index).strftime("%Y/%m/%d")
    out: list[Request] = []
    for hour in range(24):
        busy = scale * (1.0 if 7 <= hour < 22 else 0.3)
        for _ in range(ids.scaled(r, 14 * busy)):
            t = t0 + hour * 3600 + r.random() * 3599
            doc = f"orders/{day}/{ids.uuid4(r)}.json"
            roll = r.random()
            if roll < 0.55:
                missing = r.random() < 0.04
                out.append(Request(t, nat.public_ip, role, "REST.GET.OBJECT", doc, 404 if missing else 200,
                                   "NoSuchKey" if missing else "-", 0 if missing else 1500 + r.randrange(9000)))
            elif roll < 0.85:
                out.append(Request(t, nat.public_ip, role, "REST.PUT.OBJECT", doc, size=1500 + r.randrange(9000)))
            elif roll < 0.97:
                out.append(Request(t, nat.public_ip, role, "REST.HEAD.OBJECT", doc, size=1500 + r.randrange(9000)))
            else:
                out.append(Request(t, nat.public_ip, role, "REST.GET.BUCKET"))
    for ip, _ in org.noise[: 3]:
        if r.random() < 0.3 * scale:  # someone tries the bucket's name anonymously
            out.append(Request(t0 + r.random() * 86399, ip, "-", "REST.GET.BUCKET", status=403, error="AccessDenied",
                               ua=ANONYMOUS_UA))
    out.sort(key=lambda q: q.t)
    for q in out:
        q.request_id = ids.alnum(r, 16, "0123456789ABCDEF")
    return out


#: Names a credential that does not know the bucket guesses first (each answered 404 NoSuchKey).
GUESSES = tuple(f"{folder}/{name}" for folder in ("backup", "backups", "db", "dump", "export")
                for name in ("db.sql.gz", "dump.sql", "users.csv", "customers.csv", "prod.tar.gz", "secrets.json"))


def exfiltration(b: Bucket, ip: str, requester: str, ua: str, r, start: float) -> list[Request]:
    """A leaked key guesses 30 object names (404), lists the bucket, then downloads 240 customer exports
    in about 25 minutes."""
    out = [Request(start + k * 2, ip, requester, "REST.GET.OBJECT", key, 404, "NoSuchKey", ua=ua)
           for k, key in enumerate(GUESSES)]
    start += 2 * len(GUESSES) + 20
    out += [Request(start + k * 4, ip, requester, "REST.GET.BUCKET", ua=ua) for k in range(3)]
    t = start + 30
    for n in range(240):
        t += 3 + r.random() * 9
        out.append(Request(t, ip, requester, "REST.GET.OBJECT", f"exports/customers/2026/part-{n:05d}.csv.gz",
                           size=60000 + r.randrange(400000), ua=ua))
    for q in out:
        q.request_id = ids.alnum(r, 16, "0123456789ABCDEF")
    return out


def files(b: Bucket, requests: list[Request], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the bucket's log files: per hour one file or (busy hours) two, named at delivery."""
    groups: dict[tuple[int, int], list[str]] = {}
    for q in sorted(requests, key=lambda q: q.t):
        groups.setdefault((int(q.t) // 3600 * 3600, int(r.random() * 2)), []).append(line(b, q, r))
    out = []
    for (hour, part), lines in sorted(groups.items()):
        named = dt.datetime.fromtimestamp(hour + 3000 + part * 300 + r.randrange(240), dt.timezone.utc)
        key = (f"s3-access-logs/{b.account}/{b.region}/{b.name}/{named:%Y/%m/%d}/"
               f"{named:%Y-%m-%d-%H-%M-%S}-{ids.alnum(r, 16, '0123456789ABCDEF')}")
        out.append((key, ("\n".join(lines) + "\n").encode()))
    return out
