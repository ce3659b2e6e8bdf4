"""The query library on a real Trino (the engine Athena v3 runs), against the local engine's answers.

The ``trino`` fixture starts Trino 476 over a copy of the sample organisation and makes the Athena
tables in its Hive connector from the same table specs as ``workbench ddl`` and ``infra/``. Every
query file runs there through the ``trino`` engine, its parameters bound as the Athena engine binds
them (the same literals, through a prepared statement), and must return the local engine's rows.
"""

import datetime as dt
import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.test_cache import _arbitrary_columns, _value
from workbench.detections import HIT_COLUMNS, list_rules, run_rules
from workbench.detections.rules import CLIENT_DAYS
from workbench.engines.local import LocalEngine
from workbench.engines.trino import TrinoTableMissing, TrinoUnavailable
from workbench.errors import FullScanRefused
from workbench.library import list_queries


def _plain(value):
    """A cell in one form whichever engine gave it: times as UTC milliseconds, lists as sorted tuples."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.floor("ms").isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 6)
    if isinstance(value, dict):  # struct field names: case-insensitive on Athena and Trino
        return tuple(sorted((str(k).lower(), _plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, np.ndarray)):
        # arrays built by an aggregate with no ORDER BY have no order on any engine
        return tuple(sorted((_plain(v) for v in value), key=repr))
    return value


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return sorted((tuple(_plain(v) for v in row) for row in frame[columns].itertuples(index=False)), key=repr)


def _params(query, window, truth) -> dict:
    params = dict(window)
    for param in query.params:
        if param.name not in params:
            value = _value(param, truth)
            if value is not None:
                params[param.name] = value
    return {k: v for k, v in params.items() if k in {p.name for p in query.params}}


@pytest.fixture(scope="module")
def engines(trino, sample_org):
    with trino.connect() as remote, LocalEngine(sample_org, cache=False) as local:
        yield remote, local


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.qualified_name)
def test_every_query_gives_the_local_engines_rows_on_trino(query, engines, window, truth):
    remote, local = engines
    params = _params(query, window, truth)
    expected = local.query(query.qualified_name, params)
    got = remote.query(query.qualified_name, params)
    assert list(got.columns) == list(expected.columns) == list(query.returns)
    keep = [c for c in got.columns if c not in _arbitrary_columns(query)]
    assert len(got) == len(expected), f"{query.name}: {len(got)} rows on Trino, {len(expected)} locally"
    assert _rows(got, keep) == _rows(expected, keep)
    assert remote.last_scan.engine == "trino" and remote.last_scan.scanned_bytes > 0
    assert remote.last_parameters, "the values were bound through the prepared statement"
    assert not any(str(v) in remote.last_sql for v in params.values() if isinstance(v, str) and len(v) > 4), \
        "no parameter value is in the query text"


@pytest.mark.parametrize("rule", list_rules(), ids=lambda r: r.id)
def test_every_rule_gives_the_local_engines_hits_on_trino(rule, engines, window):
    remote, local = engines
    params = {k: v for k, v in window.items() if k in {p.name for p in rule.query.params}}
    expected = local.query(str(rule.query.path), params)
    got = remote.query(str(rule.query.path), params)
    # a judged rule's query returns what its judge reads; run_rules then judges it (the pack test below)
    assert list(got.columns) == list(expected.columns) == list(CLIENT_DAYS if rule.judge else HIT_COLUMNS)
    assert _rows(got, list(got.columns)) == _rows(expected, list(expected.columns)), rule.id
    if rule.judge:
        assert len(got) > 0, f"{rule.id}: its query found the calls to judge"


def test_the_rule_pack_in_one_pass_gives_the_local_hits_on_trino(engines, window):
    remote, local = engines
    window = {k: window[k] for k in ("start", "end")}
    alone = run_rules(local, one_pass=False, **window)
    together = run_rules(remote, **window)
    assert together.failed == {} and set(together.passes) == {"cloudtrail"}, "one statement, and it ran"
    keys = ["rule_id", *HIT_COLUMNS]
    assert len(alone.hits) > 0 and _rows(together.hits, keys) == _rows(alone.hits, keys)


def test_the_tables_carry_the_athena_tables_properties(trino):
    """Trino keeps its projection properties under Athena's names: the same as the Athena table's and infra/'s."""
    for table, spec in trino.specs.items():
        stored = json.loads((trino.root / "metastore" / "security_logs" / table / ".trinoSchema").read_text())
        parameters = {k: v for k, v in stored["parameters"].items() if k.startswith(("projection.", "storage."))}
        wanted = {k: v for k, v in spec.properties.items() if k.startswith(("projection.", "storage."))}
        assert {k: v.lower() for k, v in parameters.items()} == {k: v.lower() for k, v in wanted.items()}, table


def test_projection_prunes_to_the_days_asked_for(engines, window):
    remote, _ = engines
    remote.query("console_logins", window)
    whole = remote.last_scan.scanned_bytes
    remote.query("console_logins", {"start": window["start"], "end": window["start"]})
    one_day = remote.last_scan.scanned_bytes
    assert 0 < one_day < whole / 3


def test_an_unreachable_trino_says_where_it_looked(trino):
    from tests.trino_server import _free_port

    with trino.connect(port=_free_port()) as engine, pytest.raises(TrinoUnavailable, match="no Trino answers at"):
        engine.query("console_logins", {"start": "2026-11-01", "end": "2026-11-02"})


def test_a_missing_table_names_the_way_to_create_it(trino):
    with trino.connect(schema="no_such_schema") as engine, \
            pytest.raises(TrinoTableMissing, match="workbench ddl --trino"):
        engine.query("console_logins", {"start": "2026-11-01", "end": "2026-11-02"})


def test_the_full_scan_guard_stands_before_anything_is_sent(trino):
    from tests.trino_server import _free_port

    with trino.connect(port=_free_port()) as engine, pytest.raises(FullScanRefused):
        engine.query("SELECT count(*) AS n FROM cloudtrail")


def test_the_command_line_runs_a_query_on_trino(trino, monkeypatch, capsys, window):
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_TRINO_HOST", "127.0.0.1")
    monkeypatch.setenv("WORKBENCH_TRINO_PORT", str(trino.server.port))
    monkeypatch.setenv("WORKBENCH_TRINO_USER", "workbench")
    code = main(["query", "root_activity", "-p", f"start={window['start']}", "-p", f"end={window['end']}",
                 "--engine", "trino", "--format", "json", "--show-sql"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    assert rows and {r["event_name"] for r in rows} >= {"ConsoleLogin"}
    assert "root_activity on trino" in err and "scanned" in err
    sent, _, bound = err.partition("-- execution parameters")
    assert "-- SQL as sent to trino" in sent and f"'{window['start']}'" not in sent and f"'{window['start']}'" in bound


def test_refused_credentials_say_which_settings_to_check(trino, monkeypatch):
    import trino as client

    engine = trino.connect(user="someone")

    def refuse(*args, **kwargs):
        raise client.exceptions.HttpError("error 401: b'Unauthorized'")

    monkeypatch.setattr(engine.connection, "cursor", refuse)
    with pytest.raises(Exception, match="refused user someone") as err:
        engine.query("console_logins", {"start": "2026-11-01", "end": "2026-11-02"})
    assert "WORKBENCH_TRINO_PASSWORD" in str(err.value)


def test_a_notebook_runs_on_trino_and_finds_what_it_finds_locally(trino, monkeypatch, tmp_path, window, truth):
    from workbench.report import run_reports

    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(trino.server.port)), ("USER", "workbench")):
        monkeypatch.setenv(f"WORKBENCH_TRINO_{name}", value)
    run = run_reports(["root-and-hidden-logins"], out=str(tmp_path), engine="trino", params=dict(window))
    assert not run.failures, [(f.failed_cell, f.error) for f in run.failures]
    facts = run.results[0].summary["facts"]
    planted = truth["by_kind"]
    assert sorted(facts["root_event_ids"]) == sorted(planted["root_console_login"]["event_ids"])
    assert planted["hidden_user_bruteforce"]["source_ip"] in facts["hidden_burst_ips"]
    assert "trino engine" in (tmp_path / "root-and-hidden-logins.html").read_text()


@pytest.fixture(scope="module")
def detonations(trino, tmp_path_factory):
    """The real detonation records as a second schema of the Trino, ``detonations``, and the same folder
    for the local engine. Their (made-up) regions are put into one, so that the table's projection
    enumerates 35 accounts, not 35 accounts times 34 regions; no rule looks at the region."""
    from tests.test_detections import SAMPLES
    from workbench.aws.ddl import create_table_sql_trino, table_spec
    from workbench.engines.local.listing import LogTree
    from workbench.engines.trino.layout import copy_for_trino
    from workbench.formats.importer import import_files
    from workbench.sources import get_source

    if not SAMPLES.is_dir():
        pytest.skip(f"real-world samples not present ({SAMPLES.name} is not beside the project)")
    work = tmp_path_factory.mktemp("detonations")
    records = [{**r, "awsRegion": "us-east-1"} for p in sorted(SAMPLES.glob("aws.*.json")) for r in json.loads(p.read_text())]
    (work / "all.json").write_text(json.dumps(records))
    assert import_files([work / "all.json"], work / "logs").complete
    copied = copy_for_trino(work / "logs", trino.root / "detonations")
    assert not copied.problems, copied.problems
    layout = LogTree(work / "logs").layout()
    days = sorted({r["eventTime"][:10] for r in records})
    spec = table_spec(get_source("cloudtrail"), bucket="", prefix="detonations", scheme="local", database="detonations",
                      accounts=layout["accounts"], regions=layout["regions"], org_id=layout["org_id"], start=days[0])
    import trino as client

    cursor = client.dbapi.connect(host="127.0.0.1", port=trino.server.port, user="workbench", catalog="hive").cursor()
    cursor.execute("CREATE SCHEMA IF NOT EXISTS hive.detonations WITH (location = 'local:///warehouse/detonations')")
    cursor.fetchall()
    cursor.execute(create_table_sql_trino(spec))
    cursor.fetchall()
    return work / "logs", days


def test_every_detonation_fires_its_rule_on_trino_as_it_does_locally(trino, detonations):
    from tests.test_detections import EXPECTED, SAMPLES, _fired

    logs, days = detonations
    keys = ["rule_id", *HIT_COLUMNS]
    with trino.connect(schema="detonations") as remote, LocalEngine(logs, cache=False) as local:
        found = {name: [run_rules(engine, start=day, end=day, severity=None, sources=["cloudtrail"]) for day in days]
                 for name, engine in (("trino", remote), ("local", local))}
    for name, runs in found.items():
        assert [run.failed for run in runs if run.failed] == [], name
    hits = {name: pd.concat([run.hits for run in runs], ignore_index=True) for name, runs in found.items()}
    assert len(hits["trino"]) > 0 and _rows(hits["trino"], keys) == _rows(hits["local"], keys)
    missed = {}
    for technique, rule in EXPECTED.items():
        events = [r["eventID"] for r in json.loads((SAMPLES / f"aws.{technique}.json").read_text())]
        if rule not in _fired(SimpleNamespace(hits=hits["trino"]), events):
            missed[technique] = rule
    assert missed == {}, "recall on the real detonations must be 100 % on Trino too"


SIGMA_RULES = {
    "root_sign_in.yml": "detection:\n  sel:\n    eventName: consolelogin\n    userIdentity.type: ROOT\n  condition: sel\n",
    "secrets.yml": "detection:\n  sel:\n    eventName|startswith: get\n    eventSource|endswith: .AMAZONAWS.COM\n"
                   "    eventSource|contains: secrets\n  condition: sel\n",
    "backup_user.yml": "detection:\n  sel_user:\n    requestParameters.userName|contains: backup\n  sel_key:\n"
                       "    eventName: CreateAccessKey\n    errorCode: null\n  filter:\n    eventName: GetUser\n"
                       "  condition: 1 of sel_* and not filter\n",
    "attacker.yml": "detection:\n  sel:\n    sourceIPAddress|re: '^95\\.186\\.'\n    userAgent|contains|all:\n"
                    "      - aws-cli\n      - Python\n  condition: sel\n",
}


def test_sigma_rules_give_the_local_hits_on_trino(engines, window, tmp_path, truth):
    from workbench.detections import load_sigma_rules

    for name, detection in SIGMA_RULES.items():
        (tmp_path / name).write_text(f"title: {name}\nlogsource:\n  product: aws\n  service: cloudtrail\n{detection}")
    rules, unsupported = load_sigma_rules(tmp_path)
    assert unsupported == [] and len(rules) == len(SIGMA_RULES)
    remote, local = engines
    window = {k: window[k] for k in ("start", "end")}
    keys = ["rule_id", *HIT_COLUMNS]
    here, there = (run_rules(engine, rules=rules, severity=None, **window) for engine in (local, remote))
    assert there.failed == {}
    assert set(here.hits.rule_id) == {r.id for r in rules}, "every rule finds something in the sample"
    assert _rows(there.hits, keys) == _rows(here.hits, keys)
    key = truth["by_kind"]["compromised_access_key"]
    assert set(here.hits[here.hits.rule_id == "sigma-attacker"].source_ip) == {key["source_ip"]}


def test_enrichment_gives_the_same_context_columns_on_trino(engines, window):
    from workbench.context import enrich
    from workbench.context.enrichment import ADDRESS_FIELDS, AGENT_FIELDS

    remote, local = engines
    got, expected = enrich(remote.query("console_logins", window)), enrich(local.query("console_logins", window))
    added = [f"source_{f}" for f in ADDRESS_FIELDS] + [f"ua_{f}" for f in AGENT_FIELDS]
    assert set(added) <= set(got.columns) and got.source_country.notna().any()
    keys = ["event_id", *added]
    assert _rows(got, keys) == _rows(expected, keys)


@pytest.fixture(scope="module")
def hive_paths(trino, sample_org):
    """The CloudFront and flow logs of the Trino copy again under Hive-compatible folders, in a schema
    ``hive_paths`` whose tables are ``workbench ddl --hive-paths``'s (no projection), with every partition
    registered by its folder, as the upkeep Lambda registers them on Glue."""
    import shutil

    import trino as client

    from tests.test_cloudfront_outputs import _hive_key
    from workbench.aws.ddl import create_table_sql_trino, table_spec
    from workbench.sources import get_source

    cursor = client.dbapi.connect(host="127.0.0.1", port=trino.server.port, user="workbench", catalog="hive").cursor()
    cursor.execute("CREATE SCHEMA IF NOT EXISTS hive.hive_paths WITH (location = 'local:///warehouse/hive_paths')")
    cursor.fetchall()
    registered = {}
    (trino.root / "hive_paths" / "AWSLogs").mkdir(parents=True, exist_ok=True)  # Trino wants the location to exist
    for name in ("cloudfront", "vpcflow"):
        source = get_source(name)
        fields = " ".join(c.key for c in source.columns) if source.default_fields else None
        spec = table_spec(source, bucket="", prefix="hive_paths", scheme="local", accounts=[], regions=[],
                          database="hive_paths", fields=fields, hive=True)
        assert "partition_projection" not in create_table_sql_trino(spec)
        cursor.execute(create_table_sql_trino(spec))
        cursor.fetchall()
        partitions = {}
        for path in (trino.root / "logs").rglob("*"):
            key = _hive_key(source, path.relative_to(trino.root / "logs").as_posix()) if path.is_file() else None
            if not key:
                continue
            target = trino.root / "hive_paths" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            parts = source.parse_key(key)
            values = (parts["account"], *([parts["region"]] if source.regional else []),
                      *([parts["scope"]] if source.scope_partition else []), parts["day"])
            day_folder = key[:key.index("/day=") + len("/day=") + 2]
            partitions[values] = f"local:///hive_paths/{day_folder}"
        for values, location in sorted(partitions.items()):
            array = "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"
            columns = "ARRAY[" + ", ".join(f"'{p}'" for p, _ in spec.partitions) + "]"
            cursor.execute(f"CALL hive.system.register_partition('hive_paths', '{spec.name}', {columns}, {array}, "
                           f"'{location}')")
            cursor.fetchall()
        registered[name] = len(partitions)
    return registered


@pytest.mark.parametrize("query", [q for q in list_queries() if q.qualified_name.split("/")[0] in
                                   ("cloudfront", "vpcflow")], ids=lambda q: q.qualified_name)
def test_hive_compatible_folders_give_the_local_rows_on_trino(query, hive_paths, trino, sample_org, window, truth):
    assert all(hive_paths.values())
    params = _params(query, window, truth)
    with trino.connect(schema="hive_paths") as remote, LocalEngine(sample_org, cache=False) as local:
        expected, got = local.query(query.qualified_name, params), remote.query(query.qualified_name, params)
    assert list(got.columns) == list(expected.columns)
    assert _rows(got, list(expected.columns)) == _rows(expected, list(expected.columns)), query.qualified_name


@pytest.fixture(scope="module")
def v2_outputs(trino):
    """The CloudFront logs of the Trino copy again as v2's JSON and Parquet outputs, each in a schema with
    ``workbench ddl --cloudfront-output``'s text table and the typed ``cloudfront`` view over it."""
    import gzip
    import re

    import trino as client

    from tests.test_cloudfront_outputs import _json_bytes, _parquet_bytes
    from workbench.aws.ddl import create_table_sql_trino, output_table_spec, typed_view_sql
    from workbench.engines.local.listing import LogTree
    from workbench.sources import get_source

    source = get_source("cloudfront")
    pattern, keys = re.compile(source.line_regex), [c.key for c in source.columns]
    snake = {k: re.sub(r"[^a-z0-9]+", "_", k.lower()).strip("_") for k in keys}
    cursor = client.dbapi.connect(host="127.0.0.1", port=trino.server.port, user="workbench", catalog="hive").cursor()
    layout = LogTree(trino.root / "logs").layout()
    for output in ("json", "parquet"):
        for path in (p for p in (trino.root / "logs").rglob("*") if p.is_file() and "/CloudFront/" in p.as_posix()):
            lines = gzip.decompress(path.read_bytes()).decode().splitlines()
            entries = [dict(zip(keys, m.groups())) for m in map(pattern.fullmatch, lines) if m]
            target = trino.root / f"v2{output}" / path.relative_to(trino.root / "logs")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.with_name(target.name[:-3] + f".{output}" + (".gz" if output == "json" else "")).write_bytes(
                _json_bytes(entries) if output == "json" else _parquet_bytes(entries, names=snake))
        schema = f"v2_{output}"
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS hive.{schema} WITH (location = 'local:///warehouse/{schema}')")
        cursor.fetchall()
        raw = output_table_spec(source, output, bucket="", prefix=f"v2{output}", scheme="local", database=schema,
                                accounts=layout["accounts"], regions=[], scopes=layout["scopes"]["cloudfront"])
        for sql in (create_table_sql_trino(raw), typed_view_sql(source, raw, catalog="hive")):
            cursor.execute(sql)
            cursor.fetchall()
    return ("json", "parquet")


@pytest.mark.parametrize("output", ["json", "parquet"])
@pytest.mark.parametrize("query", [q for q in list_queries() if q.qualified_name.startswith("cloudfront/")],
                         ids=lambda q: q.qualified_name)
def test_cloudfront_v2_outputs_give_the_local_rows_through_the_typed_view(query, output, v2_outputs, trino, sample_org,
                                                                           window, truth):
    params = _params(query, window, truth)
    with trino.connect(schema=f"v2_{output}") as remote, LocalEngine(sample_org, cache=False) as local:
        expected, got = local.query(query.qualified_name, params), remote.query(query.qualified_name, params)
        assert remote.last_scan.scanned_bytes > 0
    assert len(expected) > 0 and list(got.columns) == list(expected.columns)
    assert _rows(got, list(expected.columns)) == _rows(expected, list(expected.columns)), query.qualified_name
