"""Context as columns: a query result plus country, network owner, AWS range and client of each row.

Enrichment runs on the result, in Python, after any engine: the local engine, Athena and Trino
give the same columns for the same rows. Each distinct value is looked up once, so a result of
a million rows with a few thousand addresses costs the few thousand lookups.

>>> import pandas as pd
>>> frame = enrich(pd.DataFrame({"source_ip": ["10.0.0.1"], "user_agent": ["aws-cli/2.18.5"]}))
>>> frame.loc[0, ["source_kind", "ua_family", "ua_kind"]].tolist()
['private', 'aws-cli', 'aws-cli']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.context.addresses import Addresses, default
from workbench.context.agents import agent

#: Address columns the queries return -> the prefix of their context columns.
ADDRESS_COLUMNS = {"source_ip": "source", "src_addr": "src", "dst_addr": "dst", "pkt_srcaddr": "pkt_src",
                   "pkt_dstaddr": "pkt_dst", "remote_ip": "remote", "client_ip": "client", "ip": "ip"}
#: User-agent columns -> the prefix of their context columns.
AGENT_COLUMNS = {"user_agent": "ua"}
#: What each address column gains: ``<prefix>_<field>``.
ADDRESS_FIELDS = ("kind", "country", "asn", "org", "is_aws", "aws_service", "aws_region")
#: What each user-agent column gains: ``<prefix>_<field>``.
AGENT_FIELDS = ("family", "version", "os", "tool", "kind", "language")


def enrich(frame: pd.DataFrame, *, ips: dict | list | None = None, agents: dict | list | None = None,
           addresses: Addresses | None = None) -> pd.DataFrame:
    """``frame`` plus context columns for its address and user-agent columns.

    Parameters
    ----------
    frame : DataFrame
        A query result (kept as it is; a new frame is returned, ``attrs`` included).
    ips : dict or list, optional
        Address columns to enrich, ``{column: prefix}`` or a list (prefix: the column name less
        ``_ip``/``_addr``). Default: those of :data:`ADDRESS_COLUMNS` present.
    agents : dict or list, optional
        User-agent columns, likewise (default: ``user_agent`` -> ``ua``).
    addresses : Addresses, optional
        The databases to use (default: :func:`workbench.context.addresses.default`).

    Returns
    -------
    DataFrame
        ``frame`` with, per address column, ``<prefix>_kind, _country, _asn, _org, _is_aws,
        _aws_service, _aws_region`` and, per user-agent column, ``<prefix>_family, _version, _os,
        _tool, _kind, _language``; placed after the column they describe.
    """
    ips = _columns(frame, ips, ADDRESS_COLUMNS)
    agents = _columns(frame, agents, AGENT_COLUMNS)
    if not ips and not agents:
        return frame
    book = addresses or (default() if ips else None)
    added: dict[str, list[tuple[str, pd.Series]]] = {}
    for column, prefix in ips.items():
        codes, distinct = pd.factorize(frame[column])
        found = [book.lookup(v) for v in distinct]
        added[column] = []
        for field in ADDRESS_FIELDS:
            series = _spread([getattr(a, field) for a in found], codes, frame.index)
            if field == "asn":
                series = series.astype("Int64")
            elif field == "is_aws":
                series = series.where(series.notna(), False).astype(bool)
            elif field == "kind":
                series = series.where(series.notna(), "missing")
            added[column].append((f"{prefix}_{field}", series))
    for column, prefix in agents.items():
        codes, distinct = pd.factorize(frame[column])
        found = [agent(v) for v in distinct]
        added[column] = []
        for field in AGENT_FIELDS:
            series = _spread([getattr(a, field) for a in found], codes, frame.index)
            if field == "kind":
                series = series.where(series.notna(), "missing")
            added[column].append((f"{prefix}_{field}", series))
    pieces = {}
    for name in frame.columns:
        pieces[name] = frame[name]
        for new, series in added.get(name, []):
            if new not in frame.columns:
                pieces[new] = series
    out = pd.DataFrame(pieces, index=frame.index)
    out.attrs = dict(frame.attrs)
    return out


def _spread(values: list, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """One value per row: ``values[code]``, and ``None`` where the row had no value (code -1)."""
    table = np.empty(len(values) + 1, dtype=object)
    table[:-1] = values
    table[-1] = None
    return pd.Series(table[codes], index=index, dtype=object)


def _columns(frame: pd.DataFrame, given, known: dict) -> dict:
    if given is None:
        return {c: p for c, p in known.items() if c in frame.columns}
    if isinstance(given, dict):
        return {c: p for c, p in given.items() if c in frame.columns}
    return {c: known.get(c) or c.removesuffix("_ip").removesuffix("_addr") for c in given if c in frame.columns}
