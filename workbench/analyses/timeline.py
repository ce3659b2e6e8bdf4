"""One timeline from three sources, and what the entities in it did."""

from __future__ import annotations

import pandas as pd

from workbench import context
from workbench.analyses.pivots import as_timedelta, as_utc

TIMELINE_COLUMNS = ["time", "source", "account_id", "region", "activity", "actor", "source_ip",
                    "access_key_id", "outcome", "ref"]

_PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


def combine(cloudtrail: pd.DataFrame, flows: pd.DataFrame, findings: pd.DataFrame, web: pd.DataFrame | None = None,
            waf: pd.DataFrame | None = None, tls: pd.DataFrame | None = None,
            cdn: pd.DataFrame | None = None, dns: pd.DataFrame | None = None,
            s3: pd.DataFrame | None = None) -> pd.DataFrame:
    """CloudTrail events, VPC flows, GuardDuty findings and web requests as one timeline, oldest first.

    Parameters
    ----------
    cloudtrail : DataFrame
        Rows of ``events_by_entity`` (or any ``events_by_*`` query).
    flows : DataFrame
        Rows of ``flows_by_entity``.
    findings : DataFrame
        Rows of ``findings``.
    web : DataFrame, optional
        Rows of ``alb/requests_by_client``: one timeline row per client, hour, request and answer.
    waf : DataFrame, optional
        Rows of ``waf/requests_by_client``; those the load balancer also logged (same trace id)
        are left to its rows.
    tls : DataFrame, optional
        Rows of ``nlb/connections_by_client``: one timeline row per client, hour, load balancer and
        whether the TLS handshake completed.
    cdn : DataFrame, optional
        Rows of ``cloudfront/requests_by_client``: one timeline row per client, hour, path and answer.
    dns : DataFrame, optional
        Rows of ``resolver/lookups_by_entity``: one timeline row per host, hour, name, type and answer code.
    s3 : DataFrame, optional
        Rows of ``s3access/requests_by_client``: one timeline row per address, requester, hour, bucket,
        operation and answer.

    Returns
    -------
    DataFrame
        ``time, source, account_id, region, activity, actor, source_ip, access_key_id,
        outcome, ref``. ``source`` is ``cloudtrail``, ``vpcflow``, ``guardduty``, ``alb``, ``waf``,
        ``nlb``, ``cloudfront``, ``resolver`` or ``s3access``; ``activity`` the API call, the flow (action,
        protocol/port, count), the finding type, the request (method, host and path, count) or the
        lookup (type, name, count); ``outcome`` the error code, REJECT/ACCEPT, the severity, the
        status code, WAF's action or the answer code and addresses; ``ref`` the event id, interface
        id, finding id, the first request's trace id or the VPC.
    """
    parts = _web_parts(web, waf) + _tls_parts(tls) + _cdn_parts(cdn) + _dns_parts(dns) + _s3_parts(s3)
    if not cloudtrail.empty:
        parts.append(pd.DataFrame({
            "time": pd.to_datetime(cloudtrail.event_time, utc=True),
            "source": "cloudtrail",
            "account_id": cloudtrail.account_id,
            "region": cloudtrail.region,
            "activity": cloudtrail.event_source.astype(str).str.replace(".amazonaws.com", "", regex=False)
            + ":" + cloudtrail.event_name.astype(str) + _through_endpoint(cloudtrail),
            "actor": cloudtrail.principal,
            "source_ip": cloudtrail.source_ip,
            "access_key_id": cloudtrail.access_key_id,
            "outcome": cloudtrail.error_code.fillna("OK"),
            "ref": cloudtrail.event_id,
        }))
    if not flows.empty:
        protocol = flows.protocol.map(lambda p: _PROTOCOLS.get(int(p), str(p)) if pd.notna(p) else "?")
        port = flows.dstport.map(lambda p: "" if pd.isna(p) else f"/{int(p)}")
        parts.append(pd.DataFrame({
            "time": pd.to_datetime(flows.first_seen, utc=True),
            "source": "vpcflow",
            "account_id": flows.account_id,
            "region": None,
            "activity": protocol + port + " " + flows.srcaddr.astype(str) + " -> " + flows.dstaddr.astype(str)
            + " x" + flows.flows.astype(str),
            "actor": flows.srcaddr,
            "source_ip": flows.srcaddr,
            "access_key_id": None,
            "outcome": flows.action,
            "ref": flows.interface_id,
        }))
    if not findings.empty:
        parts.append(pd.DataFrame({
            "time": pd.to_datetime(findings.first_seen.fillna(findings.created_at), utc=True),
            "source": "guardduty",
            "account_id": findings.account_id,
            "region": findings.region,
            "activity": findings.type,
            "actor": findings.user_name.fillna(findings.instance_id),
            "source_ip": findings.remote_ip,
            "access_key_id": findings.access_key_id,
            "outcome": "severity " + findings.severity.map(lambda s: f"{s:g}"),
            "ref": findings.finding_id,
        }))
    if not parts:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    frames = [p.astype({c: object for c in TIMELINE_COLUMNS if c != "time"}) for p in parts]
    out = pd.concat(frames, ignore_index=True)[TIMELINE_COLUMNS]
    return out.sort_values(["time", "source", "ref"], kind="stable").reset_index(drop=True)


def _web_parts(web: pd.DataFrame | None, waf: pd.DataFrame | None) -> list[pd.DataFrame]:
    """Web requests as timeline rows, grouped per client, hour, request and answer (a scan is one row per path)."""
    parts = []
    if web is not None and not web.empty:
        rows = web.assign(hour=pd.to_datetime(web.request_time, utc=True).dt.floor("h"),
                          path=web.request_url.astype(str).str.replace(r"^[a-z]+://", "", regex=True)
                          .str.split("?").str[0],
                          answer=web.elb_status_code.astype("Int64").astype(str)
                          + web.actions_executed.eq("waf").map({True: " (WAF)", False: ""}))
        grouped = rows.groupby(["hour", "account_id", "region", "client_ip", "request_verb", "path", "answer",
                                "load_balancer"], dropna=False)
        out = grouped.agg(time=("request_time", "min"), n=("trace_id", "size"), ref=("trace_id", "first")).reset_index()
        parts.append(pd.DataFrame({
            "time": pd.to_datetime(out.time, utc=True), "source": "alb", "account_id": out.account_id,
            "region": out.region, "activity": out.request_verb + " " + out.path + " x" + out.n.astype(str),
            "actor": out.client_ip, "source_ip": out.client_ip, "access_key_id": None, "outcome": out.answer,
            "ref": out.ref}))
    if waf is not None and not waf.empty:
        seen = set(web.trace_id) if web is not None and not web.empty else set()
        rest = waf[~waf.request_id.isin(seen)]
        if not rest.empty:
            rows = rest.assign(hour=pd.to_datetime(rest.request_time, utc=True).dt.floor("h"))
            grouped = rows.groupby(["hour", "account_id", "region", "client_ip", "http_method", "host", "uri", "action",
                                    "web_acl"], dropna=False)
            out = grouped.agg(time=("request_time", "min"), n=("request_id", "size"),
                              ref=("request_id", "first")).reset_index()
            parts.append(pd.DataFrame({
                "time": pd.to_datetime(out.time, utc=True), "source": "waf", "account_id": out.account_id,
                "region": out.region,
                "activity": out.http_method + " " + out.host.fillna("") + out.uri + " x" + out.n.astype(str),
                "actor": out.client_ip, "source_ip": out.client_ip, "access_key_id": None,
                "outcome": out.action, "ref": out.ref}))
    return parts


def _tls_parts(tls: pd.DataFrame | None) -> list[pd.DataFrame]:
    """TLS connections as timeline rows, grouped per client, hour, load balancer and handshake outcome."""
    if tls is None or tls.empty:
        return []
    rows = tls.assign(hour=pd.to_datetime(tls.connection_time, utc=True).dt.floor("h"))
    grouped = rows.groupby(["hour", "account_id", "region", "client_ip", "load_balancer", "target_port", "handshake"],
                           dropna=False)
    out = grouped.agg(time=("connection_time", "min"), n=("connection_time", "size")).reset_index()
    return [pd.DataFrame({
        "time": pd.to_datetime(out.time, utc=True), "source": "nlb", "account_id": out.account_id,
        "region": out.region,
        "activity": "TLS " + out.load_balancer + ":" + out.target_port.astype("Int64").astype(str)
        + " x" + out.n.astype(str),
        "actor": out.client_ip, "source_ip": out.client_ip, "access_key_id": None,
        "outcome": "handshake " + out.handshake, "ref": out.load_balancer})]


def _cdn_parts(cdn: pd.DataFrame | None) -> list[pd.DataFrame]:
    """CloudFront requests as timeline rows, grouped per client, hour, path and answer."""
    if cdn is None or cdn.empty:
        return []
    rows = cdn.assign(hour=pd.to_datetime(cdn.request_time, utc=True).dt.floor("h"),
                      answer=cdn.sc_status.astype("Int64").astype(str) + " " + cdn.x_edge_result_type.astype(str))
    grouped = rows.groupby(["hour", "account_id", "distribution", "client_ip", "cs_method", "x_host_header",
                            "cs_uri_stem", "answer"], dropna=False)
    out = grouped.agg(time=("request_time", "min"), n=("x_edge_request_id", "size"),
                      ref=("x_edge_request_id", "first")).reset_index()
    return [pd.DataFrame({
        "time": pd.to_datetime(out.time, utc=True), "source": "cloudfront", "account_id": out.account_id,
        "region": None,
        "activity": out.cs_method + " " + out.x_host_header + out.cs_uri_stem + " x" + out.n.astype(str),
        "actor": out.client_ip, "source_ip": out.client_ip, "access_key_id": None, "outcome": out.answer,
        "ref": out.ref})]


def _dns_parts(dns: pd.DataFrame | None) -> list[pd.DataFrame]:
    """DNS lookups as timeline rows: one per host, hour, name, type and answer code (as the query groups them)."""
    if dns is None or dns.empty:
        return []
    answered = dns.addresses.fillna("").astype(str)
    return [pd.DataFrame({
        "time": pd.to_datetime(dns.first_seen, utc=True), "source": "resolver", "account_id": dns.account_id,
        "region": dns.region,
        "activity": "DNS " + dns.query_type.astype(str) + " " + dns.query_name.astype(str)
        + " x" + dns.queries.astype("Int64").astype(str),
        "actor": dns.instance_id.fillna(dns.srcaddr), "source_ip": dns.srcaddr, "access_key_id": None,
        "outcome": dns.rcode.astype(str) + answered.map(lambda a: f" {a}" if a else ""), "ref": dns.vpc})]


def _s3_parts(s3: pd.DataFrame | None) -> list[pd.DataFrame]:
    """S3 requests as timeline rows, grouped per address, requester, hour, bucket, operation and answer."""
    if s3 is None or s3.empty:
        return []
    rows = s3.assign(hour=pd.to_datetime(s3.request_time, utc=True).dt.floor("h"), obj=s3.key.where(s3.key != "-"))
    grouped = rows.groupby(["hour", "account_id", "region", "remoteip", "requester", "bucket", "operation",
                            "httpstatus"], dropna=False)
    out = grouped.agg(time=("request_time", "min"), n=("requestid", "size"), objects=("obj", "nunique"),
                      ref=("requestid", "first")).reset_index()
    return [pd.DataFrame({
        "time": pd.to_datetime(out.time, utc=True), "source": "s3access", "account_id": out.account_id,
        "region": out.region,
        "activity": out.operation + " " + out.bucket + " x" + out.n.astype(str)
        + " (" + out.objects.astype(str) + " objects)",
        "actor": out.requester, "source_ip": out.remoteip, "access_key_id": None, "outcome": out.httpstatus,
        "ref": out.ref})]


def around(timeline: pd.DataFrame, first, last, padding=None) -> pd.DataFrame:
    """Timeline rows from ``first - padding`` to ``last + padding`` (e.g. a finding's activity)."""
    if timeline.empty:
        return timeline
    pad = as_timedelta(padding)
    lo, hi = as_utc(first) - pad, as_utc(last) + pad
    return timeline[(timeline.time >= lo) & (timeline.time <= hi)].reset_index(drop=True)


def activity_by_entity(cloudtrail: pd.DataFrame) -> pd.DataFrame:
    """What each principal did from each source IP with each key: counts, APIs, errors, time span.

    Returns
    -------
    DataFrame
        ``principal, access_key_id, source_ip, events, apis, errors, regions, first_seen,
        last_seen, top_apis``, busiest first.
    """
    columns = ["principal", "access_key_id", "source_ip", "events", "apis", "errors", "regions",
               "first_seen", "last_seen", "top_apis"]
    if cloudtrail.empty:
        return pd.DataFrame(columns=columns)
    groups = cloudtrail.groupby(["principal", "access_key_id", "source_ip"], dropna=False)
    out = groups.agg(
        events=("event_id", "size"),
        apis=("event_name", "nunique"),
        errors=("error_code", "count"),
        regions=("region", lambda r: ", ".join(sorted(set(r.dropna())))),
        first_seen=("event_time", "min"),
        last_seen=("event_time", "max"),
        top_apis=("event_name", lambda n: ", ".join(n.value_counts().head(5).index)),
    ).reset_index()
    return out.sort_values(["events", "first_seen"], ascending=[False, True])[columns].reset_index(drop=True)


#: Client kinds that are a program driving another client (an SDK, the CLI) rather than the client itself.
_DRIVERS = ("offensive-tool", "security-scanner", "iac", "aws-console")


def where_from(cloudtrail: pd.DataFrame) -> pd.DataFrame:
    """Per source address of the events: what it is, where, whose network, with which clients.

    Parameters
    ----------
    cloudtrail : DataFrame
        Events with ``source_ip`` and ``user_agent`` (``events_by_entity``, a pivot's ``cloudtrail``).

    Returns
    -------
    DataFrame
        ``source_ip, kind, country, asn, org, aws, clients, principals, calls, errors, first, last``
        (:mod:`workbench.context`), most calls first; ``clients`` names the programs behind the user
        agents (``Pacu over Boto3``...).
    """
    columns = ["source_ip", "kind", "country", "asn", "org", "aws", "clients", "principals", "calls", "errors",
               "first", "last"]
    if cloudtrail.empty:
        return pd.DataFrame(columns=columns)
    rows = context.enrich(cloudtrail[["event_time", "source_ip", "user_agent", "principal", "error_code"]])
    rows = rows.assign(aws=(rows.source_aws_service.fillna("") + " " + rows.source_aws_region.fillna("")).str.strip(),
                       # a tool that drives a client (Pacu over Boto3, Terraform over aws-sdk-go-v2) names both
                       client=rows.ua_tool.where(~rows.ua_kind.isin(_DRIVERS) | (rows.ua_tool == rows.ua_family),
                                                 rows.ua_tool + " over " + rows.ua_family.fillna("")),
                       failed=rows.error_code.notna())
    out = rows.groupby("source_ip", dropna=False).agg(
        kind=("source_kind", "first"), country=("source_country", "first"), asn=("source_asn", "first"),
        org=("source_org", "first"), aws=("aws", "first"),
        clients=("client", lambda c: ", ".join(sorted(set(c.dropna())))),
        principals=("principal", "nunique"), calls=("event_time", "size"), errors=("failed", "sum"),
        first=("event_time", "min"), last=("event_time", "max")).reset_index()
    return out.sort_values(["calls", "source_ip"], ascending=[False, True])[columns].reset_index(drop=True)


def errors(cloudtrail: pd.DataFrame) -> pd.DataFrame:
    """Calls that failed (``error_code`` set), per principal, source IP, API and error."""
    columns = ["principal", "source_ip", "event_name", "error_code", "calls", "first_seen", "last_seen"]
    if cloudtrail.empty or cloudtrail.error_code.isna().all():
        return pd.DataFrame(columns=columns)
    failed = cloudtrail[cloudtrail.error_code.notna()]
    out = failed.groupby(["principal", "source_ip", "event_name", "error_code"], dropna=False).agg(
        calls=("event_id", "size"), first_seen=("event_time", "min"), last_seen=("event_time", "max"),
    ).reset_index()
    return out.sort_values(["first_seen", "event_name"])[columns].reset_index(drop=True)


def _through_endpoint(cloudtrail: pd.DataFrame) -> pd.Series | str:
    """`` (VPC endpoint)`` for network activity events (a call's record as it passed an endpoint)."""
    if "event_category" not in cloudtrail:
        return ""
    return cloudtrail.event_category.map(lambda c: " (VPC endpoint)" if c == "NetworkActivity" else "")
