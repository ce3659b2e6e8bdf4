"""Orchestration: :func:`generate` writes a whole sample ``AWSLogs/`` tree.

Work is split into parts: one account's CloudTrail files of one day, the same for its
VPC Flow Logs, its digest chain once all its days are written, and the GuardDuty,
Insights and Config files.  A part depends only on the organisation, the scenario plan
and its own random streams, so parts can run in worker processes in any order and still
give byte-identical files; only ``scenarios.json`` is written at the end, by the caller.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import shutil
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from workbench.settings import SAMPLE

from . import (
    apis,
    background,
    cdn,
    digest_signer,
    dns,
    guardduty,
    ids,
    load_balancers,
    organisation,
    s3access,
    scenarios,
    trail_files,
    vpcflow,
    web,
    writer,
)
from .cloudtrail import Recorder

VERSION = "1.4"  # 1.1: gzip by ISA-L (other compressed bytes, same content); 1.2: the web shop's ALB and WAF logs;
#                 1.3: the ALB's connection logs, the partner NLB, the legacy CLB and the CloudFront distribution;
#                 1.4: Route 53 Resolver query logs and the compromised instance's beacon, S3 server access
#                 logs of each account's data bucket and the leaked key's downloads
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


@dataclass
class _Job:
    root: Path
    org: organisation.Organisation
    plan: scenarios.Plan
    scale: float

    def run(self, part: tuple) -> dict:
        """Do one part and return its result with the files it wrote.

        ``part`` is ``("cloudtrail"|"flows", day, account)``, ``("web", day)``, ``("digests",
        account, region, metas)`` or ``("extras",)``.
        """
        kind, *args = part
        w = writer.Writer(self.root)
        collecting = gc.isenabled()
        gc.disable()  # a part makes a few hundred thousand objects and no reference cycles
        try:
            out = {"cloudtrail": self._cloudtrail, "flows": self._flows, "web": self._web, "digests": self._digests,
                   "extras": self._extras}[kind](w, *args)
        finally:
            if collecting:
                gc.enable()
        out.update(files=w.files, bytes=w.bytes)
        return out

    def _cloudtrail(self, w: writer.Writer, day_index: int, account_index: int) -> dict:
        """Render and write one account's CloudTrail files of one day; return what the digests need."""
        org, plan = self.org, self.plan
        acct, day = org.accounts[account_index], org.day(day_index)
        variants = {reg: apis.variants(acct, site, day.isoformat(), org.seed) for reg, site in acct.sites.items()}
        cx = background.Context(org, acct, day_index, self.scale, variants, steady=plan.steady, owned=plan.owned)
        rec = Recorder(acct.id, day, org.seed)
        background.people(rec, cx)
        background.service_users(rec, cx)
        background.ci_deploys(rec, cx)
        for site in acct.sites.values():
            background.workloads(rec, cx, site)
        background.platform(rec, cx)
        background.showcase(rec, cx)
        records = {(acct.id, region): recs for region, recs in rec.out.items()}
        for (account_id, region, d), recs in sorted(plan.cloudtrail.items()):
            if d == day_index and account_id == acct.id:
                records.setdefault((account_id, region), []).extend(recs)
        events = sum(len(v) for v in records.values())
        return {"metas": writer.write_cloudtrail_day(w, org, day_index, records, accounts=(acct,)), "events": events}

    def _flows(self, w: writer.Writer, day_index: int, account_index: int) -> dict:
        """Write one account's VPC Flow Log and Resolver query log files of one day."""
        org, acct = self.org, self.org.accounts[account_index]
        rows = queries = 0
        for region, site in acct.sites.items():
            log = vpcflow.FlowLog(acct, site)
            vpcflow.background(log, org, acct, site, day_index, self.scale)
            log.extend(self.plan.flows.get((acct.id, region, day_index), []))
            vpcflow.fill_gaps(log, org, site, day_index)
            rows += writer.write_flows_day(w, org, acct, site, day_index, log)
            asked = dns.background(org, acct, site, day_index, self.scale)
            asked += self.plan.dns.get((acct.id, region, day_index), [])
            for key, body in dns.files(acct, site, asked, ids.rng(org.seed, "dns-files", acct.id, region, day_index)):
                w.put(key, body, kind="resolver")
            queries += len(asked)
        return {"flow_records": rows, "resolver_queries": queries}

    def _web(self, w: writer.Writer, day_index: int) -> dict:
        """Write the shop's ALB access logs and WAF logs of one day."""
        shop = web.shop(self.org)
        reqs = web.background(self.org, shop, day_index, self.scale) + self.plan.web.get(day_index, [])
        r = ids.rng(self.org.seed, "web-files", day_index)
        for key, body in web.alb_files(shop, reqs, r):
            w.put(key, body, kind="alb")
        for key, body in web.waf_files(shop, reqs, r):
            w.put(key, body, kind="waf")
        r = ids.rng(self.org.seed, "load-balancer-files", day_index)
        for key, body in web.conn_files(shop, reqs, r, self.plan.handshakes.get(day_index, [])):
            w.put(key, body, kind="alb_connections")
        lbs = load_balancers.balancers(self.org)
        conns = (load_balancers.nlb_background(self.org, lbs, day_index, self.scale)
                 + self.plan.tls.get(day_index, []))
        for key, body in load_balancers.nlb_files(lbs, conns, r):
            w.put(key, body, kind="nlb")
        legacy = load_balancers.clb_background(self.org, lbs, day_index, self.scale)
        for key, body in load_balancers.clb_files(lbs, legacy, r):
            w.put(key, body, kind="clb", compress=False)
        dist = cdn.distribution(self.org)
        fetches = cdn.background(self.org, dist, day_index, self.scale) + self.plan.cdn.get(day_index, [])
        for key, body in cdn.files(dist, fetches, ids.rng(self.org.seed, "cdn-files", day_index)):
            w.put(key, body, kind="cloudfront")
        s3_requests = 0
        for acct in self.org.accounts:
            b = s3access.bucket(self.org, acct)
            asked = s3access.background(self.org, acct, b, day_index, self.scale)
            asked += self.plan.s3.get((acct.id, day_index), [])
            for key, body in s3access.files(b, asked, ids.rng(self.org.seed, "s3access-files", acct.id, day_index)):
                w.put(key, body, kind="s3access", compress=False)
            s3_requests += len(asked)
        return {"web_requests": len(reqs), "nlb_connections": len(conns), "clb_requests": len(legacy),
                "cloudfront_requests": len(fetches), "s3_requests": s3_requests}

    def _digests(self, w: writer.Writer, account_index: int, region: str, metas: list[dict]) -> dict:
        """Write one account's digest chain for one region (needs the facts of all its CloudTrail files)."""
        writer.write_digests(w, self.org, metas, accounts=(self.org.accounts[account_index],), regions=(region,))
        return {}

    def _extras(self, w: writer.Writer) -> dict:
        """GuardDuty exports, Insights events and Config files."""
        org, plan = self.org, self.plan
        findings = [f for acct in org.accounts for region in org.regions for f in guardduty.background(org, acct, region)]
        exports = writer.write_guardduty(w, org, findings + plan.findings)
        writer.write_insights(w, org, plan.insights + _background_insights(org))
        writer.write_config(w, org)
        return {"guardduty_exports": exports}


_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB  # noqa: PLW0603 - each worker process receives its job once, at start
    _WORKER_JOB = job


def _worker_part(part: tuple) -> dict:
    assert _WORKER_JOB is not None
    return _WORKER_JOB.run(part)


def generate(out, *, start=SAMPLE.start, days=SAMPLE.days, accounts=SAMPLE.accounts, regions=SAMPLE.regions,
             org_id="auto", seed=SAMPLE.seed, scale=SAMPLE.scale, progress=False, workers=None) -> dict:
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
        Show a tqdm progress bar over the parts of the work (account-days and the rest).
    workers : int, optional
        Worker processes (default: one per CPU, at most 8); 1 runs everything in this
        process.  Output does not depend on it.

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
    results = _run_parts(job, workers, progress)

    files: dict[str, int] = {}
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
        "stats": {"cloudtrail_events": sum(r.get("events", 0) for r in results),
                  "vpcflow_records": sum(r.get("flow_records", 0) for r in results),
                  "guardduty_exports": sum(r.get("guardduty_exports", 0) for r in results),
                  "web_requests": sum(r.get("web_requests", 0) for r in results),
                  "nlb_connections": sum(r.get("nlb_connections", 0) for r in results),
                  "clb_requests": sum(r.get("clb_requests", 0) for r in results),
                  "cloudfront_requests": sum(r.get("cloudfront_requests", 0) for r in results),
                  "resolver_queries": sum(r.get("resolver_queries", 0) for r in results),
                  "s3_requests": sum(r.get("s3_requests", 0) for r in results),
                  "files": dict(sorted(files.items()))},
    }
    (root / "scenarios.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    keys = digest_signer.public_keys_document(f"{start.isoformat()}T00:00:00+00:00",
                                              f"{(org.day(days - 1) + dt.timedelta(days=2)).isoformat()}T00:00:00+00:00")
    (root / digest_signer.PUBLIC_KEYS_FILE).write_text(json.dumps(keys, indent=2) + "\n", encoding="utf-8")
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


class _Schedule:
    """The parts still to run, in the order to start them, and the results of those done.

    The big CloudTrail parts come first, account by account, so that an account's digest
    chains (put at the front as soon as its last day is written) run early; the small
    flow-log parts come last and even out the workers' finishing times.
    """

    def __init__(self, org) -> None:
        self.org = org
        accounts, days = range(len(org.accounts)), range(org.days)
        self.ready = deque([("cloudtrail", d, a) for a in accounts for d in days]
                           + [("flows", d, a) for a in accounts for d in days] + [("web", d) for d in days]
                           + [("extras",)])
        self.total = len(self.ready) + len(org.accounts) * len(org.trail_regions)
        self.results: dict[tuple, dict] = {}
        self._metas: dict[int, list] = {a: [] for a in accounts}
        self._waiting = dict.fromkeys(accounts, org.days)

    def take(self) -> tuple | None:
        """The next part to start, or None when none is ready."""
        return self.ready.popleft() if self.ready else None

    def done(self, part: tuple, result: dict) -> None:
        """Keep the result of ``part``; make digest parts ready when an account's CloudTrail is complete."""
        self.results[part[:3]] = result
        if part[0] != "cloudtrail":
            return
        account = part[2]
        self._metas[account] += result["metas"]
        self._waiting[account] -= 1
        if not self._waiting[account]:
            for region in reversed(self.org.trail_regions):
                metas = [m for m in self._metas[account] if m["region"] == region]
                self.ready.appendleft(("digests", account, region, metas))

    def ordered(self) -> list[dict]:
        """Results in an order that does not depend on timing."""
        return [self.results[k] for k in sorted(self.results, key=repr)]


def _run_parts(job: _Job, workers: int | None, progress: bool) -> list[dict]:
    """Run every part on ``workers`` processes (default: one per CPU, at most 8), or here if 1.

    Only a few parts are queued ahead at a time, so digest parts that become ready
    start next rather than after everything submitted before them.
    """
    schedule = _Schedule(job.org)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=schedule.total, desc="sample", unit="part")
    try:
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(job,)) as pool:
                running: dict = {}
                while True:
                    while len(running) <= workers and (part := schedule.take()):
                        running[pool.submit(_worker_part, part)] = part
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        schedule.done(running.pop(fut), fut.result())
                        if bar:
                            bar.update()
        else:
            while part := schedule.take():
                schedule.done(part, job.run(part))
                if bar:
                    bar.update()
    finally:
        if bar:
            bar.close()
    return schedule.ordered()


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
