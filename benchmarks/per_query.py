"""Every library query, the scaling curve, and the plain DuckDB a user would write, side by side.

- **Every query** of the library over the whole store, each in a fresh process
  (:mod:`benchmarks.query_child`): events a second cold (a new session, files checked as they are
  read) and warm, and the process's peak resident set.
- **The scaling curve**: ``console_logins`` over 1, 3, 10 and 30 days, each in a fresh process, so
  that the cost can be seen to grow with the days (events a second and peak memory at each).
- **The DuckDB peer**: what someone who knows DuckDB would write instead of the workbench,
  ``read_json`` over the layout and ``unnest(Records)``, for the console sign-ins of the window,
  cold (a new connection) and warm, its answers compared with the engine's (the same event ids).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import ROOT
from benchmarks.store import window
from workbench.engines.local import LocalEngine
from workbench.library import list_queries

#: Days of the scaling curve.
SCALING_DAYS = (1, 3, 10, 30)

#: What a DuckDB user writes for the console sign-ins of a window: every CloudTrail file of the
#: layout, its Records unnested, the sign-ins kept (the days by the files' own folder names).
PEER_SQL = """
SELECT CAST(r.eventID AS VARCHAR) AS event_id   -- read_json types it UUID
FROM (SELECT unnest(Records) AS r, filename
      FROM read_json(?, format = 'auto', filename = true, maximum_object_size = 268435456))
WHERE r.eventName = 'ConsoleLogin'
  AND regexp_extract(filename, '/(\\d{4}/\\d{2}/\\d{2})/', 1) BETWEEN ? AND ?
"""


def _params(query, whole: dict, doc: dict) -> dict:
    """The window plus a value for each required parameter, taken from the store's planted truth."""
    key = next(s for s in doc["scenarios"] if s["kind"] == "compromised_access_key")
    values = {"access_key_id": key["access_key_id"], "source_ip": key["source_ip"], "principal": key["principal_arn"],
              "event_ids": key["event_ids"][:5], "finding_ids": key.get("finding_ids", [])[:2]}
    declared = {p.name for p in query.params}
    out = {k: v for k, v in whole.items() if k in declared}
    out.update({p.name: values[p.name] for p in query.params if p.required and p.name in values})
    return out


def run_child(store: Path, query: str, params: dict) -> dict:
    """One query in a fresh process (:mod:`benchmarks.query_child`)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.query_child", str(store), query, json.dumps(params)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def every_query(store: Path, whole: dict, doc: dict, *, say=print) -> dict:
    """Each library query over ``whole``: cold and warm time, events a second, peak RSS."""
    out = {}
    for query in list_queries():
        got = run_child(store, query.qualified_name, _params(query, whole, doc))
        got["warm_events_per_s"] = got["events"] / got["warm_seconds"] if got["warm_seconds"] else None
        got["cold_warm_ratio"] = got["cold_seconds"] / got["warm_seconds"] if got["warm_seconds"] else None
        out[query.qualified_name] = got
        rate = f"{got['warm_events_per_s']:,.0f} events/s warm" if got["events"] else "no raw events read"
        say(f"   {query.qualified_name:<36} cold {got['cold_seconds']:5.1f} s, warm {got['warm_seconds']:5.1f} s "
            f"({rate}), peak RSS {got['peak_rss_mb']:,.0f} MB")
    return out


def scaling(store: Path, *, say=print) -> list[dict]:
    """``console_logins`` over 1, 3, 10 and 30 days: events a second and peak RSS at each."""
    out = []
    for days in SCALING_DAYS:
        got = run_child(store, "console_logins", window(days))
        got["days"] = days
        got["warm_events_per_s"] = got["events"] / got["warm_seconds"]
        out.append(got)
        say(f"   {days:>2} days: {got['events']:>10,} events, warm {got['warm_seconds']:5.1f} s "
            f"({got['warm_events_per_s']:,.0f} events/s), peak RSS {got['peak_rss_mb']:,.0f} MB")
    return out


def duckdb_peer(store: Path, whole: dict, *, say=print) -> dict:
    """The plain DuckDB query against the engine's ``console_logins``, cold and warm, answers compared."""
    import duckdb

    pattern = str(store / "AWSLogs" / "**" / "CloudTrail" / "*" / "*" / "*" / "*" / "*.json.gz")
    days = (whole["start"].replace("-", "/"), whole["end"].replace("-", "/"))
    times = []
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        for _ in range(2):  # the first on a new connection (cold), then again (warm)
            started = time.perf_counter()
            ids = {r[0] for r in con.execute(PEER_SQL, [pattern, *days]).fetchall()}
            times.append(time.perf_counter() - started)
    finally:
        con.close()
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        started = time.perf_counter()
        engine.query("console_logins", whole)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        frame = engine.query("console_logins", whole)
        warm = time.perf_counter() - started
    equal = ids == set(frame.event_id)
    result = {"peer_cold_seconds": times[0], "peer_warm_seconds": times[1], "engine_cold_seconds": cold,
              "engine_warm_seconds": warm, "warm_ratio": times[1] / warm, "cold_ratio": times[0] / cold,
              "answers_equal": equal, "sign_ins": len(ids)}
    say(f"   read_json + unnest: cold {times[0]:.1f} s, warm {times[1]:.1f} s; the engine: cold {cold:.1f} s, "
        f"warm {warm:.1f} s ({result['warm_ratio']:.1f}x warm, {result['cold_ratio']:.1f}x cold); "
        f"answers {'equal' if equal else 'DIFFERENT'} ({len(ids):,} sign-ins)")
    return result
