"""The DuckDB connection of the local engine (and of the cache builder, which reads as it does)."""

from __future__ import annotations

import os
from pathlib import Path

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


def confine(con: duckdb.DuckDBPyConnection, folders: list) -> None:
    """Let SQL on ``con`` touch no file outside ``folders``, for reading or writing, from now on.

    Ad-hoc SQL then cannot read ``~/.aws/credentials`` nor write anywhere but there (DuckDB's
    ``allowed_directories``; external access cannot be turned back on in the session). The first
    folder also holds DuckDB's own spill files.
    """
    allowed: list[str] = []
    for folder in folders:
        for form in (Path(folder).absolute(), Path(folder).resolve()):
            text = str(form).rstrip(os.sep) + os.sep
            if text not in allowed:
                allowed.append(text)
    con.execute("SET temp_directory = $dir", {"dir": allowed[0] + "duckdb-spill"})
    con.execute("SET allowed_directories = $dirs", {"dirs": allowed})
    con.execute("SET enable_external_access = false")
