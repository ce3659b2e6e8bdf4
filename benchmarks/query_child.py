"""Child process of the per-query measurements: one query, twice, in a fresh engine; its peak resident set.

Usage: ``python -m benchmarks.query_child STORE QUERY PARAMS_JSON``. The first run is what a new
session pays (the files are checked as they are read; no checks kept from earlier sessions), the
second is warm. Prints one JSON line: ``cold_seconds``, ``warm_seconds``, ``events``, ``rows``,
``peak_rss_mb`` (the process's high-water mark over both runs).
"""

from __future__ import annotations

import json
import sys
import time

from benchmarks.rss_scan import _peak_kb
from workbench.engines.local import LocalEngine


def main(store: str, query: str, params: dict) -> dict:
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        started = time.perf_counter()
        engine.query(query, params)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        frame = engine.query(query, params)
        warm = time.perf_counter() - started
        events = engine.last_scan.records
    return {"cold_seconds": cold, "warm_seconds": warm, "events": events, "rows": len(frame),
            "peak_rss_mb": _peak_kb() / 1024}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))))
