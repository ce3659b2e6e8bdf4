"""How DuckDB reads each kind of raw log file into a table shaped like the Athena table.

One function per reader kind (the ``reader`` of a :class:`~workbench.sources.LogSource`),
registered in :data:`READERS`. Each returns the ``SELECT`` of a view with the source's
Athena columns (lower case, Athena types) followed by the partition columns. The list of
files travels in a DuckDB variable, never in the SQL text.
"""

from __future__ import annotations

from typing import Callable

import duckdb

from workbench.sources import LogSource

#: Largest single JSON value DuckDB will buffer: a whole CloudTrail file is one object.
MAX_OBJECT_BYTES = 512 * 1024 * 1024

ReaderSQL = Callable[[duckdb.DuckDBPyConnection, LogSource, str, str], str]
READERS: dict[str, ReaderSQL] = {}


def reader(kind: str):
    """Register a reader function for ``kind``."""

    def wrap(func: ReaderSQL) -> ReaderSQL:
        READERS[kind] = func
        return func

    return wrap


def _json_columns(source: LogSource) -> str:
    fields = ", ".join(f"'{c.key}': '{c.type.duckdb(json_keys=True)}'" for c in source.columns)
    return "{" + fields + "}"


def _projection(source: LogSource, alias: str) -> str:
    cols = []
    for col in source.columns:
        value = f'{alias}."{col.key}"'
        if col.type.kind != "scalar":  # rename nested fields to Athena's lower case
            value = f"CAST({value} AS {col.type.duckdb()})"
        cols.append(f'{value} AS "{col.name}"')
    return ", ".join(cols)


def _partitions(files_table: str) -> str:
    return f"{files_table}.account, {files_table}.region, {files_table}.day"


@reader("cloudtrail_json")
def cloudtrail_json(con, source: LogSource, variable: str, files_table: str) -> str:
    """CloudTrail files: one JSON object per file, events in its ``Records`` array."""
    records_type = "STRUCT(" + ", ".join(
        f'"{c.key}" {c.type.duckdb(json_keys=True)}' for c in source.columns
    ) + ")[]"
    return (
        f"SELECT {_projection(source, 'raw.r')}, {_partitions('f')} "
        f"FROM (SELECT unnest(\"Records\") AS r, filename FROM read_json(getvariable('{variable}'), "
        f"columns={{'Records': '{records_type}'}}, format='unstructured', filename=true, "
        f"maximum_object_size={MAX_OBJECT_BYTES})) AS raw "
        f"JOIN {files_table} AS f ON f.path = raw.filename"
    )


@reader("jsonl")
def jsonl(con, source: LogSource, variable: str, files_table: str) -> str:
    """JSON Lines files (GuardDuty exports): one record per line."""
    return (
        f"SELECT {_projection(source, 'raw')}, {_partitions('f')} "
        f"FROM read_json(getvariable('{variable}'), columns={_json_columns(source)}, "
        f"format='newline_delimited', filename=true, maximum_object_size={MAX_OBJECT_BYTES}) AS raw "
        f"JOIN {files_table} AS f ON f.path = raw.filename"
    )


@reader("flowlog_text")
def flowlog_text(con, source: LogSource, variable: str, files_table: str) -> str:
    """VPC flow-log text files, parsed by their header line (any format, ``-`` is null)."""
    scan = (
        f"read_csv(getvariable('{variable}'), delim=' ', header=true, union_by_name=true, "
        f"all_varchar=true, nullstr='-', filename=true)"
    )
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    cols = []
    for col in source.columns:
        typ = col.type.duckdb()
        value = f'CAST(raw."{col.key}" AS {typ})' if col.key in present else f"CAST(NULL AS {typ})"
        cols.append(f'{value} AS "{col.name}"')
    return (
        f"SELECT {', '.join(cols)}, {_partitions('f')} FROM {scan} AS raw "
        f"JOIN {files_table} AS f ON f.path = raw.filename"
    )


def empty_view_sql(source: LogSource) -> str:
    """A view with the source's columns and no rows (no file matched)."""
    cols = [f'CAST(NULL AS {c.type.duckdb()}) AS "{c.name}"' for c in source.columns]
    cols += [f'CAST(NULL AS VARCHAR) AS "{p}"' for p in source.partitions]
    return f"SELECT {', '.join(cols)} WHERE FALSE"
