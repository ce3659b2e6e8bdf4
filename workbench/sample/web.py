"""The organisation's web shop: an Application Load Balancer with a WAF web ACL, and what both log.

The shop runs in the production account's first region: ``shop.example.com`` and its API behind
one ALB (``app/shop-web/<id>``) whose target is the site's web server on port 80. A regional web
ACL (``shop-web-acl``) with AWS's managed rule groups inspects every request first; the ALB logs
a request WAF blocked as a 403 with no target and ``"waf"`` as its only action. Every request is
one :class:`Request`, rendered once as an ALB access-log line and once as a WAF log record, so the
two logs agree as they do in AWS.

Background: customers browsing and buying (the web server's clients in the flow logs), the
mobile app, search-engine crawlers, Route 53 health checkers, the odd broken link, slow report
exports, a rare 502, and the internet's scanners trying ``/.env`` now and then. Planted requests
come from :mod:`workbench.sample.scenarios` through :func:`probe_paths`, :func:`injection` and
:func:`stuffing`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from workbench import context

from . import ids
from .organisation import BROWSERS

ACL_NAME = "shop-web-acl"
HOST, API = "shop.example.com", "api.shop.example.com"
CIPHER, TLS = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
MOBILE_UA = "ShopApp/4.12.0 (iPhone; iOS 18.1; Scale/3.00)"
ANDROID_UA = "okhttp/4.12.0 ShopApp/4.12.0 (Android 15; Pixel 8)"
CRAWLERS = (
    ("66.249.66.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("66.249.66.87", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("157.55.39.12", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
)
HEALTH_CHECKERS = ("54.183.255.130", "54.228.16.2", "54.241.32.66")
HEALTH_UA = "Amazon-Route53-Health-Check-Service (ref 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d; report http://amzn.to/1vsZADi)"
SCANNER_UA = "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"
INJECTION_UA = "sqlmap/1.8.11#stable (https://sqlmap.org)"
STUFFING_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "python-requests/2.32.3",
)
LOGIN_PATH = "/api/v1/login"

#: The web ACL's rules, in priority order: (rule name in the ACL, rule group id).
ACL_RULES = (
    ("AWS-AWSManagedRulesAmazonIpReputationList", "AWS#AWSManagedRulesAmazonIpReputationList"),
    ("AWS-AWSManagedRulesCommonRuleSet", "AWS#AWSManagedRulesCommonRuleSet"),
    ("AWS-AWSManagedRulesKnownBadInputsRuleSet", "AWS#AWSManagedRulesKnownBadInputsRuleSet"),
    ("AWS-AWSManagedRulesSQLiRuleSet", "AWS#AWSManagedRulesSQLiRuleSet"),
)
#: What blocks a request: (rule name in the ACL, rule inside the group, label, match condition).
BLOCKS = {
    "sqli": ("AWS-AWSManagedRulesSQLiRuleSet", "SQLi_QUERYARGUMENTS",
             "awswaf:managed:aws:sql-database:SQLi_QueryArguments", "SQL_INJECTION"),
    "lfi": ("AWS-AWSManagedRulesCommonRuleSet", "GenericLFI_QUERYARGUMENTS",
            "awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments", None),
    "path": ("AWS-AWSManagedRulesKnownBadInputsRuleSet", "ExploitablePaths_URIPATH",
             "awswaf:managed:aws:known-bad-inputs:ExploitablePaths_Uripath", None),
    "no-agent": ("AWS-AWSManagedRulesCommonRuleSet", "NoUserAgent_HEADER",
                 "awswaf:managed:aws:core-rule-set:NoUserAgent_Header", None),
}
#: Paths the background's scanners try, and what WAF makes of them (None: allowed, 404 from the site).
SCANNED = (("/.env", None), ("/.git/config", "path"), ("/wp-login.php", None), ("/admin/.env", None),
           ("/cgi-bin/luci/;stok=/locale", None), ("/actuator/env", None), ("/phpmyadmin/index.php", "path"))
#: What the planted scanner probes on the shop after the port scan.
PROBED = ("/.env", "/.git/config", "/.git/HEAD", "/wp-login.php", "/wp-admin/setup-config.php", "/admin",
          "/administrator/index.php", "/phpmyadmin/index.php", "/server-status", "/actuator/env",
          "/actuator/heapdump", "/api/swagger.json", "/v2/api-docs", "/config.json", "/backup.zip", "/db.sql",
          "/.aws/credentials", "/.DS_Store", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
          "/cgi-bin/test.cgi", "/solr/admin/info/system", "/console", "/debug/pprof/", "/.svn/entries",
          "/web.config", "/xmlrpc.php", "/owa/auth/logon.aspx", "/remote/login", "/hnap1", "/boaform/admin/formLogin")
#: The injection campaign's payloads (query strings, URL-encoded as sent) and the rule that stops each.
PAYLOADS = (
    ("/api/v1/products", "id=1%27%20OR%20%271%27=%271", "sqli"),
    ("/api/v1/products", "id=1%20UNION%20SELECT%20username,password%20FROM%20users--", "sqli"),
    ("/api/v1/products", "id=1;%20DROP%20TABLE%20orders--", "sqli"),
    ("/api/v1/products", "id=1%20AND%20SLEEP(5)", "sqli"),
    ("/download", "file=../../../../etc/passwd", "lfi"),
    ("/download", "file=..%2F..%2F..%2F..%2Fetc%2Fshadow", "lfi"),
    ("/download", "file=....//....//....//proc/self/environ", "lfi"),
    ("/api/v1/search", "q=%27%29%3B%20SELECT%20pg_sleep(5)--", "sqli"),
)
#: The request that got through: the same field, a comment-split keyword WAF's rule did not match.
BYPASS = ("/api/v1/products", "id=1/**/UnIoN/**/SeLeCt/**/email,password_hash/**/FrOm/**/customers")


@dataclass(frozen=True)
class Shop:
    """Where the shop runs and the names its logs carry."""

    account: str
    region: str
    elb: str                 # app/shop-web/<id>
    nodes: tuple[str, ...]   # the load balancer nodes' private addresses
    target: str              # the web server's private address (port 80)
    target_group: str
    cert: str
    acl_id: str

    @property
    def acl_arn(self) -> str:
        return f"arn:aws:wafv2:{self.region}:{self.account}:regional/webacl/{ACL_NAME}/{self.acl_id}"


def shop(org) -> Shop:
    """The shop of ``org``: in the production account (the second, when there is one), first region."""
    acct = org.accounts[1 % len(org.accounts)]
    region = org.regions[0]
    site = acct.sites[region]
    r = ids.rng(org.seed, "web", "shop", acct.id)
    lb_id, tg_id = ids.hex_id(r, 16), ids.hex_id(r, 16)
    prefix = site.cidr_prefix
    return Shop(account=acct.id, region=region, elb=f"app/shop-web/{lb_id}",
                nodes=(f"{prefix}.0.{r.randrange(20, 250)}", f"{prefix}.1.{r.randrange(20, 250)}"),
                target=site.by_role("web")[0].private_ip,
                target_group=f"arn:aws:elasticloadbalancing:{region}:{acct.id}:targetgroup/shop-web/{tg_id}",
                cert=f"arn:aws:acm:{region}:{acct.id}:certificate/{ids.uuid4(r)}", acl_id=ids.uuid4(r))


@dataclass
class Request:
    """One request to the shop, as both logs see it."""

    t: float                    # when the load balancer answered (epoch seconds)
    ip: str
    method: str
    path: str                   # without the query
    query: str = ""
    ua: str = "-"
    status: int = 200           # what the load balancer sent
    target_status: str = "200"  # what the web server sent ("-": it was not asked)
    sent: int = 1200
    received: int = 420
    target_time: float = 0.012
    block: str | None = None    # a key of BLOCKS when WAF blocked it
    host: str = HOST
    scheme: str = "https"
    port: int = 50000
    node: int = 0
    trace: str = ""
    labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return f"{self.scheme}://{self.host}:{default}{self.path}" + (f"?{self.query}" if self.query else "")


def stamp_requests(reqs: list[Request], r) -> None:
    """Give each request its client port, load balancer node and trace id (drawn from ``r``)."""
    for q in reqs:
        q.port = 1024 + int(r.random() * 64000)
        q.node = int(r.random() * 2)
        q.trace = "Root=1-%08x-%s" % (int(q.t), ids.hex_id(r, 24))


def alb_line(s: Shop, q: Request) -> str:
    """The ALB access-log line of ``q`` (fields in AWS's order)."""
    blocked = q.block is not None
    sent_at = q.t - q.target_time - 0.001
    if blocked:
        target, times, target_status, actions = "-", "-1 -1 -1", "-", "waf"
        tlist, slist = "-", "-"
    else:
        target, actions = f"{s.target}:80", "waf,forward"
        times = f"0.001 {q.target_time:.3f} 0.000"
        target_status, tlist, slist = q.target_status, f"{s.target}:80", q.target_status
    tls = f"{CIPHER} {TLS}" if q.scheme == "https" else "- -"
    cert = s.cert if q.scheme == "https" else "-"
    conn = conn_id(q)
    return (f"{q.scheme} {ids.iso_us(q.t)} {s.elb} {q.ip}:{q.port} {target} {times} {q.status} {target_status} "
            f"{q.received} {q.sent} \"{q.method} {q.url} HTTP/1.1\" \"{q.ua}\" {tls} {s.target_group} "
            f"\"{q.trace}\" \"{q.host}\" \"{cert}\" {0 if blocked else 10} {ids.iso_us(sent_at)} \"{actions}\" \"-\" \"-\" "
            f"\"{tlist}\" \"{slist}\" \"-\" \"-\" {conn}")


def conn_id(q: Request) -> str:
    """The id of the connection that carried ``q``, on its access-log line and its connection-log line."""
    return "TID_" + q.trace[-24:] + q.trace[7:15]


def conn_line(s: Shop, q: Request) -> str:
    """The ALB connection-log line of the connection that carried ``q`` (fields in AWS's order)."""
    opened = q.t - q.target_time - 0.01 - (hash_text(q.trace) % 40) / 1000
    if q.scheme == "https":
        tls = f"{TLS} {CIPHER} {0.002 + (hash_text(q.trace) % 50) / 1000:.3f}"
        exchange = "x25519"
    else:
        tls, exchange = "- - -", "-"
    port = 443 if q.scheme == "https" else 80
    return (f"{ids.iso_us(opened)} {q.ip} {q.port} {port} {tls} \"-\" - - Success {conn_id(q)} {exchange} {s.elb} "
            f"{s.nodes[q.node]}")


def _country(ip: str) -> str:
    return context.addresses.default().lookup(ip).country or "-"


def waf_record(s: Shop, q: Request) -> dict:
    """The WAF log record of ``q`` (keys in AWS's order)."""
    groups = []
    terminating = {"terminatingRuleId": "Default_Action", "terminatingRuleType": "REGULAR", "action": "ALLOW",
                   "terminatingRuleMatchDetails": []}
    labels = list(q.labels)
    block = BLOCKS.get(q.block) if q.block else None
    for name, group in ACL_RULES:
        entry = {"ruleGroupId": group, "terminatingRule": None, "nonTerminatingMatchingRules": [],
                 "excludedRules": None, "customerConfig": None}
        if block and block[0] == name:
            details = ([{"conditionType": block[3], "sensitivityLevel": "LOW", "location": "QUERY_STRING",
                         "matchedData": [p for p in q.query.replace("%20", " ").split(" ")[:3] if p]}]
                       if block[3] else [])
            entry["terminatingRule"] = {"ruleId": block[1], "action": "BLOCK", "ruleMatchDetails": details}
            terminating = {"terminatingRuleId": name, "terminatingRuleType": "MANAGED_RULE_GROUP", "action": "BLOCK",
                           "terminatingRuleMatchDetails": details}
            labels.append(block[2])
            groups.append(entry)
            break
        groups.append(entry)
    headers = [{"name": "Host", "value": q.host}]
    if q.ua != "-":
        headers.append({"name": "User-Agent", "value": q.ua})
    headers.append({"name": "Accept", "value": "*/*"})
    return {
        "timestamp": round((q.t - q.target_time) * 1000), "formatVersion": 1, "webaclId": s.acl_arn,
        **terminating, "httpSourceName": "ALB", "httpSourceId": f"{s.account}-{s.elb}", "ruleGroupList": groups,
        "rateBasedRuleList": [], "nonTerminatingMatchingRules": [], "requestHeadersInserted": None,
        "responseCodeSent": None,
        "httpRequest": {"clientIp": q.ip, "country": _country(q.ip), "headers": headers, "uri": q.path,
                        "args": q.query, "httpVersion": "HTTP/1.1", "httpMethod": q.method,
                        "requestId": q.trace, "fragment": "", "scheme": q.scheme, "host": q.host},
        "labels": [{"name": n} for n in labels],
        "ja3Fingerprint": "%032x" % (hash_text(q.ua) & (2 ** 128 - 1)),
        "requestBodySize": q.received - 300 if q.method == "POST" else 0,
        "requestBodySizeInspectedByWAF": q.received - 300 if q.method == "POST" else 0,
    }


def hash_text(text: str) -> int:
    """A stable number for a text (not Python's salted ``hash``)."""
    value = 1469598103934665603
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) & (2 ** 128 - 1)
    return value


# -- background ----------------------------------------------------------------------------

_PAGES = (("/", 9), ("/products", 6), ("/products/{n}", 12), ("/cart", 3), ("/checkout", 1), ("/account", 2),
          ("/static/app.4f9c2e.js", 8), ("/static/app.4f9c2e.css", 8), ("/favicon.ico", 3))
_API = (("GET", "/api/v1/products", "page={n}", 8), ("GET", "/api/v1/products/{n}", "", 6),
        ("GET", "/api/v1/cart", "", 4), ("POST", "/api/v1/cart/items", "", 2), ("POST", LOGIN_PATH, "", 1),
        ("GET", "/api/v1/orders", "", 1))


def background(org, s: Shop, day_index: int, scale: float) -> list[Request]:
    """The shop's ordinary requests of one day, in time order."""
    r = ids.rng(org.seed, "web", "background", s.account, day_index)
    t0 = ids.epoch(org.day(day_index))
    site = org.account(s.account).sites[s.region]
    customers = site.client_ips
    browsers = BROWSERS
    out: list[Request] = []
    pages, page_weights = zip(*[(p, w) for p, w in _PAGES])
    calls, call_weights = zip(*[(c[:3], c[3]) for c in _API])
    for hour in range(24):
        busy = scale * (1.0 if 7 <= hour < 22 else 0.3)
        start = t0 + hour * 3600
        for _ in range(ids.scaled(r, 24 * busy)):  # a visit: a few pages from one customer
            ip = customers[int(r.random() * len(customers))]
            ua = browsers[hash_text(ip) % len(browsers)]
            t = start + r.random() * 3500
            for path in r.choices(pages, weights=page_weights, k=r.randint(1, 5)):
                t += 0.5 + r.random() * 20
                path = path.format(n=r.randint(100, 240))
                status = 200 if r.random() > 0.06 else 304
                if path.startswith("/products/") and r.random() < 0.03:
                    status = 404
                out.append(Request(t, ip, "GET", path, ua=ua, status=status, target_status=str(status),
                                   sent=300 if status == 304 else r.randint(2000, 60000), received=r.randint(350, 700),
                                   target_time=0.004 + r.random() * 0.08))
        for _ in range(ids.scaled(r, 14 * busy)):  # the app's API calls
            ip = customers[int(r.random() * len(customers))]
            method, path, query = r.choices(calls, weights=call_weights)[0]
            path, query = path.format(n=r.randint(100, 240)), query.format(n=r.randint(1, 9))
            status = 200
            if path == LOGIN_PATH and r.random() < 0.15:
                status = 401  # a mistyped password
            out.append(Request(start + r.random() * 3600, ip, method, path, query, host=API,
                               ua=MOBILE_UA if hash_text(ip) % 3 else ANDROID_UA, status=status,
                               target_status=str(status), sent=r.randint(300, 9000), received=r.randint(300, 1500),
                               target_time=0.008 + r.random() * 0.12))
        if r.random() < 0.25 * scale:  # a slow report export
            t = start + r.random() * 3600
            out.append(Request(t, customers[0], "GET", "/api/v1/reports/export", "format=csv", host=API, ua=MOBILE_UA,
                               sent=r.randint(200000, 900000), target_time=3 + r.random() * 6))
        if r.random() < 0.04 * scale:  # the web server restarts under a request
            out.append(Request(start + r.random() * 3600, customers[int(r.random() * len(customers))], "GET", "/cart",
                               ua=browsers[0], status=502, target_status="-", sent=272, target_time=0.0))
        for ip, ua in CRAWLERS:
            for _ in range(ids.scaled(r, 0.8 * scale)):
                path = r.choice(pages).format(n=r.randint(100, 240))
                out.append(Request(start + r.random() * 3600, ip, "GET", path, ua=ua, sent=r.randint(2000, 40000)))
        for k, ip in enumerate(HEALTH_CHECKERS):  # every ten minutes from each checker
            for m in range(6):
                out.append(Request(start + m * 600 + 100 * k + r.random() * 5, ip, "GET", "/health", ua=HEALTH_UA,
                                   sent=160, received=230, target_time=0.002))
        if r.random() < 0.3:  # someone follows a plain-http link: redirected
            out.append(Request(start + r.random() * 3600, customers[int(r.random() * len(customers))], "GET", "/",
                               ua=browsers[1], status=301, target_status="-", scheme="http", sent=360, target_time=0.0))
    for ip, _ports in org.noise[:12]:  # the internet's scanners try a path now and then
        if r.random() < 0.35:
            path, block = SCANNED[int(r.random() * len(SCANNED))]
            out.append(Request(t0 + r.random() * 86000, ip, "GET", path, ua=SCANNER_UA if r.random() < 0.5 else "-",
                               status=403 if block else 404, target_status="-" if block else "404", sent=230,
                               block=block))
    for q in out:
        if q.ua == "-" and q.block is None:
            q.block, q.status, q.target_status = "no-agent", 403, "-"
        if q.block:
            q.target_time = 0.0
    out.sort(key=lambda q: q.t)
    stamp_requests(out, r)
    return [q for q in out if t0 <= q.t < t0 + 86400]


# -- planted requests ----------------------------------------------------------------------

def probe_paths(ip: str, r, start: float) -> list[Request]:
    """The port scanner's visit to the shop: every path of :data:`PROBED`, a few seconds apart."""
    out = []
    t = start
    for path in PROBED:
        t += 2 + r.random() * 6
        block = "path" if path.startswith(("/.git", "/phpmyadmin", "/.svn", "/vendor/phpunit")) else None
        out.append(Request(t, ip, "GET", path, ua=SCANNER_UA, status=403 if block else 404,
                           target_status="-" if block else "404", sent=230, block=block,
                           target_time=0.0 if block else 0.003))
    return out


def injection(ip: str, r, start: float) -> tuple[list[Request], Request]:
    """An injection campaign blocked by WAF, then the one request that got through (200 from the site)."""
    out = []
    t = start
    for k in range(96):
        path, query, block = PAYLOADS[k % len(PAYLOADS)]
        t += 4 + r.random() * 14
        out.append(Request(t, ip, "GET", path, query, host=API, ua=INJECTION_UA, status=403, target_status="-",
                           sent=230, block=block, target_time=0.0))
    t += 40
    through = Request(t, ip, "GET", BYPASS[0], BYPASS[1], host=API, ua=INJECTION_UA, sent=48210, target_time=0.412)
    return out + [through], through


def stuffing(ips: tuple[str, ...], r, start: float) -> list[Request]:
    """A credential-stuffing burst: many addresses, each a dozen logins, almost all refused."""
    out = []
    for k in range(336):
        ip = ips[k % len(ips)]
        ok = k in (97, 211, 305)
        out.append(Request(start + r.random() * 1200, ip, "POST", LOGIN_PATH, host=API,
                           ua=STUFFING_UAS[hash_text(ip) % len(STUFFING_UAS)], status=200 if ok else 401,
                           target_status="200" if ok else "401", sent=610 if ok else 180, received=r.randint(480, 560),
                           target_time=0.09 + r.random() * 0.05))
    out.sort(key=lambda q: q.t)
    return out


# -- files -----------------------------------------------------------------------------------

def alb_files(s: Shop, reqs: list[Request], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the ALB's files: one per node and five minutes with requests."""
    groups: dict[tuple[int, int], list[str]] = {}
    for q in sorted(reqs, key=lambda q: q.t):
        groups.setdefault((ids.delivery_end(q.t, 300), q.node), []).append(alb_line(s, q))
    out = []
    lb = s.elb.split("/", 1)[1].replace("/", ".")
    for (end, node), lines in sorted(groups.items()):
        key = (f"AWSLogs/{s.account}/elasticloadbalancing/{s.region}/{ids.ymd(end)}/{s.account}_elasticloadbalancing_"
               f"{s.region}_app.{lb}_{ids.stamp(end)}_{s.nodes[node]}_{ids.alnum(r, 8)}.log.gz")
        out.append((key, ("\n".join(lines) + "\n").encode()))
    return out


def failed_handshakes(ip: str, r, start: float) -> list[tuple[float, str, int, int]]:
    """Connections to the shop's 443 that never complete a TLS handshake: ``(time, ip, port, node)``."""
    return [(start + n * 5 + r.random() * 2, ip, 40000 + r.randrange(20000), n % 2) for n in range(4)]


def failed_line(s: Shop, attempt: tuple[float, str, int, int]) -> str:
    """The connection-log line of a connection whose handshake failed (no request followed)."""
    t, ip, port, node = attempt
    conn = "TID_%032x" % (hash_text(f"{t}{ip}{port}") & (2 ** 128 - 1))
    return (f"{ids.iso_us(t)} {ip} {port} 443 - - - \"-\" - - Failed:UnmappedConnectionError {conn} - {s.elb} "
            f"{s.nodes[node]}")


def conn_files(s: Shop, reqs: list[Request], r, failed=()) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the ALB's connection logs: one per node and five minutes with connections.

    ``failed`` holds connections that failed their handshake (:func:`failed_handshakes`).
    """
    lines = sorted([(q.t, q.node, conn_line(s, q)) for q in reqs] + [(a[0], a[3], failed_line(s, a)) for a in failed])
    groups: dict[tuple[int, int], list[str]] = {}
    for t, node, line in lines:
        groups.setdefault((ids.delivery_end(t, 300), node), []).append(line)
    lb = s.elb.split("/", 1)[1].replace("/", ".")
    return [(f"AWSLogs/{s.account}/elasticloadbalancing/{s.region}/{ids.ymd(end)}/conn_log_{s.account}_"
             f"elasticloadbalancing_{s.region}_app.{lb}_{ids.stamp(end)}_{s.nodes[node]}_{ids.alnum(r, 8)}.log.gz",
             ("\n".join(lines) + "\n").encode())
            for (end, node), lines in sorted(groups.items())]


def waf_files(s: Shop, reqs: list[Request], r) -> list[tuple[str, bytes]]:
    """``(key, body)`` of the web ACL's log files: one per five minutes with requests."""
    groups: dict[int, list[str]] = {}
    for q in sorted(reqs, key=lambda q: q.t):
        record = waf_record(s, q)
        begin = record["timestamp"] // 1000 // 300 * 300
        groups.setdefault(begin, []).append(json.dumps(record, separators=(",", ":")))
    out = []
    for begin, lines in sorted(groups.items()):
        folder = ids.stamp(begin)
        key = (f"AWSLogs/{s.account}/WAFLogs/{s.region}/{ACL_NAME}/{ids.ymd(begin)}/{folder[9:11]}/{folder[11:13]}/"
               f"{s.account}_waflogs_{s.region}_{ACL_NAME}_{folder}_{ids.hex_id(r, 8)}.log.gz")
        out.append((key, ("\n".join(lines) + "\n").encode()))
    return out
