"""Orchestration: :func:`generate` writes a whole sample ``AWSLogs/`` tree.

Work is split by day.  A day's CloudTrail and flow-log files depend only on the
organisation, the scenario plan and that day's own random streams, so days can run in
worker processes in any order and still give byte-identical files.  GuardDuty exports,
Insights, Config, digests and ``scenarios.json`` are written afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import apis, background, guardduty, ids, organisation, scenarios, trail_files, vpcflow, writer
from .cloudtrail import Recorder

VERSION = "1.0"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


@dataclass
class _Job:
    root: Path
    org: organisation.Organisation
    plan: scenarios.Plan
    scale: float

    def run_day(self, day_index: int) -> dict:
        """Write one day's CloudTrail and VPC Flow Log files; return what the digests need."""
        org, plan, scale = self.org, self.plan, self.scale
        w = writer.Writer(self.root)
        day = org.day(day_index)
        records: dict = {}
        for acct in org.accounts:
            variants = {reg: apis.variants(acct, site, day.isoformat(), org.seed) for reg, site in acct.sites.items()}
            cx = background.Context(org, acct, day_index, scale, variants, steady=plan.steady, owned=plan.owned)
            rec = Recorder(acct.id, day, org.seed)
            background.people(rec, cx)
            background.service_users(rec, cx)
            background.ci_deploys(rec, cx)
            for site in acct.sites.values():
                background.workloads(rec, cx, site)
            background.platform(rec, cx)
            background.showcase(rec, cx)
            for region, recs in rec.out.items():
                records[(acct.id, region)] = recs
        for (account_id, region, d), recs in sorted(plan.cloudtrail.items()):
            if d == day_index:
                records.setdefault((account_id, region), []).extend(recs)
        events = sum(len(v) for v in records.values())
        metas = writer.write_cloudtrail_day(w, org, day_index, records)
        rows = 0
        for acct in org.accounts:
            for region, site in acct.sites.items():
                flows = vpcflow.background(org, acct, site, day_index, scale)
                flows += plan.flows.get((acct.id, region, day_index), [])
                rows += writer.write_flows_day(w, org, acct, site, day_index, vpcflow.fill_gaps(flows, org, site, day_index))
        return {"metas": metas, "events": events, "flow_records": rows, "files": w.files, "bytes": w.bytes}


_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _worker_day(day_index: int) -> dict:
    assert _WORKER_JOB is not None
    return _WORKER_JOB.run_day(day_index)


def generate(out, *, start=dt.date(2026, 11, 1), days=7, accounts=3, regions=("us-east-1", "ap-northeast-1"),
             org_id="auto", seed=7, scale=1.0, progress=False, workers=None) -> dict:
    """Write a sample organisation's logs to ``out/AWSLogs/...`` and ground truth to ``out/scenarios.json``.

    Parameters
    ----------
    out : str or Path
        Output directory.  A previous sample there (``AWSLogs/`` next to a generator
        ``scenarios.json``) is replaced; any other existing ``AWSLogs/`` is refused.
    start : datetime.date or str, default 2026-11-01
        First simulated day (UTC).
    days : int, default 7
        Number of days.
    accounts : int, default 3
        Number of accounts: "management", "production", "development", ...
    regions : sequence of str
        Regions with people and workloads.  CloudTrail always also delivers under
        us-east-1 (global services, console sign-in) even if it is not listed.
    org_id : "auto", str or None, default "auto"
        "auto": an organisation trail with an id derived from ``seed``; ``"o-..."``: that
        id; None: no organisation, each account has its own trail.
    seed : int or str, default 7
        Same arguments give byte-identical output.
    scale : float, default 1.0
        Multiplies background volume (planted scenarios do not change).  At 1.0 the
        defaults give roughly 60k CloudTrail events.
    progress : bool, default False
        Show a tqdm progress bar over days.
    workers : int, optional
        Worker processes (default: one per CPU, at most one per day).  Output does not
        depend on it.

    Returns
    -------
    dict
        The scenarios document, as written to ``scenarios.json``.

    Examples
    --------
    >>> doc = generate("demo-data", days=2, scale=0.1)                    # doctest: +SKIP
    >>> [s["id"] for s in doc["scenarios"]]                               # doctest: +SKIP
    ['root-console-login', 'hidden-user-bruteforce', ...]
    """
    start, regions, org_id = _check(start, days, accounts, regions, org_id, seed, scale)
    root = Path(out)
    _prepare(root)
    org = organisation.build(seed, start=start, days=days, accounts=accounts, regions=regions, org_id=org_id)
    plan = scenarios.plan(org)
    job = _Job(root, org, plan, float(scale))
    results = _run_days(job, workers, progress)

    w = writer.Writer(root)
    findings = [f for acct in org.accounts for region in org.regions for f in guardduty.background(org, acct, region)]
    exports = writer.write_guardduty(w, org, findings + plan.findings)
    writer.write_insights(w, org, plan.insights + _background_insights(org))
    writer.write_config(w, org)
    metas = [m for res in results for m in res["metas"]]
    writer.write_digests(w, org, metas)

    files: dict[str, int] = dict(w.files)
    for res in results:
        for kind, n in res["files"].items():
            files[kind] = files.get(kind, 0) + n
    doc = {
        "generator": {"name": "workbench.sample", "version": VERSION, "seed": seed, "start": start.isoformat(),
                      "end": org.day(days - 1).isoformat(), "days": days, "accounts": [a.id for a in org.accounts],
                      "regions": list(regions), "cloudtrail_regions": list(org.trail_regions), "org_id": org_id,
                      "scale": float(scale), "trail_name": org.trail_name,
                      "trail_bucket": writer.trail_bucket(org, org.accounts[0])},
        "accounts": [{"id": a.id, "name": a.name, "flow_log_format": a.flow_format,
                      "flow_log_ids": {reg: s.flow_log_id for reg, s in a.sites.items()},
                      "vpc_ids": {reg: s.vpc_id for reg, s in a.sites.items()}} for a in org.accounts],
        "scenarios": plan.scenarios,
        "stats": {"cloudtrail_events": sum(r["events"] for r in results),
                  "vpcflow_records": sum(r["flow_records"] for r in results),
                  "guardduty_exports": exports, "files": dict(sorted(files.items()))},
    }
    (root / "scenarios.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return doc


def _check(start, days, accounts, regions, org_id, seed, scale):
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    elif isinstance(start, dt.datetime):
        start = start.date()
    if not isinstance(start, dt.date):
        raise TypeError(f"start must be a date or 'YYYY-MM-DD', not {start!r}")
    if not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive integer, not {days!r}")
    if not isinstance(accounts, int) or not 1 <= accounts <= 50:
        raise ValueError(f"accounts must be an integer from 1 to 50, not {accounts!r}")
    if isinstance(regions, str):
        regions = (regions,)
    regions = tuple(dict.fromkeys(regions))
    bad = [r for r in regions if not isinstance(r, str) or not _REGION.match(r)]
    if not regions or bad:
        raise ValueError(f"regions must be AWS region names such as 'us-east-1', got {bad or regions!r}")
    if scale is None or float(scale) < 0:
        raise ValueError(f"scale must be >= 0, not {scale!r}")
    if not isinstance(seed, (int, str)):
        raise TypeError(f"seed must be an int or str, not {seed!r}")
    if org_id == "auto":
        org_id = "o-" + ids.alnum(ids.rng(seed, "org-id"), 10)
    elif org_id is not None and not (isinstance(org_id, str) and _ORG_ID.match(org_id)):
        raise ValueError(f"org_id must be 'auto', None or 'o-' followed by 10-32 lower-case letters or digits, not {org_id!r}")
    return start, regions, org_id


def _prepare(root: Path) -> None:
    """Create ``root``; replace a previous sample in it, refuse to mix with anything else."""
    logs, truth = root / "AWSLogs", root / "scenarios.json"
    if logs.exists():
        try:
            ours = "generator" in json.loads(truth.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ours = False
        if not ours:
            raise FileExistsError(f"{logs} exists and is not a workbench sample; choose an empty directory")
        shutil.rmtree(logs)
    truth.unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)


def _run_days(job: _Job, workers: int | None, progress: bool) -> list[dict]:
    days = job.org.days
    if workers is None:
        workers = min(os.cpu_count() or 1, days, 8)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=days, desc="sample", unit="day")
    results = []
    try:
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(job,)) as pool:
                for res in pool.map(_worker_day, range(days)):
                    results.append(res)
                    if bar:
                        bar.update()
        else:
            for d in range(days):
                results.append(job.run_day(d))
                if bar:
                    bar.update()
    finally:
        if bar:
            bar.close()
    return results


def _background_insights(org) -> list:
    """One ordinary Insights pair: an SSM agent reconnect storm in the first account."""
    acct = org.accounts[0]
    region = org.regions[0]
    site = acct.sites[region]
    d = min(2, org.days - 1)
    r = ids.rng(org.seed, "insights", acct.id)
    inst = site.by_role("app")[0]
    start = ids.epoch(org.day(d)) + 2 * 3600 + r.randrange(1800)
    pair = trail_files.insight_pair(org, acct, region, r, source="ssm.amazonaws.com", name="UpdateInstanceInformation",
                                    start=start, minutes=30, baseline=0.05, peak=1.9,
                                    arn=f"arn:aws:sts::{acct.id}:assumed-role/{inst.profile_role}/{inst.instance_id}",
                                    user_agent=background.SSM_AGENT)
    return [(acct.id, region, t, rec) for t, rec in pair]
