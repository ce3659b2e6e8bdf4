"""GuardDuty findings and their exports.

A :class:`Finding` is built once and exported several times: GuardDuty exports a new
finding within minutes and re-exports it whenever it is updated (every six hours by
default), each time with a later ``updatedAt``, ``service.eventLastSeen`` and a higher
``service.count``.  Readers must de-duplicate by ``id`` keeping the latest export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench import context

from . import ids

UPDATE_PERIOD = 6 * 3600
PORT_NAMES = {21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 53: "DNS", 80: "HTTP", 443: "HTTPS", 445: "SMB",
              1433: "MSSQL", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5900: "VNC", 6379: "Redis", 8080: "HTTP"}


@dataclass
class Finding:
    account: str
    region: str
    id: str
    body: dict
    exports: list[tuple[int, int, int]] = field(default_factory=list)  # (export time, count, last seen)

    def render(self, export: tuple[int, int, int]) -> dict:
        """The finding as exported at ``export``: a shallow copy with the moving fields set."""
        t, count, last = export
        d = dict(self.body)
        svc = dict(d["service"])
        svc["eventLastSeen"] = ids.iso_ms(last)
        svc["count"] = count
        d["service"] = svc
        d["updatedAt"] = ids.iso_ms(max(last, t - 240) + 0.317)
        return d


def remote_ip(org, ip: str) -> dict:
    """``remoteIpDetails`` for an address: its country and network owner as the shipped data has them
    (so GuardDuty's view and the workbench's agree, as they mostly do on real findings), else invented
    but stable per address."""
    country, _code, asn, org_name = org.geo.get(ip, ("United States", "US", "16509", "Example ISP"))
    known = context.addresses.default().lookup(ip)
    if known.country_name and known.asn:
        country, asn, org_name = known.country_name, str(known.asn), known.org or org_name
    return {"ipAddressV4": ip, "organization": {"asn": asn, "asnOrg": org_name.upper(), "isp": org_name, "org": org_name},
            "country": {"countryName": country}, "city": {"cityName": ""},
            "geoLocation": {"lat": round(20 + (sum(map(ord, ip)) % 400) / 10, 4), "lon": round(-30 + (sum(map(ord, ip)) % 900) / 10, 4)}}


def instance_resource(account, site, inst, *, image: str = "ami-0a3c3a20c09d6f377") -> dict:
    """``resource`` of an EC2 instance finding, with its network interface."""
    domain = "ec2.internal" if site.region == "us-east-1" else f"{site.region}.compute.internal"
    dns = f"ip-{inst.private_ip.replace('.', '-')}.{domain}"
    iface = {"ipv6Addresses": [], "networkInterfaceId": inst.eni,
             "privateDnsName": dns, "privateIpAddress": inst.private_ip,
             "privateIpAddresses": [{"privateDnsName": dns, "privateIpAddress": inst.private_ip}],
             "publicDnsName": "", "publicIp": inst.public_ip or "",
             "securityGroups": [{"groupId": "sg-0" + inst.eni[-16:], "groupName": f"{inst.role}-sg"}],
             "subnetId": inst.subnet, "vpcId": site.vpc_id}
    return {"resourceType": "Instance", "instanceDetails": {
        "availabilityZone": inst.az, "imageDescription": "Amazon Linux 2023 AMI", "imageId": image,
        "instanceId": inst.instance_id, "instanceState": "running", "instanceType": "m6i.large",
        "launchTime": "2026-09-14T08:21:07.000Z", "networkInterfaces": [iface], "platform": None, "productCodes": [],
        "iamInstanceProfile": {"arn": f"arn:aws:iam::{account.id}:instance-profile/{inst.profile_role}",
                               "id": "AIPA" + inst.eni[-16:].upper()},
        "tags": [{"key": "Name", "value": f"{account.name}-{inst.role}"}]}}


def access_key_resource(key: str, principal: str, user: str, user_type: str = "IAMUser") -> dict:
    return {"resourceType": "AccessKey", "accessKeyDetails": {
        "accessKeyId": key, "principalId": principal, "userName": user, "userType": user_type}}


def new_finding(org, account, region: str, r, *, type_: str, severity: float, resource: dict, action: dict,
                role: str, first: int, created: int, title: str, description: str, feature: str,
                additional: dict | None = None) -> Finding:
    """A finding; add exports with :func:`schedule` or by appending to ``exports``."""
    site = account.sites[region]
    fid = ids.hex_id(r, 32)
    body = {
        "schemaVersion": "2.0", "accountId": account.id, "region": region, "partition": "aws", "id": fid,
        "arn": f"arn:aws:guardduty:{region}:{account.id}:detector/{site.detector_id}/finding/{fid}",
        "type": type_, "resource": resource,
        "service": {"serviceName": "guardduty", "detectorId": site.detector_id, "action": action,
                    "resourceRole": role, "additionalInfo": additional or {"value": "{}", "type": "default"},
                    "featureName": feature, "eventFirstSeen": ids.iso_ms(first), "eventLastSeen": ids.iso_ms(first),
                    "archived": False, "count": 1},
        "severity": severity, "createdAt": ids.iso_ms(created + 0.115), "updatedAt": ids.iso_ms(created + 0.115),
        "title": title, "description": description}
    return Finding(account.id, region, fid, body)


def schedule(f: Finding, r, created: int, until: int, end: int, *, per_update: tuple[int, int] = (1, 6)) -> None:
    """Export at creation (+5 min) and at every 6-hour update boundary while activity lasts."""
    count, last = 1, created
    f.exports.append((created + 300, count, created))
    t = (created // UPDATE_PERIOD + 1) * UPDATE_PERIOD + 420
    while t <= min(until, end):
        count += r.randint(*per_update)
        last = t - r.randrange(60, 3600)
        f.exports.append((t, count, last))
        t += UPDATE_PERIOD * r.randint(1, 2)


def background(org, account, region: str) -> list[Finding]:
    """Routine low-severity findings of one account and region over the whole window."""
    r = ids.rng(org.seed, "guardduty", account.id, region)
    site = account.sites[region]
    t0, end = ids.epoch(org.start), ids.epoch(org.start) + org.days * 86400
    exposed = site.by_role("bastion") or site.by_role("web")
    inst = exposed[0]
    port = inst.open_ports[-1] if inst.role == "web" else 22
    probers = [ip for ip, ports in org.noise if port in ports] or [ip for ip, _ in org.noise[:3]]
    out = [_port_probe(org, account, region, r, site, inst, port, probers, t0, end)]
    if site.by_role("bastion") and r.random() < 0.6:
        out.append(_ssh_bruteforce(org, account, region, r, site, inst, probers[-1], t0, end))
    if region == org.regions[0] and account.index > 0:
        out.append(_public_access_disabled(org, account, region, r, t0))
    if account.index == 0 and region == org.regions[0]:
        out.append(_sample_finding(org, account, region, r, t0))
    return out


def _port_probe(org, account, region, r, site, inst, port, probers, t0, end) -> Finding:
    """An exposed instance's open port probed by known scanners."""
    created = t0 + r.randrange(2 * 3600, min(org.days, 2) * 86400 - 3600)
    details = [{"localPortDetails": {"port": port, "portName": PORT_NAMES.get(port, "Unknown")},
                "localIpDetails": {"ipAddressV4": inst.private_ip}, "remoteIpDetails": remote_ip(org, ip)}
               for ip in probers[:3]]
    f = new_finding(org, account, region, r, type_="Recon:EC2/PortProbeUnprotectedPort", severity=2, role="TARGET",
                    resource=instance_resource(account, site, inst),
                    action={"actionType": "PORT_PROBE", "portProbeAction": {"portProbeDetails": details, "blocked": False}},
                    first=created - 1800, created=created, feature="FlowLogs",
                    title=f"Unprotected port on EC2 instance {inst.instance_id} is being probed.",
                    description=f"EC2 instance has an unprotected port {port} which is being probed by a known malicious host.")
    schedule(f, r, created, end - 3600, end)
    return f


def _ssh_bruteforce(org, account, region, r, site, inst, ip, t0, end) -> Finding:
    """A bastion's SSH guessed at by a known scanner."""
    created = t0 + r.randrange(86400, max(org.days, 2) * 86400 - 3600)
    f = new_finding(org, account, region, r, type_="UnauthorizedAccess:EC2/SSHBruteForce", severity=2.0, role="TARGET",
                    resource=instance_resource(account, site, inst),
                    action={"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
                        "connectionDirection": "INBOUND", "protocol": "TCP", "blocked": False,
                        "localPortDetails": {"port": 22, "portName": "SSH"},
                        "remotePortDetails": {"port": 32768 + r.randrange(20000), "portName": "Unknown"},
                        "remoteIpDetails": remote_ip(org, ip)}},
                    first=created - 900, created=created, feature="FlowLogs",
                    title=f"{ip} is performing SSH brute force attacks against {inst.instance_id}.",
                    description=(f"{ip} is performing SSH brute force attacks against {inst.instance_id}. Brute force "
                                 "attacks are used to gain unauthorized access to your instance by guessing the SSH password."))
    schedule(f, r, created, created + 8 * 3600, end)
    return f


def _public_access_disabled(org, account, region, r, t0) -> Finding:
    """An admin turning S3 Block Public Access off on a bucket (routine, and worth a look)."""
    sso = next(s for s in account.sso if s.profile == "admin")
    person = org.people[sso.person]
    bucket = account.buckets[0]
    created = t0 + r.randrange(3600, org.days * 86400 - 7200)
    f = new_finding(org, account, region, r, type_="Policy:IAMUser/S3BlockPublicAccessDisabled", severity=2, role="TARGET",
                    resource={**access_key_resource(ids.key_id(r, "ASIA"), f"{sso.role_id}:{person.email}",
                                                    sso.role_name, "AssumedRole"),
                              "s3BucketDetails": [{"name": bucket, "type": "Destination",
                                                   "arn": f"arn:aws:s3:::{bucket}", "createdAt": "2025-03-02T10:11:12.000Z"}]},
                    action={"actionType": "AWS_API_CALL", "awsApiCallAction": {
                        "api": "PutBucketPublicAccessBlock", "callerType": "Remote IP", "serviceName": "s3.amazonaws.com",
                        "remoteIpDetails": {"ipAddressV4": person.ips[0], "organization": {"asn": "64496", "asnOrg": "EXAMPLE-CORP", "isp": "Example Corp", "org": "Example Corp"},
                                            "country": {"countryName": "Germany" if person.office == "berlin" else "United States"}},
                        "affectedResources": {}}},
                    first=created - 60, created=created, feature="CloudTrail",
                    title=f"Amazon S3 Block Public Access was disabled for S3 bucket {bucket}.",
                    description=f"Amazon S3 Block Public Access was disabled for S3 bucket {bucket} by {sso.role_name}. "
                                "If this behavior is not expected, it may indicate a configuration mistake or that your "
                                "credentials are compromised.")
    f.exports.append((created + 300, 1, created))
    return f


def _sample_finding(org, account, region, r, t0) -> Finding:
    """What ``CreateSampleFindings`` produces: high severity, ``additionalInfo.sample = true``."""
    created = t0 + 9 * 3600 + r.randrange(3600)
    site = account.sites[region]
    resource = instance_resource(account, site, site.instances[0], image="ami-99999999")
    details = resource["instanceDetails"]
    details["instanceId"] = "i-99999999"
    details["networkInterfaces"] = [dict(details["networkInterfaces"][0], networkInterfaceId="eni-bfcffe88",
                                         privateIpAddress="10.0.0.1", publicIp="198.51.100.0")]
    f = new_finding(org, account, region, r, type_="Backdoor:EC2/C&CActivity.B!DNS", severity=8, role="ACTOR",
                    resource=resource,
                    action={"actionType": "DNS_REQUEST", "dnsRequestAction": {
                        "domain": "GeneratedFindingDomainName", "protocol": "UDP", "blocked": True}},
                    first=created, created=created, feature="DnsLogs",
                    additional={"threatListName": "GeneratedFindingCustomerListName", "sample": True,
                                "value": '{"threatListName":"GeneratedFindingCustomerListName","sample":true}',
                                "type": "default"},
                    title="Command and Control server domain name queried by EC2 instance i-99999999.",
                    description="EC2 instance i-99999999 is querying a domain name associated with a known Command & Control server.")
    f.exports.append((created + 300, 1, created))
    return f


def _ms(ts: float) -> int:
    """Epoch milliseconds, as GuardDuty's signals carry their times."""
    return round(ts * 1000)


def signal(*, uid: str, kind: str, name: str, description: str, first: float, last: float, count: int,
           severity: float, actor_ids: list[str], endpoint_ids: list[str], resource_uids: list[str],
           indicators: dict[str, list[str]]) -> dict:
    """One signal of an attack sequence (``service.detection.sequence.signals[]``)."""
    return {"uid": uid, "type": kind, "name": name, "description": description,
            "createdAt": _ms(first), "updatedAt": _ms(last), "firstSeenAt": _ms(first), "lastSeenAt": _ms(last),
            "count": count, "severity": severity, "actorIds": actor_ids, "endpointIds": endpoint_ids,
            "resourceUids": resource_uids,
            "signalIndicators": [{"key": k, "values": v, "title": k.replace("_", " ").title()}
                                 for k, v in indicators.items()]}


def attack_sequence(org, account, region: str, r, *, type_: str, severity: float, user, key: str, ip: str,
                    signals: list[dict], indicators: dict[str, list[str]], created: int, title: str,
                    description: str) -> Finding:
    """An Extended Threat Detection finding: a sequence of signals by one actor from one endpoint.

    Its ``resource`` is only ``{"resourceType": "AttackSequence"}``; who and where are in
    ``service.detection.sequence`` (``actors``, ``endpoints``, ``resources``, ``signals``).
    """
    details = remote_ip(org, ip)   # the endpoint's place and owner as the finding's remoteIpDetails have them
    country, asn, org_name = details["country"]["countryName"], details["organization"]["asn"], \
        details["organization"]["org"]
    actor_id, endpoint_id = f"USER:{user.user_id}:{key}", f"IP:{ip}"
    sequence = {
        "uid": ids.hex_id(r, 32), "description": description,
        "actors": [{"id": actor_id, "user": {"name": user.name, "uid": user.user_id, "type": "IAMUser",
                                             "credentialUid": key, "account": {"uid": account.id}},
                    "session": {"mfaStatus": "DISABLED"}}],
        "endpoints": [{"id": endpoint_id, "ip": ip, "location": {"country": country, "city": "",
                                                                 "lat": details["geoLocation"]["lat"],
                                                                 "lon": details["geoLocation"]["lon"]},
                       "autonomousSystem": {"name": org_name, "number": int(asn)}}],
        "resources": [{"uid": key, "resourceType": "ACCESS_KEY", "accountId": account.id, "region": region,
                       "data": {"accessKey": {"principalId": user.user_id, "userName": user.name,
                                              "userType": "IAMUser"}}}],
        "signals": [dict(s, actorIds=[actor_id], endpointIds=[endpoint_id], resourceUids=[key]) for s in signals],
        "sequenceIndicators": [{"key": k, "values": v, "title": k.replace("_", " ").title()}
                               for k, v in indicators.items()],
    }
    first = min(s["firstSeenAt"] for s in signals) / 1000
    last = max(s["lastSeenAt"] for s in signals) / 1000
    f = new_finding(org, account, region, r, type_=type_, severity=severity, resource={"resourceType": "AttackSequence"},
                    action={}, role="TARGET", first=int(first), created=created, title=title,
                    description=description, feature="Correlation")
    del f.body["service"]["action"]
    f.body["service"]["detection"] = {"sequence": sequence}
    f.exports.append((created + 300, sum(s["count"] for s in signals), int(last)))
    return f
