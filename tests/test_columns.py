"""Which columns a query uses: the local engine transforms only those (None: all of them).

That reading only these gives the same answers is tested for every library query in
test_cache.py (raw with pruned columns against the cache, which stores every column)."""

import pytest

from workbench.engines.columns import used_columns
from workbench.library import parse_sql
from workbench.sources import get_source

CASES = [
    ("SELECT eventname FROM cloudtrail WHERE day = '2026/11/03'", {"eventname"}),
    ("SELECT count(*) AS n FROM cloudtrail WHERE day = '2026/11/03'", set()),
    ("SELECT useridentity.sessioncontext.sessionissuer.arn FROM cloudtrail", {"useridentity"}),
    ("SELECT t.useridentity.arn FROM cloudtrail AS t WHERE t.eventsource = 'x'", {"useridentity", "eventsource"}),
    ("SELECT json_extract_scalar(responseelements, '$.ConsoleLogin') FROM cloudtrail", {"responseelements"}),
    ("WITH x AS (SELECT eventid AS id FROM cloudtrail) SELECT id FROM x", {"eventid"}),
    ("SELECT * FROM cloudtrail", None),
    ("SELECT t.* FROM cloudtrail t", None),
    ("WITH x AS (SELECT * FROM cloudtrail) SELECT count(*) FROM x", None),
    ("SELECT to_json(t) FROM cloudtrail AS t", None),
    ("SELECT cloudtrail FROM cloudtrail", None),
]


@pytest.mark.parametrize("sql, expected", CASES)
def test_used_columns(sql, expected):
    assert used_columns(parse_sql(sql), get_source("cloudtrail")) == expected
