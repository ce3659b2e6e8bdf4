"""Timing, the decompress-only floor, the machine, and measurements run in subprocesses."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Timer:
    """Wall and CPU seconds (all threads of this process) of a ``with`` block."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._wall
        self.cpu = _cpu() - self._cpu


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def best_of(runs: int, func):
    """Run ``func`` ``runs`` times; return its last result and the fastest :class:`Timer`."""
    best, result = None, None
    for _ in range(runs):
        with Timer() as timer:
            result = func()
        if best is None or timer.seconds < best.seconds:
            best = timer
    return result, best


def _inflate(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        # gzip or zlib header, as found; a plain-text file (S3 server access logs) is only read
        total += len(_decompress(data, 47)) if data[:2] in (b"\x1f\x8b", b"\x78\x9c", b"\x78\x01", b"\x78\xda") \
            else len(data)
    return total


try:  # the fastest inflater at hand, the one the engine uses
    from isal.isal_zlib import decompress as _decompress

    INFLATER = "isal"
except ImportError:  # pragma: no cover
    _decompress, INFLATER = zlib.decompress, "zlib"


def decompress_only(paths: list[str], *, workers: int) -> tuple[int, float]:
    """Uncompressed bytes of ``paths`` and the wall time to only inflate them on ``workers`` processes
    (with :data:`INFLATER`: ISA-L when installed, as in the engine, else zlib)."""
    chunks = [paths[i::workers * 8] for i in range(workers * 8)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_inflate, chunks[:workers]))  # start the workers before timing
        started = time.perf_counter()
        total = sum(pool.map(_inflate, chunks))
        return total, time.perf_counter() - started


def machine() -> dict:
    """Cores, memory, CPU model, versions, and the load when the run started."""
    info = {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["ram_gb"] = round(int(meminfo.split("MemTotal:")[1].split()[0]) / 1024 ** 2, 1)
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                            if line.startswith("model name")), "")
    except (OSError, IndexError):
        pass
    import duckdb

    info["duckdb"] = duckdb.__version__
    info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def peak_rss_scan(store: Path, window: dict, repeat: int) -> dict:
    """Run :mod:`benchmarks.rss_scan` in a fresh process; return what it measured."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.rss_scan", str(store), window["start"], window["end"],
                          str(repeat)], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def generator_throughput(settings: dict, days: int, *, runs: int = 3) -> dict:
    """Generate ``days`` days at the store's scale in a fresh process (all cores), ``runs`` times;
    events per second of the fastest run (file creation in the kernel varies from run to run)."""
    code = ("import json, sys, time, datetime as dt\n"
            "from workbench.sample import generate\n"
            "s = json.loads(sys.argv[2]); t = time.perf_counter()\n"
            "doc = generate(sys.argv[1], start=dt.date.fromisoformat(s['start']), days=int(sys.argv[3]),\n"
            "               accounts=s['accounts'], regions=tuple(s['regions']), seed=s['seed'], scale=s['scale'])\n"
            "print(json.dumps({'seconds': time.perf_counter() - t, **doc['stats']}))\n")
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-gen-") as tmp:
            out = subprocess.run([sys.executable, "-c", code, tmp, json.dumps(settings), str(days)], cwd=ROOT,
                                 capture_output=True, text=True, check=True)
        stats = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(stats["seconds"])
    events = stats["cloudtrail_events"]
    records = events + stats["vpcflow_records"] + stats["guardduty_exports"]
    best = min(times)
    return {"days": days, "seconds": best, "runs_seconds": times, "cloudtrail_events": events,
            "all_records": records, "events_per_s": events / best, "records_per_s": records / best}


def demo_wall_time(timeout: float = 900) -> dict:
    """Wall time of ``workbench demo`` into a fresh folder (what ``make demo`` runs on a new machine)."""
    exe = Path(sys.executable).with_name("workbench")
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        started = time.perf_counter()
        try:
            out = subprocess.run([str(exe), "demo", "--out", str(Path(tmp) / "demo-data")], cwd=tmp,
                                 capture_output=True, text=True, timeout=timeout)
            status = out.returncode
        except subprocess.TimeoutExpired:
            status = None
        return {"seconds": time.perf_counter() - started, "exit_status": status}
