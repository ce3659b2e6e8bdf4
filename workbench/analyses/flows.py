"""VPC flows: which ports talk to which, what is rejected, who scans.

Functions take rows of ``port_pairs`` (flows aggregated by interface, addresses, ports,
protocol and action) or ``scan_candidates``.
"""

from __future__ import annotations

import pandas as pd

PROTOCOLS = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}


def port_scatter_points(pairs: pd.DataFrame) -> pd.DataFrame:
    """Flows per source port, destination port, protocol and action: the scatter's points.

    Returns
    -------
    DataFrame
        ``srcport, dstport, protocol, action, flows, bytes, hosts`` (``hosts``: distinct
        source addresses), with ``protocol`` as a name (TCP, UDP, ICMP).
    """
    columns = ["srcport", "dstport", "protocol", "action", "flows", "bytes", "hosts"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    rows = pairs[pairs.srcport.notna() & pairs.dstport.notna()]
    out = rows.groupby(["srcport", "dstport", "protocol", "action"], as_index=False).agg(
        flows=("flows", "sum"), bytes=("bytes", "sum"), hosts=("srcaddr", "nunique"))
    out["protocol"] = out.protocol.map(lambda p: PROTOCOLS.get(int(p), str(p)))
    return out[columns]


def totals(pairs: pd.DataFrame) -> dict:
    """Flows, bytes and the rejected share in ``port_pairs`` rows."""
    flows = int(pairs.flows.sum()) if len(pairs) else 0
    rejected = int(pairs.loc[pairs.action == "REJECT", "flows"].sum()) if len(pairs) else 0
    return {"flows": flows, "bytes": int(pairs.bytes.fillna(0).sum()) if len(pairs) else 0,
            "rejected": rejected, "rejected_share": round(rejected / flows, 3) if flows else 0.0}


def top_rejected_destinations(pairs: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """Destinations (address on an interface) with the most rejected flows.

    Returns
    -------
    DataFrame
        ``account_id, interface_id, dstaddr, rejected, sources, ports, top_ports``, most
        rejected first, at most ``n`` rows.
    """
    columns = ["account_id", "interface_id", "dstaddr", "rejected", "sources", "ports", "top_ports"]
    rejected = pairs[pairs.action == "REJECT"] if len(pairs) else pairs
    if rejected.empty:
        return pd.DataFrame(columns=columns)
    out = rejected.groupby(["account_id", "interface_id", "dstaddr"], as_index=False).agg(
        rejected=("flows", "sum"), sources=("srcaddr", "nunique"), ports=("dstport", "nunique"),
        top_ports=("dstport", lambda p: ", ".join(str(int(x)) for x in p.value_counts().head(5).index)))
    out = out.sort_values(["rejected", "dstaddr"], ascending=[False, True]).head(n)
    return out[columns].reset_index(drop=True)


def scan_verdict(scans: pd.DataFrame) -> str:
    """One sentence on ``scan_candidates`` rows.

    Examples
    --------
    "1 source scanned a host: 62.152.44.112 reached 60 ports of 10.9.0.42 (97% rejected)."

    With enriched rows (``enrich=True``), each source's country and network owner follow it:
    "62.152.44.112 (RU, AS12389 Example Telecom) reached ...".
    """
    if scans.empty:
        return "No source reached enough ports of one host to look like a scan."
    sources = scans.source_ip.nunique()
    parts = [f"{r.source_ip}{_network(r)} reached {r.distinct_ports} ports of {r.dst_addr} "
             f"({r.rejected_share:.0%} rejected)" for r in scans.head(5).itertuples()]
    more = f"; and {len(scans) - 5} more" if len(scans) > 5 else ""
    noun = "source" if sources == 1 else "sources"
    return f"{sources} {noun} scanned: " + "; ".join(parts) + more + "."


def _network(row) -> str:
    """`` (CC, ASn organisation)`` for an enriched row, else nothing."""
    country = getattr(row, "source_country", None)
    asn = getattr(row, "source_asn", None)
    org = getattr(row, "source_org", None)
    bits = [b for b in (country if isinstance(country, str) else None,
                        f"AS{int(asn)} {org or ''}".strip() if pd.notna(asn) else None) if b]
    return f" ({', '.join(bits)})" if bits else ""
