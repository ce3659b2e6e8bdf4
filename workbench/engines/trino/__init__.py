"""The Trino engine: the query library on any Trino, and a copy of the logs Trino can read."""

from workbench.engines.trino.engine import TrinoAuthRefused, TrinoEngine, TrinoTableMissing, TrinoUnavailable

__all__ = ["TrinoAuthRefused", "TrinoEngine", "TrinoTableMissing", "TrinoUnavailable"]
