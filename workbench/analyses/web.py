"""The web edge (load balancer and WAF logs): traffic, what WAF stopped, what got through, who guesses
passwords and who probes paths.
"""

from __future__ import annotations

import pandas as pd

from workbench.words import count

#: Gap between two ten-minute spans of refused sign-ins that still makes them one burst.
_SPAN = pd.Timedelta(minutes=10)


def totals(traffic: pd.DataFrame) -> dict:
    """Requests, errors and WAF blocks over the window (rows of ``requests_over_time``)."""
    if traffic.empty:
        return {"requests": 0, "client_errors": 0, "server_errors": 0, "waf_blocked": 0, "load_balancers": 0,
                "error_share": 0.0}
    requests = int(traffic.requests.sum())
    client, server = int(traffic.client_errors.sum()), int(traffic.server_errors.sum())
    return {"requests": requests, "client_errors": client, "server_errors": server,
            "waf_blocked": int(traffic.waf_blocked.sum()), "load_balancers": int(traffic.load_balancer.nunique()),
            "error_share": (client + server) / requests if requests else 0.0}


def hourly_outcomes(traffic: pd.DataFrame) -> pd.DataFrame:
    """Requests per hour split into answered, 4xx (WAF blocks apart) and 5xx, all load balancers together."""
    if traffic.empty:
        return pd.DataFrame(columns=["hour", "outcome", "requests"])
    hours = traffic.groupby("hour", as_index=False)[["requests", "client_errors", "server_errors", "waf_blocked"]].sum()
    hours = hours.assign(answered=hours.requests - hours.client_errors - hours.server_errors,
                         refused=hours.client_errors - hours.waf_blocked)
    long = hours.drop(columns="requests").melt(id_vars="hour", value_vars=["answered", "refused", "waf_blocked",
                                                                           "server_errors"],
                                               var_name="outcome", value_name="requests")
    names = {"answered": "answered (1xx-3xx)", "refused": "4xx from the site", "waf_blocked": "blocked by WAF",
             "server_errors": "5xx"}
    return long.assign(outcome=long.outcome.map(names))


def status_mix(statuses: pd.DataFrame) -> pd.DataFrame:
    """Requests per status code over the window, as ``status`` text (load balancer's / target's)."""
    if statuses.empty:
        return pd.DataFrame(columns=["status", "family", "requests"])
    rows = statuses.assign(status=statuses.elb_status_code.astype("Int64").astype(str) + " / "
                           + statuses.target_status_code.fillna("-").astype(str))
    mix = rows.groupby("status", as_index=False).requests.sum().sort_values("requests", ascending=False)
    return mix.assign(family=mix.status.str[0] + "xx")


def clients(through: pd.DataFrame) -> list[str]:
    """The client addresses of ``blocked_then_allowed`` rows (the next query's ``addresses``)."""
    return sorted(set(through.client_ip.dropna())) if len(through) else []


def got_through(through: pd.DataFrame, answered: pd.DataFrame) -> pd.DataFrame:
    """Of the clients WAF blocked and then allowed, the requests the site answered with success after the
    first block: what an attacker may have obtained.

    Parameters
    ----------
    through : DataFrame
        Rows of ``blocked_then_allowed``.
    answered : DataFrame
        Rows of ``alb/requests_by_client`` for those clients (:func:`clients`).

    Returns
    -------
    DataFrame
        ``client_ip, blocked, request_time, request_verb, request_url, elb_status_code, sent_bytes,
        user_agent, trace_id``, one row per successful request, in time order.
    """
    columns = ["client_ip", "blocked", "request_time", "request_verb", "request_url", "elb_status_code",
               "sent_bytes", "user_agent", "trace_id"]
    if through.empty or answered.empty:
        return pd.DataFrame(columns=columns)
    first = through.groupby("client_ip", as_index=False).agg(blocked=("blocked", "sum"),
                                                            first_blocked=("first_blocked", "min"))
    rows = answered.merge(first, on="client_ip")
    ok = rows[(rows.request_time > rows.first_blocked) & rows.elb_status_code.between(200, 299)]
    return ok.sort_values(["request_time", "trace_id"])[columns].reset_index(drop=True)


def through_verdict(through: pd.DataFrame, succeeded: pd.DataFrame) -> str:
    """One line: who WAF blocked and then let through, and whether the site answered them with success."""
    if through.empty:
        return "No client that WAF blocked was allowed afterwards."
    if succeeded.empty:
        return (f"{count(len(clients(through)), 'client')} blocked by WAF then allowed, but the site answered "
                "none of their later requests with success.")
    worst = succeeded.groupby("client_ip").agg(n=("trace_id", "size"), blocked=("blocked", "first"),
                                               sent=("sent_bytes", "sum")).sort_values("blocked", ascending=False)
    ip, row = worst.index[0], worst.iloc[0]
    return (f"{ip}: {int(row.blocked)} requests blocked by WAF, then {count(int(row.n), 'request')} answered "
            f"with success ({int(row.sent):,} bytes sent). Read what it asked for below.")


def login_bursts(spans: pd.DataFrame) -> pd.DataFrame:
    """Adjacent ten-minute spans of refused sign-ins (``login_failures`` rows) joined into bursts.

    Returns
    -------
    DataFrame
        ``account_id, load_balancer, path, first_seen, last_seen, failures, successes, most_clients, spans``.
    """
    columns = ["account_id", "load_balancer", "path", "first_seen", "last_seen", "failures", "successes",
               "most_clients", "spans"]
    if spans.empty:
        return pd.DataFrame(columns=columns)
    rows = spans.sort_values(["account_id", "load_balancer", "path", "span_start"])
    key = ["account_id", "load_balancer", "path"]
    starts = rows.groupby(key).span_start.diff().ne(_SPAN)  # a new burst where the previous span is not adjacent
    rows = rows.assign(burst=starts.cumsum())
    bursts = rows.groupby(key + ["burst"], as_index=False).agg(
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max"), failures=("failures", "sum"),
        successes=("successes", "sum"), most_clients=("clients", "max"), spans=("span_start", "size"))
    return bursts[columns].sort_values("first_seen").reset_index(drop=True)


def stuffing_verdict(bursts: pd.DataFrame) -> str:
    """One line on the sign-in bursts."""
    if bursts.empty:
        return "No burst of refused sign-ins."
    top = bursts.sort_values("failures", ascending=False).iloc[0]
    return (f"{count(len(bursts), 'burst')} of refused sign-ins; the largest: {int(top.failures)} refused and "
            f"{int(top.successes)} accepted on {top.path} from up to {int(top.most_clients)} addresses at once, "
            f"{top.first_seen:%Y-%m-%d %H:%M} to {top.last_seen:%H:%M} UTC.")


def probe_verdict(bursts: pd.DataFrame) -> str:
    """One line on the clients that collected many error answers in ten minutes (``error_bursts``)."""
    if bursts.empty:
        return "No client collected a burst of error answers."
    by_client = bursts.groupby("client_ip").agg(errors=("errors", "sum"), paths=("paths", "max"))
    scanners = by_client[by_client.paths >= 10]
    return (f"{count(len(by_client), 'client')} with bursts of error answers; {len(scanners)} of them tried "
            "10 or more paths (a word list).")
