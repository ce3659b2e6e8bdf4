"""Query engines: a registry (name -> engine class) and :func:`connect`.

>>> from workbench.engines import connect
>>> engine = connect("local", logs="demo-data")    # doctest: +SKIP
>>> engine.query("root_activity", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP

Built in: ``local`` (DuckDB over a local folder), ``athena`` (Amazon Athena; its AWS packages,
``pip install 'awswrangler>=3.9' 'boto3>=1.34'``, are imported only when it is opened) and ``trino`` (any Trino,
``pip install 'trino>=0.330'``). A further
engine subclasses :class:`Engine`, writes :meth:`Engine.execute` and is registered with
``ENGINES.register(name, cls)``.
"""

from __future__ import annotations

from workbench.engines.athena import AthenaEngine
from workbench.engines.base import Engine, ScanReport
from workbench.engines.local import LocalEngine
from workbench.engines.trino import TrinoEngine
from workbench.registry import Registry

#: Engine classes by name; ``connect(name, **options)`` opens ``ENGINES[name](**options)``.
ENGINES: Registry[type[Engine]] = Registry("engine")


def connect(engine: str = "local", **options) -> Engine:
    """Open an engine by name.

    Parameters
    ----------
    engine : str
        A name in :data:`ENGINES`: ``"local"`` (default), ``"athena"`` or ``"trino"``.
    **options
        Passed to the engine, e.g. ``logs="demo-data"`` for ``local``; ``database``,
        ``workgroup``, ``region``, ``output`` and ``boto3_session`` for ``athena``; ``host``,
        ``port``, ``catalog``, ``schema``, ``user``... for ``trino`` (both accept and ignore
        ``logs``, so callers can switch engines by name alone).

    Raises
    ------
    UsageError
        For an unknown engine name, listing the known ones.
    """
    return ENGINES.lookup(engine)(**options)


ENGINES.register(LocalEngine.name, LocalEngine)
ENGINES.register(AthenaEngine.name, AthenaEngine)
ENGINES.register(TrinoEngine.name, TrinoEngine)

__all__ = ["ENGINES", "Engine", "ScanReport", "connect"]
