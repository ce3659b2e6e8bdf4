"""The engine, time window and scope a notebook works in.

Every notebook starts from the same parameters (``engine``, ``logs``, ``start``, ``end``,
``accounts``, ``regions``); :class:`Investigation` turns them into an open engine and the
query parameters every library query shares, so that a notebook cell is one short call.

Examples
--------
>>> from workbench import Investigation
>>> inv = Investigation(logs="demo-data")          # doctest: +SKIP
>>> inv.query("root_activity")                     # doctest: +SKIP
>>> inv.query("scan_candidates", min_ports=10)     # doctest: +SKIP
>>> inv.pivot(source_ip="203.0.113.7")             # doctest: +SKIP
>>> inv.lineage(access_key_id="ASIA...")           # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from workbench import context
from workbench.detections import list_rules, load_sigma_rules, run_rules
from workbench.detections.rules import DEFAULT_SEVERITY
from workbench.engines import Engine, connect
from workbench.library import get_query, is_builtin
from workbench.session.lineage import DEFAULT_PADDING, LineageResult, lineage
from workbench.session.pivot import PivotResult, pivot
from workbench.settings import engine_name, logs_folder, parse_list, window
from workbench.words import count, problem_line
from workbench.words import size as size_text


class Investigation:
    """An open engine plus the window and scope that every query of a notebook shares.

    Parameters
    ----------
    engine : str or Engine, optional
        ``"local"``, ``"athena"`` or ``"trino"`` (default ``$WORKBENCH_ENGINE``, else ``"local"``), or an
        open engine.
    logs : path, optional
        Folder holding ``AWSLogs/`` for the local engine (default: ``$WORKBENCH_LOGS``, else
        the nearest ``demo-data``).
    start, end : str, optional
        First and last day, ``YYYY-MM-DD``, UTC, inclusive (default: the sample's days, or
        the last seven days).
    accounts, regions : list of str or comma-separated str, optional
        Keep only these (default: all).
    """

    def __init__(self, engine=None, logs=None, start=None, end=None, accounts=None, regions=None):
        self.logs = logs_folder(logs)
        if isinstance(engine, Engine):
            self.engine = engine
        else:
            self.engine = connect(engine_name(engine), logs=self.logs)
        # a local sample's own days are the default window; Athena has no local folder to look at
        self.start, self.end = window(start, end, self.logs if self.engine.name == "local" else None)
        self.accounts = parse_list(accounts)
        self.regions = parse_list(regions)
        self.scans: list[dict] = []

    @property
    def window(self) -> dict:
        """The shared query parameters: ``start``, ``end``, ``accounts``, ``regions``."""
        return {"start": self.start, "end": self.end, "accounts": self.accounts, "regions": self.regions}

    def query(self, name: str, *, enrich: bool = False, **params) -> pd.DataFrame:
        """Run a library query with the shared window and scope, plus ``params``.

        Only the shared parameters the query declares are passed, so queries without
        ``accounts`` or ``regions`` work too. ``enrich=True`` adds the context of each address and
        user agent (:func:`workbench.context.enrich`: ``source_country``, ``source_asn``,
        ``source_org``, ``source_is_aws``, ``ua_family``, ``ua_tool``...).
        """
        declared = {p.name for p in get_query(name).params}
        values = {k: v for k, v in self.window.items() if k in declared}
        frame = self.engine.query(name, {**values, **params})
        if enrich:
            frame = context.enrich(frame)
        scan = frame.attrs.get("scan", {})
        self._record(scan)
        if frame.empty:
            for note in scan.get("notes") or []:
                print(f"{name}: no rows, and here is why: {note}")
        return frame

    def detect(self, *, severity: str | None = None, rules: str | None = None, sigma: str | None = None,
               baseline_days: int | None = None, progress: bool = False):
        """Run the detection rules over the window (:func:`workbench.detections.run_rules`).

        Parameters
        ----------
        severity : str, optional
            Only rules of this severity or worse (default ``low``; ``info`` adds the change monitoring).
        rules : str, optional
            A folder of more rules (``<source>/<rule>.sql``).
        sigma : str, optional
            A folder of Sigma rules; those that do not convert are printed with the reason.
        baseline_days : int, optional
            Days before the window that make each principal's baseline (first-seen rules; default 30).
        progress : bool
            A progress bar over the passes (on standard error).
        """
        chosen = list_rules([rules] if rules else [])
        if sigma:
            converted, unsupported = load_sigma_rules(sigma)
            for where, reason in unsupported:
                print(f"unsupported: {where}: {reason}")
            chosen += converted
        found = run_rules(self.engine, **self.window, rules=chosen, severity=severity or DEFAULT_SEVERITY,
                          params={} if baseline_days is None else {"baseline_days": int(baseline_days)},
                          progress=progress)
        for scan in found.scans:
            self._record(scan)
        for rule_id, error in found.failed.items():
            print(f"rule {rule_id} could not run: {error}")
        return found

    def _record(self, scan: dict) -> None:
        """Keep a scan report; say at once when it met files that could not be read whole."""
        known = {p["path"] for p in self.problems()}
        self.scans.append(scan)
        new = [p for p in scan.get("problems") or [] if p["path"] not in known]
        if new:
            print(f"{len(new)} file(s) could not be read whole (see inv.problems()):")
            for p in new[:5]:
                print(f"  {problem_line(p)}")

    def problems(self) -> list[dict]:
        """Every file the queries so far could not read whole, once each: path, reason, lost."""
        seen, out = set(), []
        for scan in self.scans:
            for p in scan.get("problems") or []:
                if (p["path"], p["reason"]) not in seen:
                    seen.add((p["path"], p["reason"]))
                    out.append(p)
        return out

    def pivot(self, *, source_ip=None, access_key_id=None, principal=None, instance_id=None,
              start=None, end=None, padding=None) -> PivotResult:
        """:func:`workbench.session.pivot` with this engine, scope and (unless given) window."""
        found = pivot(self.engine, source_ip=source_ip, access_key_id=access_key_id, principal=principal,
                      instance_id=instance_id, start=start or self.start, end=end or self.end,
                      padding=padding, accounts=self.accounts, regions=self.regions)
        for scan in found.scans:
            self._record(scan)
        return found

    def lineage(self, *, access_key_id=None, principal=None, session=None, start=None, end=None,
                padding=DEFAULT_PADDING) -> LineageResult:
        """:func:`workbench.lineage` with this engine, scope and (unless given) window."""
        found = lineage(self.engine, access_key_id=access_key_id, principal=principal, session=session,
                        start=start or self.start, end=end or self.end, padding=padding, accounts=self.accounts,
                        regions=self.regions)
        for scan in found.scans:
            self._record(scan)
        return found

    def follow(self, found: PivotResult, n: int = 1) -> PivotResult:
        """``found.follow(n)``, with what it reads counted in :meth:`scanned`."""
        wider = found.follow(n)
        if wider is not found:
            for scan in wider.scans:
                self._record(scan)
        return wider

    def scanned(self) -> str:
        """One line: how many queries ran, and what they read."""
        files = sum(s.get("files", 0) for s in self.scans)
        read_bytes = sum(s.get("bytes", 0) for s in self.scans)
        billed = [s["scanned_bytes"] for s in self.scans if s.get("scanned_bytes") is not None]
        seconds = sum(s.get("seconds", 0.0) for s in self.scans)
        read = f"{count(files, 'file')} ({size_text(read_bytes)})"
        if billed:
            cost = sum(s.get("cost_usd") or 0.0 for s in self.scans)
            read = f"{size_text(sum(billed))} scanned (~${cost:.4f})"
        text = f"{len(self.scans)} queries on the {self.engine.name} engine read {read} in {seconds:.1f} s."
        own = sorted({(s["query"], s["query_file"]) for s in self.scans if not is_builtin(s.get("query_file"))})
        if own:
            text += " Queries not from the built-in library: " + "; ".join(f"{q} ({f})" for q, f in own) + "."
        problems = self.problems()
        if problems:
            files = len({p["path"] for p in problems})
            text += (f" {files} file(s) could not be read whole: "
                     + "; ".join(f"{p['path']}: {p['reason']}" for p in problems[:3])
                     + (" ..." if len(problems) > 3 else "") + " (inv.problems() lists them all).")
        return text

    def scope(self) -> dict:
        """What a report covered: ``start``, ``end``, ``accounts`` and ``regions`` (empty: all), ``engine``."""
        return {"start": self.start, "end": self.end, "accounts": list(self.accounts), "regions": list(self.regions),
                "engine": self.engine.name}

    def describe(self) -> str:
        """One line: engine, logs, window and scope."""
        where = f" over {self.logs}" if self.engine.name == "local" else ""
        accounts = ", ".join(self.accounts) or "all accounts"
        regions = ", ".join(self.regions) or "all regions"
        return f"{self.engine.name} engine{where}; {self.start} to {self.end} (UTC); {accounts}; {regions}"

    def __repr__(self) -> str:
        return f"Investigation({self.describe()})"

    def close(self) -> None:
        """Close the engine."""
        self.engine.close()
