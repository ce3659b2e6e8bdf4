"""The benchmark store: a seeded sample organisation, built once and reused.

About 30 days, 3 accounts and 2 regions: a few million CloudTrail events with flow logs and
GuardDuty findings. The store is rebuilt only when its settings change (they are compared
with the generator settings recorded in ``scenarios.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from workbench.sample import VERSION, generate

HERE = Path(__file__).resolve().parent

#: Where the store lives (git-ignored).
STORE_DIR = HERE / "store"

#: Generator settings of the store.
SETTINGS = {"start": "2026-11-01", "days": 30, "accounts": 3, "regions": ["us-east-1", "ap-northeast-1"],
            "seed": 7, "scale": 12.0}


def window(days: int | None = None, *, first: int = 0) -> dict:
    """Query parameters for ``days`` days from day ``first`` of the store (default: all of it)."""
    start = dt.date.fromisoformat(SETTINGS["start"]) + dt.timedelta(days=first)
    days = SETTINGS["days"] - first if days is None else days
    return {"start": start.isoformat(), "end": (start + dt.timedelta(days=days - 1)).isoformat()}


def _current(doc: dict) -> bool:
    gen = doc.get("generator", {})
    return (gen.get("version") == VERSION and gen.get("seed") == SETTINGS["seed"]
            and gen.get("start") == SETTINGS["start"] and gen.get("days") == SETTINGS["days"]
            and len(gen.get("accounts", [])) == SETTINGS["accounts"]
            and gen.get("regions") == SETTINGS["regions"] and gen.get("scale") == SETTINGS["scale"])


def ensure_store(folder: Path = STORE_DIR, *, say=print) -> tuple[Path, dict, float | None]:
    """The store's folder and ground truth, building it first if missing or outdated.

    Returns
    -------
    folder : Path
    doc : dict
        ``scenarios.json`` of the store.
    seconds : float or None
        Build time when it was built now; ``None`` when it was reused.
    """
    truth = folder / "scenarios.json"
    if truth.is_file():
        doc = json.loads(truth.read_text())
        if _current(doc):
            say(f"benchmark store: reusing {folder} ({doc['stats']['cloudtrail_events']:,} CloudTrail events)")
            return folder, doc, None
    say(f"benchmark store: building {folder} (once; about a minute) ...")
    started = time.perf_counter()
    doc = generate(folder, start=dt.date.fromisoformat(SETTINGS["start"]), days=SETTINGS["days"],
                   accounts=SETTINGS["accounts"], regions=tuple(SETTINGS["regions"]), seed=SETTINGS["seed"],
                   scale=SETTINGS["scale"])
    seconds = time.perf_counter() - started
    say(f"benchmark store: {doc['stats']['cloudtrail_events']:,} CloudTrail events in {seconds:.0f} s")
    return folder, doc, seconds
