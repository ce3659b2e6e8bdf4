"""Planted incidents and their ground truth (``scenarios.json``).

Each scenario draws from its own random streams (``"<seed>/scenario/<id>"`` and an
event-id stream of its own), so its records, ids and times do not depend on ``scale``
or on the background.  Scenario records go through the same renderer as background
records; only ``scenarios.json`` tells them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import apis, background, cdn, dns, guardduty, ids, load_balancers, s3access, trail_files, vpcflow, web
from .cloudtrail import (
    Caller,
    Recorder,
    assume_role_response,
    assumed_role,
    expiration,
    failed_login_user,
    hidden_user,
    iam_user,
    root,
)

NO_USER = "No username found in supplied account"
SCAN_PORTS = (21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 1723, 2049, 2375,
              3000, 3306, 3389, 5000, 5432, 5900, 5984, 6379, 8000, 8080, 8081, 8443, 8888, 9000, 9090, 9200,
              9300, 11211, 27017)
ANOMALY_MIX = ("iam:ListRoles 6 iam:ListUsers 4 iam:ListPolicies 3 iam:GetPolicyVersion 3 iam:ListAttachedRolePolicies 4 "
               "iam:ListAttachedUserPolicies 2 iam:ListAccessKeys 3 iam:GetAccountSummary 1 iam:GetRole 4 iam:ListRolePolicies 2 "
               "iam:GetUser 2 iam:ListGroups 1 iam:ListMFADevices 1 iam:ListInstanceProfiles 1 iam:GetAccountPasswordPolicy 1 "
               "kms:ListKeys 2 kms:ListAliases 2 kms:DescribeKey 4 kms:GetKeyPolicy 4 kms:GetKeyRotationStatus 2 "
               "kms:ListResourceTags 1 secretsmanager:ListSecrets 4 secretsmanager:DescribeSecret 6 "
               "secretsmanager:GetSecretValue 8 secretsmanager:GetResourcePolicy 2 s3:ListBuckets 2 s3:GetBucketPolicy 5 "
               "s3:GetBucketAcl 4 s3:GetBucketLocation 3 s3:GetBucketPolicyStatus 3 s3:GetBucketPublicAccessBlock 3 "
               "s3:GetBucketVersioning 2 s3:GetBucketEncryption 2 s3:GetBucketTagging 2")
RELAY_UA = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-cloud-amd64 exe/x86_64.debian.12 prompt/off"
SCRIPT_UA = ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 "
             "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36")


@dataclass
class Plan:
    """Everything the scenarios add to the background, keyed for the writers."""

    cloudtrail: dict = field(default_factory=dict)   # (account, region, day) -> [(epoch, json)]
    flows: dict = field(default_factory=dict)        # (account, region, day) -> [vpcflow.Flow]
    findings: list = field(default_factory=list)     # guardduty.Finding
    insights: list = field(default_factory=list)     # (account, region, epoch, record)
    web: dict = field(default_factory=dict)          # day -> [web.Request] to the shop
    tls: dict = field(default_factory=dict)          # day -> [load_balancers.Connection] to the partner NLB
    handshakes: dict = field(default_factory=dict)   # day -> failed TLS handshakes at the shop's ALB
    cdn: dict = field(default_factory=dict)          # day -> [cdn.Fetch] to the shop's distribution
    dns: dict = field(default_factory=dict)          # (account, region, day) -> [dns.Query] to the Resolver
    s3: dict = field(default_factory=dict)           # (account, day) -> [s3access.Request] to its data bucket
    steady: set = field(default_factory=set)         # (account, person): scale-independent baseline
    owned: set = field(default_factory=set)          # (account, person, day): the scenario writes that day
    scenarios: list = field(default_factory=list)


class _Planter:
    """Recorders and request variants for one scenario."""

    def __init__(self, org, plan: Plan, sid: str) -> None:
        self.org, self.plan, self.sid = org, plan, sid
        self.r = ids.rng(org.seed, "scenario", sid)
        self._recs: dict = {}
        self._variants: dict = {}

    def recorder(self, account, day: int) -> Recorder:
        key = (account.id, day)
        if key not in self._recs:
            self._recs[key] = Recorder(account.id, self.org.day(day), self.org.seed, stream=f"scenario/{self.sid}")
        return self._recs[key]

    def variants(self, account, day: int) -> dict:
        key = (account.id, day)
        if key not in self._variants:
            self._variants[key] = {reg: apis.variants(account, site, self.org.day(day).isoformat(), self.org.seed)
                                   for reg, site in account.sites.items()}
        return self._variants[key]

    def pick(self, account, day: int, region: str, key: str, r=None):
        """A request variant of ``key``, drawn from ``r`` (default: the scenario's stream)."""
        vs = self.variants(account, day)[region if region in account.sites else self.org.regions[0]].get(key)
        return vs[int((r or self.r).random() * len(vs))] if vs else None

    def flush(self) -> None:
        for (account_id, day), rec in self._recs.items():
            for region, recs in rec.out.items():
                self.plan.cloudtrail.setdefault((account_id, region, day), []).extend(recs)


def plan(org) -> Plan:
    """Plant every scenario; returns the plan (records, flows, findings, ground truth)."""
    p = Plan()
    for fn in (_root_console_login, _hidden_user_bruteforce, _console_bruteforce, _compromised_access_key,
               _port_scan, _anomalous_principal, _web_injection, _credential_stuffing, _dns_beacon):
        fn(org, p)
    return p


def _day(org, k: int) -> int:
    return min(k, org.days - 1)


def _doc(sid, kind, account, region, day, org, description, event_ids, times, **extra) -> dict:
    if not all(event_ids):
        raise AssertionError(f"scenario {sid} placed an event outside its day")
    doc = {"id": sid, "kind": kind, "account": account.id, "account_name": account.name, "region": region,
           "day": org.day(day).isoformat(), "start": ids.iso(min(times)), "end": ids.iso(max(times)),
           "description": description, "event_ids": event_ids}
    doc.update(extra)
    return doc


def _root_console_login(org, p: Plan) -> None:
    sid = "root-console-login"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[1 % len(org.accounts)], _day(org, 2)
    rec = pl.recorder(acct, d)
    ip, ua = org.reserved_ips[sid], "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    t = rec.t0 + 3 * 3600 + 12 * 60 + r.randrange(300)
    login = Caller(root(acct.id), ip, ua, arn=f"arn:aws:iam::{acct.id}:root")
    event_ids, times = [], []
    failures = r.randint(2, 3)
    for _ in range(failures):
        event_ids.append(rec.console_login(t, login, success=False, mfa_used=False, message="Failed authentication"))
        times.append(t)
        t += r.randint(15, 70)
    event_ids.append(rec.console_login(t, login, success=True, mfa_used=False))
    times.append(t)
    identity = root(acct.id, key=ids.key_id(r, "ASIA"), created=ids.iso(t))
    session = Caller(identity, ip, ua, arn=f"arn:aws:iam::{acct.id}:root", console=True, channel="console")
    # root's own access key, created in the console, is recorded as invoked by the sign-in service
    signin = Caller({**identity, "invokedBy": "signin.amazonaws.com"}, ip, ua, arn=f"arn:aws:iam::{acct.id}:root",
                    console=True, channel="console")
    calls = ("iam:GetAccountSummary", "iam:ListUsers", "iam:CreateAccessKey")
    for key in calls:
        t += r.randint(20, 120)
        re = None
        if key == "iam:CreateAccessKey":
            re = apis.dumps({"accessKey": {"accessKeyId": ids.key_id(r, "AKIA"), "status": "Active",
                                           "createDate": _aws_date(t)}})
        caller = signin if key == "iam:CreateAccessKey" else session
        event_ids.append(rec.call(t, key, "us-east-1", caller, pl.pick(acct, d, "us-east-1", key), rp="null", re=re))
        times.append(t)
    pl.flush()
    p.scenarios.append(_doc(sid, "root_console_login", acct, "us-east-1", d, org,
                            "The root user signs in to the console without MFA from a new address after failed "
                            "attempts, then lists users and creates an access key (recorded as invoked by "
                            "signin.amazonaws.com, as root's console actions can be).",
                            event_ids, times, source_ip=ip, principal_arn=f"arn:aws:iam::{acct.id}:root",
                            user_agent=ua, mfa_used="No", failed_logins=failures, api_calls=[k.split(":")[1] for k in calls]))


def _hidden_user_bruteforce(org, p: Plan) -> None:
    sid = "hidden-user-bruteforce"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[0], _day(org, 3)
    rec = pl.recorder(acct, d)
    ip, ua = org.reserved_ips[sid], "python-requests/2.31.0"
    attempts = r.randint(30, 60)
    t = rec.t0 + 14 * 3600 + 20 * 60 + r.randrange(600)
    step = 19 * 60 / attempts
    guesser = Caller(hidden_user(acct.id), ip, ua)
    event_ids, times = [], []
    for k in range(attempts):
        tk = int(t + k * step + r.random() * step * 0.8)
        event_ids.append(rec.console_login(tk, guesser, success=False, mfa_used=False, message=NO_USER))
        times.append(tk)
    # one real person's mistyped user name on another day, from their usual address
    user = next(u for u in acct.users if u.console and u.person)
    person = org.people[user.person]
    td = next((k for k in (_day(org, 5), _day(org, 1), _day(org, 0)) if k != d), d)
    trec = pl.recorder(acct, td)
    tt = int(trec.t0 + ((person.start_hour + 0.7 - person.utc_offset) % 24) * 3600)
    if td == d and abs(tt - t) < 7200:
        tt = trec.t0 + 5 * 3600
    typo = trec.console_login(tt, Caller(hidden_user(acct.id), person.ips[0], person.browser),
                              success=False, mfa_used=False, message=NO_USER)
    trec.console_login(tt + r.randint(25, 50), Caller(iam_user(acct.id, user, key=""), person.ips[0], person.browser),
                       success=True, mfa_used=user.mfa)
    pl.flush()
    p.scenarios.append(_doc(sid, "hidden_user_bruteforce", acct, "us-east-1", d, org,
                            "One external address tries dozens of unknown user names on the console sign-in page "
                            "within twenty minutes (userName HIDDEN_DUE_TO_SECURITY_REASONS).",
                            event_ids, times, source_ip=ip, user_agent=ua, attempts=attempts,
                            typo_event_ids=[typo], typo_user_name=user.name, typo_source_ip=person.ips[0],
                            typo_day=org.day(td).isoformat()))


def _console_bruteforce(org, p: Plan) -> None:
    sid = "console-bruteforce"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[2 % len(org.accounts)], _day(org, 2)
    rec = pl.recorder(acct, d)
    ip = org.reserved_ips[sid]
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
    humans = [u for u in acct.users if u.console and u.person]
    user = next((u for u in humans if not u.mfa), humans[0])
    caller = Caller(failed_login_user(acct.id, user), ip, ua)
    t = rec.t0 + 19 * 3600 + 5 * 60 + r.randrange(600)
    event_ids, times = [], []
    for _ in range(r.randint(10, 20)):
        event_ids.append(rec.console_login(t, caller, success=False, mfa_used=False, message="Failed authentication"))
        times.append(t)
        t += r.randint(40, 200)
    pl.flush()
    p.scenarios.append(_doc(sid, "console_bruteforce", acct, "us-east-1", d, org,
                            f"One external address fails the console password of IAM user {user.name} again and "
                            "again within an hour.",
                            event_ids, times, source_ip=ip, user_name=user.name, user_agent=ua, attempts=len(event_ids)))


def _compromised_access_key(org, p: Plan) -> None:
    sid = "compromised-access-key"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[1 % len(org.accounts)], _day(org, 3)
    rec = pl.recorder(acct, d)
    keyed = [u for u in acct.users if u.person and u.access_key]
    user = next((u for u in keyed if not u.console), keyed[0])
    p.steady.add((acct.id, user.person))
    ip, ua = org.reserved_ips[sid], "aws-cli/1.22.34 Python/3.10.12 Linux/5.15.0-91-generic botocore/1.23.34"
    caller = Caller(iam_user(acct.id, user), ip, ua, arn=user.arn)
    home = org.regions[0]
    steps = _leaked_key_steps(org, home)
    new_user = "svc-backup-agent"
    new_key = ids.key_id(r, "AKIA")
    t = rec.t0 + 3600 + 40 * 60 + r.randrange(600)
    event_ids, denied, times, regions = [], [], [], set()
    for key, region, err in steps:
        t += r.randint(2, 40) if err else r.randint(10, 120)
        rp = re = None
        if isinstance(err, tuple):
            err, rp = err[0], apis.dumps({"secretId": err[1]})
        if key in _TAKEOVER:
            rp, re = _takeover_call(key, r, acct, new_user, new_key, t)
        eid = rec.call(t, key, region, caller, pl.pick(acct, d, region, key), error=err, rp=rp, re=re)
        event_ids.append(eid)
        times.append(t)
        regions.add("us-east-1" if apis.api(key).is_global else region)
        if err:
            denied.append(eid)
    dist = cdn.distribution(org)  # before it uses the key, the address looks around the shop's distribution
    looks = cdn.recon(ip, ids.rng(org.seed, "scenario", sid, "cdn"), rec.t0 + 3600 + 15 * 60)
    p.cdn.setdefault(d, []).extend(looks)
    chain, t = _role_chain(org, pl, acct, d, home, caller, t)
    event_ids.append(chain[0]["assume_role_event_ids"][0])  # the first AssumeRole is made with the leaked key
    times.append(t)
    pl.flush()
    f = _discovery_finding(org, acct, home, r, user, ip, times)
    p.findings.append(f)
    seq = _credential_sequence(org, acct, home, r, user, ip, f, steps, times)
    p.findings.append(seq)
    data = s3access.bucket(org, acct)  # and, its admin user made, it downloads the data bucket's customer exports
    taken = s3access.exfiltration(data, ip, user.arn, ua, ids.rng(org.seed, "scenario", sid, "s3"), max(times) + 900)
    p.s3.setdefault((acct.id, d), []).extend(taken)
    p.scenarios.append(_doc(sid, "compromised_access_key", acct, home, d, org,
                            f"IAM user {user.name}'s long-lived access key is used from an unknown address: discovery "
                            "across regions, a burst of AccessDenied, then a new user with an access key and admin rights; "
                            "last, the key assumes a role, and from a second host that role's session assumes a role "
                            "in another account of the organisation and reads its secrets (role_chain).",
                            event_ids, times, source_ip=ip, access_key_id=user.access_key, user_name=user.name,
                            principal_arn=user.arn, user_agent=ua, usual_ips=list(org.people[user.person].ips),
                            regions=sorted(regions), denied_event_ids=denied, created_user=new_user,
                            created_access_key_id=new_key, finding_ids=[f.id, seq.id], attack_sequence_id=seq.id,
                            signal_names=[s["name"] for s in seq.body["service"]["detection"]["sequence"]["signals"]],
                            role_chain=chain, role_chain_source_ip=chain[-1]["source_ip"],
                            role_chain_event_ids=_chain_event_ids(chain, event_ids), distribution=dist.id,
                            cloudfront_request_ids=[f.request_id for f in looks],
                            cloudfront_paths=[f.path for f in looks if f.status == 200], s3_bucket=data.name,
                            s3_request_ids=[q.request_id for q in taken],
                            s3_objects=sorted(q.key for q in taken if q.operation == "REST.GET.OBJECT" and q.status == 200),
                            s3_missing_keys=sorted(q.key for q in taken if q.status == 404),
                            s3_bytes=sum(q.size for q in taken if q.operation == "REST.GET.OBJECT")))


#: The roles of the stolen key's chain: one in its own account, then one another account trusts it to assume.
CHAIN_ROLES = ("deploy-automation", "cross-account-deploy")
#: What each role session does, in the account of its role.
CHAIN_STEPS = (("sts:GetCallerIdentity", "iam:ListRoles", "s3:ListBuckets"),
               ("sts:GetCallerIdentity", "s3:ListBuckets", "secretsmanager:ListSecrets",
                "secretsmanager:GetSecretValue", "ec2:DescribeInstances"))


def _role_chain(org, pl: _Planter, acct, d: int, home: str, caller: Caller, t: int) -> tuple[list[dict], int]:
    """The leaked key assumes a role in its own account; that session, from a second host, assumes a role in
    another account of the organisation (written in both accounts, tied by ``sharedEventID``) and acts there.

    Returns the hops, as ``scenarios.json`` records them, and the time of the first AssumeRole. Draws from
    a random stream of its own, so the scenario's other records keep their ids and times.
    """
    cr = ids.rng(org.seed, "scenario", pl.sid, "role-chain")
    relay = org.reserved_ips["compromised-access-key-relay"]
    others = [a for a in org.accounts if a.id != acct.id]
    targets = (acct, others[0]) if others else (acct,)
    hops, when_first = [], None
    for n, (target, role) in enumerate(zip(targets, CHAIN_ROLES)):
        t += cr.randint(30, 240)
        when_first = when_first or t
        role_id = ids.principal_id(ids.rng(org.seed, "role", target.id, role), "AROA")
        role_arn = f"arn:aws:iam::{target.id}:role/{role}"
        session = f"botocore-session-{t}"
        key = ids.key_id(cr, "ASIA")
        rp = apis.dumps({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600})
        re = assume_role_response(target.id, role, role_id, session, key, expiration(t + 3600))
        res = apis.resources((target.id, "AWS::IAM::Role", role_arn))
        across = target.id != acct.id
        shared = ids.uuid_from_hex("%032x" % cr.getrandbits(128)) if across else None
        after = f',"sharedEventID":"{shared}"' if across else ""
        written = [pl.recorder(acct, d).call(t, "sts:AssumeRole", home, caller, rp=rp, re=re, res=res,
                                             after_account=after)]
        if across:  # the role's account writes the call too, naming only the caller's account and principal id
            principal = json.loads(caller.identity)["principalId"]
            stranger = Caller({"type": "AWSAccount", "principalId": principal, "accountId": acct.id}, caller.ip,
                              RELAY_UA)
            written.append(pl.recorder(target, d).call(t, "sts:AssumeRole", home, stranger, rp=rp, re=re, res=res,
                                                       after_account=after))
        if hops:
            hops[-1]["event_ids"].append(written[0])
        caller_key = json.loads(caller.identity)["accessKeyId"]
        identity = assumed_role(target.id, role, role_id, session, key, ids.iso(t))
        caller = Caller(identity, relay, RELAY_UA, arn=identity["arn"])
        done = []
        for api_key in CHAIN_STEPS[n]:
            t += cr.randint(5, 60)
            done.append(pl.recorder(target, d).call(t, api_key, home, caller, pl.pick(target, d, home, api_key, cr)))
        hops.append({"hop": n + 1, "account": target.id, "role_arn": role_arn, "role_session_name": session,
                     "assumed_role_arn": identity["arn"], "issued_access_key_id": key,
                     "caller_access_key_id": caller_key,
                     "assume_role_event_ids": written, "shared_event_id": shared, "source_ip": relay,
                     "event_ids": done})
    return hops, when_first


def _chain_event_ids(chain: list[dict], event_ids: list[str]) -> list[str]:
    """Every event of the role chain that the leaked key did not make itself, in order."""
    out = [e for hop in chain for e in hop["assume_role_event_ids"] + hop["event_ids"]]
    return [e for e in dict.fromkeys(out) if e not in set(event_ids)]


def _credential_sequence(org, acct, home: str, r, user, ip: str, discovery, steps, times) -> guardduty.Finding:
    """GuardDuty's attack sequence over the leaked key: its discovery finding, the denied burst and the takeover."""
    denied = [t for (key, _, err), t in zip(steps, times) if err]
    takeover = {key: t for (key, _, _), t in zip(steps, times) if key in _TAKEOVER}
    last_export = max(e[2] for e in discovery.exports)
    signals = [guardduty.signal(
        uid=discovery.body["arn"], kind="FINDING", name=discovery.body["type"], description=discovery.body["title"],
        first=min(times), last=last_export, count=max(e[1] for e in discovery.exports), severity=8.0,
        actor_ids=[], endpoint_ids=[], resource_uids=[], indicators={"ATTACK_TACTIC": ["Discovery"]})]
    signals.append(guardduty.signal(
        uid=ids.hex_id(r, 32), kind="CLOUD_TRAIL", name="GetSecretValue",
        description="Calls denied across services in minutes: what can this credential do?", first=min(denied),
        last=max(denied), count=len(denied), severity=5.0, actor_ids=[], endpoint_ids=[], resource_uids=[],
        indicators={"ATTACK_TACTIC": ["Credential Access", "Discovery"]}))
    for key, t in takeover.items():
        signals.append(guardduty.signal(
            uid=ids.hex_id(r, 32), kind="CLOUD_TRAIL", name=key.split(":")[1], description=f"High-risk API {key}",
            first=t, last=t, count=1, severity=5.0, actor_ids=[], endpoint_ids=[], resource_uids=[],
            indicators={"HIGH_RISK_API": [key], "ATTACK_TACTIC": ["Persistence" if key != "iam:AttachUserPolicy"
                                                                   else "Privilege Escalation"]}))
    return guardduty.attack_sequence(
        org, acct, home, r, type_="AttackSequence:IAM/CompromisedCredentials", severity=9.0, user=user,
        key=user.access_key, ip=ip, signals=signals, created=int(max(times)) + 25 * 60,
        indicators={"ATTACK_TACTIC": ["Discovery", "Credential Access", "Persistence", "Privilege Escalation"],
                    "HIGH_RISK_API": list(_TAKEOVER), "ATTACK_TECHNIQUE": ["T1078.004 - Valid Accounts: Cloud Accounts"]},
        title=f"Potential credential compromise of IAM user {user.name} indicated by a sequence of actions.",
        description=(f"A sequence of actions by IAMUser {user.name} with access key {user.access_key}: anomalous "
                     "discovery, calls denied across services, then a new user with an access key and "
                     "administrator rights."))


def _leaked_key_steps(org, home: str) -> list[tuple[str, str, object]]:
    """What the leaked key does, in order: ``(api, region, error)``; an error with a secret id is a tuple."""
    steps: list[tuple[str, str, object]] = [("sts:GetCallerIdentity", home, None), ("s3:ListBuckets", home, None),
                                            ("ec2:DescribeRegions", home, None)]
    steps += [("ec2:DescribeInstances", reg, None) for reg in org.trail_regions]
    steps += [("secretsmanager:ListSecrets", reg, "denied") for reg in org.trail_regions]
    guesses = ("prod/db", "production/database", "rds/master-password")
    steps += [("secretsmanager:GetSecretValue", home, ("denied", g)) for g in guesses]
    steps += [(k, home, "denied") for k in ("ssm:DescribeParameters", "iam:ListRoles", "iam:ListUsers",
                                            "kms:ListKeys", "lambda:ListFunctions20150331",
                                            "organizations:DescribeOrganization")]
    steps += [("ec2:RunInstances", reg, "denied") for reg in org.regions]  # a try at crypto-mining capacity
    steps += [(key, home, None) for key in _TAKEOVER]
    return steps


#: The leaked key's persistence calls, last in its steps.
_TAKEOVER = ("iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy")


def _takeover_call(key: str, r, acct, new_user: str, new_key: str, t: float) -> tuple[str, str]:
    """Request and response of the leaked key's persistence calls: a new user, its key, admin rights."""
    if key == "iam:CreateUser":
        return (apis.dumps({"userName": new_user}),
                apis.dumps({"user": {"path": "/", "userName": new_user, "userId": ids.principal_id(r, "AIDA"),
                                     "arn": f"arn:aws:iam::{acct.id}:user/{new_user}", "createDate": _aws_date(t)}}))
    if key == "iam:CreateAccessKey":
        return (apis.dumps({"userName": new_user}),
                apis.dumps({"accessKey": {"userName": new_user, "accessKeyId": new_key, "status": "Active",
                                          "createDate": _aws_date(t)}}))
    return apis.dumps({"userName": new_user, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "null"


def _discovery_finding(org, acct, home: str, r, user, ip: str, times: list[float]):
    """GuardDuty's finding on the leaked key, exported twice as it is updated."""
    first = min(times)
    created = first + 20 * 60 + r.randrange(300)
    f = guardduty.new_finding(
        org, acct, home, r, type_="Discovery:IAMUser/AnomalousBehavior", severity=8, role="ACTOR",
        resource=guardduty.access_key_resource(user.access_key, user.user_id, user.name),
        action={"actionType": "AWS_API_CALL", "awsApiCallAction": {
            "api": "ListBuckets", "callerType": "Remote IP", "serviceName": "s3.amazonaws.com",
            "remoteIpDetails": guardduty.remote_ip(org, ip), "affectedResources": {}}},
        first=first, created=created, feature="CloudTrail",
        title=f"User IAMUser : {user.name} is anomalously invoking APIs commonly used in Discovery tactics.",
        description=(f"APIs commonly used in Discovery tactics were invoked by user IAMUser : {user.name}, under "
                     "anomalous circumstances. Such activity is not typically seen from this user."))
    f.exports.append((created + 300, 6, created - 60))
    f.exports.append((created + 6 * 3600 + r.randrange(3600), 19, max(times)))
    return f


def _port_scan(org, p: Plan) -> None:
    sid = "port-scan"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[1 % len(org.accounts)], _day(org, 4)
    region = org.regions[0]
    site = acct.sites[region]
    inst = site.by_role("web")[0]
    ip = org.reserved_ips[sid]
    ports = list(SCAN_PORTS) + r.sample(range(1024, 49152), 60 - len(SCAN_PORTS))
    r.shuffle(ports)
    t0 = ids.epoch(org.day(d))
    start = t0 + 9 * 3600 + 10 * 60 + r.randrange(300)
    rows: list = []
    times = []
    for n, port in enumerate(ports):
        t = start + n * 40 + r.randrange(30)
        w = t - (t - t0 - site.flow_offset) % vpcflow.WINDOW
        vpcflow.probe(rows, r, w, inst, ip, port, sport=r.choice((41337, 41338)), accept=port in inst.open_ports)
        times.append(t)
    p.flows.setdefault((acct.id, region, d), []).extend(rows)
    shop = web.shop(org)  # then it tries the shop's well-known paths, a few minutes later
    probes = web.probe_paths(ip, ids.rng(org.seed, "scenario", sid, "web"), max(times) + 240)
    web.stamp_requests(probes, ids.rng(org.seed, "scenario", sid, "web-ids"))
    p.web.setdefault(d, []).extend(probes)
    lbs = load_balancers.balancers(org)  # and opens the partner endpoint's TLS port without a handshake
    touches = load_balancers.probe_tls(ip, ids.rng(org.seed, "scenario", sid, "tls"), max(times) + 120)
    p.tls.setdefault(d, []).extend(touches)
    failed = web.failed_handshakes(ip, ids.rng(org.seed, "scenario", sid, "handshakes"), max(times) + 180)
    p.handshakes.setdefault(d, []).extend(failed)
    created = max(times) + 600
    details = [{"localPortDetails": {"port": port, "portName": guardduty.PORT_NAMES.get(port, "Unknown")},
                "localIpDetails": {"ipAddressV4": inst.private_ip}, "remoteIpDetails": guardduty.remote_ip(org, ip)}
               for port in sorted(ports)[:10]]
    f = guardduty.new_finding(
        org, acct, region, r, type_="Recon:EC2/Portscan", severity=5.0, role="TARGET",
        resource=guardduty.instance_resource(acct, site, inst),
        action={"actionType": "PORT_PROBE", "portProbeAction": {"portProbeDetails": details, "blocked": False}},
        first=min(times), created=created, feature="FlowLogs",
        title=f"EC2 instance {inst.instance_id} is being port scanned by {ip}.",
        description=f"Remote host {ip} probed {len(ports)} ports of EC2 instance {inst.instance_id} within an hour.")
    f.exports.append((created + 300, len(ports), max(times)))
    p.findings.append(f)
    p.scenarios.append(_doc(sid, "port_scan", acct, region, d, org,
                            f"An external host probes {len(ports)} ports of the public web server within an hour; "
                            "most are rejected, the open ones answer.",
                            [], times, source_ip=ip, instance_id=inst.instance_id, eni=inst.eni,
                            dst_addr=inst.private_ip, public_ip=inst.public_ip, dst_ports=sorted(ports),
                            open_ports=sorted(set(ports) & set(inst.open_ports)), finding_ids=[f.id],
                            web_paths=[q.path for q in probes], request_ids=[q.trace for q in probes],
                            web_blocked=sum(q.block is not None for q in probes), load_balancer=shop.elb,
                            web_acl=web.ACL_NAME, tls_load_balancer=lbs.nlb, nlb_failed_handshakes=len(touches),
                            failed_alb_handshakes=len(failed)))


def _anomalous_principal(org, p: Plan) -> None:
    sid = "anomalous-principal"
    pl = _Planter(org, p, sid)
    r, acct, d = pl.r, org.accounts[2 % len(org.accounts)], _day(org, 3)
    # someone whose own baseline never touches IAM, KMS, Secrets Manager or S3
    devs = [s for s in acct.sso if s.profile == "developer"]
    fits = [s for s in devs if org.people[s.person].office in ("berlin", "london")]
    sso = (fits or devs or [s for s in acct.sso if s.profile == "finance"] or list(acct.sso))[0]
    person = org.people[sso.person]
    p.steady.add((acct.id, person.key))
    p.owned.add((acct.id, person.key, d))
    rec = pl.recorder(acct, d)
    arn = sso.session_arn(acct.id, person.email)
    ip, home = person.ips[0], person.home_region
    start = int(rec.t0 + 8 * 3600 + r.randrange(1800))
    console = Caller(assumed_role(acct.id, sso.role_name, sso.role_id, person.email, ids.key_id(r, "ASIA"),
                                  ids.iso(start), role_arn=sso.role_arn), ip, person.browser, arn=arn, console=True,
                     channel="console")
    event_ids = [rec.console_login(start, console, success=True, mfa_used=False)]
    cx = background.Context(org, acct, d, 1.0, pl.variants(acct, d))
    event_ids += background.run_calls(rec, cx, r, background.PROFILES["developer"], r.randint(20, 30), start + 60,
                                      start + 5 * 3600, org.regions, home, [console])
    burst = int(rec.t0 + 13 * 3600 + 30 * 60 + r.randrange(600))
    script = Caller(assumed_role(acct.id, sso.role_name, sso.role_id, person.email, ids.key_id(r, "ASIA"),
                                 ids.iso(burst - 30), role_arn=sso.role_arn), ip, SCRIPT_UA, arn=arn)
    mix, cum = background.weights(ANOMALY_MIX)
    counts: dict = {}
    n = r.randint(600, 700)
    for k, a in enumerate(r.choices(mix, cum_weights=cum, k=n)):
        t = burst + int(k * 9000 / n) + r.randrange(5)
        region = home if a.is_global else org.regions[k % len(org.regions)]
        err = "denied" if a.service == "iam" and a.name not in ("ListRoles", "GetAccountSummary") else None
        event_ids.append(rec.call(t, a, region, script, pl.pick(acct, d, region, a.key), error=err))
        ckey = (a.source, a.name, "us-east-1" if a.is_global else region)
        counts[ckey] = counts.get(ckey, 0) + 1
    pl.flush()
    # CloudTrail Insights notices the busiest API of the burst in a region the organisation works in
    src, name, reg = max((k for k in sorted(counts) if k[2] in org.regions), key=counts.__getitem__)
    insight = trail_files.insight_pair(org, acct, reg, r, source=src, name=name, start=burst - burst % 60 + 60,
                                       minutes=150, baseline=0.0, peak=round(counts[(src, name, reg)] / 150, 4),
                                       arn=arn, user_agent=SCRIPT_UA)
    p.insights += [(acct.id, reg, t, rec_) for t, rec_ in insight]
    times = [start, burst + 9000]
    p.scenarios.append(_doc(sid, "anomalous_principal", acct, home, d, org,
                            f"SSO user {person.email} calls IAM, KMS, Secrets Manager and S3 hundreds of times in two and "
                            "a half hours from a script, far above and unlike their usual developer activity.",
                            event_ids, times, principal_arn=arn, user_name=person.email, source_ip=ip,
                            user_agent=SCRIPT_UA, role_arn=sso.role_arn,
                            new_event_sources=sorted({a.source for a in mix}),
                            insight_event_ids=[x[1]["eventID"] for x in insight]))


def _aws_date(t: int) -> str:
    """``createDate`` as IAM responses spell it (``Nov 4, 2026, 1:52:10 AM``)."""
    return expiration(t)


def _web_injection(org, p: Plan) -> None:
    sid = "web-injection"
    r = ids.rng(org.seed, "scenario", sid)
    shop, d = web.shop(org), _day(org, 2)
    acct = org.account(shop.account)
    ip = org.reserved_ips[sid]
    start = ids.epoch(org.day(d)) + 15 * 3600 + 20 * 60 + r.randrange(600)
    reqs, through = web.injection(ip, r, start)
    web.stamp_requests(reqs, ids.rng(org.seed, "scenario", sid, "ids"))
    p.web.setdefault(d, []).extend(reqs)
    blocked = [q for q in reqs if q.block]
    p.scenarios.append(_doc(sid, "web_injection", acct, shop.region, d, org,
                            f"sqlmap sends {len(blocked)} SQL-injection and path-traversal requests to the shop's API; "
                            "the web ACL blocks every one, then a comment-split UNION SELECT gets through and the "
                            "site answers 200 with 48 kB.",
                            [], [q.t for q in reqs], source_ip=ip, user_agent=web.INJECTION_UA,
                            load_balancer=shop.elb, web_acl=web.ACL_NAME, blocked=len(blocked),
                            request_ids=[q.trace for q in reqs], allowed_request_id=through.trace,
                            allowed_path=through.path, allowed_query=through.query,
                            rules=sorted({web.BLOCKS[q.block][0] for q in blocked}),
                            labels=sorted({web.BLOCKS[q.block][2] for q in blocked})))


def _credential_stuffing(org, p: Plan) -> None:
    sid = "credential-stuffing"
    r = ids.rng(org.seed, "scenario", sid)
    shop, d = web.shop(org), _day(org, 5)
    acct = org.account(shop.account)
    start = ids.epoch(org.day(d)) + 2 * 3600 + 40 * 60 + r.randrange(600)
    reqs = web.stuffing(org.stuffers, r, start)
    web.stamp_requests(reqs, ids.rng(org.seed, "scenario", sid, "ids"))
    p.web.setdefault(d, []).extend(reqs)
    ok = [q for q in reqs if q.status == 200]
    p.scenarios.append(_doc(sid, "credential_stuffing", acct, shop.region, d, org,
                            f"{len(org.stuffers)} addresses post {len(reqs)} logins to {web.LOGIN_PATH} within twenty "
                            f"minutes at night, about {len(reqs) // len(org.stuffers)} each; {len(ok)} succeed.",
                            [], [q.t for q in reqs], source_ips=sorted(org.stuffers), path=web.LOGIN_PATH,
                            attempts=len(reqs), succeeded=len(ok), request_ids=[q.trace for q in reqs],
                            succeeded_request_ids=[q.trace for q in ok],
                            load_balancer=shop.elb))


def _dns_beacon(org, p: Plan) -> None:
    sid = "dns-beacon"
    r = ids.rng(org.seed, "scenario", sid)
    acct, d = org.accounts[1 % len(org.accounts)], _day(org, 5)
    region = org.regions[0]
    site = acct.sites[region]
    inst, nat = site.by_role("app")[0], site.by_role("nat")[0]
    start = ids.epoch(org.day(d)) + 2 * 3600 + 10 * 60 + r.randrange(600)
    done = dns.beacon(site, inst, nat, r, start, org.reserved_ips[sid])
    p.dns.setdefault((acct.id, region, d), []).extend(done.queries)
    p.flows.setdefault((acct.id, region, d), []).extend(done.flows)
    p.scenarios.append(_doc(sid, "dns_beacon", acct, region, d, org,
                            f"An application server asks for {len(done.missing)} random-looking names that do not "
                            f"exist, finds its controller's live one, resolves it every five minutes "
                            f"({done.beacons} times) and connects to it on 443 each time, then sends data out in "
                            f"{len(done.tunnel)} TXT queries with 60-character labels.",
                            [], [q.t for q in done.queries], source_ip=inst.private_ip, instance_id=inst.instance_id,
                            eni=inst.eni, vpc_id=site.vpc_id, domain=done.domain, domain_address=done.address,
                            nxdomain_names=done.missing, beacons=done.beacons, tunnel_names=done.tunnel,
                            flows_to_controller=sum(1 for f in done.flows if f.iface is inst and f.dst == done.address)))
