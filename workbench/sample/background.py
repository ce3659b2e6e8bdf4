"""Background CloudTrail activity: the organisation going about its ordinary business.

One function per kind of actor, each with its own random stream:

- :func:`people` - SSO users and IAM users (console and CLI) in their own working hours;
- :func:`service_users` - long-lived-key automation (Terraform from CI, an on-prem backup job);
- :func:`ci_deploys` - a GitHub Actions role assumed with web identity;
- :func:`workloads` - instance profiles, the SSM agent, Lambda roles, AWS Config, AWS-internal KMS;
- :func:`platform` - rare AWS-made events (root calls made by Support / Trusted Advisor, key rotation);
- :func:`showcase` - a few ordinary events that guarantee rare format quirks at any scale.

Volume is ``scale`` times a base rate; principals listed in ``steady`` keep a volume
independent of scale (planted scenarios compare against their baseline).
"""

from __future__ import annotations

from . import ids
from .apis import CATALOGUE, Variant, dumps, resources
from .cloudtrail import (
    Caller,
    Recorder,
    assume_role_response,
    assumed_role,
    aws_service,
    expiration,
    failed_login_user,
    iam_user,
    root,
)

_PROFILES = {
    "admin": "ec2:DescribeInstances 10 ec2:DescribeSecurityGroups 4 ec2:DescribeVpcs 2 ec2:DescribeSubnets 2 "
             "ec2:DescribeVolumes 2 ec2:DescribeInstanceStatus 3 ec2:DescribeAddresses 1 iam:ListUsers 2 iam:ListRoles 3 "
             "iam:GetRole 3 iam:ListAttachedRolePolicies 2 iam:ListPolicies 1 iam:GetPolicyVersion 1 iam:GetUser 1 "
             "iam:ListAccessKeys 1 iam:GetAccountSummary 1 s3:ListBuckets 3 s3:GetBucketLocation 2 s3:GetBucketPolicy 2 "
             "s3:GetBucketAcl 1 s3:GetBucketVersioning 1 s3:GetBucketEncryption 1 s3:GetBucketPublicAccessBlock 1 "
             "cloudformation:DescribeStacks 3 cloudformation:DescribeStackEvents 2 monitoring:DescribeAlarms 2 "
             "monitoring:GetMetricData 3 logs:DescribeLogGroups 2 logs:FilterLogEvents 2 kms:ListAliases 1 kms:DescribeKey 1 "
             "rds:DescribeDBInstances 1 health:DescribeEvents 1 organizations:DescribeOrganization 1 sts:GetCallerIdentity 1 "
             "cloudtrail:LookupEvents 1 ec2:StartInstances 0.3 ec2:StopInstances 0.3 ec2:CreateTags 0.5 "
             "iam:AttachRolePolicy 0.1 iam:TagRole 0.2 iam:CreatePolicyVersion 0.1 s3:PutBucketTagging 0.2 "
             "ec2:AuthorizeSecurityGroupIngress 0.1 ssm:PutParameter 0.2 logs:PutRetentionPolicy 0.2",
    # developers never touch iam, kms, secretsmanager or s3 by hand: their baseline is narrow
    "developer": "ec2:DescribeInstances 8 ec2:DescribeInstanceStatus 2 ec2:DescribeSecurityGroups 2 "
                 "lambda:ListFunctions20150331 4 lambda:GetFunction20150331v2 4 lambda:GetFunctionConfiguration20150331v2 2 "
                 "lambda:ListEventSourceMappings20150331 1 logs:DescribeLogGroups 3 logs:DescribeLogStreams 4 "
                 "logs:FilterLogEvents 5 logs:GetLogEvents 3 logs:StartQuery 1 logs:GetQueryResults 2 "
                 "cloudformation:DescribeStacks 4 cloudformation:DescribeStackEvents 3 cloudformation:DescribeStackResources 1 "
                 "cloudformation:GetTemplate 1 ecr:DescribeRepositories 1 ecr:DescribeImages 2 ecs:ListClusters 1 "
                 "ecs:DescribeServices 3 ecs:ListTasks 2 ecs:DescribeTasks 2 dynamodb:ListTables 1 dynamodb:DescribeTable 2 "
                 "monitoring:GetMetricData 4 monitoring:DescribeAlarms 2 sts:GetCallerIdentity 1 "
                 "lambda:UpdateFunctionCode20150331v2 0.3 lambda:UpdateFunctionConfiguration20150331v2 0.2 "
                 "ecs:UpdateService 0.3 ec2:RebootInstances 0.1 ec2:CreateTags 0.2 cloudformation:CreateChangeSet 0.2",
    "security": "guardduty:ListDetectors 1 guardduty:ListFindings 4 guardduty:GetFindings 4 guardduty:GetFindingsStatistics 2 "
                "securityhub:GetFindings 4 cloudtrail:LookupEvents 3 cloudtrail:DescribeTrails 1 cloudtrail:GetTrailStatus 1 "
                "cloudtrail:GetEventSelectors 1 iam:ListUsers 2 iam:ListRoles 2 iam:GetAccountPasswordPolicy 1 "
                "iam:ListMFADevices 1 iam:ListAccessKeys 2 iam:GetAccountSummary 1 s3:GetBucketPolicy 2 "
                "s3:GetBucketPublicAccessBlock 2 s3:GetBucketPolicyStatus 1 s3:GetBucketAcl 1 ec2:DescribeSecurityGroups 3 "
                "ec2:DescribeInstances 2 kms:ListKeys 1 kms:GetKeyRotationStatus 1 kms:GetKeyPolicy 1",
    "data": "athena:StartQueryExecution 3 athena:GetQueryExecution 6 athena:GetQueryResults 5 athena:ListWorkGroups 1 "
            "glue:GetDatabases 1 glue:GetTables 2 glue:GetTable 3 glue:GetPartitions 1 s3:ListBuckets 1 "
            "s3:GetBucketLocation 2 logs:FilterLogEvents 1 dynamodb:DescribeTable 1 monitoring:GetMetricData 1",
    "finance": "ce:GetCostAndUsage 5 ce:GetCostForecast 2 organizations:ListAccounts 2 organizations:DescribeOrganization 1 "
               "health:DescribeEvents 1",
    "automation": "sts:GetCallerIdentity 3 iam:GetRole 5 iam:ListAttachedRolePolicies 3 iam:ListRolePolicies 3 iam:GetPolicy 3 "
                  "iam:GetPolicyVersion 3 s3:GetBucketPolicy 2 s3:GetBucketAcl 1 s3:GetBucketVersioning 1 "
                  "s3:GetBucketEncryption 1 s3:GetBucketTagging 1 s3:GetBucketPublicAccessBlock 1 ec2:DescribeVpcs 2 "
                  "ec2:DescribeSubnets 2 ec2:DescribeSecurityGroups 3 organizations:DescribeOrganization 1 kms:DescribeKey 1 "
                  "kms:GetKeyPolicy 1 kms:GetKeyRotationStatus 1 iam:TagRole 0.2 iam:PutRolePolicy 0.1 ec2:CreateTags 0.2",
    "config": "ec2:DescribeInstances 3 ec2:DescribeSecurityGroups 3 ec2:DescribeVolumes 2 ec2:DescribeNetworkInterfaces 2 "
              "ec2:DescribeVpcs 1 ec2:DescribeSubnets 1 s3:GetBucketAcl 2 s3:GetBucketPolicy 2 s3:GetBucketVersioning 1 "
              "s3:GetBucketEncryption 1 s3:GetBucketPublicAccessBlock 1 s3:GetBucketTagging 1 kms:DescribeKey 1 "
              "kms:GetKeyRotationStatus 1 lambda:GetFunction20150331v2 1 lambda:GetPolicy20150331v2 1 rds:DescribeDBInstances 1",
}
BASE_CALLS = {"admin": 90, "developer": 110, "security": 75, "data": 60, "finance": 18}
CONSOLE_AGENTS = ("AWS Internal", "console.amazonaws.com")
SSM_AGENT = "aws-sdk-go/1.54.6 (go1.22.5; linux; amd64) amazon-ssm-agent/3.3.987.0"
APP_AGENTS = {"app": "aws-sdk-java/2.28.16 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/standard",
              "web": "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
              "other": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.109-118.189.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/ssm.get-parameter"}
LAMBDA_AGENT = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"
APP_CALLS = "kms:Decrypt 5 secretsmanager:GetSecretValue 3 ssm:GetParameter 3 ssm:GetParameters 1 sts:GetCallerIdentity 1 ecr:GetAuthorizationToken 1 logs:CreateLogStream 1"
LAMBDA_CALLS = "dynamodb:DescribeTable 2 ssm:GetParameter 3 secretsmanager:GetSecretValue 2 sts:GetCallerIdentity 1 kms:Decrypt 2"
CI_STEPS = ("ecr:GetAuthorizationToken", "ecr:PutImage", "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
            "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet", "cloudformation:DescribeStacks",
            "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks",
            "lambda:UpdateFunctionCode20150331v2", "ecs:RegisterTaskDefinition", "ecs:UpdateService",
            "ecs:DescribeServices", "ecs:DescribeServices", "ecs:DescribeServices")


def weights(spec: str) -> tuple[list, list[float]]:
    """Parse ``"svc:Name weight ..."`` into (apis, cumulative weights) for ``random.choices``."""
    parts = spec.split()
    apis, cum, total = [], [], 0.0
    for key, w in zip(parts[::2], parts[1::2]):
        total += float(w)
        apis.append(CATALOGUE[key])
        cum.append(total)
    return apis, cum


PROFILES = {name: weights(spec) for name, spec in _PROFILES.items()}
APP_MIX, LAMBDA_MIX = weights(APP_CALLS), weights(LAMBDA_CALLS)


class Context:
    """What every background function needs for one account and day."""

    def __init__(self, org, account, day_index: int, scale: float, variants: dict, *,
                 steady=frozenset(), owned=frozenset()) -> None:
        self.org, self.account, self.day_index, self.scale = org, account, day_index, scale
        self.day = org.day(day_index)
        self.t0 = ids.epoch(self.day)
        self.variants = variants          # region -> api key -> [Variant]
        self.steady, self.owned = steady, owned
        self.seed = org.seed

    def pick(self, region: str, key: str, r) -> Variant | None:
        vs = self.variants[region].get(key)
        return vs[int(r.random() * len(vs))] if vs else None

    def rng(self, *parts):
        return ids.rng(self.seed, *parts)


def _pick(vs: list | None, rnd) -> Variant | None:
    """One of the variants ``vs`` (None if there are none), drawn with ``rnd()`` as :meth:`Context.pick` does."""
    return vs[int(rnd() * len(vs))] if vs else None


def run_calls(rec: Recorder, cx: Context, r, mix, n: int, start: float, end: float, regions: tuple[str, ...],
              home: str, callers: list[Caller], *, error_rate: float = 0.012) -> list[str]:
    """``n`` calls drawn from ``mix`` in bursts between ``start`` and ``end``; returns their eventIDs."""
    done: list[str] = []
    if n <= 0:
        return done
    apis, cum = mix
    bursts = [r.uniform(start, end) for _ in range(1 + n // 12)]
    other = len(regions) > 1
    rnd, call, variants = r.random, rec.call, cx.variants  # the same draws as cx.pick, inlined: a hot loop
    for a in r.choices(apis, cum_weights=cum, k=n):
        t = int(bursts[int(rnd() * len(bursts))] + rnd() * 900)
        region = r.choice(regions) if other and rnd() < 0.2 else home
        caller = callers[int(rnd() * len(callers))]
        denied = rnd() < error_rate
        vs = variants[region].get(a.key)
        v = vs[int(rnd() * len(vs))] if vs else None
        eid = call(t, a, region, caller, v, error="denied") if denied else call(t, a, region, caller, v)
        if eid:
            done.append(eid)
    return done


def people(rec: Recorder, cx: Context) -> None:
    """SSO and IAM-user sessions of every person with access to the account."""
    acct = cx.account
    keys = sorted({s.person for s in acct.sso} | {u.person for u in acct.users if u.person})
    for key in keys:
        if (acct.id, key, cx.day_index) in cx.owned:
            continue
        for local in (cx.day_index - 1, cx.day_index, cx.day_index + 1):
            _person_day(rec, cx, cx.org.people[key], local)


def _person_day(rec: Recorder, cx: Context, person, local: int) -> None:
    """One person's working day ``local`` (their own calendar); keeps what falls in the UTC day."""
    acct, org = cx.account, cx.org
    r = cx.rng("people", acct.id, person.key, local)
    date = org.day(local)
    steady = (acct.id, person.key) in cx.steady
    weekday = date.weekday() < 5
    if r.random() >= ((1.0 if weekday else 0.0) if steady else (0.8 if weekday else 0.06)):
        return
    start = ids.epoch(date) + (person.start_hour - person.utc_offset) * 3600 + r.uniform(-1200, 1200)
    end = start + person.hours * 3600 * (1.0 if weekday else 0.3)
    if end < cx.t0 or start >= cx.t0 + 86400:
        return
    ip = person.ips[0] if r.random() < 0.6 else r.choice(person.ips)
    sso = next((s for s in acct.sso if s.person == person.key), None)
    users = [u for u in acct.users if u.person == person.key]
    regions, home = org.regions, person.home_region
    mix = PROFILES[person.profile]
    base = BASE_CALLS[person.profile]

    def count() -> int:
        return r.randint(20, 35) if steady else max(2, int(base * cx.scale * r.uniform(0.6, 1.4)))

    console_user = next((u for u in users if u.console), None)
    if sso and (console_user is None or steady or r.random() < 0.7):
        login = int(start)
        created = ids.iso(login)
        ident = assumed_role(acct.id, sso.role_name, sso.role_id, person.email, ids.key_id(r, "ASIA"), created,
                             role_arn=sso.role_arn)
        arn = sso.session_arn(acct.id, person.email)
        console = Caller(ident, ip, person.browser, arn=arn, console=True, channel="console")
        rec.console_login(login, console, success=True, mfa_used=False)
        callers = [console, console.with_ua(CONSOLE_AGENTS[0]), console.with_ua(CONSOLE_AGENTS[1])]
        run_calls(rec, cx, r, mix, count(), start + 30, end, regions, home, callers)
        if r.random() < 0.4:
            cli_ident = assumed_role(acct.id, sso.role_name, sso.role_id, person.email, ids.key_id(r, "ASIA"),
                                     ids.iso(start + 3600), role_arn=sso.role_arn)
            run_calls(rec, cx, r, mix, count() // 3, start + 3600, end, regions, home,
                      [Caller(cli_ident, ip, person.cli, arn=arn)])
    elif console_user:
        login = int(start)
        if r.random() < 0.04:  # a genuine typo in the password
            rec.console_login(login - r.randint(15, 60), Caller(failed_login_user(acct.id, console_user), ip, person.browser),
                              success=False, mfa_used=False, message="Failed authentication")
        ident = iam_user(acct.id, console_user, key=ids.key_id(r, "ASIA"), created=ids.iso(login), mfa=console_user.mfa)
        console = Caller(ident, ip, person.browser, arn=console_user.arn, console=True, channel="console")
        rec.console_login(login, Caller(iam_user(acct.id, console_user, key=""), ip, person.browser),
                          success=True, mfa_used=console_user.mfa)
        run_calls(rec, cx, r, mix, count(), start + 30, end, regions, home,
                  [console, console.with_ua(CONSOLE_AGENTS[0])])
    for u in users:
        if u.access_key and (steady or r.random() < 0.7):
            caller = Caller(iam_user(acct.id, u), ip, person.cli, arn=u.arn)
            n = r.randint(6, 14) if steady else max(2, int(base * 0.4 * cx.scale * r.uniform(0.5, 1.5)))
            run_calls(rec, cx, r, mix, n, start, end, regions, home, [caller])


def service_users(rec: Recorder, cx: Context) -> None:
    """Access-key automation: Terraform plans from CI and a nightly on-prem backup job."""
    acct, org = cx.account, cx.org
    r = cx.rng("service-users", acct.id, cx.day_index)
    weekday = cx.day.weekday() < 5
    region = org.regions[0]
    for u in acct.users:
        if u.person or not u.access_key:
            continue
        caller = Caller(iam_user(acct.id, u), r.choice(u.ips), u.user_agent, arn=u.arn,
                        tls="1.2" if u.profile == "backup" else "1.3")
        if u.profile == "automation" and weekday:
            for _ in range(ids.scaled(r, 3 * cx.scale)):
                start = cx.t0 + r.uniform(8, 18) * 3600
                run_calls(rec, cx, r, PROFILES["automation"], r.randint(20, 40), start, start + 60,
                          (region,), region, [caller], error_rate=0.0)
        elif u.profile == "backup":
            t = cx.t0 + 5400 + r.randrange(0, 600)
            for reg in org.regions:
                steps = ["sts:GetCallerIdentity", "ec2:DescribeVolumes", "ec2:DescribeSnapshots"]
                steps += ["ec2:CreateSnapshot"] * max(1, ids.scaled(r, 3 * cx.scale))
                steps += ["ec2:DeleteSnapshot"] * max(1, ids.scaled(r, 2 * cx.scale))
                for key in steps:
                    t += r.randint(1, 20)
                    rec.call(t, key, reg, caller, cx.pick(reg, key, r))


def ci_deploys(rec: Recorder, cx: Context) -> None:
    """GitHub Actions deployments through a web-identity role (workload accounts only)."""
    acct, org = cx.account, cx.org
    if acct.index == 0 or cx.day.weekday() >= 5:
        return
    r = cx.rng("ci", acct.id, cx.day_index)
    region = org.regions[0]
    provider = f"arn:aws:iam::{acct.id}:oidc-provider/token.actions.githubusercontent.com"
    subject = "repo:example-corp/shop:ref:refs/heads/main"
    role, role_id = "github-actions-deploy", ids.principal_id(cx.rng("role", acct.id, "ci"), "AROA")
    role_arn = f"arn:aws:iam::{acct.id}:role/{role}"
    web_identity = dumps({"type": "WebIdentityUser", "principalId": f"{provider}:sts.amazonaws.com:{subject}",
                          "userName": subject, "identityProvider": provider})
    for _ in range(ids.scaled(r, 4 * cx.scale)):
        t = int(cx.t0 + r.uniform(8, 20) * 3600)
        ip = r.choice(org.ci_ips)
        web_user = Caller(web_identity, ip, "aws-sdk-nodejs/2.1691.0 linux/v20.17.0 configure-aws-credentials-for-github-actions promise")
        session = f"GitHubActions-{r.randrange(10**9, 10**10)}"
        key = ids.key_id(r, "ASIA")
        rec.call(t, "sts:AssumeRoleWithWebIdentity", region, web_user,
                 rp=dumps({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}),
                 re=assume_role_response(acct.id, role, role_id, session, key, expiration(t + 3600)),
                 res=resources((acct.id, "AWS::IAM::Role", role_arn)))
        ident = assumed_role(acct.id, role, role_id, session, key, ids.iso(t), web_provider=provider)
        caller = Caller(ident, ip, "aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1017-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe",
                        arn=ident["arn"])
        for key in CI_STEPS:
            t += r.randint(5, 90)
            rec.call(t, key, region, caller, cx.pick(region, key, r))


def workloads(rec: Recorder, cx: Context, site) -> None:
    """Instance profiles, SSM agents, Lambda functions, AWS Config and AWS-internal KMS use."""
    acct, t0, region = cx.account, cx.t0, site.region
    r = cx.rng("workloads", acct.id, region, cx.day_index)
    rnd, variants = r.random, cx.variants[region]  # cx.pick inlined in the hot loops below
    ec2_service = Caller(aws_service("ec2.amazonaws.com"), "ec2.amazonaws.com", "ec2.amazonaws.com", tls=None, channel="service")
    nat_ip = next(i.public_ip for i in site.instances if i.role == "nat")
    for inst in site.instances:
        if inst.role == "nat":
            continue
        sessions = _sessions(rec, cx, r, region, ec2_service, inst.profile_role, inst.profile_role_id,
                             inst.instance_id, 4, ec2=True)
        encoded = [(dumps(ident), ident["arn"]) for _, ident in sessions]
        agent = [Caller(text, inst.private_ip, SSM_AGENT, arn=arn, vpce=site.vpce_id) for text, arn in encoded]
        app_ip = inst.public_ip or nat_ip
        app = [Caller(text, app_ip, APP_AGENTS.get(inst.role, APP_AGENTS["other"]), arn=arn) for text, arn in encoded]
        period = 86400 / len(sessions)
        heartbeat = "ssm:UpdateInstanceInformation"
        for key, per_day in ((heartbeat, 96), ("ssm:ListInstanceAssociations", 24)):
            a = CATALOGUE[key]
            v = next((x for x in variants.get(key, ()) if inst.instance_id in x.rp), None)
            rec.calls(region, [(t, a, agent[int((t - t0) // period)], v)
                               for t in ids.spread(r, ids.scaled(r, per_day * cx.scale), t0, t0 + 86400)])
        times = ids.spread(r, ids.scaled(r, {"app": 70, "web": 30}.get(inst.role, 8) * cx.scale), t0, t0 + 86400)
        rec.calls(region, [(t, a, app[int((t - t0) // period)], _pick(variants.get(a.key), rnd))
                           for t, a in zip(times, r.choices(APP_MIX[0], cum_weights=APP_MIX[1], k=len(times)))])
    lam_service = Caller(aws_service("lambda.amazonaws.com"), "lambda.amazonaws.com", "lambda.amazonaws.com", tls=None, channel="service")
    for fn in site.lambdas:
        sessions = _sessions(rec, cx, r, region, lam_service, fn.role_name, fn.role_id, fn.name, 8,
                             compact=fn.compact_creation)
        callers = [Caller(ident, r.choice(site.lambda_ips), LAMBDA_AGENT, arn=ident["arn"]) for _, ident in sessions]
        period = 86400 / len(sessions)
        for (created, _), c in zip(sessions, callers):
            rec.call(max(created, t0) + 2, "logs:CreateLogStream", region, c, cx.pick(region, "logs:CreateLogStream", r))
        times = ids.spread(r, ids.scaled(r, 60 * cx.scale), t0, t0 + 86400)
        rec.calls(region, [(t, a, callers[int((t - t0) // period)], _pick(variants.get(a.key), rnd))
                           for t, a in zip(times, r.choices(LAMBDA_MIX[0], cum_weights=LAMBDA_MIX[1], k=len(times)))])
    internal = Caller(aws_service("AWS Internal"), "AWS Internal", "AWS Internal", tls=None, channel="service")
    for t in ids.spread(r, max(1, ids.scaled(r, 40 * cx.scale)), t0, t0 + 86400):
        key = "kms:GenerateDataKey" if r.random() < 0.6 else "kms:Decrypt"
        rec.call(t, key, region, internal, cx.pick(region, key, r))
    _config_recorder(rec, cx, r, site)


def _sessions(rec, cx, r, region, service_caller, role, role_id, session, per_day, *, ec2=False, compact=False):
    """Credential sessions of a role over the day, each issued by an AWSService AssumeRole call."""
    n = max(1, round(per_day * cx.scale)) if cx.scale < 1 else per_day
    period = 86400 / n
    role_arn = f"arn:aws:iam::{cx.account.id}:role/{role}"
    out = []
    for k in range(n):
        created = int(cx.t0 + k * period - r.randrange(60, 1800))
        key = ids.key_id(r, "ASIA")
        ident = assumed_role(cx.account.id, role, role_id, session, key,
                             ids.compact(created) if compact else ids.iso(created), ec2=ec2)
        rec.call(created, "sts:AssumeRole", region, service_caller,
                 rp=dumps({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": int(period) + 1800}),
                 re=assume_role_response(cx.account.id, role, role_id, session, key, expiration(created + period + 1800)),
                 res=resources((cx.account.id, "AWS::IAM::Role", role_arn)))
        out.append((created, ident))
    return out


def _config_recorder(rec: Recorder, cx: Context, r, site) -> None:
    """AWS Config's service-linked role describing resources in a few bursts a day."""
    acct, region = cx.account, site.region
    role = "AWSServiceRoleForConfig"
    role_id = ids.principal_id(cx.rng("role", acct.id, role), "AROA")
    arn = f"arn:aws:iam::{acct.id}:role/aws-service-role/config.amazonaws.com/{role}"
    for t in ids.spread(r, max(1, ids.scaled(r, 4 * cx.scale)), cx.t0, cx.t0 + 86400):
        ident = assumed_role(acct.id, role, role_id, "AWSConfig-Describe", ids.key_id(r, "ASIA"), ids.iso(t - 5),
                             role_arn=arn, invoked_by="config.amazonaws.com")
        caller = Caller(ident, "config.amazonaws.com", "config.amazonaws.com", arn=ident["arn"], tls=None, channel="service")
        run_calls(rec, cx, r, PROFILES["config"], r.randint(15, 30), t, t + 60, (region,), region, [caller], error_rate=0.0)


def platform(rec: Recorder, cx: Context) -> None:
    """Rare events AWS makes itself: Support/Trusted Advisor calls as root, KMS key rotation."""
    acct = cx.account
    r = cx.rng("platform", acct.id)          # one plan for the whole window, independent of scale
    plan = [(r.randrange(cx.org.days), r.uniform(1, 23)) for _ in range(2)]
    rotate = {reg: (r.randrange(cx.org.days), r.uniform(0, 24)) for reg in cx.org.regions}
    for n, (day, hour) in enumerate(plan):
        if day == cx.day_index:
            svc = ("support.amazonaws.com", "trustedadvisor.amazonaws.com")[n % 2]
            key = ("support:DescribeTrustedAdvisorChecks", "support:DescribeTrustedAdvisorCheckSummaries")[n % 2]
            caller = Caller(root(acct.id, invoked_by=svc), svc, svc, tls=None, channel="service")
            rec.call(int(cx.t0 + hour * 3600), key, "us-east-1", caller, cx.pick(cx.org.regions[0], key, r))
    for reg, (day, hour) in rotate.items():
        if day == cx.day_index:
            caller = Caller(aws_service("AWS Internal", account=acct.id), "AWS Internal", "AWS Internal", tls=None, channel="service")
            keyid = cx.account.sites[reg].kms_keys[0]
            rec.call(int(cx.t0 + hour * 3600), "kms:RotateKey", reg, caller, cx.pick(reg, "kms:RotateKey", r),
                     event_type="AwsServiceEvent", request_id=False,
                     after_account=',"serviceEventDetails":' + dumps({"keyId": keyid}))


def showcase(rec: Recorder, cx: Context) -> None:
    """Ordinary events that make sure rare quirks exist at any scale (on the second day).

    In the first account, a password typo followed by a login whose eventType is spelt
    ``AwsConsoleSignin`` (as in one AWS documentation example); in the first account
    where someone with an IPv6 address has SSO access, a console session from IPv6.
    """
    org, acct = cx.org, cx.account
    if cx.day_index != min(1, org.days - 1):
        return
    r = cx.rng("showcase", acct.id)
    v6_account = next((a for a in org.accounts for s in a.sso
                       if any(":" in ip for ip in org.people[s.person].ips)), None)
    if acct is v6_account:
        _ipv6_session(rec, cx, r)
    if acct.index != 0:
        return
    user = next(u for u in acct.users if u.console and u.person)
    person = org.people[user.person]
    t = int(cx.t0 + ((person.start_hour + 1.5 - person.utc_offset) % 24) * 3600)
    rec.console_login(t - 40, Caller(failed_login_user(acct.id, user), person.ips[0], person.browser),
                      success=False, mfa_used=False, message="Failed authentication")
    rec.console_login(t, Caller(iam_user(acct.id, user, key=""), person.ips[0], person.browser),
                      success=True, mfa_used=user.mfa, event_type="AwsConsoleSignin")
    ident = iam_user(acct.id, user, key=ids.key_id(r, "ASIA"), created=ids.iso(t), mfa=user.mfa)
    console = Caller(ident, person.ips[0], person.browser, arn=user.arn, console=True, channel="console")
    for key in ("ec2:DescribeInstances", "monitoring:DescribeAlarms", "iam:GetAccountSummary"):
        t += r.randint(5, 40)
        rec.call(t, key, person.home_region, console, cx.pick(person.home_region, key, r), version="1.09")


def _ipv6_session(rec: Recorder, cx: Context, r) -> None:
    acct = cx.account
    s = next(s for s in acct.sso if any(":" in ip for ip in cx.org.people[s.person].ips))
    p = cx.org.people[s.person]
    t = int(cx.t0 + ((p.start_hour + 2 - p.utc_offset) % 24) * 3600)
    ident = assumed_role(acct.id, s.role_name, s.role_id, p.email, ids.key_id(r, "ASIA"), ids.iso(t), role_arn=s.role_arn)
    ip = next(ip for ip in p.ips if ":" in ip)
    c = Caller(ident, ip, p.browser, arn=s.session_arn(acct.id, p.email), console=True, channel="console")
    rec.console_login(t, c, success=True, mfa_used=False)
    for key in ("cloudformation:DescribeStacks", "ec2:DescribeInstances"):
        t += r.randint(5, 40)
        rec.call(t, key, p.home_region, c, cx.pick(p.home_region, key, r), version="1.11")
