"""``workbench.lineage``: whose credentials these really are, and everything done with them.

Start from an access key, a principal or a role session. A temporary key is traced to the call
that issued it and from there to the credentials that made that call, up to a long-term key, a
person or an AWS service; every key issued down that tree is found too, and everything each key
did is laid on one timeline, attributed to the root and the hop.

Examples
--------
>>> import workbench
>>> found = workbench.lineage(access_key_id="ASIA...", start="2026-11-01", end="2026-11-07",
...                           logs="demo-data")                       # doctest: +SKIP
>>> found                      # one line per tree: root, origin, hops, events   # doctest: +SKIP
>>> found.credentials          # one row per key: hop, issuer, issuing call       # doctest: +SKIP
>>> found.timeline             # every event, with root_access_key_id and hop     # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench import analyses
from workbench.engines import Engine, connect
from workbench.errors import UsageError
from workbench.settings import engine_name, logs_folder, parse_list

#: How far before the window issuing calls are looked for: the longest a role session lasts.
DEFAULT_PADDING = "12h"


@dataclass
class LineageResult:
    """What :func:`lineage` found.

    Attributes
    ----------
    asked : dict
        What the walk started from: ``access_key_id``, ``principal`` and ``session`` lists.
    first, last : pandas.Timestamp
        The time range read (padding included), UTC, ``[first, last)``.
    credentials : DataFrame
        One row per key of the trees (:func:`workbench.analyses.lineage.tree`).
    timeline : DataFrame
        Every event made with those keys, with ``root_access_key_id``, ``origin``, ``hop`` and
        ``credential`` (:func:`workbench.analyses.lineage.timeline`).
    issued : DataFrame
        The rows of ``credentials_issued`` the walk read.
    scans : list of dict
        What each query read (``df.attrs["scan"]``).
    """

    asked: dict
    first: pd.Timestamp
    last: pd.Timestamp
    credentials: pd.DataFrame
    timeline: pd.DataFrame
    issued: pd.DataFrame
    scans: list = field(default_factory=list)
    engine: Engine | None = field(default=None, repr=False)

    @property
    def roots(self) -> pd.DataFrame:
        """The root of each tree: its key, origin (who is behind it) and why the walk stopped there."""
        return self.credentials[self.credentials.hop == 0][["root_access_key_id", "origin", "principal", "reason"]]

    def chain(self, access_key_id: str | None = None) -> pd.DataFrame:
        """The credentials from the root down to ``access_key_id`` (default: the deepest key asked about)."""
        key = access_key_id or self._deepest_asked()
        return analyses.lineage.chain(self.credentials, key) if key else self.credentials.iloc[0:0]

    def hops(self) -> pd.DataFrame:
        """Per root and hop: the credential, its principal, accounts, events, failures, first and last time."""
        return analyses.lineage.hops(self.timeline)

    def _deepest_asked(self) -> str | None:
        asked = self.credentials[self.credentials.access_key_id.isin(self.asked.get("access_key_id", []))]
        rows = asked if len(asked) else self.credentials
        return None if rows.empty else rows.sort_values("hop").access_key_id.iloc[-1]

    def summary(self) -> str:
        """A few lines for people: what was asked, each tree's root and what its keys did."""
        asked = "; ".join(f"{k} {', '.join(v)}" for k, v in self.asked.items() if v) or "no credential"
        return (f"Lineage of {asked}, {self.first:%Y-%m-%d %H:%M} to {self.last:%Y-%m-%d %H:%M} UTC:\n"
                + analyses.lineage.describe(self.credentials, self.timeline))

    def __str__(self) -> str:
        return self.summary()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython shows the summary, not the fields
        printer.text(self.summary())


def lineage(engine: Engine | str | None = None, *, access_key_id=None, principal=None, session=None, start, end,
            padding=DEFAULT_PADDING, accounts=None, regions=None, logs=None, max_hops: int = 10) -> LineageResult:
    """Trace credentials to their root and gather everything done with every key of their tree.

    Parameters
    ----------
    engine : Engine or str, optional
        An open engine, or the name of one to open; default ``$WORKBENCH_ENGINE``, else ``"local"``.
    access_key_id : str or list of str, optional
        Keys to trace (``ASIA...`` temporary, ``AKIA...`` long-term).
    principal : str or list of str, optional
        An ARN or a user, role or session name: the keys it used in the window are traced.
    session : str or list of str, optional
        A role session's ARN or name (``arn:aws:sts::...:assumed-role/ROLE/SESSION`` or ``SESSION``).
    start, end : str, date or timestamp
        The window, UTC. A day (``"2026-11-07"``) means the whole day.
    padding : str or timedelta
        Added before ``start`` and after ``end`` (default 12 hours, the longest a role session
        lasts): a key issued before the window is found only if the padding reaches its issuing call.
    accounts, regions : list of str, optional
        Keep only these accounts and regions (empty: all). A chain through an account left out
        stops there, with the reason.
    logs : path, optional
        Log folder, when ``engine`` is a name.
    max_hops : int
        How many steps up and down the walk takes at most.

    Returns
    -------
    LineageResult
        The trees (``credentials``), the attributed ``timeline`` and what was read.

    Raises
    ------
    UsageError
        If none of ``access_key_id``, ``principal``, ``session`` is given (an empty list is given:
        the result is empty, as when a pivot met no key).

    Notes
    -----
    Queries: ``events_by_entity`` for a principal or session (the keys it used), then
    ``credentials_issued`` once per step of the walk with the keys found so far (every value
    bound), ``events_by_entity`` for every key of the trees, and ``credentials_issued`` for the user
    names of IAM Identity Center sessions, whose ``GetRoleCredentials`` records no key.
    """
    asked = {"access_key_id": list(dict.fromkeys(parse_list(access_key_id))),
             "principal": list(dict.fromkeys(parse_list(principal))),
             "session": list(dict.fromkeys(parse_list(session)))}
    if access_key_id is None and principal is None and session is None:
        raise UsageError("lineage needs at least one of access_key_id, principal, session")
    if not isinstance(engine, Engine):
        engine = connect(engine_name(engine), logs=logs_folder(logs))
    first, last = analyses.pivots.time_window(start, end, padding)
    scope = {**analyses.pivots.query_days(first, last), "accounts": parse_list(accounts),
             "regions": parse_list(regions)}
    scans = []

    def run(name: str, **params) -> pd.DataFrame:
        frame = engine.query(name, {**scope, **params})
        scans.append(frame.attrs.get("scan", {}))
        return analyses.pivots.within(frame, first, last, start_column="event_time")

    keys = list(asked["access_key_id"])
    names = asked["principal"] + asked["session"]
    if not keys and not names:  # given, but empty (a pivot that met no key): nothing to trace
        nothing = _empty("credentials_issued")
        credentials = analyses.lineage.tree(nothing, [])
        return LineageResult(asked=asked, first=first, last=last, credentials=credentials,
                             timeline=analyses.lineage.timeline(_empty("events_by_entity"), credentials),
                             issued=nothing, scans=scans, engine=engine)
    if names:
        used = run("events_by_entity", principals=names)
        keys += [k for k in dict.fromkeys(used.access_key_id.dropna()) if k and k not in keys]
    issued, known, frontier = [], set(keys), set(keys)
    for _ in range(max(int(max_hops), 0) + 1):
        if not frontier:
            break
        issued.append(run("credentials_issued", access_key_ids=sorted(frontier)))
        frontier = analyses.lineage.next_keys(_rows(issued), known)
        known |= frontier
    events = run("events_by_entity", access_key_ids=sorted(known)) if known else _empty("events_by_entity")
    unissued = known - set(analyses.lineage.issuances(_rows(issued)).access_key_id)
    users = analyses.lineage.sso_users(events, unissued)
    if users:
        issued.append(run("credentials_issued", principals=users))
    rows = _rows(issued)
    credentials = analyses.lineage.tree(rows, keys, events)
    return LineageResult(asked=asked, first=first, last=last, credentials=credentials,
                         timeline=analyses.lineage.timeline(events, credentials, rows), issued=rows, scans=scans,
                         engine=engine)


def _rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The ``credentials_issued`` rows read so far, each event once."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty("credentials_issued")
    return pd.concat(parts, ignore_index=True).drop_duplicates("event_id").reset_index(drop=True)


def _empty(query: str) -> pd.DataFrame:
    from workbench.library import get_query

    return pd.DataFrame(columns=list(get_query(query).returns))
