"""Tests of the sample generator (workbench.sample): layout, determinism, quirks, ground truth."""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.sample import generate

ORG = r"o-[a-z0-9]{10,32}"
ACCT = r"\d{12}"
REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
DAY = r"(\d{4})/(\d{2})/(\d{2})"
LAYOUTS = {
    "cloudtrail": re.compile(rf"^AWSLogs/(?:{ORG}/)?(?P<acct>{ACCT})/CloudTrail/(?P<region>{REGION})/{DAY}/"
                             rf"(?P=acct)_CloudTrail_(?P=region)_(?P<stamp>\d{{8}})T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$"),
    "digest": re.compile(rf"^AWSLogs/(?:{ORG}/)?(?P<acct>{ACCT})/CloudTrail-Digest/(?P<region>{REGION})/{DAY}/"
                         rf"(?P=acct)_CloudTrail-Digest_(?P=region)_[\w-]+_us-east-1_\d{{8}}T\d{{6}}Z\.json\.gz$"),
    # a digest's signature, which S3 keeps as the object's metadata, beside the digest
    "digest signature": re.compile(rf"^AWSLogs/(?:{ORG}/)?(?P<acct>{ACCT})/CloudTrail-Digest/(?P<region>{REGION})/"
                                   rf"{DAY}/(?P=acct)_CloudTrail-Digest_(?P=region)_[\w-]+_us-east-1_\d{{8}}T\d{{6}}Z"
                                   r"\.json\.gz\.s3-metadata\.json$"),
    "insight": re.compile(rf"^AWSLogs/(?:{ORG}/)?(?P<acct>{ACCT})/CloudTrail-Insight/(?P<region>{REGION})/{DAY}/"
                          rf"(?P=acct)_CloudTrail-Insight_(?P=region)_\d{{8}}T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$"),
    "config": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/Config/(?:(?P<region>{REGION})/\d{{4}}/\d{{1,2}}/\d{{1,2}}/"
                         rf"ConfigSnapshot/(?P=acct)_Config_(?P=region)_ConfigSnapshot_\d{{8}}T\d{{6}}Z_[0-9a-f-]{{36}}\.json\.gz"
                         rf"|ConfigWritabilityCheckFile)$"),
    "vpcflow": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/vpcflowlogs/(?P<region>{REGION})/{DAY}/(?P=acct)_vpcflowlogs_"
                          rf"(?P=region)_fl-[0-9a-f]{{17}}_(?P<stamp>\d{{8}})T\d{{4}}Z_[0-9a-f]{{8}}\.log\.gz$"),
    "guardduty": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/GuardDuty/(?P<region>{REGION})/{DAY}/"
                            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.jsonl\.gz$"),
    # AWS's documented ALB name: <acct>_elasticloadbalancing_<region>_app.<name>.<id>_<end>_<node ip>_<random>
    "alb": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/elasticloadbalancing/(?P<region>{REGION})/{DAY}/(?P=acct)_"
                      rf"elasticloadbalancing_(?P=region)_app\.shop-web\.[0-9a-f]{{16}}_(?P<stamp>\d{{8}})T\d{{4}}Z_"
                      r"10\.\d+\.\d+\.\d+_[a-z0-9]{8}\.log\.gz$"),
    # ALB connection logs: conn_log_ before the access log's name
    "alb_connections": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/elasticloadbalancing/(?P<region>{REGION})/{DAY}/"
                                  rf"conn_log_(?P=acct)_elasticloadbalancing_(?P=region)_app\.shop-web\.[0-9a-f]{{16}}_"
                                  r"\d{8}T\d{4}Z_10\.\d+\.\d+\.\d+_[a-z0-9]{8}\.log\.gz$"),
    # NLB's: net.<name>.<id>, no node address in the name
    "nlb": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/elasticloadbalancing/(?P<region>{REGION})/{DAY}/(?P=acct)_"
                      rf"elasticloadbalancing_(?P=region)_net\.partner-tls\.[0-9a-f]{{16}}_\d{{8}}T\d{{4}}Z_"
                      r"[a-z0-9]{8}\.log\.gz$"),
    # CLB's: the name itself, not compressed
    "clb": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/elasticloadbalancing/(?P<region>{REGION})/{DAY}/(?P=acct)_"
                      rf"elasticloadbalancing_(?P=region)_legacy-reports_\d{{8}}T\d{{2}}(?:00|59)Z_"
                      r"10\.\d+\.\d+\.\d+_[a-z0-9]{8}\.log$"),
    # CloudFront's (standard logging v2, partitioned {DistributionId}/{yyyy}/{MM}/{dd}/{HH}): no region
    "cloudfront": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/CloudFront/(?P<dist>E[A-Z0-9]{{13}})/{DAY}/(?P<h>\d{{2}})/"
                             r"(?P=dist)\.\d{4}-\d{2}-\d{2}-(?P=h)\.[A-Z0-9]{8}\.gz$"),
    # S3 server access logs' date-partitioned prefix: <target prefix><acct>/<region>/<bucket>/yyyy/mm/dd/<time>-<id>
    "s3access": re.compile(rf"^s3-access-logs/(?P<acct>{ACCT})/(?P<region>{REGION})/(?P<bucket>[a-z0-9.-]{{3,63}})/"
                           rf"{DAY}/(?P<y2>\d{{4}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})-\d{{2}}-\d{{2}}-\d{{2}}-[0-9A-F]{{16}}$"),
    # Route 53 Resolver's: vpcdnsquerylogs/<vpc>/yyyy/mm/dd/<vpc>_vpcdnsquerylogs_<acct>_<yyyymmddThhmmZ>_<hash>
    "resolver": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/vpcdnsquerylogs/(?P<vpc>vpc-[0-9a-f]{{17}})/{DAY}/"
                           r"(?P=vpc)_vpcdnsquerylogs_(?P=acct)_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$"),
    # WAF's: WAFLogs/<region>/<web ACL>/yyyy/mm/dd/HH/mm/<acct>_waflogs_<region>_<web ACL>_<yyyymmddThhmmZ>_<hash>
    "waf": re.compile(rf"^AWSLogs/(?P<acct>{ACCT})/WAFLogs/(?P<region>{REGION})/(?P<acl>[\w-]+)/{DAY}/(?P<h>\d{{2}})/"
                      rf"(?P<m>\d{{2}})/(?P=acct)_waflogs_(?P=region)_(?P=acl)_\d{{8}}T(?P=h)(?P=m)Z_[0-9a-f]{{8}}\.log\.gz$"),
}
V2_HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def _keys(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _kind(key: str) -> str | None:
    return next((k for k, rx in LAYOUTS.items() if rx.match(key)), None)


def _hashes(root: Path) -> dict[str, str]:
    return {k: hashlib.sha256((root / k).read_bytes()).hexdigest() for k in _keys(root)}


class Sample:
    """A generated tree, parsed once."""

    def __init__(self, root: Path, doc: dict) -> None:
        self.root, self.doc = root, doc
        self.keys = _keys(root)
        self.records: list[tuple[str, dict]] = []       # (key, record) of CloudTrail event files
        self.flows: list[tuple[str, list[str], list[dict]]] = []  # (key, header, rows)
        self.findings: list[tuple[str, dict]] = []
        for key in self.keys:
            kind = _kind(key)
            if kind == "cloudtrail":
                body = json.loads(gzip.decompress((root / key).read_bytes()))
                assert list(body) == ["Records"], key
                self.records += [(key, r) for r in body["Records"]]
            elif kind == "vpcflow":
                lines = gzip.decompress((root / key).read_bytes()).decode().splitlines()
                header = lines[0].split(" ")
                self.flows.append((key, header, [dict(zip(header, ln.split(" "))) for ln in lines[1:]]))
            elif kind == "guardduty":
                for line in gzip.decompress((root / key).read_bytes()).decode().splitlines():
                    self.findings.append((key, json.loads(line)))
        self.by_id = collections.Counter(r["eventID"] for _, r in self.records)
        self.scenarios = {s["id"]: s for s in doc["scenarios"]}

    def planted(self) -> set[str]:
        out = set()
        for s in self.doc["scenarios"]:
            out |= set(s["event_ids"]) | set(s.get("typo_event_ids", []))
        return out

    def flow_rows(self):
        for _, _, rows in self.flows:
            yield from rows


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Sample:
    root = tmp_path_factory.mktemp("sample")
    return Sample(root, generate(root, scale=0.1, workers=2))


@pytest.fixture(scope="module")
def small_scale(tmp_path_factory) -> Sample:
    """Smaller volume and no organisation: the planted scenarios must not change."""
    root = tmp_path_factory.mktemp("small")
    return Sample(root, generate(root, scale=0.05, org_id=None, workers=1))


# --- determinism ---------------------------------------------------------------------

def test_same_arguments_give_identical_bytes_whatever_the_workers(sample, tmp_path):
    doc = generate(tmp_path, scale=0.1, workers=1)
    assert doc == sample.doc
    assert _hashes(tmp_path) == _hashes(sample.root)


def test_output_does_not_depend_on_string_hashing(tmp_path):
    code = "import sys; from workbench.sample import generate; generate(sys.argv[1], days=2, scale=0.05, workers=1)"
    root = Path(__file__).resolve().parents[1]
    for n in ("1", "2"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / n)], check=True, cwd=root,
                       env={"PYTHONHASHSEED": n, "PATH": "/usr/bin:/bin"})
    assert _hashes(tmp_path / "1") == _hashes(tmp_path / "2")


def test_different_seed_gives_different_output(tmp_path):
    a = generate(tmp_path / "a", days=2, scale=0.05, seed=7)
    b = generate(tmp_path / "b", days=2, scale=0.05, seed=8)
    ha, hb = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    # the test key that signs digests is the same whatever the seed: its public half too
    ha.pop("cloudtrail-public-keys.json", None), hb.pop("cloudtrail-public-keys.json", None)
    empty = hashlib.sha256(b"").hexdigest()  # Config's writability check file has no content
    assert set(ha.values()).isdisjoint(set(hb.values()) - {empty})
    assert a["generator"]["accounts"] != b["generator"]["accounts"]
    assert a["generator"]["org_id"] != b["generator"]["org_id"]


def test_scenarios_do_not_depend_on_scale_or_organisation(sample, small_scale):
    assert sample.doc["scenarios"] == small_scale.doc["scenarios"]
    assert sample.doc["stats"]["cloudtrail_events"] > small_scale.doc["stats"]["cloudtrail_events"]
    for s in small_scale.doc["scenarios"]:
        assert all(small_scale.by_id[e] == 1 for e in s["event_ids"]), s["id"]


# --- layout --------------------------------------------------------------------------

def test_every_key_matches_the_aws_layout(sample):
    unknown = [k for k in sample.keys if k not in ("scenarios.json", "cloudtrail-public-keys.json") and _kind(k) is None]
    assert not unknown
    kinds = collections.Counter(_kind(k) for k in sample.keys)
    assert all(kinds[k] for k in LAYOUTS), kinds
    org_id = sample.doc["generator"]["org_id"]
    for key in sample.keys:
        m = LAYOUTS.get(_kind(key) or "")
        m = m.match(key) if m else None
        if m and _kind(key) in ("cloudtrail", "digest", "digest signature", "insight"):
            assert key.startswith(f"AWSLogs/{org_id}/{m['acct']}/")
        if m and _kind(key) == "cloudtrail":
            assert m["stamp"] == "".join(m.groups()[2:5])  # the name's date is the folder's date


def test_cloudtrail_files_hold_their_own_day_in_time_order(sample):
    by_file = collections.defaultdict(list)
    for key, r in sample.records:
        by_file[key].append(r)
    accounts = set(sample.doc["generator"]["accounts"])
    for key, recs in by_file.items():
        m = LAYOUTS["cloudtrail"].match(key)
        day = "-".join(m.groups()[2:5])
        times = [r["eventTime"] for r in recs]
        assert times == sorted(times)
        assert all(t.startswith(day + "T") and t.endswith("Z") for t in times)
        assert all(r["eventID"] and r["awsRegion"] == m["region"] for r in recs)
        assert {r["recipientAccountId"] for r in recs} == {m["acct"]} <= accounts
    assert max(sample.by_id.values()) == 1, "event ids are unique"


def test_global_events_are_delivered_under_us_east_1(sample):
    for key, r in sample.records:
        if r["eventSource"] in ("signin.amazonaws.com", "iam.amazonaws.com"):
            assert "/CloudTrail/us-east-1/" in key and r["awsRegion"] == "us-east-1"


def test_non_event_files_exist_and_are_not_events(sample):
    digests = [k for k in sample.keys if _kind(k) == "digest"]
    insights = [k for k in sample.keys if _kind(k) == "insight"]
    assert len(digests) >= 24 * 7 and insights
    doc = json.loads(gzip.decompress((sample.root / digests[len(digests) // 2]).read_bytes()))
    assert "Records" not in doc and {"digestStartTime", "digestEndTime", "digestS3Bucket", "logFiles"} <= set(doc)
    listed = 0
    for key in digests[::40]:
        doc = json.loads(gzip.decompress((sample.root / key).read_bytes()))
        for f in doc["logFiles"]:
            body = gzip.decompress((sample.root / f["s3Object"]).read_bytes())
            assert hashlib.sha256(body).hexdigest() == f["hashValue"]
            listed += 1
    assert listed
    for key in insights:
        recs = json.loads(gzip.decompress((sample.root / key).read_bytes()))["Records"]
        assert all(r["eventType"] == "AwsCloudTrailInsight" and "userIdentity" not in r for r in recs)
    assert any(k.endswith("ConfigWritabilityCheckFile") for k in sample.keys)


# --- quirks --------------------------------------------------------------------------

def test_format_quirks_are_present(sample):
    recs = [r for _, r in sample.records]
    found = collections.Counter()
    for r in recs:
        ui = r.get("userIdentity", {})
        attrs = ui.get("sessionContext", {}).get("attributes", {})
        aed = r.get("additionalEventData") or {}
        found[("MFAUsed", aed.get("MFAUsed"))] += 1
        found[("mfaAuthenticated", attrs.get("mfaAuthenticated"))] += 1
        found[("readOnly", type(r.get("readOnly")).__name__ if "readOnly" in r else "missing")] += 1
        found[("version", r["eventVersion"])] += 1
        for field in ("sessionCredentialFromConsole", "tlsDetails", "eventCategory", "callerContext", "vpcEndpointId"):
            found[(field, field in r)] += 1
        ctx = ui.get("sessionContext", {})
        found[("sessionIssuer{}", ctx.get("sessionIssuer") == {})] += "sessionIssuer" in ctx
        found[("webId{}", ctx.get("webIdFederationData") == {})] += "webIdFederationData" in ctx
        found[("compactCreation", bool(re.fullmatch(r"\d{8}T\d{6}Z", attrs.get("creationDate", ""))))] += 1
        found[("eventType", r["eventType"])] += 1
        ip = r["sourceIPAddress"]
        found[("ip", "AWS Internal" if ip == "AWS Internal" else "service" if ip.endswith(".amazonaws.com")
               else "ipv6" if ":" in ip else "ipv4")] += 1
        found[("resourcesKeys", tuple(sorted(r["resources"][0])) if r.get("resources") else None)] += 1
        found[("rp", type(r["requestParameters"]).__name__)] += 1
        found[("re", type(r["responseElements"]).__name__)] += 1
        found[("identityKeys", tuple(sorted(ui)))] += ui.get("type") in (None, "AWSService")
        found[("errorCode", r.get("errorCode"))] += 1
        found[("failedLoginNoArn", r["eventName"] == "ConsoleLogin" and r.get("errorMessage") == "Failed authentication"
               and ui.get("type") == "IAMUser" and "arn" not in ui)] += 1
    expected = [("MFAUsed", "Yes"), ("MFAUsed", "No"), ("mfaAuthenticated", "true"), ("mfaAuthenticated", "false"),
                ("readOnly", "bool"), ("readOnly", "missing"), ("version", "1.08"), ("version", "1.09"),
                ("version", "1.10"), ("version", "1.11"), ("sessionCredentialFromConsole", True), ("tlsDetails", True),
                ("tlsDetails", False), ("eventCategory", True), ("callerContext", True), ("vpcEndpointId", True),
                ("sessionIssuer{}", True), ("sessionIssuer{}", False), ("webId{}", True), ("webId{}", False),
                ("compactCreation", True), ("eventType", "AwsConsoleSignin"), ("eventType", "AwsConsoleSignIn"),
                ("eventType", "AwsServiceEvent"), ("eventType", "AwsApiCall"), ("ip", "AWS Internal"), ("ip", "service"),
                ("ip", "ipv6"), ("ip", "ipv4"), ("resourcesKeys", ("ARN", "accountId", "type")), ("rp", "NoneType"),
                ("rp", "dict"), ("re", "NoneType"), ("re", "dict"), ("identityKeys", ("invokedBy", "type")),
                ("identityKeys", ("accountId", "invokedBy")), ("errorCode", "AccessDenied"),
                ("errorCode", "Client.UnauthorizedOperation"), ("failedLoginNoArn", True)]
    missing = [e for e in expected if not found[e]]
    assert not missing


def test_root_activity_is_only_service_made_or_planted(sample):
    planted = set(sample.scenarios["root-console-login"]["event_ids"])
    service_made = 0
    for _, r in sample.records:
        ui = r["userIdentity"]
        if ui.get("type") != "Root":
            continue
        if r["eventID"] in planted:
            assert ui["arn"].endswith(":root") and r["awsRegion"] == "us-east-1"
            continue
        assert ui.get("invokedBy") and r["sourceIPAddress"] == ui["invokedBy"] and r["eventType"] == "AwsApiCall"
        service_made += 1
    assert service_made >= 1


def test_hidden_user_names_are_only_planted(sample):
    allowed = sample.planted()
    for _, r in sample.records:
        if "HIDDEN_DUE_TO_SECURITY_REASONS" in json.dumps(r):
            assert r["eventID"] in allowed
            assert r["userIdentity"]["userName"] == "HIDDEN_DUE_TO_SECURITY_REASONS"


# --- planted scenarios ---------------------------------------------------------------

def test_scenario_documents(sample):
    doc = sample.doc
    assert {"generator", "accounts", "scenarios"} <= set(doc)
    assert {"seed", "start", "days", "accounts", "regions", "org_id", "scale", "version"} <= set(doc["generator"])
    assert "us-east-1" in doc["generator"]["cloudtrail_regions"]
    assert [a["name"] for a in doc["accounts"]] == ["management", "production", "development"]
    assert {s["kind"] for s in doc["scenarios"]} == {"root_console_login", "hidden_user_bruteforce", "console_bruteforce",
                                                     "compromised_access_key", "port_scan", "anomalous_principal",
                                                     "web_injection", "credential_stuffing", "dns_beacon"}
    start = dt.date.fromisoformat(doc["generator"]["start"])
    for s in doc["scenarios"]:
        assert {"id", "kind", "account", "region", "description", "event_ids", "day"} <= set(s)
        assert start <= dt.date.fromisoformat(s["day"]) < start + dt.timedelta(days=doc["generator"]["days"])
        for e in s["event_ids"] + s.get("typo_event_ids", []):
            assert sample.by_id[e] == 1, (s["id"], e)


def _events(sample, ids):
    ids = set(ids)
    return [r for _, r in sample.records if r["eventID"] in ids]


def test_root_console_login(sample):
    s = sample.scenarios["root-console-login"]
    evs = sorted(_events(sample, s["event_ids"]), key=lambda r: r["eventTime"])
    logins = [r for r in evs if r["eventName"] == "ConsoleLogin"]
    fails = [r for r in logins if r["responseElements"]["ConsoleLogin"] == "Failure"]
    assert 2 <= len(fails) <= 3 and all(r["errorMessage"] == "Failed authentication" for r in fails)
    ok = [r for r in logins if r["responseElements"]["ConsoleLogin"] == "Success"]
    assert len(ok) == 1 and ok[0]["additionalEventData"]["MFAUsed"] == "No"
    assert 2 <= len(evs) - len(logins) <= 3
    assert all(r["userIdentity"]["type"] == "Root" and r["userIdentity"]["arn"] == s["principal_arn"] for r in evs)
    assert {r["sourceIPAddress"] for r in evs} == {s["source_ip"]}
    others = [r for _, r in sample.records if r["sourceIPAddress"] == s["source_ip"] and r["eventID"] not in s["event_ids"]]
    assert not others


def test_hidden_user_bruteforce(sample):
    s = sample.scenarios["hidden-user-bruteforce"]
    evs = _events(sample, s["event_ids"])
    assert 30 <= len(evs) <= 60
    times = sorted(dt.datetime.fromisoformat(r["eventTime"][:-1]) for r in evs)
    assert times[-1] - times[0] <= dt.timedelta(minutes=20)
    for r in evs:
        ui = r["userIdentity"]
        assert ui == {"type": "IAMUser", "principalId": "", "accountId": s["account"], "accessKeyId": "",
                      "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        assert r["errorMessage"] == "No username found in supplied account" and "errorCode" not in r
        assert r["sourceIPAddress"] == s["source_ip"]
    (typo,) = _events(sample, s["typo_event_ids"])
    assert typo["eventTime"][:10] != s["day"] and typo["sourceIPAddress"] == s["typo_source_ip"]
    usual = {r["sourceIPAddress"] for _, r in sample.records
             if r["userIdentity"].get("userName") == s["typo_user_name"] and r["eventID"] != typo["eventID"]}
    assert s["typo_source_ip"] in usual


def test_console_bruteforce(sample):
    s = sample.scenarios["console-bruteforce"]
    evs = _events(sample, s["event_ids"])
    assert 10 <= len(evs) <= 20
    times = sorted(dt.datetime.fromisoformat(r["eventTime"][:-1]) for r in evs)
    assert times[-1] - times[0] <= dt.timedelta(hours=1)
    for r in evs:
        assert r["userIdentity"]["userName"] == s["user_name"] and "arn" not in r["userIdentity"]
        assert r["errorMessage"] == "Failed authentication" and r["sourceIPAddress"] == s["source_ip"]


def test_compromised_access_key(sample):
    s = sample.scenarios["compromised-access-key"]
    from_attacker = {r["eventID"] for _, r in sample.records if r["sourceIPAddress"] == s["source_ip"]}
    assert from_attacker == set(s["event_ids"])
    evs = _events(sample, s["event_ids"])
    assert all(r["userIdentity"]["accessKeyId"] == s["access_key_id"] for r in evs)
    names = {r["eventName"] for r in evs}
    assert {"GetCallerIdentity", "ListBuckets", "DescribeInstances", "CreateUser", "CreateAccessKey"} <= names
    assert len({r["awsRegion"] for r in evs if r["eventName"] == "DescribeInstances"}) >= 2
    assert sum(1 for r in evs if r.get("errorCode", "").startswith("AccessDenied")) >= 5
    normal = [r for _, r in sample.records
              if r["userIdentity"].get("accessKeyId") == s["access_key_id"] and r["eventID"] not in from_attacker]
    assert len({r["eventTime"][:10] for r in normal}) >= 3
    assert {r["sourceIPAddress"] for r in normal} <= set(s["usual_ips"])
    fid, sequence_id = s["finding_ids"]
    assert sequence_id == s["attack_sequence_id"]
    (sequence,) = [f for _, f in sample.findings if f["id"] == sequence_id]
    assert sequence["type"] == "AttackSequence:IAM/CompromisedCredentials" and sequence["severity"] >= 9
    assert sequence["resource"] == {"resourceType": "AttackSequence"}
    chain = sequence["service"]["detection"]["sequence"]
    assert [a["user"]["credentialUid"] for a in chain["actors"]] == [s["access_key_id"]]
    assert [e["ip"] for e in chain["endpoints"]] == [s["source_ip"]]
    assert [g["name"] for g in chain["signals"]] == s["signal_names"]
    assert chain["signals"][0]["uid"] == next(f["arn"] for _, f in sample.findings if f["id"] == fid)
    assert {"CreateUser", "CreateAccessKey", "AttachUserPolicy"} <= set(s["signal_names"])
    exports = sorted((f for _, f in sample.findings if f["id"] == fid), key=lambda f: f["updatedAt"])
    assert len(exports) == 2
    assert exports[0]["service"]["count"] < exports[1]["service"]["count"]
    assert exports[0]["updatedAt"] < exports[1]["updatedAt"]
    details = exports[1]["resource"]["accessKeyDetails"]
    assert details["accessKeyId"] == s["access_key_id"] and details["userName"] == s["user_name"]
    ip = exports[1]["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"]
    assert ip == s["source_ip"] and exports[1]["severity"] >= 7


def test_port_scan(sample):
    s = sample.scenarios["port-scan"]
    rows = [f for f in sample.flow_rows() if f.get("srcaddr") == s["source_ip"] and f.get("dstaddr") == s["dst_addr"]]
    ports = sorted({int(f["dstport"]) for f in rows})
    assert ports == s["dst_ports"] and len(ports) >= 50
    actions = collections.Counter(f["action"] for f in rows)
    assert actions["REJECT"] > 5 * actions["ACCEPT"] > 0
    starts = [int(f["start"]) for f in rows]
    assert max(starts) - min(starts) <= 3600
    assert {f["interface-id"] for f in rows} == {s["eni"]}
    (fid,) = s["finding_ids"]
    f = next(f for _, f in sample.findings if f["id"] == fid)
    assert f["type"] == "Recon:EC2/Portscan" and f["resource"]["instanceDetails"]["instanceId"] == s["instance_id"]
    assert f["resource"]["instanceDetails"]["networkInterfaces"][0]["networkInterfaceId"] == s["eni"]


def test_anomalous_principal(sample):
    s = sample.scenarios["anomalous-principal"]
    mine = [r for _, r in sample.records if r["userIdentity"].get("arn") == s["principal_arn"]]
    that_day = {r["eventID"] for r in mine if r["eventTime"][:10] == s["day"]}
    assert that_day == set(s["event_ids"])
    per_day = collections.Counter(r["eventTime"][:10] for r in mine)
    others = [n for d, n in per_day.items() if d != s["day"]]
    assert len(others) >= 3 and per_day[s["day"]] >= 5 * max(others)
    usual = {r["eventSource"] for r in mine if r["eventTime"][:10] != s["day"]}
    new = {r["eventSource"] for r in mine if r["eventTime"][:10] == s["day"]} - usual
    assert {"iam.amazonaws.com", "kms.amazonaws.com", "secretsmanager.amazonaws.com", "s3.amazonaws.com"} <= new


# --- flow logs and findings ----------------------------------------------------------

def test_flow_logs_have_headers_and_both_formats(sample):
    custom = {a["id"] for a in sample.doc["accounts"] if a["flow_log_format"] == "custom"}
    assert len(custom) == 1
    statuses = collections.Counter()
    for key, header, rows in sample.flows:
        acct = key.split("/")[1]
        if acct in custom:
            assert header[0] == "account-id" and {"flow-direction", "pkt-srcaddr", "instance-id", "tcp-flags"} <= set(header)
        else:
            assert " ".join(header) == V2_HEADER
        for row in rows:
            assert len(row) == len(header)
            statuses[row["log-status"]] += 1
            if row["log-status"] != "OK":
                assert row["srcaddr"] == row["dstport"] == row["action"] == row["packets"] == "-"
            else:
                assert int(row["end"]) >= int(row["start"]) and row["protocol"] in ("1", "6", "17")
    assert statuses["OK"] and statuses["NODATA"] and statuses["SKIPDATA"]
    assert any(row.get("instance-id") == "-" for _, h, rows in sample.flows for row in rows if "instance-id" in h)


def test_no_background_source_scans(sample):
    scanner = sample.scenarios["port-scan"]["source_ip"]
    ports = collections.defaultdict(set)
    for f in sample.flow_rows():
        if f["log-status"] == "OK" and f["srcaddr"] != scanner:
            ports[(f["srcaddr"], f["dstaddr"])].add(f["dstport"])
    assert max(map(len, ports.values())) < 20
    rejects = collections.Counter(f["srcaddr"] for f in sample.flow_rows() if f.get("action") == "REJECT")
    assert len(rejects) >= 20  # internet background noise from a few dozen addresses


def test_guardduty_exports(sample):
    required = {"schemaVersion", "accountId", "region", "partition", "id", "arn", "type", "resource", "service",
                "severity", "createdAt", "updatedAt", "title", "description"}
    for key, f in sample.findings:
        assert required <= set(f) and f["schemaVersion"] == "2.0" and re.fullmatch(r"[0-9a-f]{32}", f["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", f["updatedAt"])
        m = LAYOUTS["guardduty"].match(key)
        assert f["accountId"] == m["acct"] and f["region"] == m["region"]
    types = collections.Counter(f["type"] for _, f in sample.findings)
    assert types["Recon:EC2/PortProbeUnprotectedPort"] and types["Policy:IAMUser/S3BlockPublicAccessDisabled"]
    samples = {f["id"] for _, f in sample.findings if f["service"]["additionalInfo"].get("sample") is True}
    assert len(samples) == 1
    repeated = collections.Counter(f["id"] for _, f in sample.findings)
    assert max(repeated.values()) >= 3


# --- options -------------------------------------------------------------------------

def test_without_organisation_uses_single_account_layout(small_scale):
    keys = small_scale.keys
    assert small_scale.doc["generator"]["org_id"] is None
    assert not any(k.startswith("AWSLogs/o-") for k in keys)
    ct = [k for k in keys if "/CloudTrail" in k]
    assert ct and all(_kind(k) and re.match(rf"^AWSLogs/{ACCT}/CloudTrail(-Digest|-Insight)?/", k) for k in ct)
    assert small_scale.doc["generator"]["trail_name"] == "management-events"


def test_us_east_1_always_receives_global_events(tmp_path):
    doc = generate(tmp_path, days=2, scale=0.05, accounts=1, regions=("eu-west-1",), org_id="o-abcdefghij")
    assert doc["generator"]["cloudtrail_regions"] == ["eu-west-1", "us-east-1"]
    assert doc["generator"]["org_id"] == "o-abcdefghij"
    keys = _keys(tmp_path)
    assert any("/CloudTrail/us-east-1/" in k for k in keys) and any("/CloudTrail/eu-west-1/" in k for k in keys)
    assert not any("/vpcflowlogs/us-east-1/" in k for k in keys)


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, org_id="org-123")
    with pytest.raises(ValueError):
        generate(tmp_path, regions=("nowhere",))
    (tmp_path / "AWSLogs").mkdir()
    with pytest.raises(FileExistsError):
        generate(tmp_path, days=1, scale=0.05)
