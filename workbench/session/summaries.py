"""Each notebook's summary: a headline, the key numbers and the facts it established.

One function per notebook, pure: results in, a dict out (written by
:func:`workbench.session.summary.write_summary`). ``numbers`` go on the report index; ``facts``
are for the demo, the tests and any tool reading the reports. Lists of ids are capped at
:data:`MAX_IDS`.
"""

from __future__ import annotations

import pandas as pd

from workbench import analyses
from workbench.analyses.pivots import is_ip_address
from workbench.words import attention, count

MAX_IDS = 1000


def console_logins(logins: pd.DataFrame, new_ips: pd.DataFrame, failed_bursts: pd.DataFrame,
                   new_countries: pd.DataFrame | None = None) -> dict:
    """Summary of the ``console-logins`` notebook.

    Parameters
    ----------
    logins : DataFrame
        Rows of ``console_logins``.
    new_ips : DataFrame
        :func:`workbench.analyses.signins.new_source_ips`.
    failed_bursts : DataFrame
        :func:`workbench.analyses.signins.failed_login_bursts`.
    new_countries : DataFrame, optional
        :func:`workbench.analyses.signins.new_countries` (the sign-ins were enriched).
    """
    people = analyses.signins.named(logins)
    failed = int((logins.outcome != "Success").sum()) if len(logins) else 0
    ok = people[people.outcome == "Success"] if len(people) else people
    no_mfa = ok[(ok.kind != "federated (SSO/SAML)") & ~ok.mfa_used.fillna(False).astype(bool)] if len(ok) else ok
    parts = [f"{len(logins)} console sign-ins by {people.who.nunique() if len(people) else 0} principals",
             f"{failed} failed"]
    if len(failed_bursts):
        parts.append("password guessing: " + ", ".join(
            f"{r.user_name} from {r.source_ip} ({r.failures} failures)" for r in failed_bursts.itertuples()))
    parts.append(f"{len(new_ips)} first sign-ins from a new IP")
    if new_countries is not None:
        parts.append(f"{count(len(new_countries), 'first sign-in')} from a new country")
    kinds = analyses.signins.by_kind(logins).groupby("kind").sign_ins.sum() if len(logins) else pd.Series(dtype=int)
    urgent = [f"password guessing against {r.user_name} from {r.source_ip}: {r.failures} failures"
              for r in failed_bursts.itertuples()]
    if len(no_mfa):
        urgent.append(f"{count(len(no_mfa), 'IAM user or root sign-in')} without MFA, by "
                      + ", ".join(sorted(set(no_mfa.who))[:3]) + (" ..." if no_mfa.who.nunique() > 3 else ""))
    return {
        "title": "Console sign-ins",
        "headline": "; ".join(parts) + ".",
        **attention(urgent),
        "numbers": {"sign-ins": len(logins), "failed": failed, "new IPs": len(new_ips),
                    **({"new countries": len(new_countries)} if new_countries is not None else {}),
                    "IAM/root without MFA": len(no_mfa), "guessing series": len(failed_bursts)},
        "facts": {
            "sign_ins": len(logins),
            "principals": sorted(set(people.who)) if len(people) else [],
            "kinds": {k: int(v) for k, v in kinds.items()},
            "failed_bursts": [{"user_name": r.user_name, "source_ip": r.source_ip, "account_id": r.account_id,
                               "failures": int(r.failures), "event_ids": list(r.event_ids)}
                              for r in failed_bursts.itertuples()],
            "new_ips": [{"who": r.who, "source_ip": r.source_ip, "first_seen": r.first_seen}
                        for r in new_ips.head(50).itertuples()],
            "new_countries": [{"who": r.who, "country": r.country, "source_ip": r.source_ip, "first_seen": r.first_seen}
                              for r in (new_countries if new_countries is not None else pd.DataFrame()).head(50)
                              .itertuples()],
        },
    }


def detections(found) -> dict:
    """Summary of the ``detections`` notebook.

    Parameters
    ----------
    found : Detections
        What :func:`workbench.detections.run_rules` found.
    """
    by_rule = found.by_rule()
    urgent = [f"{r.severity} {r.rule_id} {r.title}: {count(int(r.hits), 'hit')}" for r in by_rule.itertuples()
              if r.severity in ("critical", "high")]
    urgent += [f"rule {rule_id} could not run: {error}" for rule_id, error in found.failed.items()]
    severities = found.hits.severity.value_counts() if len(found.hits) else {}
    return {
        "title": "Detections: what else bad happened",
        **attention(urgent),
        "headline": analyses.detections.verdict(found),
        "numbers": {"hits": len(found.hits), "rules fired": int(found.hits.rule_id.nunique()) if len(found.hits) else 0,
                    "rules run": len(found.rules), **{s: int(severities.get(s, 0)) for s in ("critical", "high")}},
        "facts": {
            "hit_event_ids": {rule_id: _ids(rows.event_id) for rule_id, rows in found.hits.groupby("rule_id")}
            if len(found.hits) else {},
            # who and what each hit names, for checks against what was planted (the first thousand)
            "hits": found.hits[["rule_id", "event_id", "principal", "source_ip", "access_key_id"]].head(1000)
            .to_dict("records") if len(found.hits) else [],
            "rules_failed": sorted(found.failed),
        },
    }


def root_and_hidden(root: pd.DataFrame, hidden: pd.DataFrame) -> dict:
    """Summary of the ``root-and-hidden-logins`` notebook.

    Parameters
    ----------
    root : DataFrame
        Rows of ``root_activity``.
    hidden : DataFrame
        Rows of ``hidden_user_logins`` classified by :func:`workbench.analyses.hidden.classify`.
    """
    logins = root[root.event_name == "ConsoleLogin"] if len(root) else root
    ok = logins[logins.outcome == "Success"] if len(logins) else logins
    failed = logins[logins.outcome != "Success"] if len(logins) else logins
    no_mfa = ok[~ok.mfa_used.fillna(False).astype(bool)] if len(ok) else ok
    bursts = analyses.hidden.bursts(hidden)
    one_offs = hidden[hidden.kind == analyses.hidden.ONE_OFF] if len(hidden) else hidden
    calls = root[root.event_name != "ConsoleLogin"] if len(root) else root
    urgent = []
    if len(ok):
        urgent.append(f"root signed in {count(len(ok), 'time')} ({len(no_mfa)} without MFA) from "
                      + ", ".join(sorted(set(ok.source_ip))[:3]))
    if len(calls):
        urgent.append(f"{count(len(calls), 'root action')}: " + ", ".join(calls.event_name.value_counts().index[:4]))
    if len(failed):
        urgent.append(f"{count(len(failed), 'failed root sign-in')} from "
                      + ", ".join(sorted(set(failed.source_ip))[:3]))
    urgent += [f"{int(r.attempts)} sign-ins with unknown user names from {r.source_ip} in {r.account_id}"
               for r in bursts.itertuples()]
    return {
        "title": "Root and HIDDEN_DUE_TO_SECURITY_REASONS sign-ins",
        **attention(urgent),
        "headline": f"{analyses.root.verdict(root)} {analyses.hidden.verdict(hidden)}",
        "numbers": {"root actions": len(root), "root sign-ins": len(ok), "without MFA": len(no_mfa),
                    "HIDDEN bursts": len(bursts), "one-off HIDDEN": len(one_offs)},
        "facts": {
            "root_event_ids": _ids(root.event_id) if len(root) else [],
            "root_signin_event_ids": _ids(ok.event_id) if len(ok) else [],
            "root_failed_signin_event_ids": _ids(failed.event_id) if len(failed) else [],
            "root_source_ips": sorted(set(root.source_ip)) if len(root) else [],
            "root_accounts": sorted(set(root.account_id)) if len(root) else [],
            "hidden_burst_ips": sorted(set(bursts.source_ip)) if len(bursts) else [],
            "hidden_bursts": [{"source_ip": r.source_ip, "account_id": r.account_id, "attempts": int(r.attempts),
                               "first_seen": r.first_seen, "last_seen": r.last_seen, "event_ids": _ids(r.event_ids)}
                              for r in bursts.itertuples()],
            "hidden_one_off_ips": sorted(set(one_offs.source_ip)) if len(one_offs) else [],
        },
    }


def vpc_flow_ports(pairs: pd.DataFrame, rejected: pd.DataFrame, scans: pd.DataFrame) -> dict:
    """Summary of the ``vpc-flow-ports`` notebook.

    Parameters
    ----------
    pairs : DataFrame
        Rows of ``port_pairs``.
    rejected : DataFrame
        :func:`workbench.analyses.flows.top_rejected_destinations`.
    scans : DataFrame
        Rows of ``scan_candidates``.
    """
    total = analyses.flows.totals(pairs)
    urgent = [f"{r.source_ip} reached {int(r.distinct_ports)} ports of {r.dst_addr} ({r.interface_id})"
              for r in scans.itertuples()]
    return {
        "title": "VPC flows: ports, rejections, scans",
        **attention(urgent),
        "headline": f"{total['flows']} flows, {total['rejected_share']:.0%} rejected. "
                    f"{analyses.flows.scan_verdict(scans)}",
        "numbers": {"flows": total["flows"], "rejected": f"{total['rejected_share']:.0%}",
                    "scan candidates": len(scans), "scanning IPs": scans.source_ip.nunique() if len(scans) else 0},
        "facts": {
            "flows": total["flows"],
            "rejected_flows": total["rejected"],
            "scanning_ips": sorted(set(scans.source_ip)) if len(scans) else [],
            "scans": [{"source_ip": r.source_ip, "dst_addr": r.dst_addr, "interface_id": r.interface_id,
                       "account_id": r.account_id, "distinct_ports": int(r.distinct_ports),
                       "rejected_share": round(float(r.rejected_share), 3)} for r in scans.itertuples()],
            "top_rejected": [{"dstaddr": r.dstaddr, "interface_id": r.interface_id, "rejected": int(r.rejected)}
                             for r in rejected.head(5).itertuples()],
        },
    }


def web_edge(traffic: pd.DataFrame, rules: pd.DataFrame, through: pd.DataFrame, succeeded: pd.DataFrame,
             probes: pd.DataFrame, logins: pd.DataFrame) -> dict:
    """Summary of the ``web-edge`` notebook.

    Parameters
    ----------
    traffic : DataFrame
        Rows of ``requests_over_time``.
    rules : DataFrame
        Rows of ``blocks_by_rule``.
    through : DataFrame
        Rows of ``blocked_then_allowed``.
    succeeded : DataFrame
        :func:`workbench.analyses.web.got_through`.
    probes : DataFrame
        Rows of ``error_bursts``.
    logins : DataFrame
        :func:`workbench.analyses.web.login_bursts`.
    """
    total = analyses.web.totals(traffic)
    urgent = [f"{r.client_ip}: {int(r.blocked)} requests blocked by WAF, then {r.request_verb} {r.request_url} "
              f"answered {int(r.elb_status_code)} ({int(r.sent_bytes):,} bytes)" for r in succeeded.itertuples()]
    urgent += [f"{int(b.failures)} refused sign-ins on {b.path} from up to {int(b.most_clients)} addresses, "
               f"{int(b.successes)} accepted" for b in logins.itertuples()]
    scanners = probes[probes.paths >= 10] if len(probes) else probes
    if len(scanners):
        urgent += [f"{ip} probed {int(g.paths.max())} paths" for ip, g in scanners.groupby("client_ip")]
    top_rule = rules.iloc[0] if len(rules) else None
    return {
        "title": "The web edge: load balancers and WAF",
        **attention(urgent),
        "headline": f"{total['requests']:,} requests, {total['error_share']:.1%} errors, "
                    f"{total['waf_blocked']:,} blocked by WAF. {analyses.web.through_verdict(through, succeeded)}",
        "numbers": {"requests": total["requests"], "errors": f"{total['error_share']:.1%}",
                    "blocked by WAF": total["waf_blocked"], "blocked then allowed": len(through),
                    "sign-in bursts": len(logins),
                    "probing clients": scanners.client_ip.nunique() if len(scanners) else 0},
        "facts": {
            "requests": total["requests"],
            "waf_blocked": total["waf_blocked"],
            "top_rule": None if top_rule is None else {"rule": top_rule.rule, "group_rule": top_rule.group_rule,
                                                        "requests": int(top_rule.requests)},
            "blocked_then_allowed": [{"client_ip": r.client_ip, "web_acl": r.web_acl, "blocked": int(r.blocked),
                                      "allowed_after": int(r.allowed_after)} for r in through.itertuples()],
            "got_through": [{"client_ip": r.client_ip, "blocked": int(r.blocked), "request_url": r.request_url,
                             "status": int(r.elb_status_code), "trace_id": r.trace_id} for r in succeeded.itertuples()],
            "login_bursts": [{"path": b.path, "failures": int(b.failures), "successes": int(b.successes),
                              "most_clients": int(b.most_clients), "first_seen": b.first_seen.isoformat(),
                              "last_seen": b.last_seen.isoformat()} for b in logins.itertuples()],
            "probing_ips": sorted(set(scanners.client_ip)) if len(scanners) else [],
        },
    }


def guardduty_drilldown(findings: pd.DataFrame, finding: pd.Series, found, lineage=None) -> dict:
    """Summary of the ``guardduty-drilldown`` notebook.

    Parameters
    ----------
    findings : DataFrame
        Rows of ``findings``.
    finding : Series
        The finding drilled into (:func:`workbench.analyses.findings.pick`).
    found : PivotResult
        :func:`workbench.session.pivot` from the finding's pivots.
    lineage : LineageResult, optional
        :func:`workbench.lineage` of the keys the pivot met.
    """
    bands = analyses.findings.with_band(findings).band.value_counts() if len(findings) else pd.Series(dtype=int)
    pivots = analyses.findings.pivots(finding)
    ct = found.cloudtrail
    remote = pivots["source_ip"]
    from_remote = ct[ct.source_ip == remote] if remote and len(ct) else ct.iloc[0:0]
    signals = analyses.findings.signals(finding)
    covered = analyses.findings.signal_events(signals, ct)
    chain = (f" Its {len(signals)} signals cover {covered.event_id.nunique()} of them."
             if len(signals) else "")
    real = findings[~findings.is_sample.fillna(False).astype(bool)] if len(findings) else findings
    severe = real[real.severity >= 7.0] if len(real) else real
    urgent = []
    if float(finding.severity) >= 7.0 and not bool(finding.get("is_sample")):
        who = " ".join(f"{label} {v}" for label, v in (("key", pivots["access_key_id"]), ("from", remote),
                                                         ("instance", pivots["instance_id"])) if v)
        urgent.append(f"{finding.type} ({analyses.findings.band(finding.severity)}) in {finding.account_id}"
                      + (f": {who}" if who else "") + (f", {len(signals)} signals" if len(signals) else ""))
    if len(severe) > len(urgent):
        urgent.append(f"{count(len(severe), 'high or critical finding')} in the window")
    return {
        "title": "GuardDuty drill-down",
        **attention(urgent),
        "headline": f"{len(findings)} findings; drilled into {analyses.findings.describe(finding)} "
                    f"CloudTrail: {len(ct)} events ({len(from_remote)} from the finding's IP).{chain}",
        "numbers": {"findings": len(findings), "high+": int(bands.get("high", 0) + bands.get("critical", 0)),
                    "medium": int(bands.get("medium", 0)), "low": int(bands.get("low", 0)),
                    "CloudTrail events": len(ct), "from remote IP": len(from_remote),
                    **({"signals": len(signals), "events of signals": int(covered.event_id.nunique())}
                       if len(signals) else {})},
        "facts": {
            "finding_id": finding.finding_id,
            "type": finding.type,
            "severity": float(finding.severity),
            "account_id": finding.account_id,
            **pivots,
            "reached_access_keys": sorted(set(ct.access_key_id.dropna())) if len(ct) else [],
            "reached_source_ips": sorted({ip for ip in ct.source_ip if is_ip_address(ip)}) if len(ct) else [],
            "event_ids_from_remote_ip": _ids(from_remote.event_id),
            "cloudtrail_events": len(ct),
            "failed_calls": int(ct.error_code.notna().sum()) if len(ct) else 0,
            "flows": int(found.flows.flows.sum()) if len(found.flows) else 0,
            "next_pivots": _pivot_rows(found.next_pivots),
            "attack_sequence": bool(finding.get("is_attack_sequence")),
            "signals": [{"type": r.signal_type, "name": r.name,
                         "events": int((covered.signal_uid == r.signal_uid).sum())}
                        for r in signals.itertuples(index=False)],
            "signal_event_ids": _ids(covered.event_id.drop_duplicates()),
            "lineage": _lineage_facts(lineage),
        },
    }


def hunt(start_from: dict, found, wider, outliers: pd.DataFrame, lineage=None) -> dict:
    """Summary of the ``hunt`` notebook.

    Parameters
    ----------
    start_from : dict
        The entities the hunt started from.
    found : PivotResult
        The first pivot.
    wider : PivotResult
        The pivot that followed the top next pivots (``found`` itself if none was followed).
    outliers : DataFrame
        :func:`workbench.analyses.activity.volume_outliers`.
    lineage : LineageResult, optional
        :func:`workbench.lineage` of the keys the first pivot met.
    """
    both = pd.concat([found.cloudtrail, wider.cloudtrail], ignore_index=True)
    asked = {k: v for k, v in start_from.items() if v not in (None, "", [])}
    added = {k: [v for v in values if v not in found.entities.get(k, [])] for k, values in wider.entities.items()}
    added = {k: v for k, v in added.items() if v}
    top = outliers.head(1)
    urgent = [f"{count(len(found.findings), 'GuardDuty finding')} on these entities: "
              + ", ".join(sorted(set(found.findings.type))[:3])] if len(found.findings) else []
    failed = int(found.cloudtrail.error_code.notna().sum()) if len(found.cloudtrail) else 0
    if failed:
        urgent.append(f"{count(failed, 'failed call')} by these entities")
    return {
        "title": "Hunt",
        **attention(urgent),
        "headline": f"From {_entities_text(asked)}: {len(found.cloudtrail)} CloudTrail "
                    f"events, {int(found.flows.flows.sum()) if len(found.flows) else 0} flows, "
                    f"{count(len(found.findings), 'finding')}; {count(len(found.next_pivots), 'next pivot')}"
                    + (f"; following {_entities_text(added)}: "
                       f"{len(wider.cloudtrail)} events" if added else "") + ".",
        "numbers": {"CloudTrail events": len(found.cloudtrail),
                    "flows": int(found.flows.flows.sum()) if len(found.flows) else 0,
                    "findings": len(found.findings), "next pivots": len(found.next_pivots),
                    "after following": len(wider.cloudtrail)},
        "facts": {
            "started_from": asked,
            "followed": added,
            "reached_access_keys": sorted(set(both.access_key_id.dropna())) if len(both) else [],
            "reached_principals": sorted(set(both.principal.dropna())) if len(both) else [],
            "reached_source_ips": sorted({ip for ip in both.source_ip if is_ip_address(ip)}) if len(both) else [],
            "cloudtrail_event_ids": _ids(found.cloudtrail.event_id),
            "followed_event_count": len(wider.cloudtrail),
            "finding_ids": sorted(set(found.findings.finding_id)) if len(found.findings) else [],
            "next_pivots": _pivot_rows(found.next_pivots),
            "top_outlier": ({"principal": top.principal.iloc[0], "day": top.event_day.iloc[0],
                             "calls": int(top.calls.iloc[0]), "score": round(float(top.score.iloc[0]), 1)}
                            if len(top) else None),
            "lineage": _lineage_facts(lineage),
        },
    }


def _lineage_facts(lineage) -> dict | None:
    """The trees a lineage found: roots, the keys issued below them, and what those keys did."""
    if lineage is None:
        return None
    tree, done = lineage.credentials, lineage.timeline
    issued = tree[tree.hop > 0] if len(tree) else tree
    below = done[done.hop > 0] if len(done) else done
    return {"roots": sorted(set(tree.root_access_key_id)) if len(tree) else [],
            "issued_access_keys": sorted(set(issued.access_key_id)) if len(issued) else [],
            "deepest_hop": int(tree.hop.max()) if len(tree) else 0,
            "accounts_reached": sorted(set(below.account_id.dropna())) if len(below) else [],
            "issued_key_event_ids": _ids(below.event_id)}


def _entities_text(entities: dict) -> str:
    return "; ".join(f"{k} {', '.join(v) if isinstance(v, (list, tuple)) else v}" for k, v in entities.items())


def _ids(values) -> list[str]:
    return sorted({str(v) for v in values})[:MAX_IDS]


def _pivot_rows(ranked: pd.DataFrame, n: int = 5) -> list[dict]:
    return [{"kind": r.kind, "value": r.value, "sources": r.sources, "hits": int(r.hits)}
            for r in ranked.head(n).itertuples()]


def dns(sources: pd.DataFrame, bursts: pd.DataFrame, tunnels: pd.DataFrame, rare: pd.DataFrame,
        called: pd.DataFrame) -> dict:
    """Summary of the ``dns`` notebook.

    Parameters
    ----------
    sources : DataFrame
        Rows of ``resolver/queries_by_source``.
    bursts : DataFrame
        Rows of ``resolver/nxdomain_bursts``.
    tunnels : DataFrame
        Rows of ``resolver/tunnelling_candidates``.
    rare : DataFrame
        Rows of ``resolver/rare_domains``.
    called : DataFrame
        :func:`workbench.analyses.dns.contacted`.
    """
    urgent = [f"{b.srcaddr} ({b.instance_id}) asked for {int(b.names)} names that do not exist under "
              f"{int(b.domains)} domains at {b.hour:%Y-%m-%d %H}h" for b in bursts.itertuples()]
    urgent += [f"{t.srcaddr} ({t.instance_id}) sent {int(t.names)} names with labels up to {int(t.longest_label)} "
               f"characters under {t.domain}" for t in tunnels.itertuples()]
    urgent += [f"{c.srcaddrs} resolved {c.domain} to {c.address}, then {int(c.flows)} flows with it"
               for c in called.itertuples()]
    lookups = int(sources.queries.sum()) if len(sources) else 0
    return {
        "title": "DNS: what the hosts looked up",
        **attention(urgent),
        "headline": analyses.dns.verdict(bursts, tunnels, rare, called),
        "numbers": {"lookups by the busiest hosts": lookups, "NXDOMAIN bursts": len(bursts),
                    "tunnelling candidates": len(tunnels), "domains one host resolved": len(rare),
                    "of them contacted": called.domain.nunique() if len(called) else 0},
        "facts": {
            "nxdomain_bursts": [{"srcaddr": b.srcaddr, "instance_id": b.instance_id, "vpc": b.vpc,
                                 "names": int(b.names), "domains": int(b.domains), "hour": b.hour.isoformat()}
                                for b in bursts.itertuples()],
            "tunnels": [{"srcaddr": t.srcaddr, "instance_id": t.instance_id, "domain": t.domain, "names": int(t.names),
                         "longest_label": int(t.longest_label)} for t in tunnels.itertuples()],
            "rare_domains": [{"domain": r.domain, "srcaddrs": str(r.srcaddrs).split(), "queries": int(r.queries),
                              "addresses": str(r.addresses or "").split()} for r in rare.itertuples()],
            "contacted": [{"domain": c.domain, "address": c.address, "srcaddrs": str(c.srcaddrs).split(),
                           "flows": int(c.flows), "bytes": int(c.bytes)} for c in called.itertuples()],
        },
    }


def s3_access(who: pd.DataFrame, hours: pd.DataFrame, bursts: pd.DataFrame, anonymous: pd.DataFrame, *,
              min_objects: int = 100) -> dict:
    """Summary of the ``s3-access`` notebook.

    Parameters
    ----------
    who : DataFrame
        Rows of ``s3access/requests_by_requester``.
    hours : DataFrame
        Rows of ``s3access/downloads_over_time``.
    bursts : DataFrame
        Rows of ``s3access/enumeration_bursts``.
    anonymous : DataFrame
        Rows of ``s3access/anonymous_requests``.
    min_objects : int
        Fewest objects one requester downloads from one address in an hour to call it a bulk download.
    """
    bulk = hours[hours.objects >= min_objects] if len(hours) else hours
    urgent = [f"{b.requester} downloaded {int(b.objects)} objects ({int(b.sent_bytes):,} bytes) of {b.bucket} from "
              f"{b.remoteip} at {b.hour:%Y-%m-%d %H}h" for b in bulk.itertuples()]
    urgent += [f"{b.requester} from {b.remoteip}: {int(b.errors)} refused or missing objects in {b.bucket} at "
               f"{b.hour:%Y-%m-%d %H}h" for b in bursts.itertuples()]
    requests = int(who.requests.sum()) if len(who) else 0
    refused = int(anonymous.loc[anonymous.httpstatus == "403", "requests"].sum()) if len(anonymous) else 0
    headline = (f"{requests:,} requests to {who.bucket.nunique() if len(who) else 0} bucket(s); "
                + (f"{len(bulk)} bulk download(s), the largest {int(bulk.objects.max())} objects in an hour"
                   if len(bulk) else "no bulk download") + f"; {len(bursts)} error burst(s); "
                f"{refused} anonymous request(s) refused.")
    return {
        "title": "S3: who read the data",
        **attention(urgent),
        "headline": headline,
        "numbers": {"requests": requests, "bulk downloads": len(bulk), "error bursts": len(bursts),
                    "anonymous requests": int(anonymous.requests.sum()) if len(anonymous) else 0},
        "facts": {
            "bulk_downloads": [{"bucket": b.bucket, "requester": b.requester, "remoteip": b.remoteip,
                                "objects": int(b.objects), "sent_bytes": int(b.sent_bytes),
                                "hour": b.hour.isoformat()} for b in bulk.itertuples()],
            "error_bursts": [{"bucket": b.bucket, "requester": b.requester, "remoteip": b.remoteip,
                              "errors": int(b.errors), "denied": int(b.denied), "missing": int(b.missing)}
                             for b in bursts.itertuples()],
            "anonymous_ips": sorted(set(anonymous.remoteip)) if len(anonymous) else [],
        },
    }
