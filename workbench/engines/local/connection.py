"""The DuckDB connection of the local engine (and of the cache builder, which reads as it does)."""

from __future__ import annotations

import duckdb


def open_connection(*, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up for reading logs.

    Times are UTC; no progress bar (set only when on: in a Jupyter kernel without ipywidgets
    the ``SET`` raises); Parquet footers are kept between queries (DuckDB checks each file's
    modification time before reusing one), so repeated queries over the cache read them once.

    Parameters
    ----------
    threads : int, optional
        Worker threads (default: all cores).
    memory_limit : str, optional
        E.g. ``"4GB"``.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if con.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]:
        con.execute("SET enable_progress_bar = false")
    con.execute("SET parquet_metadata_cache = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    return con
