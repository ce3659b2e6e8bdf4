"""Defaults shared by the notebooks, ``workbench.session.pivot`` and the report runner.

A notebook's parameters default to ``None``; these functions say what ``None`` means, so
that the notebooks themselves hold no logic:

- engine: ``$WORKBENCH_ENGINE`` if set, else ``"local"``;
- logs: ``$WORKBENCH_LOGS`` if set, else the nearest ``demo-data`` folder (the working
  folder or one of its parents: a notebook opened from ``notebooks/`` finds the sample);
- window: the sample's days when the logs are a generated sample, else the last seven
  days up to today (UTC).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from workbench.errors import UsageError

ENGINE_ENV = "WORKBENCH_ENGINE"
LOGS_ENV = "WORKBENCH_LOGS"
#: Where ``make demo`` and ``workbench sample`` put the sample organisation.
DEMO_LOGS = "demo-data"
#: Days in the default window when the logs are not a sample.
DEFAULT_DAYS = 7


def default_engine() -> str:
    """``$WORKBENCH_ENGINE`` if set, else ``"local"``."""
    return os.environ.get(ENGINE_ENV, "").strip() or "local"


def engine_name(engine: str | None) -> str:
    """The engine to use for a parameter value: the value itself, or the default for ``None``."""
    return default_engine() if engine in (None, "") else str(engine)


def default_logs(folder: str | os.PathLike | None = None) -> Path:
    """The log folder to use when none is given.

    Parameters
    ----------
    folder : path, optional
        Where to start looking for ``demo-data`` (default: the working folder).

    Returns
    -------
    Path
        ``$WORKBENCH_LOGS`` if set; else the first ``demo-data`` folder found in ``folder``
        or its parents; else ``demo-data`` (which may not exist yet).
    """
    if os.environ.get(LOGS_ENV):
        return Path(os.environ[LOGS_ENV])
    here = Path(folder or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / DEMO_LOGS).is_dir():
            return candidate / DEMO_LOGS
    return Path(DEMO_LOGS)


def logs_folder(logs: str | os.PathLike | None) -> Path:
    """The log folder for a parameter value: the value itself, or :func:`default_logs` for ``None``."""
    return default_logs() if logs in (None, "") else Path(logs)


def default_window(logs: str | os.PathLike | None = None, *, today: dt.date | None = None) -> tuple[str, str]:
    """``(start, end)`` days (``YYYY-MM-DD``, inclusive) when a notebook is given none.

    The generated sample's own days when ``logs`` holds one (``scenarios.json``), else the
    last :data:`DEFAULT_DAYS` days up to ``today`` (UTC).
    """
    if logs is not None:
        truth = Path(logs) / "scenarios.json"
        if truth.is_file():
            try:
                generator = json.loads(truth.read_text(encoding="utf-8"))["generator"]
                return generator["start"], generator["end"]
            except (KeyError, ValueError, TypeError):
                pass
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()


def window(start, end, logs=None) -> tuple[str, str]:
    """Resolve notebook ``start``/``end`` parameters (either may be ``None``) to days.

    A missing ``start`` makes a window of :data:`DEFAULT_DAYS` days ending at ``end``; a
    missing ``end`` one of :data:`DEFAULT_DAYS` days from ``start``; both missing:
    :func:`default_window`.

    Raises
    ------
    UsageError
        For a day that is not ``YYYY-MM-DD`` or a window that ends before it starts.
    """
    if start in (None, "") and end in (None, ""):
        return default_window(logs)
    first = _day(start, "start") if start not in (None, "") else None
    last = _day(end, "end") if end not in (None, "") else None
    span = dt.timedelta(days=DEFAULT_DAYS - 1)
    first = first or last - span
    last = last or first + span
    if last < first:
        raise UsageError(f"the window ends ({last}) before it starts ({first})")
    return first.isoformat(), last.isoformat()


def as_list(value) -> list[str]:
    """A list parameter from a notebook or the command line: ``None``, ``"a,b"`` or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _day(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise UsageError(f"{name}: expected a day as YYYY-MM-DD, got {value!r}") from None
