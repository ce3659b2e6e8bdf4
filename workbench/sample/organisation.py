"""The simulated organisation: accounts, people, IAM users, SSO roles, VPCs, instances, IPs.

Everything here is derived from the seed, the number of accounts and the regions, and
never from ``scale``, so planted scenarios can name the same principals, keys and
addresses at any volume.  IP addresses come from one allocator that never hands out
an address twice: an attacker's address is, by construction, used by nobody else.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from . import ids

ACCOUNT_NAMES = ("management", "production", "development", "staging", "security",
                 "data", "shared-services", "sandbox", "logging", "network")

# first, last, office, profile
PEOPLE = (
    ("Anna", "Schmidt", "berlin", "admin"), ("Lukas", "Weber", "berlin", "developer"),
    ("Marie", "Keller", "berlin", "security"), ("Jonas", "Becker", "berlin", "developer"),
    ("Sofia", "Rossi", "london", "data"), ("James", "Carter", "newyork", "admin"),
    ("Emily", "Nguyen", "newyork", "developer"), ("Michael", "Brooks", "newyork", "finance"),
    ("Olivia", "Martinez", "newyork", "developer"), ("Daniel", "Kim", "sanfrancisco", "developer"),
    ("Haruto", "Sato", "tokyo", "admin"), ("Yui", "Tanaka", "tokyo", "developer"),
    ("Kenji", "Watanabe", "tokyo", "data"), ("Priya", "Raman", "bangalore", "security"),
)
# office: (UTC offset in November, preferred regions, shared office egress IP or None)
OFFICES = {
    "berlin": (1.0, ("eu-central-1", "eu-west-1"), "203.0.113.10"),
    "london": (0.0, ("eu-west-2", "eu-west-1"), None),
    "newyork": (-5.0, ("us-east-1", "us-east-2"), "203.0.113.40"),
    "sanfrancisco": (-8.0, ("us-west-2", "us-west-1"), None),
    "tokyo": (9.0, ("ap-northeast-1", "ap-northeast-3"), "203.0.113.70"),
    "bangalore": (5.5, ("ap-south-1", "ap-southeast-1"), None),
}
PERMISSION_SETS = {"admin": "AdministratorAccess", "developer": "PowerUserAccess",
                   "security": "SecurityAudit", "data": "DataAnalystAccess", "finance": "Billing"}
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
)
CLIS = (
    "aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off",
    "aws-cli/2.17.51 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off",
    "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
    "aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off",
)
PUBLIC_FIRST_OCTETS = (5, 31, 37, 45, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
                       89, 91, 92, 93, 94, 95, 109, 141, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217)
COUNTRIES = (("Netherlands", "NL"), ("Germany", "DE"), ("United States", "US"), ("Russia", "RU"),
             ("China", "CN"), ("Brazil", "BR"), ("Viet Nam", "VN"), ("India", "IN"),
             ("Romania", "RO"), ("Singapore", "SG"), ("France", "FR"), ("Korea, Republic of", "KR"))
AWS_PREFIXES = ("52.94", "54.239", "3.5", "52.216", "18.204", "35.71", "44.192", "13.248", "52.219", "54.240")
HOSTERS = ("Example Hosting B.V.", "Datacenter Example LLC", "Sample Cloud Services Ltd",
           "Illustrative Broadband", "Demo Transit Networks", "Placeholder VPS Inc.")
LAMBDAS = ("orders-api", "thumbnail-resizer", "nightly-report", "slack-notifier", "log-shipper",
           "invoice-renderer")
# instance roles per site (web and bastion are reachable from the internet)
SITE_LAYOUT = ("web", "app", "app", "db", "cache", "bastion")
OPEN_PORTS = {"web": (80, 443), "bastion": (22,), "app": (8080,), "db": (5432,), "cache": (6379,), "nat": ()}


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    office: str
    profile: str
    utc_offset: float
    start_hour: float      # local time the working day starts
    hours: float           # length of the working day
    ips: tuple[str, ...]   # usual source addresses (the first one is the most frequent)
    browser: str
    cli: str
    home_region: str


@dataclass(frozen=True)
class IamUser:
    name: str
    user_id: str
    arn: str
    person: str | None     # Person.key, or None for a service account
    console: bool
    mfa: bool
    access_key: str | None
    ips: tuple[str, ...]
    user_agent: str
    profile: str


@dataclass(frozen=True)
class SsoRole:
    person: str
    permission_set: str
    role_name: str
    role_id: str
    role_arn: str          # the IAM role (sessionIssuer.arn)
    profile: str

    def session_arn(self, account: str, email: str) -> str:
        return f"arn:aws:sts::{account}:assumed-role/{self.role_name}/{email}"


@dataclass(frozen=True)
class Instance:
    instance_id: str
    eni: str
    role: str              # web, app, db, cache, bastion or nat (a NAT gateway's interface)
    private_ip: str
    public_ip: str | None
    subnet: str
    az: str
    az_id: str
    profile_role: str | None
    profile_role_id: str | None
    open_ports: tuple[int, ...]


@dataclass(frozen=True)
class LambdaFunction:
    name: str
    role_name: str
    role_id: str
    compact_creation: bool  # this function's sessions carry the compact creationDate quirk


@dataclass(frozen=True)
class Site:
    """One account's footprint in one region."""
    region: str
    vpc_id: str
    cidr_prefix: str       # "10.12" for 10.12.0.0/16
    resolver_ip: str
    instances: tuple[Instance, ...]
    lambdas: tuple[LambdaFunction, ...]
    flow_log_id: str
    flow_offset: int       # seconds: where this flow log's 600 s capture windows start
    detector_id: str
    kms_keys: tuple[str, ...]
    secrets: tuple[str, ...]
    vpce_id: str
    aws_ips: tuple[str, ...]     # public service endpoints instances talk to
    lambda_ips: tuple[str, ...]  # egress addresses of Lambda functions
    client_ips: tuple[str, ...]  # customers of the public web server

    def by_role(self, role: str) -> list[Instance]:
        return [i for i in self.instances if i.role == role]


@dataclass(frozen=True)
class Account:
    index: int
    id: str
    name: str
    users: tuple[IamUser, ...]
    sso: tuple[SsoRole, ...]
    sites: dict[str, Site]
    buckets: tuple[str, ...]
    flow_format: str       # "default" (version 2) or "custom" (version 5 fields)
    trail_bucket: str

    def user(self, name: str) -> IamUser:
        return next(u for u in self.users if u.name == name)


@dataclass(frozen=True)
class Organisation:
    seed: int | str
    org_id: str | None
    start: dt.date
    days: int
    regions: tuple[str, ...]          # where activity happens
    trail_regions: tuple[str, ...]    # where CloudTrail delivers: regions + us-east-1
    accounts: tuple[Account, ...]
    people: dict[str, Person]
    trail_name: str
    noise: tuple[tuple[str, tuple[int, ...]], ...]  # internet scanners and their few ports
    reserved_ips: dict[str, str]      # scenario name -> address nobody else uses
    ci_ips: tuple[str, ...]
    onprem_ip: str
    geo: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)  # ip -> country, code, asn, org
    stuffers: tuple[str, ...] = ()    # the credential-stuffing botnet's addresses
    partners: tuple[str, ...] = ()    # the partners calling the TLS endpoint behind the NLB

    def account(self, account_id: str) -> Account:
        return next(a for a in self.accounts if a.id == account_id)

    def day(self, index: int) -> dt.date:
        return self.start + dt.timedelta(days=index)


class IpAllocator:
    """Hands out unique addresses; ``take`` never returns an address twice."""

    def __init__(self, r: random.Random) -> None:
        self.r = r
        self.used: set[str] = set()

    def take(self, make) -> str:
        while True:
            ip = make(self.r)
            if ip not in self.used:
                self.used.add(ip)
                return ip

    def public(self) -> str:
        return self.take(lambda r: "%d.%d.%d.%d" % (r.choice(PUBLIC_FIRST_OCTETS), r.randrange(1, 255),
                                                    r.randrange(0, 256), r.randrange(1, 255)))

    def within(self, prefix: str) -> str:
        """An address inside ``prefix`` ("a.b.c" or "a.b")."""
        def make(r: random.Random) -> str:
            middle = [str(r.randrange(0, 256)) for _ in range(2 - prefix.count("."))]
            return ".".join([prefix, *middle, str(r.randrange(2, 255))])
        return self.take(make)

    def aws(self) -> str:
        """An address that looks like an AWS public range."""
        return self.within(self.r.choice(AWS_PREFIXES))

    def ipv6(self) -> str:
        return self.take(lambda r: "2001:db8:%x:%x:%x:%x:%x:%x" % tuple(r.randrange(1, 0xFFFF) for _ in range(6)))


def region_code(region: str) -> str:
    """Short code used in AZ ids: ``us-east-1`` -> ``use1``, ``ap-northeast-1`` -> ``apne1``."""
    parts = region.split("-")
    words = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
             "northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}
    return parts[0] + "".join(words.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


def build(seed: int | str, *, start: dt.date, days: int, accounts: int, regions: tuple[str, ...],
          org_id: str | None) -> Organisation:
    """Build the organisation for ``seed``; independent of volume (``scale``).

    Parameters
    ----------
    seed : int or str
        Root of every random stream.
    start, days : date, int
        The simulated window.
    accounts : int
        Number of member accounts (the first one is the management account).
    regions : tuple of str
        Regions with workloads and people; us-east-1 is added to the trail regions.
    org_id : str or None
        Organisation id for an organisation trail, or None for per-account trails.
    """
    r = ids.rng(seed, "organisation")
    alloc = IpAllocator(ids.rng(seed, "organisation", "ips"))
    alloc.used.update(o[2] for o in OFFICES.values() if o[2])
    reserved = {name: alloc.public() for name in
                ("root-console-login", "hidden-user-bruteforce", "console-bruteforce",
                 "compromised-access-key", "port-scan")}
    people = _people(seed, regions, alloc)
    ci_ips = tuple(alloc.public() for _ in range(3))
    onprem = alloc.within("198.51.100")
    accts = tuple(_account(seed, i, accounts, regions, people, ci_ips, onprem, alloc) for i in range(accounts))
    noise = []
    for _ in range(40):
        ip = alloc.public()
        ports = tuple(sorted(r.sample((22, 23, 445, 3389, 1433, 3306, 5900, 8080, 8443, 6379,
                                       9200, 2375, 5432, 21, 25, 111, 135, 139, 1723, 80), r.randint(1, 3))))
        noise.append((ip, ports))
    # the stolen key's role sessions work from a second host; drawn last, so nothing else moves
    relay = alloc.public()
    geo = {}
    outside = [ip for ip, _ in noise] + list(reserved.values()) + list(ci_ips) + [relay]
    for ip in outside:
        country, code = r.choice(COUNTRIES)
        geo[ip] = (country, code, str(r.randint(9000, 212000)), r.choice(HOSTERS))
    reserved["compromised-access-key-relay"] = relay
    # the web attackers, drawn after everything else so that nothing before them moves
    reserved["web-injection"] = alloc.public()
    stuffers = tuple(alloc.public() for _ in range(24))
    partners = tuple(alloc.public() for _ in range(3))  # drawn last: the load balancers came later
    reserved["dns-beacon"] = alloc.public()  # the controller the compromised instance calls: drawn after the rest
    trail_regions = tuple(sorted(set(regions) | {"us-east-1"}))
    return Organisation(seed=seed, org_id=org_id, start=start, days=days, regions=regions,
                        trail_regions=trail_regions, accounts=accts, people=people,
                        trail_name="org-trail" if org_id else "management-events",
                        noise=tuple(noise), reserved_ips=reserved, ci_ips=ci_ips, onprem_ip=onprem, geo=geo,
                        stuffers=stuffers, partners=partners)


def _people(seed, regions, alloc: IpAllocator) -> dict[str, Person]:
    people = {}
    for n, (first, last, office, profile) in enumerate(PEOPLE):
        r = ids.rng(seed, "person", n)
        offset, preferred, office_ip = OFFICES[office]
        ips = [office_ip] if office_ip else [alloc.within("198.51.100")]
        if r.random() < 0.6:
            ips.append(alloc.within("198.51.100"))
        if n in (1, 6, 11) or r.random() < 0.15:   # a few people reach AWS over IPv6
            ips.append(alloc.ipv6())
        key = f"{first}.{last}".lower()
        home = next((reg for reg in preferred if reg in regions), regions[0])
        people[key] = Person(key=key, name=f"{first} {last}", email=f"{key}@example.com", office=office,
                             profile=profile, utc_offset=offset, start_hour=r.uniform(7.5, 10.0),
                             hours=r.uniform(7.5, 9.5), ips=tuple(ips[:3]), browser=r.choice(BROWSERS),
                             cli=r.choice(CLIS), home_region=home)
    return people


def _account(seed, index, count, regions, people, ci_ips, onprem, alloc) -> Account:
    r = ids.rng(seed, "account", index)
    acct = str(r.randrange(10**11, 10**12))
    name = ACCOUNT_NAMES[index] if index < len(ACCOUNT_NAMES) else f"workload-{index}"
    by_profile: dict[str, list[Person]] = {}
    for p in people.values():
        by_profile.setdefault(p.profile, []).append(p)

    def user(person: Person | None, uname: str, *, console: bool, mfa: bool, key: bool,
             ips: tuple[str, ...] = (), ua: str = "", profile: str = "") -> IamUser:
        return IamUser(name=uname, user_id=ids.principal_id(r, "AIDA"), arn=f"arn:aws:iam::{acct}:user/{uname}",
                       person=person.key if person else None, console=console, mfa=mfa,
                       access_key=ids.key_id(r, "AKIA") if key else None,
                       ips=person.ips if person else ips, user_agent=person.cli if person else ua,
                       profile=person.profile if person else profile)

    admin = r.choice(by_profile["admin"])
    dev_a, dev_b = r.sample(by_profile["developer"], 2)
    sec = r.choice(by_profile["security"])
    if index == 0:
        users = [user(admin, admin.key, console=True, mfa=True, key=True),
                 user(sec, sec.key, console=True, mfa=True, key=False),
                 user(None, "terraform-ci", console=False, mfa=False, key=True, ips=ci_ips,
                      ua="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.0 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.32.2",
                      profile="automation")]
    else:
        users = [user(admin, admin.key, console=True, mfa=True, key=False),
                 user(dev_a, dev_a.key, console=True, mfa=False, key=True),
                 user(dev_b, f"{dev_b.key}-cli", console=False, mfa=False, key=True),
                 user(None, "backup-sync", console=False, mfa=False, key=True, ips=(onprem,),
                      ua="aws-sdk-java/2.28.16 Linux/5.15.0-125-generic OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy",
                      profile="backup")]
    sso = []
    suffix = {ps: ids.hex_id(r, 16) for ps in sorted(set(PERMISSION_SETS.values()))}
    for p in people.values():
        allowed = {"admin": True, "security": True, "developer": index != 0,
                   "data": index != 0, "finance": index == 0}[p.profile]
        if allowed:
            ps = PERMISSION_SETS[p.profile]
            role = f"AWSReservedSSO_{ps}_{suffix[ps]}"
            sso.append(SsoRole(person=p.key, permission_set=ps, role_name=role,
                               role_id=ids.principal_id(r, "AROA"), profile=p.profile,
                               role_arn=f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{role}"))
    sites = {reg: _site(seed, index, acct, name, reg, ri, alloc) for ri, reg in enumerate(regions)}
    purposes = ("assets", "backups", "app-logs", "data-lake") + (("terraform-state",) if index == 0 else ())
    buckets = tuple(f"examplecorp-{name}-{p}-{acct[-4:]}" for p in purposes)
    return Account(index=index, id=acct, name=name, users=tuple(users), sso=tuple(sso), sites=sites,
                   buckets=buckets, flow_format="custom" if count > 1 and index == count - 1 else "default",
                   trail_bucket=f"aws-cloudtrail-logs-{acct}-{ids.hex_id(r, 8)}")


def _site(seed, index, acct, name, region, region_index, alloc) -> Site:
    r = ids.rng(seed, "site", acct, region)
    prefix = f"10.{(index * 8 + region_index) % 250 + 1}"
    code = region_code(region)
    instances = []
    layout = SITE_LAYOUT if index % 2 == 0 else SITE_LAYOUT[:-1]
    for n, role in enumerate(layout + ("nat",)):
        az_n = n % 2
        public = role in ("web", "bastion", "nat")
        subnet_octet = az_n + (0 if public else 10)
        pr = {"web": "web-server-role", "app": "app-server-role", "db": "data-node-role",
              "cache": "data-node-role", "bastion": "bastion-role"}.get(role)
        instances.append(Instance(
            instance_id="-" if role == "nat" else "i-0" + ids.hex_id(r, 16), eni="eni-0" + ids.hex_id(r, 16),
            role=role, private_ip=alloc.within(f"{prefix}.{subnet_octet}"),
            public_ip=alloc.aws() if public else None, subnet="subnet-0" + ids.hex_id(r, 16),
            az=f"{region}{'ab'[az_n]}", az_id=f"{code}-az{az_n + 1}", profile_role=pr,
            profile_role_id=ids.principal_id(ids.rng(seed, "role", acct, pr), "AROA") if pr else None,
            open_ports=OPEN_PORTS[role]))
    fns = r.sample(LAMBDAS, 2)
    lambdas = tuple(LambdaFunction(name=f, role_name=f"{f}-role",
                                   role_id=ids.principal_id(ids.rng(seed, "role", acct, f), "AROA"),
                                   compact_creation=(i == 0)) for i, f in enumerate(fns))
    return Site(region=region, vpc_id="vpc-0" + ids.hex_id(r, 16), cidr_prefix=prefix, resolver_ip=f"{prefix}.0.2",
                instances=tuple(instances), lambdas=lambdas, flow_log_id="fl-0" + ids.hex_id(r, 16),
                flow_offset=r.randrange(0, 600), detector_id=ids.hex_id(r, 32),
                kms_keys=tuple(ids.uuid4(r) for _ in range(2)),
                secrets=(f"{name}/orders/db-password", f"{name}/stripe-api-key", f"{name}/jwt-signing-key"),
                vpce_id="vpce-0" + ids.hex_id(r, 16),
                aws_ips=tuple(alloc.aws() for _ in range(6)),
                lambda_ips=tuple(alloc.aws() for _ in range(4)),
                client_ips=tuple(alloc.public() for _ in range(30)))
