"""The web edge's sources at the benchmark store's size: scan rate against the inflate floor, and pruning.

The store's shop writes an ALB access-log file per load balancer node and five minutes and a WAF
log file per five minutes, so a month holds tens of thousands of small files: the shape that costs
a reader most per byte. Each source is read by an aggregate of the library over the whole window,
first in a new engine (its check pass included), then warm; the same files are inflated alone on
every core for the floor. Pruning: one day against the whole window, and a region the shop does not
run in, or for CloudFront a distribution that is not there (nothing may be opened). CloudFront's
distribution writes an hourly file or two, so its files are fewer and larger.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.measure import INFLATER, Timer, best_of, decompress_only
from benchmarks.store import SETTINGS, window
from workbench.engines.local import LocalEngine
from workbench.sources import get_source

#: Per source: the aggregate that reads it whole.
QUERIES = {"alb": "alb/status_codes", "waf": "waf/blocks_by_country", "cloudfront": "cloudfront/requests_by_edge"}


def web_edge(store: Path, whole: dict, *, cores: int, say=print) -> dict:
    """Scan rate, inflate floor and pruning of the ALB, WAF and CloudFront tables of ``store``."""
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
            # a region the shop does not run in; CloudFront is global: a distribution that is not there
            engine.query(query, {**whole, **({"regions": ["nowhere-1"]} if get_source(table).regional
                                             else {"distributions": ["E0NOWHERE00000"]})})
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
            f"1/{1 / row['one_day_bytes_ratio']:.0f} of the bytes; another region opens {elsewhere} files")
    return out
