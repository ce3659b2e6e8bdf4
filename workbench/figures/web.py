"""Figures of the web-edge notebook."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import BAD, GOOD, MIXED, NEUTRAL, empty, finish

_OUTCOMES = {"answered (1xx-3xx)": GOOD, "4xx from the site": MIXED, "blocked by WAF": BAD, "5xx": "#6a040f"}
_FAMILIES = {"1xx": NEUTRAL, "2xx": GOOD, "3xx": "#8ab17d", "4xx": MIXED, "5xx": BAD}
_ACTIONS = {"ALLOW": GOOD, "BLOCK": BAD, "CAPTCHA": MIXED, "CHALLENGE": MIXED, "COUNT": NEUTRAL}


def traffic(outcomes: pd.DataFrame) -> go.Figure:
    """Requests per hour by outcome, stacked (:func:`workbench.analyses.web.hourly_outcomes`)."""
    title = "Requests per hour at the load balancers, by outcome"
    if outcomes.empty:
        return empty(title, "No load balancer request in the window.")
    fig = px.bar(outcomes, x="hour", y="requests", color="outcome", color_discrete_map=_OUTCOMES,
                 category_orders={"outcome": list(_OUTCOMES)}, labels={"hour": "", "requests": "requests"})
    fig.update_layout(bargap=0)
    return finish(fig, title, height=380)


def status_mix(mix: pd.DataFrame) -> go.Figure:
    """Requests per status code, load balancer's / target's (:func:`workbench.analyses.web.status_mix`)."""
    title = "Status codes (load balancer / target; '-': the target was not asked)"
    if mix.empty:
        return empty(title, "No load balancer request in the window.")
    fig = px.bar(mix, x="requests", y="status", color="family", orientation="h", log_x=True, text="requests",
                 color_discrete_map=_FAMILIES, labels={"status": "", "requests": "requests (log scale)"})
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(mix.status)[::-1])
    return finish(fig, title, height=max(300, 26 * len(mix) + 140))


def waf_actions(actions: pd.DataFrame) -> go.Figure:
    """Requests per hour by what WAF did with them (rows of ``actions_over_time``); blocks on their own axis."""
    title = "What WAF did per hour (blocked requests on the lower panel)"
    if actions.empty:
        return empty(title, "No WAF log in the window.")
    hours = actions.groupby(["hour", "action"], as_index=False).requests.sum()
    fig = go.Figure()
    for action, part in hours.groupby("action"):
        blocking = action != "ALLOW"
        fig.add_trace(go.Bar(x=part.hour, y=part.requests, name=str(action), marker_color=_ACTIONS.get(action, NEUTRAL),
                             yaxis="y2" if blocking else "y"))
    fig.update_layout(barmode="stack", bargap=0, yaxis={"domain": [0.45, 1], "title": "allowed"},
                      yaxis2={"domain": [0, 0.35], "title": "blocked"})
    return finish(fig, title, height=460)


def blocking_rules(rules: pd.DataFrame) -> go.Figure:
    """Blocked requests per deciding rule (rows of ``blocks_by_rule``), labelled with clients and countries."""
    title = "The rules that blocked (label: how many clients, how many countries)"
    if rules.empty:
        return empty(title, "WAF blocked nothing in the window.")
    rows = rules.assign(what=rules.rule + " / " + rules.group_rule.fillna("-"),
                        label=rules.clients.astype(int).astype(str) + " clients, "
                        + rules.countries.astype(int).astype(str) + " countries")
    fig = px.bar(rows, x="requests", y="what", orientation="h", text="label",
                 hover_data=["web_acl", "action", "first_seen", "last_seen"],
                 labels={"what": "", "requests": "blocked"})
    fig.update_traces(marker_color=BAD, textposition="inside", insidetextanchor="start")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows.what)[::-1])
    return finish(fig, title, height=max(260, 30 * len(rows) + 140))


def blocks_by_country(countries: pd.DataFrame, n: int = 15) -> go.Figure:
    """Blocked and allowed requests per client country, the most blocked first (rows of ``blocks_by_country``)."""
    title = "Requests per client country as WAF saw it (red: blocked)"
    if countries.empty:
        return empty(title, "No WAF log in the window.")
    rows = countries.head(n).assign(allowed=lambda d: d.requests - d.blocked)
    long = rows.melt(id_vars="country", value_vars=["blocked", "allowed"], var_name="what", value_name="n")
    fig = px.bar(long, x="n", y="country", color="what", orientation="h", log_x=True, barmode="group",
                 color_discrete_map={"blocked": BAD, "allowed": GOOD},
                 labels={"n": "requests (log scale)", "country": ""})  # side by side: stacks mislead on a log axis
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows.country)[::-1])
    return finish(fig, title, height=max(300, 34 * len(rows) + 140))


def error_bursts(bursts: pd.DataFrame) -> go.Figure:
    """Ten-minute bursts of error answers per client (rows of ``error_bursts``): errors against distinct paths."""
    title = "Bursts of error answers: one point per client and ten minutes (size: errors)"
    if bursts.empty:
        return empty(title, "No client collected a burst of error answers.")
    fig = px.scatter(bursts, x="span_start", y="paths", size="errors", color="client_ip",
                     hover_data=["statuses", "sample_paths", "user_agent", "errors"],
                     labels={"span_start": "", "paths": "distinct paths tried", "client_ip": "client"})
    fig.update_yaxes(rangemode="tozero")
    return finish(fig, title, height=380)


def login_bursts(spans: pd.DataFrame) -> go.Figure:
    """Refused and accepted sign-ins per ten minutes (rows of ``login_failures``), with the clients involved."""
    title = "Refused sign-ins per ten minutes (label: how many addresses)"
    if spans.empty:
        return empty(title, "No burst of refused sign-ins.")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=spans.span_start, y=spans.failures, name="refused", marker_color=BAD,
                         text=spans.clients.astype(int).astype(str) + " addresses", textposition="outside"))
    fig.add_trace(go.Bar(x=spans.span_start, y=spans.successes, name="accepted", marker_color=GOOD))
    fig.update_layout(barmode="stack")
    return finish(fig, title, height=360)


def edge_locations(edges: pd.DataFrame) -> go.Figure:
    """Requests per CloudFront edge location over the window, served from the cache or not
    (rows of ``cloudfront/requests_by_edge``)."""
    title = "Requests per CloudFront edge location (from the cache, or not)"
    if edges.empty:
        return empty(title, "No CloudFront request in the window.")
    per = edges.groupby("x_edge_location", as_index=False)[["requests", "cache_hits"]].sum()
    per = per.assign(other=per.requests - per.cache_hits).sort_values("requests")
    fig = go.Figure([go.Bar(y=per.x_edge_location, x=per.cache_hits, name="from the cache", orientation="h",
                            marker_color=GOOD),
                     go.Bar(y=per.x_edge_location, x=per.other, name="from the origin, or refused", orientation="h",
                            marker_color=MIXED)])
    fig.update_layout(barmode="stack")
    return finish(fig, title, height=max(300, 28 * len(per) + 140))
