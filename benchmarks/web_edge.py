"""The web edge's sources at the benchmark store's size: scan rate against the inflate floor, and pruning.

The store's shop writes an ALB access-log file per load balancer node and five minutes and a WAF
log file per five minutes, so a month holds tens of thousands of small files: the shape that costs
a reader most per byte. Each source is read by an aggregate of the library over the whole window,
first in a new engine (its check pass included), then warm; the same files are inflated alone on
every core for the floor. Pruning: one day against the whole window, and a region the shop does not
run in, or for CloudFront a distribution that is not there (nothing may be opened). CloudFront's
distribution writes an hourly file or two, so its files are fewer and larger.

CloudFront's v2 outputs: the same distribution's files rewritten as JSON lines and as Parquet
(every column text, as AWS's Athena table for that output declares them), read by the same query,
with the answers compared to the W3C files'.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import tempfile
from pathlib import Path

from benchmarks.measure import INFLATER, Timer, best_of, decompress_only
from benchmarks.store import SETTINGS, window
from workbench.engines.local import LocalEngine
from workbench.formats.parquet_table import ParquetTable
from workbench.sources import get_source

#: Per source: the aggregate that reads it whole (the Resolver's query logs and S3 server access logs sit
#: beside the edge's logs here: many small files, one or two per VPC or bucket and hour).
QUERIES = {"alb": "alb/status_codes", "waf": "waf/blocks_by_country", "cloudfront": "cloudfront/requests_by_edge",
           "resolver": "resolver/queries_by_source", "s3access": "s3access/requests_by_requester"}
#: A scope value that is nowhere, per global source's scope parameter.
_NOWHERE = {"distributions": ["E0NOWHERE00000"], "vpcs": ["vpc-00000000"]}


def web_edge(store: Path, whole: dict, *, cores: int, say=print) -> dict:
    """Scan rate, inflate floor and pruning of the ALB, WAF, CloudFront, Resolver and S3 access tables of ``store``."""
    out: dict = {}
    one_day = window(1, first=SETTINGS["days"] // 2)
    for table, query in QUERIES.items():
        with LocalEngine(store, cache=False, remember_checks=False) as engine:
            with Timer() as cold:
                engine.query(query, whole)
            _, warm = best_of(2, lambda: engine.query(query, whole))
            scan = engine.last_scan
            files = [f.path for f in engine.last_files]
            engine.query(query, one_day)
            day = engine.last_scan
            # a region the shop does not run in; a global source: a distribution (a VPC) that is not there
            source = get_source(table)
            scope = f"{source.scope_partition}s"
            engine.query(query, {**whole, **({"regions": ["nowhere-1"]} if source.regional
                                             else {scope: _NOWHERE[scope]})})
            elsewhere = len(engine.last_files)
        inflated, floor = decompress_only(files, workers=cores)
        row = {"query": query, "files": scan.files, "bytes": scan.bytes, "records": scan.records,
               "cold_seconds": cold.seconds, "warm_seconds": warm.seconds,
               "records_per_s": scan.records / warm.seconds, "uncompressed_bytes": inflated,
               "inflate_seconds": floor, "floor_multiple": warm.seconds / floor,
               "one_day_bytes_ratio": day.bytes / scan.bytes if scan.bytes else None,
               "other_region_files": elsewhere}
        out[table] = row
        say(f"   {table} ({query}): {scan.records:,} records in {scan.files:,} files ({scan.bytes / 1e6:.0f} MB), "
            f"cold {cold.seconds:.1f} s, warm {warm.seconds:.2f} s ({row['records_per_s']:,.0f} records/s); "
            f"inflating alone ({INFLATER}) {floor:.2f} s, engine = {row['floor_multiple']:.1f}x that; one day reads "
            f"1/{1 / row['one_day_bytes_ratio']:.0f} of the bytes; another region (or scope) opens {elsewhere} files")
    return out


def cloudfront_outputs(store: Path, whole: dict, *, say=print) -> dict:
    """``cloudfront/requests_by_edge`` over the distribution's files as W3C, JSON lines and Parquet."""
    source = get_source("cloudfront")
    pattern, keys = re.compile(source.line_regex), [c.key for c in source.columns]
    query = QUERIES["cloudfront"]
    out: dict = {}
    answers: dict = {}
    with tempfile.TemporaryDirectory(prefix="cloudfront-outputs-") as tmp:
        for kind in ("w3c", "json", "parquet"):
            root = Path(tmp) / kind
            for path in (p for p in store.rglob("*") if p.is_file() and "/CloudFront/" in p.as_posix()):
                target = root / path.relative_to(store)
                target.parent.mkdir(parents=True, exist_ok=True)
                if kind == "w3c":
                    shutil.copy(path, target)
                    continue
                lines = gzip.decompress(path.read_bytes()).decode().splitlines()
                entries = [dict(zip(keys, m.groups())) for m in map(pattern.fullmatch, lines) if m]
                if kind == "json":
                    target.with_name(target.name[:-3] + ".json.gz").write_bytes(
                        gzip.compress("".join(json.dumps(e) + "\n" for e in entries).encode(), compresslevel=6))
                else:
                    target.with_name(target.name[:-3] + ".parquet").write_bytes(
                        ParquetTable().encode(entries, source)[0].data)
            with LocalEngine(root, cache=False, remember_checks=False) as engine:
                with Timer() as cold:
                    engine.query(query, whole)
                answer, warm = best_of(2, lambda: engine.query(query, whole))
                scan = engine.last_scan
            out[kind] = {"files": scan.files, "bytes": scan.bytes, "records": scan.records,
                         "cold_seconds": cold.seconds, "warm_seconds": warm.seconds,
                         "records_per_s": scan.records / warm.seconds,
                         "warm_vs_w3c": None}
            answers[kind] = answer.sort_values(list(answer.columns)).reset_index(drop=True)
    for kind, row in out.items():
        row["answers_equal"] = bool(answers[kind].equals(answers["w3c"]))
        row["warm_vs_w3c"] = row["warm_seconds"] / out["w3c"]["warm_seconds"]
        say(f"   cloudfront as {kind}: {row['records']:,} records in {row['files']:,} files "
            f"({row['bytes'] / 1e6:.0f} MB), cold {row['cold_seconds']:.1f} s, warm {row['warm_seconds']:.2f} s "
            f"({row['records_per_s']:,.0f} records/s, {row['warm_vs_w3c']:.2f}x the W3C files' time); "
            f"same answer as W3C: {row['answers_equal']}")
    return out
