"""Child process of the peak-memory measurement: scan about ten million events, report its peak resident set.

Usage: ``python -m benchmarks.rss_scan STORE START END REPEAT``. The engine first answers a
whole-window aggregate over the store (the check pass included); then the same aggregate runs
over the store's CloudTrail files listed ``REPEAT`` times, so that one streaming scan reads
``REPEAT`` times the store's events. Prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from workbench.engines.local import LocalEngine
from workbench.formats.base import object_buffer_bytes
from workbench.sources import get_source

AGGREGATE = ("SELECT eventsource, eventname, count(*) AS calls, count(DISTINCT sourceipaddress) AS ips "
             "FROM cloudtrail WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/') "
             "GROUP BY eventsource, eventname")


def main(store: str, start: str, end: str, repeat: int) -> dict:
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        engine.query(AGGREGATE, {"start": start, "end": end})
        files, events = engine.last_files, engine.last_scan.records
        checks = engine.checker.check(get_source("cloudtrail"), files)
        largest = max(c.largest or 0 for c in checks.values())
        read = [r for f in files for r in checks[f.path].read]
        engine.define_view("cloudtrail", read * repeat, columns={"eventsource", "eventname", "sourceipaddress"},
                           object_bytes=object_buffer_bytes(largest))
        started = time.perf_counter()
        rows = engine.con.execute(AGGREGATE.replace("replace(:start, '-', '/')", "'0000'")
                                  .replace("replace(:end, '-', '/')", "'9999'")).fetchall()
        seconds = time.perf_counter() - started
        total = sum(r[2] for r in rows)
    assert total == events * repeat, (total, events, repeat)
    return {"events": total, "seconds": seconds, "peak_rss_mb": _peak_kb() / 1024, "files": len(read) * repeat}


def _peak_kb() -> int:
    """Peak resident set of this process in KB.

    ``VmHWM`` belongs to this process's own address space. ``ru_maxrss`` is the fallback
    where there is no ``/proc``: on Linux it would carry over the resident set the parent
    had when it forked this process, which is why it is not the first choice.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))))
