"""The local engine's views: each log table defined over exactly the files a query selected.

A view over raw files is the ``SELECT`` of the source's format
(:meth:`~workbench.formats.base.LogFormat.view`); a view over the Parquet cache reads the
cached partitions; a view over nothing has the table's columns and no rows. Every view has
the source's Athena columns (lower case, Athena types) followed by the partition columns.
"""

from __future__ import annotations

from workbench.formats import format_of
from workbench.formats.base import MAX_OBJECT_BYTES, LogFile
from workbench.sources import LogSource


def define_view(con, source: LogSource, files: list[LogFile], *, columns: set[str] | None = None,
                fields: dict | None = None, needles: list[list[str]] | None = None,
                object_bytes: int = MAX_OBJECT_BYTES) -> None:
    """(Re)define the view of ``source`` over exactly ``files``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The engine's connection.
    source : LogSource
        The log table.
    files : list of LogFile
        What to read (checked files, repaired copies).
    columns : set of str, optional
        Data columns to read; the others are typed nulls (default: all).
    fields : dict, optional
        Field paths to read of struct columns (:func:`~workbench.engines.local.columns.used_fields`);
        the other fields are nulls (default: whole).
    needles : list of list of str, optional
        Files that hold none of these alternatives cannot add a row to the query and are
        passed over (:func:`~workbench.engines.local.needles.file_needles`).
    object_bytes : int
        JSON buffer size: at least the largest JSON value in ``files``.
    """
    if not files:
        body = empty_view_sql(source)
    else:
        body = format_of(source).view(con, source, files, columns=columns, fields=fields, needles=needles,
                                      object_bytes=object_bytes)
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{source.table}" AS {body}')


def define_cached_view(con, source: LogSource, parquet_files: list[str]) -> None:
    """(Re)define the view of ``source`` over cached Parquet files (their paths travel in a variable)."""
    if not parquet_files:
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{source.table}" AS {empty_view_sql(source)}')
        return
    variable = f"cache_{source.name}"
    con.execute(f"SET VARIABLE {variable} = $paths", {"paths": parquet_files})
    names = ", ".join([f'CAST("{c.name}" AS {c.type.duckdb()}) AS "{c.name}"' if c.type.kind != "scalar"
                       else f'"{c.name}"' for c in source.columns] + [f'"{p}"' for p in source.partitions])
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{source.table}" AS '
                f"SELECT {names} FROM read_parquet(getvariable('{variable}'), hive_partitioning=false)")


def empty_view_sql(source: LogSource) -> str:
    """A view with the source's columns and no rows (no file matched)."""
    cols = [f'CAST(NULL AS {c.type.duckdb()}) AS "{c.name}"' for c in source.columns]
    cols += [f'CAST(NULL AS VARCHAR) AS "{p}"' for p in source.partitions]
    return f"SELECT {', '.join(cols)} WHERE FALSE"
