"""Catalogue of the AWS API calls the generator emits, with request/response variants.

An :class:`Api` is the constant part of a CloudTrail record (event source, name,
readOnly, scope, event versions).  :func:`variants` returns, for one account, region and
day, a handful of pre-encoded ``(requestParameters, responseElements, resources,
additionalEventData, error)`` fragments per API, so the hot path only picks one.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass

from . import ids

VERSION_SETS = (("1.08",), ("1.08", "1.09"), ("1.09", "1.10"), ("1.10", "1.11"), ("1.09", "1.11"))
GLOBAL_SERVICES = {"iam", "organizations", "ce", "health", "support", "signin"}
EXCEPTION_STYLE = {"lambda", "logs", "ssm", "ecr", "ecs", "dynamodb", "athena", "glue", "ce"}

# service: read-only calls | write calls
_SPEC = {
    "ec2": ("DescribeInstances DescribeSecurityGroups DescribeVpcs DescribeSubnets DescribeVolumes "
            "DescribeNetworkInterfaces DescribeInstanceStatus DescribeRegions DescribeAvailabilityZones "
            "DescribeImages DescribeSnapshots DescribeTags DescribeAddresses DescribeKeyPairs DescribeLaunchTemplates",
            "StartInstances StopInstances RebootInstances CreateTags CreateSnapshot DeleteSnapshot "
            "AuthorizeSecurityGroupIngress ModifyInstanceAttribute RunInstances"),
    "s3": ("ListBuckets GetBucketLocation GetBucketPolicy GetBucketAcl GetBucketVersioning GetBucketEncryption "
           "GetBucketPublicAccessBlock GetBucketPolicyStatus GetBucketTagging", "PutBucketTagging"),
    "iam": ("ListUsers ListRoles GetRole ListPolicies GetPolicy GetPolicyVersion ListAttachedRolePolicies "
            "ListAttachedUserPolicies GetUser ListAccessKeys ListGroups ListMFADevices GetAccountSummary "
            "GetAccountPasswordPolicy ListRolePolicies ListInstanceProfiles",
            "AttachRolePolicy PutRolePolicy TagRole CreatePolicyVersion CreateUser CreateAccessKey AttachUserPolicy"),
    "sts": ("GetCallerIdentity AssumeRole AssumeRoleWithWebIdentity", ""),
    "kms": ("Decrypt GenerateDataKey DescribeKey ListKeys ListAliases GetKeyPolicy GetKeyRotationStatus "
            "ListResourceTags", ""),
    "secretsmanager": ("ListSecrets DescribeSecret GetSecretValue GetResourcePolicy", ""),
    "ssm": ("ListInstanceAssociations GetParameter GetParameters GetParametersByPath DescribeParameters "
            "DescribeInstanceInformation", "UpdateInstanceInformation PutParameter"),
    "logs": ("DescribeLogGroups DescribeLogStreams FilterLogEvents GetLogEvents GetQueryResults",
             "CreateLogStream StartQuery PutRetentionPolicy"),
    "monitoring": ("DescribeAlarms GetMetricData ListMetrics", "PutMetricAlarm"),
    "lambda": ("ListFunctions20150331 GetFunction20150331v2 GetFunctionConfiguration20150331v2 "
               "ListEventSourceMappings20150331 ListVersionsByFunction20150331 GetPolicy20150331v2",
               "UpdateFunctionCode20150331v2 UpdateFunctionConfiguration20150331v2"),
    "cloudformation": ("DescribeStacks ListStacks DescribeStackEvents DescribeStackResources GetTemplate "
                       "DescribeChangeSet", "CreateChangeSet ExecuteChangeSet"),
    "ecr": ("GetAuthorizationToken DescribeRepositories DescribeImages", "PutImage"),
    "ecs": ("ListClusters DescribeClusters DescribeServices ListTasks DescribeTasks",
            "UpdateService RegisterTaskDefinition"),
    "dynamodb": ("ListTables DescribeTable DescribeContinuousBackups DescribeTimeToLive", ""),
    "rds": ("DescribeDBInstances DescribeDBClusters DescribeDBSnapshots", ""),
    "guardduty": ("ListDetectors ListFindings GetFindings GetFindingsStatistics", ""),
    "securityhub": ("GetFindings", ""),
    "cloudtrail": ("LookupEvents DescribeTrails GetTrailStatus GetEventSelectors", ""),
    "athena": ("GetQueryExecution GetQueryResults ListWorkGroups", "StartQueryExecution"),
    "glue": ("GetDatabases GetTables GetTable GetPartitions", ""),
    "ce": ("GetCostAndUsage GetCostForecast", ""),
    "health": ("DescribeEvents DescribeEventAggregates", ""),
    "organizations": ("DescribeOrganization ListAccounts", ""),
    "support": ("DescribeTrustedAdvisorChecks DescribeTrustedAdvisorCheckSummaries", ""),
}


@dataclass(frozen=True, eq=False)
class Api:
    """The constant part of one API call's CloudTrail record.

    Compared and hashed by identity (each API has one instance, in :data:`CATALOGUE`),
    which keeps the renderer's template lookups cheap.
    """

    service: str
    name: str
    read_only: bool | None
    versions: tuple[str, ...]
    key: str = ""
    source: str = ""
    head: str = ""       # '"eventSource":"...","eventName":"..."'
    ro: str = ""         # ',"readOnly":true' / false / '' when the record has no readOnly
    is_global: bool = False  # global endpoint: delivered under us-east-1 with awsRegion us-east-1

    def __post_init__(self) -> None:
        source = f"{self.service}.amazonaws.com"
        object.__setattr__(self, "key", f"{self.service}:{self.name}")
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "head", f'"eventSource":"{source}","eventName":"{self.name}"')
        ro = "" if self.read_only is None else ',"readOnly":' + ("true" if self.read_only else "false")
        object.__setattr__(self, "ro", ro)
        object.__setattr__(self, "is_global", self.service in GLOBAL_SERVICES or
                           self.key in ("sts:GetCallerIdentity", "s3:ListBuckets"))

    @property
    def action(self) -> str:
        """IAM action name, e.g. ``lambda:GetFunction`` or ``cloudwatch:DescribeAlarms``."""
        name = self.name.split("2015")[0]
        return ("cloudwatch" if self.service == "monitoring" else self.service) + ":" + name

    @property
    def denied_code(self) -> str:
        if self.service == "ec2":
            return "Client.UnauthorizedOperation"
        return "AccessDeniedException" if self.service in EXCEPTION_STYLE else "AccessDenied"

    def host(self, region: str) -> str:
        if self.service == "signin":
            return "signin.aws.amazon.com"
        if self.service == "iam":
            return "iam.amazonaws.com"
        if self.is_global and self.service in ("sts", "s3"):
            return f"{self.service}.amazonaws.com"
        return f"{self.service}.{region}.amazonaws.com"


def _catalogue() -> dict[str, Api]:
    out = {}
    for service, (reads, writes) in _SPEC.items():
        for names, ro in ((reads, True), (writes, False)):
            for name in names.split():
                vs = VERSION_SETS[zlib.crc32(f"{service}:{name}".encode()) % len(VERSION_SETS)]
                out[f"{service}:{name}"] = Api(service, name, ro, vs)
    out["signin:ConsoleLogin"] = Api("signin", "ConsoleLogin", False, ("1.08", "1.09", "1.10"))
    out["kms:RotateKey"] = Api("kms", "RotateKey", None, ("1.08", "1.11"))
    return out


CATALOGUE = _catalogue()


def api(key: str) -> Api:
    """Look up ``"service:Name"``."""
    return CATALOGUE[key]


def dumps(obj) -> str:
    """Compact JSON, as AWS writes it."""
    return json.dumps(obj, separators=(",", ":"))


@dataclass(frozen=True, eq=False)
class Variant:
    """Pre-encoded request/response fragments of one call; hashed by identity, like :class:`Api`."""

    rp: str = "null"          # requestParameters
    re: str = "null"          # responseElements
    resources: str = ""       # ',"resources":[...]' or ''
    aed: str = ""             # ',"additionalEventData":{...}' or ''
    error: tuple[str, str] | None = None  # a benign error some calls return (NoSuchBucketPolicy)


def resources(*items: tuple[str, str, str]) -> str:
    """Encode ``(accountId, type, ARN)`` triples as a ``resources`` fragment."""
    return ',"resources":' + dumps([{"accountId": a, "type": t, "ARN": arn} for a, t, arn in items])


_STATIC: dict = {}


def variants(account, site, day_iso: str, seed) -> dict[str, list[Variant]]:
    """Request/response variants for every catalogue API in one account, region and day.

    Parameters
    ----------
    account : organisation.Account
    site : organisation.Site
    day_iso : str
        ``YYYY-MM-DD``: some parameters mention the day (log stream names, query ranges).
    seed : int or str
    """
    key = (seed, account.id, account.name, account.buckets, account.users, site)
    static = _STATIC.get(key)
    if static is None:
        static = _STATIC[key] = _static_variants(account, site, seed)
    out = dict(static)
    out.update(_daily_variants(account, site, day_iso, seed))
    return out


def _static_variants(account, site, seed) -> dict[str, list[Variant]]:
    r = ids.rng(seed, "variants", account.id, site.region)
    acct, region = account.id, site.region
    inst = [i.instance_id for i in site.instances if i.role != "nat"]
    fns = [f.name for f in site.lambdas]
    roles = [f.role_name for f in site.lambdas] + ["app-server-role", "bastion-role", "OrganizationAccountAccessRole"]
    users = [u.name for u in account.users]
    keys = [f"arn:aws:kms:{region}:{acct}:key/{k}" for k in site.kms_keys]
    stacks = ["network-baseline", f"{account.name}-app", "monitoring"]
    groups = [f"/aws/lambda/{f}" for f in fns] + ["/ecs/app", "/var/log/messages"]
    pol = [f"arn:aws:iam::{acct}:policy/{n}" for n in ("app-runtime", "ci-deploy", "read-logs")]
    sg = ["sg-0" + ids.hex_id(r, 16) for _ in range(3)]
    vols = ["vol-0" + ids.hex_id(r, 16) for _ in range(3)]
    snaps = ["snap-0" + ids.hex_id(r, 16) for _ in range(3)]
    tables = ["orders", "sessions", "feature-flags"]
    out: dict[str, list] = {}

    def put(key, *items):
        out[key] = [it if isinstance(it, Variant) else Variant(rp=dumps(it)) for it in items]

    def items(name, values):
        return {"items": [{name: v} for v in values]}

    empty_filter = {"filterSet": {}}
    put("ec2:DescribeInstances", {"instancesSet": {}, "filterSet": {}},
        *({"instancesSet": items("instanceId", [i]), "filterSet": {}} for i in inst[:3]),
        {"maxResults": 1000, "instancesSet": {}, "filterSet": {"items": [{"name": "instance-state-name",
                                                                         "valueSet": items("value", ["running"])}]}})
    put("ec2:DescribeSecurityGroups", {"securityGroupSet": {}, "securityGroupIdSet": {}, **empty_filter},
        {"securityGroupSet": {}, "securityGroupIdSet": items("groupId", sg[:2]), **empty_filter})
    put("ec2:DescribeVpcs", {"vpcSet": {}, **empty_filter})
    put("ec2:DescribeSubnets", {"subnetSet": {}, "filterSet": {"items": [{"name": "vpc-id", "valueSet": items("value", [site.vpc_id])}]}})
    put("ec2:DescribeVolumes", {"volumeSet": {}, **empty_filter}, {"volumeSet": items("volumeId", vols[:1]), **empty_filter})
    put("ec2:DescribeNetworkInterfaces", {"networkInterfaceIdSet": {}, **empty_filter})
    put("ec2:DescribeInstanceStatus", {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False})
    put("ec2:DescribeRegions", {"regionSet": {}}, {"regionSet": {}, "allRegions": True})
    put("ec2:DescribeAvailabilityZones", {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}})
    put("ec2:DescribeImages", {"executableBySet": {}, "imagesSet": {}, "ownersSet": items("owner", ["self"]), **empty_filter})
    put("ec2:DescribeSnapshots", {"snapshotSet": {}, "ownersSet": items("owner", ["self"]), "sharedUsersSet": {}, **empty_filter})
    put("ec2:DescribeTags", {"filterSet": {"items": [{"name": "resource-id", "valueSet": items("value", [inst[0]])}]}})
    put("ec2:DescribeAddresses", {"publicIpsSet": {}, "allocationIdsSet": {}, **empty_filter})
    put("ec2:DescribeKeyPairs", {"keySet": {}, "keyPairIdSet": {}, **empty_filter})
    put("ec2:DescribeLaunchTemplates", {"DescribeLaunchTemplatesRequest": {"MaxResults": 100}})
    state = {"StartInstances": ((0, "pending"), (80, "stopped")), "StopInstances": ((64, "stopping"), (16, "running")),
             "RebootInstances": None}
    for name, st in state.items():
        out[f"ec2:{name}"] = [Variant(
            rp=dumps({"instancesSet": items("instanceId", [i]), **({"force": False} if name == "StopInstances" else {})}),
            re="null" if st is None else dumps({"instancesSet": {"items": [{"instanceId": i, "currentState": {"code": st[0][0], "name": st[0][1]}, "previousState": {"code": st[1][0], "name": st[1][1]}}]}}))
            for i in inst[:3]]
    out["ec2:CreateTags"] = [Variant(rp=dumps({"resourcesSet": items("resourceId", [i]), "tagSet": {"items": [{"key": k, "value": v}]}}),
                                     re='{"_return":true}') for i, (k, v) in zip(inst, (("Owner", "platform"), ("CostCenter", "cc-1042"), ("Patch", "2026-11")))]
    out["ec2:CreateSnapshot"] = [Variant(rp=dumps({"volumeId": v, "description": "nightly backup"}),
                                         re=dumps({"snapshotId": s, "volumeId": v, "status": "pending", "ownerId": acct, "volumeSize": 100, "encrypted": True}))
                                 for v, s in zip(vols, snaps)]
    out["ec2:DeleteSnapshot"] = [Variant(rp=dumps({"snapshotId": s}), re='{"_return":true}') for s in snaps]
    out["ec2:AuthorizeSecurityGroupIngress"] = [Variant(
        rp=dumps({"groupId": sg[0], "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": p, "toPort": p, "ipRanges": items("cidrIp", [f"{site.cidr_prefix}.0.0/16"])}]}}),
        re=dumps({"_return": True, "securityGroupRuleSet": {"items": [{"groupId": sg[0], "securityGroupRuleId": "sgr-0" + ids.hex_id(r, 16), "isEgress": False, "ipProtocol": "tcp", "fromPort": p, "toPort": p}]}}))
        for p in (8080, 5432)]
    put("ec2:RunInstances", {"instancesSet": {"items": [{"imageId": "ami-0a3c3a20c09d6f377", "minCount": 1, "maxCount": 10}]},
                             "instanceType": "c5.4xlarge", "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                             "disableApiTermination": False, "disableApiStop": False, "clientToken": ids.uuid4(r)})
    put("ec2:ModifyInstanceAttribute", Variant(rp=dumps({"instanceId": inst[1], "instanceType": {"value": "m6i.large"}}), re='{"_return":true}'))

    for name, sub in (("GetBucketLocation", "location"), ("GetBucketPolicy", "policy"), ("GetBucketAcl", "acl"),
                      ("GetBucketVersioning", "versioning"), ("GetBucketEncryption", "encryption"),
                      ("GetBucketPublicAccessBlock", "publicAccessBlock"), ("GetBucketPolicyStatus", "policyStatus"),
                      ("GetBucketTagging", "tagging"), ("PutBucketTagging", "tagging")):
        vs = []
        for n, b in enumerate(account.buckets):
            err = None
            if name == "GetBucketPolicy" and n % 2:
                err = ("NoSuchBucketPolicy", "The bucket policy does not exist")
            elif name == "GetBucketTagging" and n == 0:
                err = ("NoSuchTagSet", "The TagSet does not exist")
            vs.append(Variant(rp=dumps({"bucketName": b, "Host": f"{b}.s3.{region}.amazonaws.com", sub: ""}),
                              resources=resources((acct, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")),
                              aed=_s3_extra(r), error=err))
        out[f"s3:{name}"] = vs
    out["s3:ListBuckets"] = [Variant(rp='{"Host":"s3.amazonaws.com"}', aed=_s3_extra(r)) for _ in range(2)]

    put("iam:ListUsers", None, {"maxItems": 100})
    put("iam:ListRoles", None, {"maxItems": 1000}, {"pathPrefix": "/aws-reserved/"})
    put("iam:ListPolicies", {"scope": "Local", "onlyAttached": False}, {"scope": "All", "maxItems": 100})
    put("iam:ListGroups", None)
    put("iam:ListInstanceProfiles", None)
    put("iam:GetAccountSummary", None)
    put("iam:GetAccountPasswordPolicy", None)
    for name in ("GetRole", "ListAttachedRolePolicies", "ListRolePolicies"):
        put(f"iam:{name}", *({"roleName": x} for x in roles))
    for name in ("GetUser", "ListAccessKeys", "ListMFADevices", "ListAttachedUserPolicies"):
        put(f"iam:{name}", *({"userName": x} for x in users))
    put("iam:GetPolicy", *({"policyArn": p} for p in pol))
    put("iam:GetPolicyVersion", *({"policyArn": p, "versionId": f"v{n + 2}"} for n, p in enumerate(pol)))
    put("iam:AttachRolePolicy", *({"roleName": x, "policyArn": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"} for x in roles[:2]))
    put("iam:PutRolePolicy", *({"roleName": x, "policyName": "inline-logs", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"*"}]}'} for x in roles[:2]))
    put("iam:TagRole", *({"roleName": x, "tags": [{"key": "team", "value": "platform"}]} for x in roles[:3]))
    out["iam:CreatePolicyVersion"] = [Variant(rp=dumps({"policyArn": p, "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}', "setAsDefault": True}),
                                              re=dumps({"policyVersion": {"versionId": "v4", "isDefaultVersion": True, "createDate": "Nov 1, 2026, 9:12:40 AM"}})) for p in pol]

    put("sts:GetCallerIdentity", Variant())
    key_res = [resources((acct, "AWS::KMS::Key", k)) for k in keys]
    out["kms:Decrypt"] = [Variant(rp=dumps(p), resources=key_res[n % 2]) for n, p in enumerate((
        {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:lambda:FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fns[0]}"}},
        {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"SecretARN": f"arn:aws:secretsmanager:{region}:{acct}:secret:{site.secrets[0]}-{ids.alnum(r, 6, ids.MIXED_ALNUM)}", "SecretVersionId": ids.uuid4(r)}},
        {"keyId": keys[0], "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:ebs:id": vols[0]}}))]
    out["kms:GenerateDataKey"] = [Variant(rp=dumps({"keyId": keys[n % 2], "keySpec": "AES_256", "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{b}"}}),
                                          resources=key_res[n % 2]) for n, b in enumerate(account.buckets[:3])]
    for name in ("DescribeKey", "GetKeyRotationStatus", "ListResourceTags"):
        out[f"kms:{name}"] = [Variant(rp=dumps({"keyId": k}), resources=kr) for k, kr in zip(keys, key_res)]
    out["kms:GetKeyPolicy"] = [Variant(rp=dumps({"keyId": k, "policyName": "default"}), resources=kr) for k, kr in zip(keys, key_res)]
    put("kms:ListKeys", None, {"limit": 1000})
    put("kms:ListAliases", None, {"limit": 100})
    out["kms:RotateKey"] = [Variant(rp="null", resources=kr) for kr in key_res]

    secret_arns = [f"arn:aws:secretsmanager:{region}:{acct}:secret:{s}-{ids.alnum(r, 6, ids.MIXED_ALNUM)}" for s in site.secrets]
    put("secretsmanager:ListSecrets", None, {"maxResults": 100}, {"includePlannedDeletion": False})
    put("secretsmanager:DescribeSecret", *({"secretId": s} for s in secret_arns))
    put("secretsmanager:GetResourcePolicy", *({"secretId": s} for s in site.secrets))
    put("secretsmanager:GetSecretValue", *({"secretId": s} for s in secret_arns + list(site.secrets[:1])))

    params = ["/app/db-host", "/app/feature-flags", f"/{account.name}/app/log-level"]
    put("ssm:GetParameter", *({"name": p, "withDecryption": n == 0} for n, p in enumerate(params)))
    put("ssm:GetParameters", {"names": params[:2], "withDecryption": True})
    put("ssm:GetParametersByPath", {"path": "/app/", "recursive": True, "withDecryption": True})
    put("ssm:DescribeParameters", None, {"maxResults": 50})
    put("ssm:DescribeInstanceInformation", {"maxResults": 50}, {"filters": [{"key": "PingStatus", "values": ["Online"]}]})
    put("ssm:PutParameter", {"name": params[2], "type": "String", "overwrite": True, "tier": "Standard"})
    put("ssm:ListInstanceAssociations", *({"instanceId": i, "maxResults": 20} for i in inst))
    put("ssm:UpdateInstanceInformation", *({"instanceId": i, "agentVersion": "3.3.987.0", "agentStatus": "Active", "platformType": "Linux"} for i in inst))

    put("logs:DescribeLogGroups", None, {"logGroupNamePrefix": "/aws/lambda/"}, {"limit": 50})
    put("logs:DescribeLogStreams", *({"logGroupName": g, "orderBy": "LastEventTime", "descending": True} for g in groups))
    put("logs:GetLogEvents", *({"logGroupName": g, "logStreamName": "app/" + ids.hex_id(r, 32), "startFromHead": False} for g in groups[2:]))
    put("logs:PutRetentionPolicy", *({"logGroupName": g, "retentionInDays": 30} for g in groups[:2]))

    put("monitoring:DescribeAlarms", {"maxRecords": 100}, {"alarmNamePrefix": f"{account.name}-", "stateValue": "ALARM"})
    put("monitoring:ListMetrics", {"namespace": "AWS/EC2"}, {"namespace": "AWS/Lambda", "metricName": "Errors"})
    put("monitoring:PutMetricAlarm", {"alarmName": f"{account.name}-api-5xx", "metricName": "5XXError", "namespace": "AWS/ApiGateway", "statistic": "Sum", "period": 300, "evaluationPeriods": 1, "threshold": 5.0, "comparisonOperator": "GreaterThanThreshold"})

    for name in ("GetFunction20150331v2", "GetFunctionConfiguration20150331v2", "ListEventSourceMappings20150331",
                 "ListVersionsByFunction20150331", "GetPolicy20150331v2"):
        put(f"lambda:{name}", *({"functionName": f} for f in fns))
    put("lambda:ListFunctions20150331", None, {"maxItems": "50"})
    out["lambda:UpdateFunctionCode20150331v2"] = [Variant(
        rp=dumps({"functionName": f, "s3Bucket": account.buckets[0], "s3Key": f"lambda/{f}/build-{ids.hex_id(r, 7)}.zip", "publish": False, "dryRun": False}),
        re=dumps({"functionName": f, "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{f}", "runtime": "python3.12", "codeSize": r.randint(20000, 900000), "lastUpdateStatus": "InProgress"}))
        for f in fns]
    put("lambda:UpdateFunctionConfiguration20150331v2", *({"functionName": f, "timeout": 30, "memorySize": 512} for f in fns))

    stack_arns = [f"arn:aws:cloudformation:{region}:{acct}:stack/{s}/{ids.uuid4(r)}" for s in stacks]
    put("cloudformation:DescribeStacks", None, *({"stackName": s} for s in stacks))
    put("cloudformation:ListStacks", {"stackStatusFilter": ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]})
    for name in ("DescribeStackEvents", "DescribeStackResources"):
        put(f"cloudformation:{name}", *({"stackName": s} for s in stack_arns))
    put("cloudformation:GetTemplate", *({"stackName": s, "templateStage": "Original"} for s in stacks))
    cs = f"arn:aws:cloudformation:{region}:{acct}:changeSet/deploy-{ids.hex_id(r, 8)}/{ids.uuid4(r)}"
    out["cloudformation:CreateChangeSet"] = [Variant(rp=dumps({"stackName": stacks[1], "changeSetName": cs.split("/")[1], "changeSetType": "UPDATE", "capabilities": ["CAPABILITY_NAMED_IAM"]}),
                                                     re=dumps({"id": cs, "stackId": stack_arns[1]}))]
    put("cloudformation:DescribeChangeSet", {"changeSetName": cs, "stackName": stacks[1]})
    put("cloudformation:ExecuteChangeSet", {"changeSetName": cs, "stackName": stacks[1]})

    put("ecr:GetAuthorizationToken", None, {"registryIds": [acct]})
    put("ecr:DescribeRepositories", None, {"repositoryNames": ["shop-api"]})
    put("ecr:DescribeImages", {"repositoryName": "shop-api", "imageIds": [{"imageTag": "latest"}]})
    put("ecr:PutImage", {"repositoryName": "shop-api", "imageTag": f"build-{ids.hex_id(r, 7)}", "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"})
    cluster = f"arn:aws:ecs:{region}:{acct}:cluster/{account.name}"
    put("ecs:ListClusters", None)
    put("ecs:DescribeClusters", {"clusters": [cluster], "include": ["TAGS"]})
    put("ecs:DescribeServices", {"cluster": cluster, "services": ["shop-api", "worker"]})
    put("ecs:ListTasks", {"cluster": cluster, "serviceName": "shop-api"})
    put("ecs:DescribeTasks", {"cluster": cluster, "tasks": [f"arn:aws:ecs:{region}:{acct}:task/{account.name}/{ids.hex_id(r, 32)}"]})
    put("ecs:UpdateService", {"cluster": cluster, "service": "shop-api", "forceNewDeployment": True})
    put("ecs:RegisterTaskDefinition", {"family": "shop-api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024"})
    put("dynamodb:ListTables", None, {"limit": 100})
    for name in ("DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"):
        put(f"dynamodb:{name}", *({"tableName": t} for t in tables))
    put("rds:DescribeDBInstances", None, {"dBInstanceIdentifier": f"{account.name}-orders"})
    put("rds:DescribeDBClusters", None)
    put("rds:DescribeDBSnapshots", {"dBInstanceIdentifier": f"{account.name}-orders", "snapshotType": "automated"})
    put("guardduty:ListDetectors", None)
    put("guardduty:ListFindings", {"detectorId": site.detector_id, "findingCriteria": {"criterion": {"service.archived": {"eq": ["false"]}}}, "maxResults": 50})
    put("guardduty:GetFindings", {"detectorId": site.detector_id, "findingIds": [ids.hex_id(r, 32) for _ in range(3)]})
    put("guardduty:GetFindingsStatistics", {"detectorId": site.detector_id, "findingStatisticTypes": ["COUNT_BY_SEVERITY"]})
    put("securityhub:GetFindings", {"filters": {"RecordState": [{"value": "ACTIVE", "comparison": "EQUALS"}]}, "maxResults": 100})
    put("cloudtrail:LookupEvents", {"lookupAttributes": [{"attributeKey": "EventName", "attributeValue": "ConsoleLogin"}], "maxResults": 50}, {"maxResults": 50})
    put("cloudtrail:DescribeTrails", {"includeShadowTrails": True})
    put("cloudtrail:GetTrailStatus", {"name": "org-trail"})
    put("cloudtrail:GetEventSelectors", {"trailName": "org-trail"})
    qe = ids.uuid4(r)
    out["athena:StartQueryExecution"] = [Variant(rp=dumps({"queryString": "SELECT order_date, count(*) FROM orders GROUP BY 1 ORDER BY 1 DESC LIMIT 30", "workGroup": "primary", "queryExecutionContext": {"database": "analytics"}}),
                                                 re=dumps({"queryExecutionId": qe}))]
    put("athena:GetQueryExecution", {"queryExecutionId": qe})
    put("athena:GetQueryResults", {"queryExecutionId": qe, "maxResults": 1000})
    put("athena:ListWorkGroups", None)
    put("glue:GetDatabases", None)
    put("glue:GetTables", {"databaseName": "analytics"})
    put("glue:GetTable", *({"databaseName": "analytics", "name": t} for t in ("orders", "customers", "events")))
    put("glue:GetPartitions", {"databaseName": "analytics", "tableName": "events", "maxResults": 1000})
    put("health:DescribeEvents", {"filter": {"eventStatusCodes": ["open", "upcoming"]}, "locale": "en"})
    put("health:DescribeEventAggregates", {"aggregateField": "eventTypeCategory", "filter": {"eventStatusCodes": ["open"]}})
    put("organizations:DescribeOrganization", None)
    put("organizations:ListAccounts", None, {"maxResults": 20})
    put("support:DescribeTrustedAdvisorChecks", {"language": "en"})
    put("support:DescribeTrustedAdvisorCheckSummaries", {"checkIds": ["Pfx0RwqBli", "Qch7DwouX1", "HCP4007jGY"]})
    return out


def _daily_variants(account, site, day_iso: str, seed) -> dict[str, list[Variant]]:
    """The variants whose parameters mention the day."""
    r = ids.rng(seed, "variants", account.id, site.region, day_iso)
    d0 = day_iso
    inst = [i.instance_id for i in site.instances if i.role != "nat"]
    groups = [f"/aws/lambda/{f.name}" for f in site.lambdas] + ["/ecs/app", "/var/log/messages"]
    out: dict[str, list] = {}

    def put(key, *items):
        out[key] = [it if isinstance(it, Variant) else Variant(rp=dumps(it)) for it in items]

    ms = ids.epoch(dt.date.fromisoformat(d0)) * 1000
    put("logs:CreateLogStream", *({"logGroupName": g, "logStreamName": f"{d0.replace('-', '/')}/[$LATEST]{ids.hex_id(r, 32)}"} for g in groups[:2]))
    put("logs:FilterLogEvents", *({"logGroupName": g, "startTime": ms, "endTime": ms + 3600000, "filterPattern": "ERROR", "interleaved": True} for g in groups[:3]))
    qid = ids.uuid4(r)
    out["logs:StartQuery"] = [Variant(rp=dumps({"logGroupNames": groups[:2], "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 50",
                                                "startTime": ms // 1000, "endTime": ms // 1000 + 3600}), re=dumps({"queryId": qid}))]
    put("logs:GetQueryResults", {"queryId": qid})
    put("monitoring:GetMetricData", {"metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization", "dimensions": [{"name": "InstanceId", "value": inst[0]}]}, "period": 300, "stat": "Average"}}], "startTime": f"{d0}T00:00:00Z", "endTime": f"{d0}T12:00:00Z"})
    day = dt.date.fromisoformat(d0)
    last_month = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
    put("ce:GetCostAndUsage", {"timePeriod": {"start": last_month, "end": d0}, "granularity": "DAILY", "metrics": ["UnblendedCost"]})
    put("ce:GetCostForecast", {"timePeriod": {"start": d0, "end": f"{day.year}-12-31"}, "metric": "UNBLENDED_COST", "granularity": "MONTHLY"})
    return out


def _s3_extra(r) -> str:
    return ',"additionalEventData":' + dumps({
        "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
        "AuthenticationMethod": "AuthHeader", "x-amz-id-2": ids.alnum(r, 56, ids.MIXED_ALNUM) + "=",
        "bytesTransferredOut": r.randint(100, 900)})
