"""Did the reports find what the sample generator planted? (``scenarios.json`` vs summaries)

Each planted scenario kind is checked against the summary of the notebook meant to find
it, by the facts that identify it (event ids, IPs, keys), not by a count that could match
by chance.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One planted scenario and whether its report found it."""

    kind: str
    report: str
    found: bool
    detail: str


def check_scenarios(truth: dict, summaries: dict[str, dict]) -> list[Check]:
    """Compare ``scenarios.json`` (``truth``) with report summaries (name -> summary dict).

    Returns
    -------
    list of Check
        One per planted scenario, in ``scenarios.json`` order.
    """
    checks = []
    for scenario in truth.get("scenarios", []):
        report, rule = _RULES.get(scenario["kind"], (None, None))
        if rule is None:
            checks.append(Check(scenario["kind"], "-", False, "no report looks for this kind of scenario"))
            continue
        facts = (summaries.get(report) or {}).get("facts")
        if facts is None:
            checks.append(Check(scenario["kind"], report, False, f"no summary from {report}"))
            continue
        found, detail = rule(scenario, facts)
        checks.append(Check(scenario["kind"], report, found, detail))
    return checks


#: Entities of a scenario that are not what gives it away: the anomalous principal works from its usual
#: address (other people's hits from that office are not on the scenario).
_NOT_THE_ACTORS = {("source_ip", "anomalous_principal")}


def check_detections(truth: dict, summary: dict | None) -> list[Check]:
    """Which detection rules fired on each planted scenario (``summary``: the ``detections`` report's).

    A hit is on a scenario when it names one of the scenario's events or web requests, or its address
    (one of them, for a botnet), access key or principal (a rule that counts, or judges a principal's day,
    points at the first event or the actor).

    Returns
    -------
    list of Check
        One per planted scenario; found when at least one rule fired on it.
    """
    hits = ((summary or {}).get("facts") or {}).get("hits")
    checks = []
    for scenario in truth.get("scenarios", []):
        if hits is None:
            checks.append(Check(scenario["kind"], "detections", False, "no summary from detections"))
            continue
        marks = {("event_id", e) for e in scenario.get("event_ids", []) + scenario.get("request_ids", [])}
        marks |= {(column, scenario[key]) for column, key in (("source_ip", "source_ip"),
                  ("access_key_id", "access_key_id"), ("principal", "principal_arn"))
                  if scenario.get(key) and (column, scenario["kind"]) not in _NOT_THE_ACTORS}
        marks |= {("source_ip", ip) for ip in scenario.get("source_ips", [])}  # a botnet's addresses
        named = ("event_id", "source_ip", "access_key_id", "principal")
        rules = sorted({h["rule_id"] for h in hits if any((c, h.get(c)) in marks for c in named)})
        checks.append(Check(scenario["kind"], "detections", bool(rules),
                            f"rules {', '.join(rules)}" if rules else "no rule fired on it"))
    return checks


def _root(s: dict, f: dict) -> tuple[bool, str]:
    found = sorted(f.get("root_event_ids", [])) == sorted(s["event_ids"])
    return found, (f"{len(f.get('root_event_ids', []))} root actions listed, sign-in from "
                   f"{', '.join(f.get('root_source_ips', [])) or 'nowhere'}, event ids "
                   + ("match" if found else "differ"))


def _hidden(s: dict, f: dict) -> tuple[bool, str]:
    burst = next((b for b in f.get("hidden_bursts", []) if b["source_ip"] == s["source_ip"]), None)
    found = burst is not None and sorted(burst["event_ids"]) == sorted(s["event_ids"])
    if burst is None:
        return False, f"no HIDDEN_DUE_TO_SECURITY_REASONS burst from {s['source_ip']}"
    return found, f"burst of {burst['attempts']} unknown user names from {burst['source_ip']}"


def _bruteforce(s: dict, f: dict) -> tuple[bool, str]:
    hit = next((b for b in f.get("failed_bursts", [])
                if b["source_ip"] == s["source_ip"] and b["user_name"] == s["user_name"]), None)
    if hit is None:
        return False, f"no password-guessing series against {s['user_name']} from {s['source_ip']}"
    return sorted(hit["event_ids"]) == sorted(s["event_ids"]), (
        f"{hit['failures']} failed passwords for {hit['user_name']} from {hit['source_ip']}")


def _access_key(s: dict, f: dict) -> tuple[bool, str]:
    found = (f.get("access_key_id") == s["access_key_id"] and f.get("source_ip") == s["source_ip"]
             and sorted(f.get("event_ids_from_remote_ip", [])) == sorted(s["event_ids"]))
    detail = (f"finding on key {f.get('access_key_id')} from {f.get('source_ip')}: "
              f"{len(f.get('event_ids_from_remote_ip', []))} CloudTrail events from that IP")
    if s.get("attack_sequence_id"):  # the drill-down opens the attack sequence and walks its signals
        walked = (f.get("finding_id") == s["attack_sequence_id"]
                  and sorted(f.get("signal_event_ids", [])) == sorted(s["event_ids"]))
        found = found and walked
        detail += f"; attack sequence of {len(f.get('signals', []))} signals covering " \
                  f"{len(f.get('signal_event_ids', []))} of them"
    return found, detail


def _port_scan(s: dict, f: dict) -> tuple[bool, str]:
    hit = next((x for x in f.get("scans", []) if x["source_ip"] == s["source_ip"] and x["interface_id"] == s["eni"]),
               None)
    if hit is None:
        return False, f"{s['source_ip']} is not a scan candidate"
    return True, (f"{hit['source_ip']} reached {hit['distinct_ports']} ports of {hit['dst_addr']} "
                  f"({hit['interface_id']})")


def _anomaly(s: dict, f: dict) -> tuple[bool, str]:
    top = f.get("top_outlier") or {}
    found = top.get("principal") == s["principal_arn"] and top.get("day") == s["day"]
    who = str(top.get("principal", "nobody")).rsplit("/", 1)[-1]
    return found, f"top departure from own normal: {who} on {top.get('day')} ({top.get('calls')} calls)"


def _web_injection(s: dict, f: dict) -> tuple[bool, str]:
    hit = next((x for x in f.get("got_through", []) if x["client_ip"] == s["source_ip"]), None)
    if hit is None:
        return False, f"nothing from {s['source_ip']} listed as blocked by WAF and then answered with success"
    wanted = f"{s['allowed_path']}?{s['allowed_query']}"
    found = (hit["blocked"] == s["blocked"] and hit["request_url"].endswith(wanted)
             and hit["trace_id"] == s["allowed_request_id"])
    return found, f"{hit['client_ip']}: {hit['blocked']} blocked, then {hit['request_url']} answered {hit['status']}"


def _credential_stuffing(s: dict, f: dict) -> tuple[bool, str]:
    start, end = s["start"], s["end"]
    bursts = [b for b in f.get("login_bursts", []) if b["path"] == s["path"]
              and b["first_seen"][:19] <= end.rstrip("Z") and b["last_seen"][:19] >= start.rstrip("Z")]
    if not bursts:
        return False, f"no burst of refused sign-ins on {s['path']} between {start} and {end}"
    refused = sum(b["failures"] for b in bursts)
    found = (refused >= 0.8 * (s["attempts"] - s["succeeded"])
             and max(b["most_clients"] for b in bursts) >= len(s["source_ips"]) // 2)
    return found, (f"{refused} refused sign-ins on {s['path']} from up to "
                   f"{max(b['most_clients'] for b in bursts)} addresses at once")


def _dns_beacon(s: dict, f: dict) -> tuple[bool, str]:
    domain = s["domain"].rstrip(".")
    burst = next((b for b in f.get("nxdomain_bursts", []) if b["srcaddr"] == s["source_ip"]), None)
    tunnel = next((t for t in f.get("tunnels", []) if t["srcaddr"] == s["source_ip"] and t["domain"] == domain), None)
    called = next((c for c in f.get("contacted", []) if c["domain"] == domain
                   and c["address"] == s["domain_address"] and s["source_ip"] in c["srcaddrs"]), None)
    if burst is None or called is None:
        return False, (f"no NXDOMAIN burst from {s['source_ip']}" if burst is None
                       else f"{domain} is not listed as resolved by one host and then contacted")
    found = (burst["names"] == len(s["nxdomain_names"]) and called["flows"] == 2 * s["flows_to_controller"]
             and tunnel is not None and tunnel["names"] == len(s["tunnel_names"]))
    return found, (f"{burst['srcaddr']} asked for {burst['names']} names that do not exist, resolved {domain} and "
                   f"had {called['flows']} flows with {called['address']}"
                   + (f"; {tunnel['names']} long-labelled names under it" if tunnel else "; no tunnelling seen"))


_RULES = {
    "root_console_login": ("root-and-hidden-logins", _root),
    "hidden_user_bruteforce": ("root-and-hidden-logins", _hidden),
    "console_bruteforce": ("console-logins", _bruteforce),
    "compromised_access_key": ("guardduty-drilldown", _access_key),
    "port_scan": ("vpc-flow-ports", _port_scan),
    "anomalous_principal": ("hunt", _anomaly),
    "web_injection": ("web-edge", _web_injection),
    "credential_stuffing": ("web-edge", _credential_stuffing),
    "dns_beacon": ("dns", _dns_beacon),
}
