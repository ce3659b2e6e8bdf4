"""``workbench.session.pivot``: everything the sources know about an entity, in one call.

Start from a source IP, an access key, a principal or an EC2 instance (or several), and
get back the CloudTrail events, VPC flows, GuardDuty findings and web requests (load
balancer and WAF logs) that mention them in a time window, one combined timeline, and the
entities seen alongside them, ranked, as the next pivots to try.

Examples
--------
>>> import workbench
>>> found = workbench.session.pivot(source_ip="203.0.113.7", start="2026-11-01", end="2026-11-07",
...                         logs="demo-data")                          # doctest: +SKIP
>>> found                   # one line per source, and the top next pivots   # doctest: +SKIP
>>> found.timeline.head()                                              # doctest: +SKIP
>>> wider = found.follow(1) # pivot again, adding the top next pivot   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench import analyses
from workbench.engines import Engine, connect
from workbench.errors import UsageError
from workbench.settings import engine_name, logs_folder, parse_list
from workbench.words import count


@dataclass
class PivotResult:
    """What :func:`pivot` found.

    Attributes
    ----------
    entities : dict
        What the pivot started from: ``{kind: [values]}`` for ``access_key_id``,
        ``source_ip``, ``instance_id`` and ``principal``.
    first, last : pandas.Timestamp
        The time range searched (padding included), UTC, ``[first, last)``.
    cloudtrail : DataFrame
        Events that involve an entity (columns of the ``events_by_entity`` query).
    flows : DataFrame
        VPC flows to or from an IP, or on an instance's interfaces, per hour
        (``flows_by_entity``).
    findings : DataFrame
        GuardDuty findings that name an entity (``findings`` plus ``matched``).
    web : DataFrame
        Requests from an IP to the load balancers (``alb/requests_by_client``).
    waf : DataFrame
        Requests from an IP that a web ACL inspected (``waf/requests_by_client``).
    tls : DataFrame
        Connections from an IP to the Network Load Balancers' TLS listeners (``nlb/connections_by_client``).
    cdn : DataFrame
        Requests from an IP to the CloudFront distributions (``cloudfront/requests_by_client``).
    dns : DataFrame
        DNS lookups per hour by a host with an IP or an instance, or that resolved to an IP
        (``resolver/lookups_by_entity``).
    s3 : DataFrame
        Requests to the buckets from an IP or signed by a principal (``s3access/requests_by_client``).
    timeline : DataFrame
        All of them together, oldest first (:func:`workbench.analyses.timeline.combine`).
    next_pivots : DataFrame
        Entities seen alongside, ranked (:func:`workbench.analyses.pivots.next_pivots`).
    scans : list of dict
        What each query read (``df.attrs["scan"]``).
    """

    entities: dict
    first: pd.Timestamp
    last: pd.Timestamp
    cloudtrail: pd.DataFrame
    flows: pd.DataFrame
    findings: pd.DataFrame
    timeline: pd.DataFrame
    next_pivots: pd.DataFrame
    scans: list = field(default_factory=list)
    web: pd.DataFrame = field(default_factory=pd.DataFrame)
    waf: pd.DataFrame = field(default_factory=pd.DataFrame)
    tls: pd.DataFrame = field(default_factory=pd.DataFrame)
    cdn: pd.DataFrame = field(default_factory=pd.DataFrame)
    dns: pd.DataFrame = field(default_factory=pd.DataFrame)
    s3: pd.DataFrame = field(default_factory=pd.DataFrame)
    accounts: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    engine: Engine | None = field(default=None, repr=False)

    def next_entities(self, n: int = 1) -> dict[str, list[str]]:
        """The top ``n`` next pivots as ``{kind: [values]}``."""
        return analyses.pivots.top_entities(self.next_pivots, n)

    def follow(self, n: int = 1) -> PivotResult:
        """Pivot again over the same window, from these entities plus the top ``n`` next pivots.

        ``n = 0`` returns this result unchanged.
        """
        if int(n) <= 0 or self.next_pivots.empty:
            return self
        entities = analyses.pivots.merge_entities(self.entities, self.next_entities(n))
        return pivot(self.engine, start=self.first, end=self.last, accounts=self.accounts,
                     regions=self.regions, **entities)

    def summary(self) -> str:
        """A few lines for people: what was asked, what each source gave, what to try next."""
        asked = "; ".join(f"{k} {', '.join(v)}" for k, v in self.entities.items() if v)
        lines = [
            f"Pivot on {asked}, {self.first:%Y-%m-%d %H:%M} to {self.last:%Y-%m-%d %H:%M} UTC:",
            f"  CloudTrail: {len(self.cloudtrail)} events"
            + (f" ({self.cloudtrail.error_code.notna().sum()} failed)" if len(self.cloudtrail) else ""),
            f"  VPC flows: {int(self.flows.flows.sum()) if len(self.flows) else 0} flows",
            f"  GuardDuty: {count(len(self.findings), 'finding')}",
        ]
        if len(self.web) or len(self.waf):
            blocked = int((self.waf.action == "BLOCK").sum()) if len(self.waf) else 0
            lines.append(f"  Web edge: {count(len(self.web), 'load balancer request')}, "
                         f"{count(len(self.waf), 'request')} seen by WAF ({blocked} blocked)")
        if len(self.tls):
            failed = int((self.tls.handshake != "completed").sum())
            lines.append(f"  TLS listeners: {count(len(self.tls), 'connection')} ({failed} without a handshake)")
        if len(self.cdn):
            errors = int((self.cdn.sc_status >= 400).sum())
            lines.append(f"  CloudFront: {count(len(self.cdn), 'request')} ({errors} refused or failed)")
        if len(self.dns):
            lookups = int(self.dns.queries.sum())
            missing = int(self.dns.loc[self.dns.rcode == "NXDOMAIN", "queries"].sum())
            lines.append(f"  DNS: {count(lookups, 'lookup')} of {count(self.dns.query_name.nunique(), 'name')} "
                         f"({missing} of names that do not exist)")
        if len(self.s3):
            got = self.s3[(self.s3.operation == "REST.GET.OBJECT") & (self.s3.httpstatus == "200")]
            lines.append(f"  S3: {count(len(self.s3), 'request')} to {count(self.s3.bucket.nunique(), 'bucket')}, "
                         f"{count(got.key.nunique(), 'object')} downloaded ({int(got.bytessent.sum()):,} bytes)")
        if len(self.next_pivots):
            top = self.next_pivots.head(3)
            lines.append("  next pivots: " + "; ".join(
                f"{r.kind} {r.value} ({r.sources}, {r.hits})" for r in top.itertuples()))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython shows the summary, not the fields
        printer.text(self.summary())


def pivot(engine: Engine | str | None = None, *, source_ip=None, access_key_id=None, principal=None,
          instance_id=None, start, end, padding=None, accounts=None, regions=None, logs=None) -> PivotResult:
    """Everything CloudTrail, VPC Flow Logs and GuardDuty know about some entities.

    Parameters
    ----------
    engine : Engine or str, optional
        An open engine, or the name of one to open (``"local"``, ``"athena"``); default
        ``$WORKBENCH_ENGINE``, else ``"local"``.
    source_ip, access_key_id, principal, instance_id : str or list of str, optional
        The entities; give at least one. A principal is an ARN or a user/session name.
    start, end : str, date or timestamp
        The window, UTC. A day (``"2026-11-07"``) means the whole day.
    padding : str or timedelta, optional
        Added before ``start`` and after ``end`` (``"2h"``, ``"30min"``).
    accounts, regions : list of str, optional
        Keep only these accounts and regions (empty: all).
    logs : path, optional
        Log folder, when ``engine`` is a name (default :func:`workbench.settings.default_logs`).

    Returns
    -------
    PivotResult
        Per-source DataFrames, the combined timeline and the ranked next pivots.

    Raises
    ------
    UsageError
        If no entity is given.

    Notes
    -----
    Three queries: ``findings`` (which also gives the network interfaces of an instance),
    ``events_by_entity`` and, when there are IPs or interfaces, ``flows_by_entity``; with IPs,
    four more: ``alb/requests_by_client``, ``waf/requests_by_client``,
    ``nlb/connections_by_client`` and ``cloudfront/requests_by_client``; with IPs or instances,
    ``resolver/lookups_by_entity``; with IPs or principals, ``s3access/requests_by_client``. Each reads
    only the days of the window.
    """
    entities = analyses.pivots.entity_lists(source_ip=source_ip, access_key_id=access_key_id, principal=principal,
                                  instance_id=instance_id)
    if not any(entities.values()):
        raise UsageError("pivot needs at least one of source_ip, access_key_id, principal, instance_id")
    if not isinstance(engine, Engine):
        engine = connect(engine_name(engine), logs=logs_folder(logs))
    first, last = analyses.pivots.time_window(start, end, padding)
    scope = {**analyses.pivots.query_days(first, last), "accounts": parse_list(accounts),
             "regions": parse_list(regions)}
    scans = []

    def run(name: str, **params) -> pd.DataFrame:
        from workbench.library import get_query

        known = {p.name for p in get_query(name).params}  # a global service's queries take no regions
        frame = engine.query(name, {k: v for k, v in {**scope, **params}.items() if k in known})
        scans.append(frame.attrs.get("scan", {}))
        return frame

    findings = analyses.pivots.match_findings(run("findings"), entities)
    findings = analyses.pivots.within(findings, first, last, start_column="first_seen", end_column="last_seen")
    cloudtrail = run("events_by_entity", source_ips=entities["source_ip"], access_key_ids=entities["access_key_id"],
                     principals=entities["principal"], instance_ids=entities["instance_id"])
    cloudtrail = analyses.pivots.within(cloudtrail, first, last, start_column="event_time")
    interfaces = analyses.pivots.interfaces_of(findings, entities["instance_id"])
    if entities["source_ip"] or interfaces:
        flows = run("flows_by_entity", addresses=entities["source_ip"], interface_ids=interfaces)
        flows = analyses.pivots.within(flows, first, last, start_column="first_seen", end_column="last_seen")
    else:
        flows = _empty("flows_by_entity")
    web, waf = _empty("alb/requests_by_client"), _empty("waf/requests_by_client")
    tls, cdn = _empty("nlb/connections_by_client"), _empty("cloudfront/requests_by_client")
    if entities["source_ip"]:
        web = analyses.pivots.within(run("alb/requests_by_client", addresses=entities["source_ip"]), first, last,
                                     start_column="request_time")
        waf = analyses.pivots.within(run("waf/requests_by_client", addresses=entities["source_ip"]), first, last,
                                     start_column="request_time")
        tls = analyses.pivots.within(run("nlb/connections_by_client", addresses=entities["source_ip"]), first, last,
                                     start_column="connection_time")
        cdn = analyses.pivots.within(run("cloudfront/requests_by_client", addresses=entities["source_ip"]), first,
                                     last, start_column="request_time")
    dns = _empty("resolver/lookups_by_entity")
    if entities["source_ip"] or entities["instance_id"]:
        dns = analyses.pivots.within(run("resolver/lookups_by_entity", addresses=entities["source_ip"],
                                         instance_ids=entities["instance_id"]), first, last,
                                     start_column="first_seen", end_column="last_seen")
    s3 = _empty("s3access/requests_by_client")
    if entities["source_ip"] or entities["principal"]:
        s3 = analyses.pivots.within(run("s3access/requests_by_client", addresses=entities["source_ip"],
                                        principals=entities["principal"]), first, last, start_column="request_time")
    return PivotResult(
        entities=entities, first=first, last=last, cloudtrail=cloudtrail, flows=flows, findings=findings,
        timeline=analyses.timeline.combine(cloudtrail, flows, findings, web, waf, tls, cdn, dns, s3),
        next_pivots=analyses.pivots.next_pivots(cloudtrail, flows, findings, entities),
        scans=scans, accounts=scope["accounts"], regions=scope["regions"], engine=engine, web=web, waf=waf, tls=tls,
        cdn=cdn, dns=dns, s3=s3,
    )


def _empty(name: str) -> pd.DataFrame:
    from workbench.library import get_query

    return pd.DataFrame(columns=list(get_query(name).returns))
