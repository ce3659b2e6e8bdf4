"""Every query file is a contract: header, parameters, returned columns, both dialects."""

import pytest
import sqlglot

from workbench.errors import QueryDefinitionError, UsageError
from workbench.library import get_query, list_queries, parse_query_text, parse_sql, placeholders
from workbench.sources import SOURCES, get_source

QUERIES = list_queries()
REQUIRED = {
    "cloudtrail/console_logins", "cloudtrail/root_activity", "cloudtrail/hidden_user_logins",
    "cloudtrail/events_by_access_key", "cloudtrail/events_by_principal",
    "cloudtrail/events_by_source_ip", "vpcflow/port_pairs", "vpcflow/scan_candidates",
    "guardduty/findings",
}


def test_the_library_has_the_required_questions():
    assert {q.qualified_name for q in QUERIES} >= REQUIRED


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.qualified_name)
def test_header_matches_sql(query):
    assert query.description and query.returns
    assert query.source in SOURCES
    assert query.path.parent.name == query.source and query.path.stem == query.name
    statement = parse_sql(query.sql)
    assert sorted(placeholders(statement)) == sorted(p.name for p in query.params)
    assert tuple(statement.named_selects) in (query.returns, ("*",))
    for param in query.params:
        assert param.doc, f"{query.name}: parameter {param.name} has no description"
    names = {p.name for p in query.params}
    assert {"start", "end"} <= names, "every library query is bounded in time"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.qualified_name)
def test_transpiles_to_duckdb_without_placeholders_left_in_athena_form(query):
    duck = query.to_duckdb()
    assert ":start" not in duck and "$start" in duck
    sqlglot.parse_one(duck, read="duckdb")  # the output is valid DuckDB SQL


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.qualified_name)
def test_reads_only_columns_of_its_tables(query):
    """Column names used unqualified must exist in the source table or be an alias/CTE column."""
    statement = parse_sql(query.sql)
    tables = {t.name for t in statement.find_all(sqlglot.exp.Table)} & {s.table for s in SOURCES.values()}
    known = set()
    for table in tables:
        known |= set(get_source(table).column_names)
    aliases = {a.alias for a in statement.find_all(sqlglot.exp.Alias)}
    aliases |= {t.alias_or_name for t in statement.find_all(sqlglot.exp.Table)}
    aliases |= {c.name for alias in statement.find_all(sqlglot.exp.TableAlias) for c in alias.columns}  # UNNEST(...) AS t(x)
    for column in statement.find_all(sqlglot.exp.Column):
        root = column.parts[0].name if column.parts else column.name
        assert root in known or root in aliases, f"{query.name}: unknown column {column.sql()}"


def test_lookup_with_and_without_folder():
    assert get_query("root_activity") is get_query("cloudtrail/root_activity")
    with pytest.raises(UsageError, match="workbench queries|did you mean"):
        get_query("no_such_query")


def test_parameters_are_checked_and_converted():
    q = get_query("scan_candidates")
    values = q.bind({"start": "2026-11-01", "end": "2026-11-02", "accounts": "1, 2,", "min_ports": "5"})
    assert values == {"start": "2026-11-01", "end": "2026-11-02", "accounts": ["1", "2"], "regions": [], "min_ports": 5}
    with pytest.raises(UsageError, match="min_ports"):
        q.bind({"start": "2026-11-01", "end": "2026-11-02", "min_ports": "many"})
    with pytest.raises(UsageError, match="start.*YYYY-MM-DD"):
        q.bind({"start": "yesterday", "end": "2026-11-02"})
    with pytest.raises(UsageError, match="2026-02-30"):
        q.bind({"start": "2026-02-30", "end": "2026-11-02"})
    with pytest.raises(UsageError, match="needs parameter end"):
        q.bind({"start": "2026-11-01"})
    with pytest.raises(UsageError, match="no parameter bogus"):
        q.bind({"start": "2026-11-01", "end": "2026-11-02", "bogus": 1})


HEADER = """-- name: t
-- source: cloudtrail
-- description: test
-- params:
--   start  date  first day
--   end    date  last day
-- returns: n
"""


@pytest.mark.parametrize(
    "text, message",
    [
        (HEADER + "SELECT count(*) AS n FROM cloudtrail WHERE day >= :start", "differ from placeholders"),
        (HEADER + "SELECT count(*) AS m FROM cloudtrail WHERE day BETWEEN :start AND :end", "returns"),
        (HEADER.replace("-- source: cloudtrail\n", "") + "SELECT 1 AS n WHERE :start < :end", "source"),
        (HEADER.replace("date  first", "dat  first") + "SELECT 1 AS n WHERE :start < :end", "parameter line"),
        (HEADER + "SELECT FROM WHERE (", "does not parse"),
        (HEADER + "SELECT 1 AS n WHERE :start < :end; SELECT 2", "one SQL statement"),
        (HEADER + "SELECT :start AS n FROM cloudtrail WHERE day < :end", "outside a WHERE clause"),
    ],
)
def test_malformed_query_files_are_refused_with_the_reason(text, message):
    with pytest.raises(QueryDefinitionError, match=message):
        parse_query_text(text)


def test_a_query_path_never_replaces_a_built_in_query_unseen(tmp_path, monkeypatch, sample_org, window, capsys):
    """A root_activity.sql of WORKBENCH_QUERY_PATH that finds nothing must not answer for the real one."""
    from workbench.cli import main
    from workbench.engines.local import LocalEngine
    from workbench.errors import UsageError
    from workbench.library import get_query, shadowed

    builtin = get_query("root_activity")
    own = tmp_path / "own" / "cloudtrail"
    own.mkdir(parents=True)
    (own / "root_activity.sql").write_text(builtin.sql.replace("WHERE", "WHERE FALSE AND", 1))
    (own / "my_logins.sql").write_text(get_query("console_logins").sql.replace("-- name: console_logins",
                                                                               "-- name: my_logins"))
    monkeypatch.setenv("WORKBENCH_QUERY_PATH", str(tmp_path / "own"))
    assert list(shadowed()) == ["cloudtrail/root_activity"]
    with pytest.raises(UsageError, match="defined twice") as err:
        get_query("root_activity")
    assert str(own / "root_activity.sql") in str(err.value) and str(builtin.path) in str(err.value)
    with LocalEngine(sample_org) as engine:
        with pytest.raises(UsageError, match="defined twice"):
            engine.query("root_activity", window)
        frame = engine.query("my_logins", window)
        assert frame.attrs["scan"]["query_file"] == str(own / "my_logins.sql")
        assert f"(query from {own / 'my_logins.sql'})" in engine.last_scan.summary()
        engine.query("console_logins", window)
        assert "query from" not in engine.last_scan.summary()
    assert main(["queries"]) == 0
    assert "root_activity is defined twice" in capsys.readouterr().err
