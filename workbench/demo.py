"""``workbench demo``: the sample organisation and what the main queries find in it.

Generates the sample (unless it is already there with the same settings), runs the
questions a security engineer asks first, prints the answers, and checks each against the
planted ground truth in ``scenarios.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import pandas as pd

from workbench.analyses.activity import volume_outliers
from workbench.analyses.logins import failed_login_bursts, root_verdict
from workbench.engines.local import LocalEngine

SAMPLE_DEFAULTS = {"start": "2026-11-01", "days": 7, "accounts": 3, "regions": ["us-east-1", "ap-northeast-1"]}


def run_demo(out: Path, *, fresh: bool = False, seed: int = 7, scale: float = 1.0, stream=None) -> int:
    """Generate (if needed) and explain the sample organisation; return an exit status.

    Returns
    -------
    int
        0 when every planted scenario was found, 1 otherwise.
    """
    stream = stream or sys.stdout
    say = lambda text="": print(text, file=stream, flush=True)  # noqa: E731
    doc = _ensure_sample(out, fresh=fresh, seed=seed, scale=scale, say=say)
    settings = doc["generator"]
    start = dt.date.fromisoformat(settings["start"])
    window = {"start": start.isoformat(), "end": (start + dt.timedelta(days=settings["days"] - 1)).isoformat()}
    truth = {s["kind"]: s for s in doc["scenarios"]}
    found: dict[str, bool] = {}

    with LocalEngine(out) as engine:
        scans = []

        def run(name, **params):
            frame = engine.query(name, {**window, **params})
            scans.append(engine.last_scan)
            return frame

        say(f"\n1. Who signed in as root?   (query: root_activity)")
        root = run("root_activity")
        for r in root.itertuples():
            say(f"   {r.event_time:%Y-%m-%d %H:%M:%S}  {r.account_id}  {r.event_name:<18} {r.outcome:<8} "
                f"{r.source_ip:<16} MFA {'yes' if r.mfa_used else 'no'}")
        say(f"   Verdict: {root_verdict(root)}")
        found["root_console_login"] = _same(root.event_id, truth.get("root_console_login", {}).get("event_ids"))

        say("\n2. Who is guessing user names (HIDDEN_DUE_TO_SECURITY_REASONS)?   (query: hidden_user_logins)")
        hidden = run("hidden_user_logins")
        bursts, typos = hidden[hidden.attempts > 1], hidden[hidden.attempts == 1]
        for r in bursts.itertuples():
            say(f"   {r.source_ip:<16} -> account {r.account_id}: {r.attempts} attempts "
                f"{r.first_seen:%Y-%m-%d %H:%M}-{r.last_seen:%H:%M}")
        say(f"   One-off attempts (typos, stale bookmarks): {len(typos)}")
        planted = truth.get("hidden_user_bruteforce", {})
        found["hidden_user_bruteforce"] = any(
            r.source_ip == planted.get("source_ip") and _same(r.event_ids, planted.get("event_ids"))
            for r in bursts.itertuples()
        )

        say("\n3. Is someone brute-forcing a real user's password?   (query: console_logins)")
        logins = run("console_logins")
        brute = failed_login_bursts(logins)
        for r in brute.itertuples():
            say(f"   {r.user_name} in {r.account_id} from {r.source_ip}: {r.failures} failures "
                f"{r.first_seen:%Y-%m-%d %H:%M}-{r.last_seen:%H:%M}"
                f"{', then a success' if r.succeeded_after else ''}")
        if brute.empty:
            say("   No principal failed 5 times or more from one IP.")
        planted = truth.get("console_bruteforce", {})
        found["console_bruteforce"] = any(
            r.source_ip == planted.get("source_ip") and r.user_name == planted.get("user_name")
            for r in brute.itertuples()
        )

        say("\n4. What did the flagged access key do?   (queries: findings -> events_by_access_key)")
        findings = run("findings")
        say(f"   GuardDuty: {len(findings)} findings; by severity: "
            + ", ".join(f"{k} {v}" for k, v in _severity_bands(findings).items()))
        keyed = findings[findings.access_key_id.notna() & ~findings.is_sample].head(1)
        found["compromised_access_key"] = False
        for f in keyed.itertuples():
            say(f"   Top key finding: {f.type} (severity {f.severity:g}, seen {f.count}x) on key "
                f"{f.access_key_id} of {f.user_name}, from {f.remote_ip}")
            events = run("events_by_access_key", access_key_id=f.access_key_id)
            attacker = events[events.source_ip == f.remote_ip]
            usual = events[events.source_ip != f.remote_ip]
            say(f"   The key made {len(events)} calls: {len(usual)} from its usual "
                f"{usual.source_ip.nunique()} IPs, {len(attacker)} from {f.remote_ip} "
                f"({attacker.error_code.notna().sum()} denied) in regions "
                f"{', '.join(sorted(attacker.region.unique()))}")
            writes = attacker[attacker.event_name.str.match(r"^(Create|Attach|Put|Update|Delete)")]
            if len(writes):
                say(f"   Persistence/changes from that IP: {', '.join(dict.fromkeys(writes.event_name))}")
            planted = truth.get("compromised_access_key", {})
            found["compromised_access_key"] = (
                f.access_key_id == planted.get("access_key_id") and _same(attacker.event_id, planted.get("event_ids"))
            )

        say("\n5. Who is scanning our VPCs?   (query: scan_candidates)")
        scan = run("scan_candidates")
        for r in scan.itertuples():
            say(f"   {r.source_ip:<16} -> {r.dst_addr} ({r.interface_id}): {r.distinct_ports} ports, "
                f"{r.rejected_share:.0%} rejected, {r.first_seen:%Y-%m-%d %H:%M}-{r.last_seen:%H:%M}")
        if scan.empty:
            say("   No source reached 20 ports of one host.")
        planted = truth.get("port_scan", {})
        found["port_scan"] = any(
            r.source_ip == planted.get("source_ip") and r.interface_id == planted.get("eni") for r in scan.itertuples()
        )

        say("\n6. Whose activity departs from their own normal?   (query: principal_daily_activity)")
        outliers = volume_outliers(run("principal_daily_activity")).head(3)
        for r in outliers.itertuples():
            say(f"   {r.principal} on {r.event_day}: {r.calls} calls ({r.volume_ratio:.1f}x usual), "
                f"{r.distinct_apis} APIs ({r.api_ratio:.1f}x usual)")
        planted = truth.get("anomalous_principal", {})
        found["anomalous_principal"] = bool(len(outliers)) and (
            outliers.iloc[0].principal == planted.get("principal_arn")
            and outliers.iloc[0].event_day == planted.get("day")
        )

    files = sum(s.files for s in scans)
    seconds = sum(s.seconds for s in scans)
    say(f"\n{len(scans)} queries read {files} files in {seconds:.1f} s.")
    missed = [k for k in truth if not found.get(k)]
    say(f"Ground truth ({out / 'scenarios.json'}): {len(truth) - len(missed)}/{len(truth)} planted scenarios found"
        + (f"; missed: {', '.join(missed)}" if missed else "."))
    say(f"Next: workbench query events_by_source_ip -p start={window['start']} -p end={window['end']} "
        f"-p source_ip=<ip> --logs {out}")
    return 1 if missed else 0


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
    doc = generate(out, start=dt.date.fromisoformat(SAMPLE_DEFAULTS["start"]), days=SAMPLE_DEFAULTS["days"],
                   accounts=SAMPLE_DEFAULTS["accounts"], regions=tuple(SAMPLE_DEFAULTS["regions"]),
                   seed=seed, scale=scale, progress=sys.stderr.isatty())
    accounts = ", ".join(f"{a['id']} ({a['name']})" for a in doc["accounts"])
    say(f"Generated in {time.perf_counter() - started:.1f} s: accounts {accounts}; "
        f"organisation {doc['generator'].get('org_id') or 'none'}.")
    return doc


def _same(got, expected) -> bool:
    return expected is not None and sorted(pd.Series(list(got), dtype=object)) == sorted(expected)


def _severity_bands(findings: pd.DataFrame) -> dict:
    bands = pd.cut(findings.severity, [0, 3.95, 6.95, 10], labels=["low", "medium", "high"])
    counts = bands.value_counts()
    return {k: int(counts.get(k, 0)) for k in ("high", "medium", "low")}
