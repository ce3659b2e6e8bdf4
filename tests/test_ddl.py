import pytest

from workbench.aws.ddl import create_table_sql, table_spec
from workbench.sources import get_source


def test_organisation_trail_table():
    spec = table_spec(get_source("cloudtrail"), bucket="logs", prefix="trail/", org_id="o-abcdefghij",
                      accounts=["111122223333", "444455556666"], regions=["us-east-1", "eu-west-1"],
                      start="2025-01-01")
    assert spec.location == "s3://logs/trail/AWSLogs/o-abcdefghij/"
    assert spec.partitions == (("account", "string"), ("region", "string"), ("day", "string"))
    props = spec.properties
    assert props["storage.location.template"] == "s3://logs/trail/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${day}"
    assert props["projection.account.values"] == "111122223333,444455556666"
    assert props["projection.day.format"] == "yyyy/MM/dd" and props["projection.day.range"] == "2025/01/01,NOW"
    sql = create_table_sql(spec)
    assert "CloudTrailInputFormat" in sql and "`useridentity` struct<type:string" in sql


def test_flow_log_table_follows_the_format():
    spec = table_spec(get_source("vpcflow"), bucket="b", accounts=["1"], regions=["r"],
                      fields="${version} ${account-id} ${region} ${action}")
    assert [c for c, _ in spec.columns] == ["version", "account_id", "flow_region", "action"]
    assert spec.properties["skip.header.line.count"] == "1"
    default = table_spec(get_source("vpcflow"), bucket="b", accounts=["1"], regions=["r"])
    assert len(default.columns) == 14 and default.columns[11] == ("end", "bigint")


def test_guardduty_is_projected_too():
    spec = table_spec(get_source("guardduty"), bucket="b", org_id="o-abcdefghij", accounts=["1"], regions=["r"])
    assert spec.properties["storage.location.template"] == "s3://b/AWSLogs/${account}/GuardDuty/${region}/${day}"


def test_projection_needs_accounts_and_regions():
    with pytest.raises(ValueError, match="account"):
        table_spec(get_source("guardduty"), bucket="b", accounts=[], regions=["r"])
