"""Query engines: a small registry with one method that matters, ``query``.

>>> from workbench.engines import connect
>>> engine = connect("local", logs="demo-data")    # doctest: +SKIP
>>> engine.query("root_activity", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP

Built in: ``local`` (DuckDB over a local folder) and ``athena`` (Amazon Athena, needs
``pip install 'workbench[athena]'``). Further engines register themselves with
:func:`register`; optional ones are imported only when asked for.
"""

from __future__ import annotations

from typing import Callable

from workbench.engines.base import Engine, ScanReport
from workbench.errors import UsageError

ENGINES: dict[str, Callable[..., Engine]] = {}


def register(name: str, factory: Callable[..., Engine]) -> None:
    """Make ``factory(**options)`` available as ``connect(name, **options)``."""
    ENGINES[name] = factory


def connect(engine: str = "local", **options) -> Engine:
    """Open an engine by name.

    Parameters
    ----------
    engine : str
        ``"local"`` (default) or ``"athena"``.
    **options
        Passed to the engine, e.g. ``logs="demo-data"`` for ``local``; ``database``,
        ``workgroup``, ``region``, ``output`` and ``boto3_session`` for ``athena`` (which
        accepts and ignores ``logs``, so callers can switch engines by name alone).

    Raises
    ------
    UsageError
        For an unknown engine name.
    """
    try:
        factory = ENGINES[engine]
    except KeyError:
        raise UsageError(f"unknown engine {engine!r}; available: {', '.join(sorted(ENGINES))}") from None
    return factory(**options)


def _local(**options) -> Engine:
    from workbench.engines.local import LocalEngine

    return LocalEngine(**options)


def _athena(**options) -> Engine:
    from workbench.engines.athena import AthenaEngine

    return AthenaEngine(**options)


register("local", _local)
register("athena", _athena)

__all__ = ["ENGINES", "Engine", "ScanReport", "connect", "register"]
