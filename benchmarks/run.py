"""``make bench``: every measurement of the benchmark, side by side, against its target.

Run from the repository root: ``python -m benchmarks.run`` (``--quick`` skips the demo and
the ten-million-event memory scan). Prints a table and writes
``benchmarks/results/latest.json`` (and a dated copy). See ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import naive
from benchmarks.context import enrichment
from benchmarks.detections import rule_pack
from benchmarks.measure import (
    INFLATER,
    Timer,
    best_of,
    decompress_only,
    demo_wall_time,
    generator_throughput,
    machine,
    peak_rss_scan,
)
from benchmarks.per_query import duckdb_peer, every_query, scaling
from benchmarks.store import HERE, SETTINGS, ensure_store, window
from benchmarks.web_edge import cloudfront_outputs, web_edge
from workbench.engines.local import LocalEngine
from workbench.engines.local.cache import ParquetCache

RESULTS = HERE / "results"

#: The issue's targets on a 2-core machine: (key, comparison, target).
TARGETS = {
    "raw_events_per_s": (">=", 500_000),
    "naive_ratio": (">=", 10),
    "pruning_bytes_ratio": ("<=", 1 / 25),
    "cache_speedup": (">=", 20),
    "peak_rss_mb": ("<=", 2048),
    "generator_events_per_s": (">=", 200_000),
    "demo_seconds": ("<=", 120),
    "context_lookups_per_s": (">=", 20_000),
    "enrich_1m_rows_seconds": ("<=", 5),
}

AGGREGATE = ("SELECT eventsource AS event_source, eventname AS event_name, count(*) AS calls FROM cloudtrail "
             "WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/') "
             "GROUP BY eventsource, eventname")

#: Days of the store the naive baseline reads (it is slow; the ratio is per event).
NAIVE_DAYS = 2

#: Events the peak-memory scan reads, about.
RSS_EVENTS = 10_000_000


def representative(doc: dict) -> dict:
    """The three queries: name -> (query, extra parameters, engine answer -> comparable set)."""
    key = next(s for s in doc["scenarios"] if s["kind"] == "compromised_access_key")["access_key_id"]

    def logins(frame):
        return {tuple(_plain(v) for v in row) for row in frame[
            ["event_id", "account_id", "principal", "outcome", "mfa_used", "source_ip"]].itertuples(index=False)}

    def by_key(frame):
        return {tuple(_plain(v) for v in row) for row in frame[
            ["event_id", "event_name", "source_ip", "error_code"]].itertuples(index=False)}

    def per_api(frame):
        return {(r.event_source, r.event_name, int(r.calls)) for r in frame.itertuples(index=False)}

    return {
        "console_logins": ("console_logins", {}, logins, naive.console_logins),
        "events_by_access_key": ("events_by_access_key", {"access_key_id": key}, by_key,
                                 lambda frame: naive.events_by_access_key(frame, key)),
        "calls_per_api": (AGGREGATE, {}, per_api, naive.calls_per_api),
    }


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return value.item() if hasattr(value, "item") else value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the demo and the ten-million-event scan")
    parser.add_argument("--only", choices=("detections", "context", "queries", "web"),
                        help="measure only this part (printed, not written to results/latest.json)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    say = lambda text="": print(text, flush=True)  # noqa: E731
    result: dict = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
                    "store": dict(SETTINGS)}
    result["cores"] = result["machine"]["cores"]
    store, doc, built = ensure_store(say=say)
    result["store"].update(cloudtrail_events=doc["stats"]["cloudtrail_events"],
                           vpcflow_records=doc["stats"]["vpcflow_records"],
                           web_requests=doc["stats"].get("web_requests"),
                           guardduty_exports=doc["stats"]["guardduty_exports"], build_seconds=built)
    whole, queries = window(), representative(doc)
    if args.only == "detections":
        say("\n8. the detection rule pack (whole window)")
        rule_pack(store, whole, say=say)
        return 0
    if args.only == "context":
        say("\n9. context: address lookups, user agents, enrichment of a large result")
        enrichment(store, whole, say=say)
        return 0
    if args.only == "queries":
        _queries(store, whole, doc, {}, say)
        return 0
    if args.only == "web":
        say("\n11. the web edge and beside it: ALB, WAF, CloudFront, Resolver query and S3 access logs, scan rate "
            "against the inflate floor, pruning")
        web_edge(store, whole, cores=result["cores"], say=say)
        outputs = cloudfront_outputs(store, whole, say=say)
        return 0 if all(r["answers_equal"] for r in outputs.values()) else 1

    say("\n1. raw json.gz scans (whole window, no cache)")
    raw = {}
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        for name, (query, extra, _, _) in queries.items():
            with Timer() as cold:
                engine.query(query, {**whole, **extra})
            frame, warm = best_of(2, lambda: engine.query(query, {**whole, **extra}))
            scan = engine.last_scan
            raw[name] = {"cold_seconds": cold.seconds, "warm_seconds": warm.seconds, "warm_cpu_seconds": warm.cpu,
                         "events": scan.records, "files": scan.files, "bytes": scan.bytes, "rows": len(frame),
                         "events_per_s": scan.records / warm.seconds}
            say(f"   {name}: {scan.records:,} events, cold {cold.seconds:.1f} s, warm {warm.seconds:.1f} s "
                f"({scan.records / warm.seconds:,.0f} events/s)")
        files = [f.path for f in engine.last_files]
    events = raw["console_logins"]["events"]
    warm_total = sum(r["warm_seconds"] for r in raw.values())
    result["raw"] = raw
    result["raw_events_per_s"] = events * len(raw) / warm_total
    result["first_query_check_seconds"] = raw["console_logins"]["cold_seconds"] - raw["console_logins"]["warm_seconds"]

    say("\n1b. a new session over files checked before (checks kept between sessions)")
    query, extra, _, _ = queries["console_logins"]
    saved = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_CACHE_HOME"] = home  # an empty store: the first session checks, the second reuses
        try:
            sessions = []
            for _ in range(2):
                with LocalEngine(store, cache=False) as engine, Timer() as first:
                    engine.query(query, {**whole, **extra})
                sessions.append(first.seconds)
        finally:
            if saved is None:
                os.environ.pop("XDG_CACHE_HOME", None)
            else:
                os.environ["XDG_CACHE_HOME"] = saved
    result["new_session_first_query_seconds"] = {"checks_kept": sessions[1], "no_checks_kept": sessions[0]}
    say(f"   first query of a session: {sessions[0]:.1f} s with nothing kept, {sessions[1]:.1f} s with the checks kept")

    say(f"\n2. decompress-only floor (same files, {INFLATER}, one process per core)")
    inflated, floor = decompress_only(files, workers=result["cores"])
    result["decompress"] = {"seconds": floor, "inflater": INFLATER, "uncompressed_bytes": inflated,
                            "compressed_bytes": sum(Path(f).stat().st_size for f in files)}
    result["decompress_multiple"] = (warm_total / len(raw)) / floor
    result["raw_json_mb_per_s"] = inflated / 1e6 * len(raw) / warm_total
    say(f"   {inflated / 1e9:.2f} GB of JSON in {floor:.1f} s; engine = {result['decompress_multiple']:.1f}x that")

    say(f"\n3. naive notebook (gzip + json + pandas.json_normalize) on {NAIVE_DAYS} days, answers compared")
    sub = window(NAIVE_DAYS, first=SETTINGS["days"] // 2)
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        engine.query("console_logins", sub)  # the check pass, as in a session that has run a query
        sub_files = [f.path for f in engine.last_files]
        engine_sub = {}
        for name, (query, extra, comparable, _) in queries.items():
            frame, timer = best_of(2, lambda: engine.query(query, {**sub, **extra}))
            engine_sub[name] = (comparable(frame), timer.seconds, engine.last_scan.records)
    with Timer() as load:
        frame = naive.load(sub_files)
    naive_result = {"load_seconds": load.seconds, "events": len(frame), "queries": {}}
    ratios = []
    for name, (_, _, _, answer) in queries.items():
        with Timer() as compute:
            got = answer(frame)
        expected, engine_seconds, _sub_events = engine_sub[name]
        equal = got == expected
        naive_seconds = load.seconds + compute.seconds
        ratios.append(naive_seconds / engine_seconds)
        naive_result["queries"][name] = {"naive_seconds": naive_seconds, "engine_seconds": engine_seconds,
                                         "ratio": naive_seconds / engine_seconds, "answers_equal": equal,
                                         "rows": len(expected)}
        say(f"   {name}: naive {naive_seconds:.1f} s, engine {engine_seconds:.2f} s, "
            f"{naive_seconds / engine_seconds:.0f}x, answers {'equal' if equal else 'DIFFERENT'}")
    del frame
    result["naive"] = naive_result
    result["naive_ratio"] = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    result["naive_events_per_s"] = naive_result["events"] / load.seconds
    answers_equal = all(q["answers_equal"] for q in naive_result["queries"].values())

    say("\n4. partition pruning: one day vs the whole window")
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        engine.query("console_logins", window(1, first=SETTINGS["days"] // 2))
        day = engine.last_scan
        engine.query("console_logins", whole)
        full = engine.last_scan
    result["pruning"] = {"day_files": day.files, "day_bytes": day.bytes, "window_files": full.files,
                         "window_bytes": full.bytes}
    result["pruning_bytes_ratio"] = day.bytes / full.bytes
    say(f"   one day {day.files} files / {day.bytes / 1e6:.1f} MB; window {full.files} files / "
        f"{full.bytes / 1e6:.1f} MB (1/{full.bytes / day.bytes:.0f})")

    say("\n5. Parquet cache: build, size, repeated queries")
    cache = ParquetCache(store / ".workbench-cache")
    shutil.rmtree(cache.root, ignore_errors=True)
    build = cache.build(store)
    rebuild = cache.build(store)
    size = sum(p.stat().st_size for p in cache.root.rglob("*.parquet"))
    raw_size = sum(p.stat().st_size for p in (store / "AWSLogs").rglob("*") if p.is_file())
    cached = {}
    with LocalEngine(store, cache=cache.root, remember_checks=False) as engine:
        for name, (query, extra, _, _) in queries.items():
            with Timer() as cold:
                engine.query(query, {**whole, **extra})
            _frame, warm = best_of(3, lambda: engine.query(query, {**whole, **extra}))
            assert all(t.get("cache") for t in engine.last_scan.tables.values())
            cached[name] = {"cold_seconds": cold.seconds, "warm_seconds": warm.seconds,
                            "speedup": raw[name]["warm_seconds"] / warm.seconds}
    result["cache"] = {"build_seconds": build.seconds, "rebuild_unchanged_seconds": rebuild.seconds,
                       "parquet_bytes": size, "raw_bytes": raw_size, "rows": build.rows, "queries": cached}
    result["cache_speedup"] = warm_total / sum(c["warm_seconds"] for c in cached.values())
    say(f"   build {build.seconds:.0f} s ({size / 1e6:.0f} MB Parquet for {raw_size / 1e6:.0f} MB raw), "
        f"no-change rebuild {rebuild.seconds:.1f} s; repeated queries {result['cache_speedup']:.0f}x faster")

    if not args.quick:
        repeat = max(1, round(RSS_EVENTS / events))
        say(f"\n6. peak memory of a scan over ~{events * repeat / 1e6:.0f} M events (fresh process)")
        rss = peak_rss_scan(store, whole, repeat)
        result["rss"] = rss
        result["peak_rss_mb"] = rss["peak_rss_mb"]
        say(f"   {rss['events']:,} events in {rss['seconds']:.0f} s, peak RSS {rss['peak_rss_mb']:.0f} MB")

    say("\n7. generator and demo")
    gen = generator_throughput(SETTINGS, days=4)
    result["generator"] = gen
    result["generator_events_per_s"] = gen["events_per_s"]
    say(f"   generator: {gen['cloudtrail_events']:,} CloudTrail events in {gen['seconds']:.1f} s "
        f"({gen['events_per_s']:,.0f}/s; {gen['records_per_s']:,.0f} records/s with flows and findings)")
    if not args.quick:
        demo = demo_wall_time()
        result["demo"] = demo
        result["demo_seconds"] = demo["seconds"] if demo["exit_status"] == 0 else None
        say(f"   workbench demo (fresh folder): {demo['seconds']:.0f} s, exit status {demo['exit_status']}")

    say("\n8. the detection rule pack (whole window)")
    result["detections"] = rule_pack(store, whole, say=say)
    result["detections_seconds"] = result["detections"]["pack"]["seconds"]
    answers_equal = answers_equal and result["detections"]["answers_equal"]

    say("\n9. context: address lookups, user agents, enrichment of a large result")
    result["context"] = enrichment(store, whole, say=say)
    result["context_lookups_per_s"] = result["context"]["lookups_per_s"]
    result["enrich_1m_rows_seconds"] = result["context"]["enrich_seconds"]

    _queries(store, whole, doc, result, say)
    answers_equal = answers_equal and result["duckdb_peer"]["answers_equal"]

    say("\n11. the web edge and beside it: ALB, WAF, CloudFront, Resolver query and S3 access logs, scan rate "
            "against the inflate floor, pruning")
    result["web_edge"] = web_edge(store, whole, cores=result["cores"], say=say)
    result["web_edge"]["cloudfront_outputs"] = cloudfront_outputs(store, whole, say=say)
    answers_equal = answers_equal and all(r["answers_equal"] for r in result["web_edge"]["cloudfront_outputs"].values())
    result["cold_warm_ratio"] = (result["new_session_first_query_seconds"]["no_checks_kept"]
                                 / raw["console_logins"]["warm_seconds"])
    result["cache_build_events_per_s"] = result["cache"]["rows"] / result["cache"]["build_seconds"]
    result["peak_rss_mb"] = max([result.get("peak_rss_mb") or 0.0]
                                + [q["peak_rss_mb"] for q in result["per_query"].values()]
                                + [s["peak_rss_mb"] for s in result["scaling"]])

    result["answers_equal"] = answers_equal
    result["targets"] = {key: _verdict(result.get(key), *target) for key, target in TARGETS.items()}
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    result["bench_seconds"] = time.perf_counter() - started
    say("\n" + table(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, default=str) + "\n"
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"{result['when'][:19].replace(':', '')}.json").write_text(text)
    say(f"\nwrote {RESULTS / 'latest.json'} ({result['bench_seconds']:.0f} s in all)")
    return 0 if answers_equal else 1


def _queries(store, whole: dict, doc: dict, result: dict, say) -> None:
    """Part 10: every library query in a fresh process, the scaling curve, the plain DuckDB peer."""
    say("\n10. every library query over the whole window (each in a fresh process: cold, warm, peak RSS)")
    result["per_query"] = every_query(store, whole, doc, say=say)
    say("\n10b. scaling: console_logins over 1, 3, 10 and 30 days (fresh processes)")
    result["scaling"] = scaling(store, say=say)
    say("\n10c. the plain DuckDB a user would write (read_json over the layout, unnest(Records)) against the engine")
    result["duckdb_peer"] = duckdb_peer(store, whole, say=say)
    result["duckdb_peer_ratio"] = result["duckdb_peer"]["warm_ratio"]


def _verdict(value, op: str, target: float) -> dict:
    if value is None:
        return {"value": None, "target": f"{op} {target:g}", "met": None, "note": "not measured"}
    met = value >= target if op == ">=" else value <= target
    if met:
        note = "met"
    elif op == ">=":
        note = f"missed: {value / target:.0%} of the target ({target / value:.2f}x short)"
    else:
        note = f"missed: {value / target:.2f}x the limit"
    return {"value": value, "target": f"{op} {target:g}", "met": met, "note": note}


def _fmt(key: str, value) -> str:
    if value is None:
        return "-"
    if key == "pruning_bytes_ratio":
        return f"1/{1 / value:.0f}" if value else "0"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(result: dict) -> str:
    """The figures as a fixed-width table: measure, value, target, verdict."""
    m = result["machine"]
    rows = [("measure", "value", "target", "verdict")]
    for key, verdict in result["targets"].items():
        target = verdict["target"]
        if key == "pruning_bytes_ratio":
            target = "<= 1/25"
        rows.append((key, _fmt(key, verdict["value"]), target, verdict["note"]))
    extra = [
        ("raw_json_mb_per_s", result.get("raw_json_mb_per_s")),
        ("decompress_multiple", result.get("decompress_multiple")),
        ("first_query_check_seconds", result.get("first_query_check_seconds")),
        ("naive_events_per_s", result.get("naive_events_per_s")),
        ("cache_build_seconds", result.get("cache", {}).get("build_seconds")),
        ("cache_size_mb", result.get("cache", {}).get("parquet_bytes", 0) / 1e6),
        ("store_cloudtrail_events", result["store"]["cloudtrail_events"]),
        ("detections_seconds (every rule, whole window)", result.get("detections_seconds")),
        ("detections_one_pass_speedup", result.get("detections", {}).get("one_pass_speedup_all_picking")),
        ("duckdb_peer_ratio (read_json + unnest / engine, warm)", result.get("duckdb_peer_ratio")),
        ("cold_warm_ratio (first query of a session / warm)", result.get("cold_warm_ratio")),
        ("cache_build_events_per_s", result.get("cache_build_events_per_s")),
    ]
    for key, value in extra:
        rows.append((key, _fmt(key, value), "", ""))
    rows.append(("answers_equal (naive vs engine, one pass vs one by one)", str(result["answers_equal"]), "True", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"machine: {m.get('cores')} cores, {m.get('ram_gb')} GB RAM, {m.get('cpu', '')}; "
             f"load average {m['load_average_at_start']} at start, {m.get('load_average_at_end')} at end"]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
