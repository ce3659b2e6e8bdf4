"""Partition conditions are read from the query as Athena would: table-driven cases."""

import pytest

from workbench.engines.pruning import table_reads
from workbench.library import parse_sql

TABLES = {"cloudtrail": ("account", "region", "day"), "guardduty": ("account", "region", "day")}


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT * FROM cloudtrail WHERE day = '2026/11/03' AND eventname = 'x'",
         [("cloudtrail", True, ["day = '2026/11/03'"])]),
        ("SELECT * FROM cloudtrail", [("cloudtrail", False, [])]),
        ("SELECT * FROM cloudtrail WHERE eventname = 'x' OR day = '2026/11/03'", [("cloudtrail", False, [])]),
        ("SELECT * FROM cloudtrail c WHERE c.day BETWEEN :a AND :b AND (region = 'us-east-1' OR contains(:r, c.region))",
         [("cloudtrail", True, ["day BETWEEN :a AND :b", "region = 'us-east-1' OR CONTAINS(:r, region)"])]),
        ("WITH x AS (SELECT * FROM cloudtrail WHERE day > '2026/11/01') SELECT * FROM x WHERE day < '2026'",
         [("cloudtrail", True, ["day > '2026/11/01'"])]),
        ("SELECT * FROM cloudtrail c JOIN guardduty g ON c.eventid = g.id WHERE c.day = '1' AND g.region = 'r'",
         [("cloudtrail", True, ["day = '1'"]), ("guardduty", False, ["region = 'r'"])]),
        ("SELECT * FROM cloudtrail c JOIN guardduty g ON true WHERE day = '1'",
         [("cloudtrail", False, []), ("guardduty", False, [])]),  # ambiguous: not used to prune
        ("SELECT * FROM db.cloudtrail WHERE day = '1' AND account IN (SELECT 1)",
         [("cloudtrail", True, ["day = '1'"])]),
        ("SELECT * FROM other WHERE day = '1'", []),
    ],
)
def test_partition_conditions(sql, expected):
    reads = table_reads(parse_sql(sql), tables=TABLES)
    got = [(r.table, r.time_bounded, [c.sql(dialect="athena") for c in r.conditions]) for r in reads]
    assert sorted(got) == sorted(expected)
