"""The small summary each notebook writes beside its report: headline, key numbers, facts.

A summary is a dict, made by a pure function in :mod:`workbench.session.summaries`::

    {"title": "Root and HIDDEN logins",
     "headline": "1 root sign-in (1 without MFA) from 1 IP ...",
     "numbers": {"root actions": 7, "HIDDEN bursts": 1},
     "facts": {"root_signin_event_ids": ["..."], "hidden_burst_ips": ["..."]}}

``numbers`` are shown on the report index; ``facts`` are for tests, the demo and any
tool that reads reports. ``workbench report`` injects ``summary_path`` into each notebook;
a notebook run by hand has ``summary_path = None`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path

from workbench.writes import write_atomic


def write_summary(path: str | os.PathLike | None, summary: dict, *, scope=None) -> Path | None:
    """Write ``summary`` as JSON to ``path``; do nothing when ``path`` is ``None``.

    Timestamps become ISO strings, numpy numbers plain numbers, NaN ``null``.

    Parameters
    ----------
    path : path or None
        Where it goes (a notebook's ``summary_path`` parameter).
    summary : dict
        A notebook's summary (:mod:`workbench.session.summaries`).
    scope : Investigation or dict, optional
        What the report covered (window, accounts, regions, engine), kept as ``summary["scope"]``
        for the report index.

    Returns
    -------
    Path or None
        Where it was written.
    """
    if path in (None, ""):
        return None
    if scope is not None:
        summary = {**summary, "scope": scope.scope() if hasattr(scope, "scope") else dict(scope)}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, json.dumps(plain(summary), indent=2) + "\n")
    return target


def read_summary(path: str | os.PathLike) -> dict:
    """A summary written by :func:`write_summary` (an empty dict if there is none)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def plain(value):
    """``value`` with pandas/numpy scalars, timestamps and containers made JSON-friendly."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return plain(value.tolist())
    if isinstance(value, (dt.datetime, dt.date)) or hasattr(value, "isoformat"):
        return None if str(value) == "NaT" else value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value
