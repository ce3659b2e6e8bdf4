"""``workbench demo``: the sample organisation, every notebook run as a report, and a check.

Generates the sample (unless it is already there with the same settings), runs every
investigation notebook on it with papermill (as ``workbench report`` does), checks each
report's summary against the planted ground truth in ``scenarios.json``, and prints the
path of the reports' ``index.html``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from workbench.demo.ground_truth import check_detections, check_scenarios
from workbench.settings import REPORTS, SAMPLE


def run_demo(out: Path, *, fresh: bool = False, seed: int = SAMPLE.seed, scale: float = SAMPLE.scale,
             reports: Path | str = REPORTS,
             stream=None) -> int:
    """Generate (if needed) the sample organisation, report on it with every notebook, check the reports.

    Parameters
    ----------
    out : Path
        Where the sample organisation lives (``demo-data``).
    fresh : bool
        Regenerate the sample even if it is there with the same settings.
    seed, scale : int, float
        Generator settings.
    reports : path
        Where the reports go (``reports``).
    stream : file, optional
        Where to print progress and results (default: stdout).

    Returns
    -------
    int
        0 when every notebook ran and every planted scenario was found, 1 otherwise.
    """
    from workbench.report import run_reports

    stream = stream or sys.stdout
    say = lambda text="": print(text, file=stream, flush=True)  # noqa: E731
    started = time.perf_counter()
    doc = _ensure_sample(Path(out), fresh=fresh, seed=seed, scale=scale, say=say)
    settings = doc["generator"]
    say(f"\nRunning every notebook on it ({settings['start']} to {settings['end']}), one report each:")
    run = run_reports(out=str(reports), logs=Path(out), engine="local", progress=stream)
    summaries = {r.name: r.summary for r in run.results}
    checks = check_scenarios(doc, summaries)
    say("\nPlanted scenarios (scenarios.json) against what the reports found:")
    for c in checks:
        say(f"  {'found ' if c.found else 'MISSED'}  {c.kind:<24} {c.report:<24} {c.detail}")
    found = sum(c.found for c in checks)
    missed = [c.kind for c in checks if not c.found]
    say(f"{found}/{len(checks)} planted scenarios found" + (f"; missed: {', '.join(missed)}" if missed else "."))
    fired = check_detections(doc, summaries.get("detections"))
    say("\nPlanted scenarios against the detection rules (the detections report):")
    for c in fired:
        say(f"  {'fired ' if c.found else 'SILENT'}  {c.kind:<24} {c.detail}")
    silent = [c.kind for c in fired if not c.found]
    say(f"{len(fired) - len(silent)}/{len(fired)} planted scenarios fired a rule"
        + (f"; silent: {', '.join(silent)}" if silent else "."))
    missed += [f"{kind} (no rule)" for kind in silent]
    for failure in run.failures:
        say(f"Report {failure.name} failed at {failure.failed_cell}: {failure.error}")
    say(f"\nDone in {time.perf_counter() - started:.0f} s. Open the reports:\n{run.index}")
    return 1 if missed or run.failures else 0


def _ensure_sample(out: Path, *, fresh: bool, seed: int, scale: float, say) -> dict:
    from workbench.sample import generate

    scenarios = out / "scenarios.json"
    if scenarios.is_file() and not fresh:
        doc = json.loads(scenarios.read_text())
        settings = doc.get("generator", {})
        if settings.get("seed") == seed and settings.get("scale") == scale:
            say(f"Sample organisation in {out} (seed {seed}, already generated; --fresh to redo).")
            return doc
    say(f"Generating the sample organisation in {out} (seed {seed}, scale {scale}) ...")
    started = time.perf_counter()
    doc = generate(out, seed=seed, scale=scale, progress=sys.stderr.isatty())
    accounts = ", ".join(f"{a['id']} ({a['name']})" for a in doc["accounts"])
    say(f"Generated in {time.perf_counter() - started:.1f} s: accounts {accounts}; "
        f"organisation {doc['generator'].get('org_id') or 'none'}.")
    return doc
