"""The local engine: DuckDB, embedded, over a folder of logs laid out as in S3."""

from workbench.engines.local.engine import LocalEngine

__all__ = ["LocalEngine"]
