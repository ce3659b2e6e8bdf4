"""DNS lookups (Route 53 Resolver query logs) read with the flow logs: which rare names were called."""

from __future__ import annotations

import pandas as pd

CONTACTED_COLUMNS = ["domain", "srcaddrs", "address", "flows", "bytes", "lookups", "first_seen", "last_seen"]


def addresses(rare: pd.DataFrame) -> list[str]:
    """The addresses the rare domains resolved to (rows of ``resolver/rare_domains``), sorted."""
    if rare.empty:
        return []
    return sorted({a for text in rare.addresses.dropna() for a in str(text).split()})


def contacted(rare: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Per rare domain and address it resolved to: the flows the hosts that resolved it had with that address.

    Parameters
    ----------
    rare : DataFrame
        Rows of ``resolver/rare_domains``.
    flows : DataFrame
        Rows of ``flows_by_entity`` for :func:`addresses` (flows seen by every interface, both ways).

    Returns
    -------
    DataFrame
        ``domain, srcaddrs, address, flows, bytes, lookups, first_seen, last_seen``: only flows between
        a host that resolved the domain and the address it got count (``flows`` counts the records of the
        asking host's own interface, requests and answers); most flows first. Domains whose addresses
        no flow reached are left out.
    """
    if rare.empty or flows.empty:
        return pd.DataFrame(columns=CONTACTED_COLUMNS)
    rows = []
    for r in rare.itertuples():
        hosts = set(str(r.srcaddrs).split())
        for address in str(r.addresses or "").split():
            mine = flows[((flows.srcaddr.isin(hosts)) & (flows.dstaddr == address))
                         | ((flows.dstaddr.isin(hosts)) & (flows.srcaddr == address))]
            if mine.empty:
                continue
            rows.append({"domain": r.domain, "srcaddrs": r.srcaddrs, "address": address,
                         "flows": int(mine.flows.sum()), "bytes": int(mine.bytes.sum()), "lookups": int(r.queries),
                         "first_seen": mine.first_seen.min(), "last_seen": mine.last_seen.max()})
    out = pd.DataFrame(rows, columns=CONTACTED_COLUMNS)
    return out.sort_values(["flows", "domain"], ascending=[False, True]).reset_index(drop=True)


def verdict(bursts: pd.DataFrame, tunnels: pd.DataFrame, rare: pd.DataFrame, called: pd.DataFrame) -> str:
    """One sentence: what stands out in the window's DNS."""
    parts = []
    if len(bursts):
        parts.append(f"{bursts.srcaddr.nunique()} host(s) asked for {int(bursts.names.sum())} names that do not "
                     "exist in a burst")
    if len(tunnels):
        parts.append(f"{tunnels.srcaddr.nunique()} sent long-labelled names under {tunnels.domain.nunique()} "
                     "domain(s)")
    if len(called):
        parts.append(f"{called.domain.nunique()} domain(s) only one host resolved were then contacted "
                     f"({int(called.flows.sum())} flows)")
    elif len(rare):
        parts.append(f"{len(rare)} domain(s) only one host resolved, none contacted in the flow logs")
    if not parts:
        return "Nothing stands out: no NXDOMAIN burst, no long labels, no rare domain."
    return "; ".join(parts) + "."
