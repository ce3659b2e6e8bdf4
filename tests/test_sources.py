import datetime as dt

import pytest

from workbench.sources import SOURCES, format_columns, get_source

ACCT = "111122223333"


@pytest.mark.parametrize(
    "source, key, expected",
    [
        ("cloudtrail", f"AWSLogs/{ACCT}/CloudTrail/eu-west-1/2026/11/03/{ACCT}_CloudTrail_eu-west-1_20261103T0015Z_a1B2c3D4e5F6g7H8.json.gz",
         {"org_id": None, "account": ACCT, "region": "eu-west-1", "day": "2026/11/03", "prefix": ""}),
        ("cloudtrail", f"team/logs/AWSLogs/o-abcdefghij/{ACCT}/CloudTrail/us-east-1/2026/11/03/{ACCT}_CloudTrail_us-east-1_20261103T0015Z_x.json.gz",
         {"org_id": "o-abcdefghij", "account": ACCT, "region": "us-east-1", "day": "2026/11/03", "prefix": "team/logs"}),
        ("vpcflow", f"AWSLogs/{ACCT}/vpcflowlogs/us-east-1/2026/11/03/{ACCT}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261103T0015Z_1a2b3c4d.log.gz",
         {"org_id": None, "account": ACCT, "region": "us-east-1", "day": "2026/11/03", "prefix": ""}),
        ("guardduty", f"AWSLogs/{ACCT}/GuardDuty/us-east-1/2026/11/03/1b2c3d4e-0000-4000-8000-0123456789ab.jsonl.gz",
         {"org_id": None, "account": ACCT, "region": "us-east-1", "day": "2026/11/03", "prefix": ""}),
    ],
)
def test_parse_key_reads_partitions(source, key, expected):
    parsed = get_source(source).parse_key(key)
    assert parsed is not None
    assert {k: parsed[k] for k in expected} == expected


@pytest.mark.parametrize(
    "key",
    [
        f"AWSLogs/{ACCT}/CloudTrail-Digest/us-east-1/2026/11/03/{ACCT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261103T001500Z.json.gz",
        f"AWSLogs/{ACCT}/CloudTrail-Insight/us-east-1/2026/11/03/{ACCT}_CloudTrail-Insight_us-east-1_20261103T0015Z_x.json.gz",
        f"AWSLogs/{ACCT}/Config/us-east-1/2026/11/3/ConfigSnapshot/{ACCT}_Config_us-east-1_ConfigSnapshot_x.json.gz",
        f"AWSLogs/{ACCT}/CloudTrail/us-east-1/2026/11/03/notes.txt",
        f"AWSLogs/{ACCT}/CloudTrail/us-east-1/2026/11/03/222233334444_CloudTrail_us-east-1_20261103T0015Z_x.json.gz",
        f"AWSLogs/{ACCT}/",
    ],
)
def test_non_log_objects_are_not_cloudtrail_logs(key):
    assert get_source("cloudtrail").parse_key(key) is None


def test_key_prefix_and_location_template_round_trip():
    ct = get_source("cloudtrail")
    prefix = ct.key_prefix(account=ACCT, region="us-east-1", day=dt.date(2026, 11, 3), org_id="o-abcdefghij", prefix="p/q")
    assert prefix == f"p/q/AWSLogs/o-abcdefghij/{ACCT}/CloudTrail/us-east-1/2026/11/03/"
    file_key = prefix + f"{ACCT}_CloudTrail_us-east-1_20261103T0015Z_abc.json.gz"
    assert ct.parse_key(file_key)["org_id"] == "o-abcdefghij"
    assert ct.location_template(bucket="b", org_id="o-abcdefghij") == (
        "s3://b/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${day}"
    )
    # flow logs and GuardDuty are never under an organisation id
    assert "o-" not in get_source("vpcflow").key_prefix(account=ACCT, region="r", day="2026/11/03", org_id="o-abcdefghij")


def test_cloudtrail_columns_are_the_official_lower_case_set():
    names = [c.name for c in get_source("cloudtrail").columns]
    assert names[:4] == ["eventversion", "useridentity", "eventtime", "eventsource"]
    assert all(n == n.lower() for n in names)
    for required in ("sourceipaddress", "requestparameters", "resources", "tlsdetails", "addendum",
                     "sessioncredentialfromconsole", "recipientaccountid", "eventcategory"):
        assert required in names
    assert get_source("cloudtrail").column("useridentity").type.athena().startswith("struct<type:string,principalid:string")


def test_every_source_has_the_shared_partitions_and_no_clash():
    for source in SOURCES.values():
        scope = (source.scope_partition,) if source.scope_partition else ()
        region = ("region",) if source.regional else ()  # a global service's keys have no region folder
        assert source.partitions == ("account", *region, *scope, "day")
        assert not set(source.partitions) & {c.name for c in source.columns}, source.name


def test_flow_log_format_is_read_by_name_and_unknown_fields_are_named():
    cols = format_columns("${account-id} ${action} ${region} ${dstport}")
    assert [c.name for c in cols] == ["account_id", "action", "flow_region", "dstport"]
    with pytest.raises(ValueError, match="frobnicate"):
        format_columns("version frobnicate")


def test_unknown_source_names_the_known_ones():
    with pytest.raises(KeyError, match="cloudtrail"):
        get_source("no-such-log")
