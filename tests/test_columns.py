"""Which columns a query uses: the local engine transforms only those (None: all of them).

That reading only these gives the same answers is tested for every library query in
test_cache.py (raw with pruned columns against the cache, which stores every column)."""

import pytest

from workbench.engines.local.columns import used_columns, used_fields
from workbench.library import parse_sql
from workbench.sources import get_source
from workbench.sources.types import pruned_structure

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
    # a * over a WITH table or a subquery stands for the columns those name
    ("WITH x AS (SELECT eventname, eventid FROM cloudtrail) SELECT *, 1 AS n FROM x", {"eventname", "eventid"}),
    ("SELECT * FROM (SELECT eventname FROM cloudtrail) AS s", {"eventname"}),
    ("SELECT cloudtrail FROM cloudtrail", None),
]


@pytest.mark.parametrize("sql, expected", CASES)
def test_used_columns(sql, expected):
    assert used_columns(parse_sql(sql), get_source("cloudtrail")) == expected


FIELD_CASES = [
    ("SELECT useridentity.arn, useridentity.type FROM cloudtrail", {"useridentity": {("arn",), ("type",)}}),
    ("SELECT useridentity.sessioncontext.sessionissuer.arn FROM cloudtrail",
     {"useridentity": {("sessioncontext", "sessionissuer", "arn")}}),
    ("SELECT t.useridentity.arn FROM cloudtrail AS t", {"useridentity": {("arn",)}}),
    # passed on by an inner SELECT under its own name: the fields used after it
    ("SELECT useridentity.arn AS x FROM (SELECT useridentity FROM cloudtrail)", {"useridentity": {("arn",)}}),
    ("WITH w AS (SELECT useridentity, eventname FROM cloudtrail) SELECT useridentity.arn FROM w "
     "UNION ALL SELECT useridentity.type FROM w", {"useridentity": {("arn",), ("type",)}}),
    ("SELECT t.useridentity.sessioncontext.sessionissuer.arn FROM cloudtrail AS t",  # five parts: a Dot
     {"useridentity": {("sessioncontext", "sessionissuer")}}),
    ("SELECT tlsdetails.tlsversion, useridentity.arn FROM cloudtrail",
     {"useridentity": {("arn",)}, "tlsdetails": {("tlsversion",)}}),
    # read whole: the column alone, an alias with its name, a field that does not exist, SELECT *
    ("SELECT useridentity, useridentity.arn FROM cloudtrail", {}),
    # passed on whole by an inner SELECT, then read whole: by a * over it, or in the output
    ("WITH w AS (SELECT useridentity FROM cloudtrail) SELECT * FROM w WHERE useridentity.arn = 'x'", {}),
    ("SELECT x.useridentity FROM (SELECT useridentity FROM cloudtrail) AS x", {}),
    ("SELECT eventname AS useridentity, useridentity.arn FROM cloudtrail", {}),
    ("SELECT useridentity.nosuchfield FROM cloudtrail", {}),
    ("SELECT *, useridentity.arn FROM cloudtrail", {}),
]


@pytest.mark.parametrize("sql, expected", FIELD_CASES)
def test_used_fields(sql, expected):
    source = get_source("cloudtrail")
    statement = parse_sql(sql)
    assert used_fields(statement, source, used_columns(statement, source)) == expected


def test_pruned_structure_keeps_only_the_paths():
    typ = next(c.type for c in get_source("cloudtrail").columns if c.name == "useridentity")
    pruned = pruned_structure(typ, {("arn",), ("sessioncontext", "sessionissuer", "arn")})
    assert pruned == {"arn": "VARCHAR", "sessionContext": {"sessionIssuer": {"arn": "VARCHAR"}}}
    assert pruned_structure(typ, {("sessioncontext",)})["sessionContext"]["attributes"]  # a struct kept whole


def test_struct_fields_read_alone_equal_the_whole_struct(sample_org, window):
    """Reading only named fields gives what reading the whole struct and picking them gives."""
    from workbench.engines.local import LocalEngine

    where = f"WHERE day BETWEEN '{window['start'].replace('-', '/')}' AND '{window['end'].replace('-', '/')}'"
    with LocalEngine(sample_org, cache=False) as engine:
        pruned = engine.query(f"SELECT eventid, useridentity.arn AS arn, useridentity.sessioncontext.sessionissuer.arn "
                              f"AS issuer FROM cloudtrail {where} ORDER BY eventid")
        whole = engine.query(f"SELECT eventid, useridentity FROM cloudtrail {where} ORDER BY eventid")
    assert len(pruned) == len(whole) > 1000
    def get(struct, *path):  # field names as the engine spells them in a whole struct
        for name in path:
            struct = {k.lower(): v for k, v in (struct or {}).items()}.get(name)
        return struct

    picked = [(get(u, "arn"), get(u, "sessioncontext", "sessionissuer", "arn")) for u in whole.useridentity]
    read = [tuple(None if v != v else v for v in pair) for pair in zip(pruned.arn, pruned.issuer)]  # NaN: None
    assert read == picked
    assert sum(a is not None for a, _ in picked) > 1000 and sum(i is not None for _, i in picked) > 100
