"""Files that live beside CloudTrail events but are not events.

Digest files (hourly integrity chains), CloudTrail Insights events and an AWS Config
snapshot.  They share the ``AWSLogs/`` tree with the event files, so a reader that
globs ``AWSLogs/**/*.json.gz`` instead of following the key template picks them up:
the generator writes them precisely so that mistake shows.
"""

from __future__ import annotations

import hashlib

from . import digest_signer, ids

DIGEST_OFFSET = 17 * 60 + 23   # digests close at HH:17:23 (their own cadence, not the hour)


def digest(org, account, region: str, start: int, end: int, files: list[dict], previous: dict | None,
           bucket: str, key: str, r) -> dict:
    """A CloudTrail digest document covering log files delivered in ``(start, end]``.

    ``files`` items have ``key``, ``sha256``, ``oldest`` and ``newest`` (epoch seconds).
    ``previous`` is ``{"key", "sha256", "signature"}`` of the previous digest or None.
    """
    doc = {
        "awsAccountId": account.id,
        "digestStartTime": ids.iso(start), "digestEndTime": ids.iso(end),
        "digestS3Bucket": bucket, "digestS3Object": key,
        "digestPublicKeyFingerprint": digest_signer.key_fingerprint(),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": ids.iso(max(f["newest"] for f in files)) if files else None,
        "oldestEventTime": ids.iso(min(f["oldest"] for f in files)) if files else None,
        "previousDigestS3Bucket": bucket if previous else None,
        "previousDigestS3Object": previous["key"] if previous else None,
        "previousDigestHashValue": previous["sha256"] if previous else None,
        "previousDigestHashAlgorithm": "SHA-256" if previous else None,
        "previousDigestSignature": previous["signature"] if previous else None,
        "logFiles": [{"s3Bucket": bucket, "s3Object": f["key"], "hashValue": f["sha256"], "hashAlgorithm": "SHA-256",
                      "newestEventTime": ids.iso(f["newest"]), "oldestEventTime": ids.iso(f["oldest"])}
                     for f in files],
    }
    return doc


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def insight_pair(org, account, region: str, r, *, source: str, name: str, start: int, minutes: int,
                 baseline: float, peak: float, arn: str, user_agent: str,
                 kind: str = "ApiCallRateInsight") -> list[tuple[int, dict]]:
    """Start and End Insights events (``eventType`` AwsCloudTrailInsight, no userIdentity)."""
    shared = ids.uuid4(r)
    out = []
    for state, t in (("Start", start), ("End", start + minutes * 60)):
        stats = {"baseline": {"average": baseline}, "insight": {"average": peak}}
        if state == "End":
            stats.update({"insightDuration": minutes, "baselineDuration": 10080 - minutes})
        rec = {
            "eventVersion": "1.08", "eventTime": ids.iso(t), "awsRegion": region, "eventID": ids.uuid4(r),
            "eventType": "AwsCloudTrailInsight", "recipientAccountId": account.id, "sharedEventID": shared,
            "insightDetails": {
                "state": state, "eventSource": source, "eventName": name, "insightType": kind,
                "insightContext": {"statistics": stats, "attributions": [
                    {"attribute": "userIdentityArn", "insight": [{"value": arn, "average": peak}],
                     "baseline": [{"value": arn, "average": baseline}]},
                    {"attribute": "userAgent", "insight": [{"value": user_agent, "average": peak}],
                     "baseline": [{"value": user_agent, "average": baseline}]},
                    {"attribute": "errorCode", "insight": [{"value": "null", "average": peak}],
                     "baseline": [{"value": "null", "average": baseline}]}]}},
            "eventCategory": "Insight"}
        out.append((t, rec))
    return out


def config_snapshot(org, account, region: str, t: int, r) -> dict:
    """An AWS Config configuration snapshot with a few configuration items."""
    site = account.sites[region]
    items = []
    for inst in site.instances:
        if inst.role == "nat":
            continue
        items.append({
            "configurationItemVersion": "1.3", "configurationItemCaptureTime": ids.iso_ms(t - 3600),
            "configurationStateId": r.randrange(10**12, 10**13), "awsAccountId": account.id,
            "configurationItemStatus": "OK", "resourceType": "AWS::EC2::Instance", "resourceId": inst.instance_id,
            "ARN": f"arn:aws:ec2:{region}:{account.id}:instance/{inst.instance_id}", "awsRegion": region,
            "availabilityZone": inst.az, "tags": {"Name": f"{account.name}-{inst.role}"},
            "relatedEvents": [], "relationships": [
                {"resourceId": inst.eni, "resourceType": "AWS::EC2::NetworkInterface", "name": "Contains NetworkInterface"},
                {"resourceId": site.vpc_id, "resourceType": "AWS::EC2::VPC", "name": "Is contained in Vpc"}],
            "configuration": {"instanceId": inst.instance_id, "instanceType": "m6i.large",
                              "privateIpAddress": inst.private_ip, "publicIpAddress": inst.public_ip,
                              "state": {"code": 16, "name": "running"}, "subnetId": inst.subnet, "vpcId": site.vpc_id}})
    for bucket in account.buckets:
        items.append({
            "configurationItemVersion": "1.3", "configurationItemCaptureTime": ids.iso_ms(t - 7200),
            "configurationStateId": r.randrange(10**12, 10**13), "awsAccountId": account.id,
            "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket", "resourceId": bucket,
            "resourceName": bucket, "ARN": f"arn:aws:s3:::{bucket}", "awsRegion": region, "tags": {},
            "relatedEvents": [], "relationships": [],
            "configuration": {"name": bucket, "owner": {"id": ids.hex_id(r, 64)}, "creationDate": "2025-03-02T10:11:12.000Z"},
            "supplementaryConfiguration": {"PublicAccessBlockConfiguration": {
                "blockPublicAcls": True, "ignorePublicAcls": True, "blockPublicPolicy": True, "restrictPublicBuckets": True}}})
    return {"fileVersion": "1.0", "configSnapshotId": ids.uuid4(r), "configurationItems": items}
