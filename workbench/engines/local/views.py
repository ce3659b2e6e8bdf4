"""How DuckDB reads each kind of raw log file into a table shaped like the Athena table.

One function per reader kind (the ``reader`` of a :class:`~workbench.sources.LogSource`),
registered in :data:`READERS`. Each takes the connection, the source and the files to read
(keyword options: ``columns``, ``fields``, ``needles``, ``object_bytes``) and returns the
``SELECT`` of a view with the source's Athena columns (lower case, Athena types) followed
by the partition columns. The list of files travels in DuckDB variables, never in the SQL
text.

Three things keep the JSON readers fast: CloudTrail files are read and inflated by worker
threads and handed to DuckDB as Arrow strings (:mod:`workbench.formats.feed`); only
the columns a query uses are transformed (the others are typed nulls, see
:mod:`workbench.engines.local.columns`); and, for JSON Lines read by DuckDB itself, its JSON
buffer is sized to the largest value the check pass found rather than to the largest one
allowed (a buffer far larger than needed costs more than the parsing).
"""

from __future__ import annotations

import gzip
import json
from typing import Callable

import pandas as pd

from workbench.engines.local.columns import pruned_structure
from workbench.formats.feed import JsonFileFeed
from workbench.engines.local.listing import LogFile
from workbench.engines.local.needles import escapes
from workbench.sources import LogSource
from workbench.sources.types import json_structure

#: Largest single JSON value DuckDB will buffer: a whole CloudTrail file is one object.
MAX_OBJECT_BYTES = 512 * 1024 * 1024

#: DuckDB's JSON buffer for files whose values are known to be small (its own minimum).
SMALL_OBJECT_BYTES = 16 * 1024 * 1024

ReaderSQL = Callable[..., str]
READERS: dict[str, ReaderSQL] = {}


def reader(kind: str):
    """Register a reader function for ``kind``."""

    def wrap(func: ReaderSQL) -> ReaderSQL:
        READERS[kind] = func
        return func

    return wrap


def object_buffer_bytes(largest: int | None) -> int:
    """The ``maximum_object_size`` to read values of at most ``largest`` bytes.

    ``None`` (unknown) gives :data:`MAX_OBJECT_BYTES`; known sizes get twice their size,
    at least DuckDB's minimum buffer.
    """
    if largest is None:
        return MAX_OBJECT_BYTES
    return max(SMALL_OBJECT_BYTES, min(2 * largest, MAX_OBJECT_BYTES), largest + 1024)


def _record_structure(source: LogSource, columns: set[str] | None = None,
                      fields: dict[str, set[tuple[str, ...]]] | None = None) -> dict:
    """``json_transform`` structure of one record of ``source``.

    Only ``columns`` if given, and of the struct columns in ``fields`` only those field
    paths (:func:`~workbench.engines.local.columns.used_fields`).
    """
    chosen = [c for c in source.columns if columns is None or c.name in columns] or [source.columns[0]]
    fields = fields or {}
    return {c.key: _reversed(pruned_structure(c.type, fields[c.name]) if c.name in fields else json_structure(c.type))
            for c in chosen}


def _reversed(structure):
    """``structure`` with the fields of every struct in reverse order.

    The view casts each nested column to its Athena type with lower-case field names.
    DuckDB matches struct fields by name, but treats a cast between structs whose names
    differ only in case, in the same order, as no cast at all, and the JSON spelling
    (``sessionContext``) would remain. In another order the cast happens and renames.
    (No struct of the sources has a single field, where order could not differ.)
    """
    if isinstance(structure, dict):
        return {key: _reversed(sub) for key, sub in reversed(structure.items())}
    if isinstance(structure, list):
        return [_reversed(structure[0])]
    return structure


def _literal(structure) -> str:
    """A structure as a SQL string literal (our own constant, never user input)."""
    text = json.dumps(structure, separators=(",", ":"))
    return "'" + text.replace("'", "''") + "'"


def _projection(source: LogSource, alias: str, columns: set[str] | None = None) -> str:
    cols = []
    for col in source.columns:
        value = f'{alias}."{col.key}"'
        if columns is not None and col.name not in columns:
            value = f"CAST(NULL AS {col.type.duckdb()})"  # not used by the query: not read
        elif col.type.kind != "scalar":  # rename nested fields to Athena's lower case
            value = f"CAST({value} AS {col.type.duckdb()})"
        cols.append(f'{value} AS "{col.name}"')
    return ", ".join(cols)


def _set_files(con, source: LogSource, files: list[LogFile]) -> str:
    variable = f"files_{source.name}"
    con.execute(f"SET VARIABLE {variable} = $paths", {"paths": [f.path for f in files]})
    return variable


def _partitions(files_table: str) -> str:
    return f"{files_table}.account, {files_table}.region, {files_table}.day"


def _files_table(con, source: LogSource, files: list[LogFile]) -> str:
    """Register the partition values of each file (once per path) for a join on the file name."""
    name = f"_files_{source.name}"
    unique = {f.path: f for f in files}.values()
    con.register(name, pd.DataFrame({"path": [f.path for f in unique], "account": [f.account for f in unique],
                                     "region": [f.region for f in unique], "day": [f.day for f in unique]}))
    return name


@reader("cloudtrail_json")
def cloudtrail_json(con, source: LogSource, files: list[LogFile], *,
                    columns: set[str] | None = None, fields: dict | None = None,
                    needles: list[list[str]] | None = None, object_bytes: int = MAX_OBJECT_BYTES) -> str:
    """CloudTrail files: one JSON object per file, events in its ``Records`` array.

    The files come whole, inflated ahead by worker threads, from a
    :class:`~workbench.formats.feed.JsonFileFeed` registered on the connection, and
    each is transformed in one pass into a list of records typed as the table's columns:
    far faster in DuckDB than ``read_json`` with a ``Records`` column type, which slows
    down sharply with the length of the list. The feed carries each file's partition
    values, so no join is needed. With ``needles`` (:mod:`workbench.engines.local.needles`), a
    file whose text cannot hold a row the query keeps is passed over before parsing.
    ``object_bytes`` does not apply: a string is parsed whole, whatever its size.
    """
    feed = f"_feed_{source.name}"
    con.register(feed, JsonFileFeed(files, workers=duckdb_threads(con)))
    structure = _literal({"Records": [_record_structure(source, columns, fields)]})
    return (
        f"SELECT {_projection(source, 'raw.r', columns)}, raw.account, raw.region, raw.day "
        f"FROM (SELECT unnest(json_transform(json, {structure}).\"Records\") AS r, account, region, day "
        f"FROM {feed}{_needle_filter(con, source, needles)}) AS raw"
    )


def _needle_filter(con, source: LogSource, needles: list[list[str]] | None) -> str:
    """``WHERE`` keeping the files that hold all needles of some alternative, or an escape."""
    if not needles:
        return ""
    variable = f"needles_{source.name}"
    con.execute(f"SET VARIABLE {variable} = $needles",
                {"needles": [list(alt) for alt in needles] + [[e] for e in escapes(needles)]})
    return (f" WHERE len(list_filter(getvariable('{variable}'), "
            f"lambda alt: list_bool_and(list_transform(alt, lambda n: contains(json, n))))) > 0")


def duckdb_threads(con) -> int:
    """DuckDB's worker thread count on ``con``."""
    return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])


@reader("jsonl")
def jsonl(con, source: LogSource, files: list[LogFile], *,
          columns: set[str] | None = None, fields: dict | None = None, needles: list[list[str]] | None = None,
          object_bytes: int = MAX_OBJECT_BYTES) -> str:
    """JSON Lines files (GuardDuty exports): one record per line, read by DuckDB.

    ``needles`` do not apply (a file holds many findings; few files in all).
    """
    variable, files_table = _set_files(con, source, files), _files_table(con, source, files)
    return (
        f"SELECT {_projection(source, 'raw.r', columns)}, {_partitions('f')} "
        f"FROM (SELECT json_transform(json, {_literal(_record_structure(source, columns, fields))}) AS r, filename "
        f"FROM read_json_objects(getvariable('{variable}'), format='newline_delimited', filename=true, "
        f"maximum_object_size={int(object_bytes)})) AS raw "
        f"JOIN {files_table} AS f ON f.path = raw.filename"
    )


@reader("flowlog_text")
def flowlog_text(con, source: LogSource, files: list[LogFile], *,
                 columns: set[str] | None = None, fields: dict | None = None,
                 needles: list[list[str]] | None = None, object_bytes: int = MAX_OBJECT_BYTES) -> str:
    """VPC flow-log text files, parsed by their header line (any format, ``-`` is null).

    Files are grouped by header; each group is read with its own explicit column list
    (no sniffing), and the groups are united with every known field, null where a
    format lacks it. Repeated header lines (concatenated files) are skipped; a value that
    is not a number in a number field reads as null, as on Athena. ``columns``, ``fields``,
    ``needles`` and ``object_bytes`` are not needed: DuckDB reads only the fields a query uses from CSV.
    """
    files_table = _files_table(con, source, files)
    groups: dict[tuple[str, ...], list[str]] = {}
    for log in files:
        groups.setdefault(flowlog_header(log.path), []).append(log.path)
    selects = []
    for i, (header, paths) in enumerate(sorted(groups.items())):
        variable = f"files_{source.name}_{i}"
        con.execute(f"SET VARIABLE {variable} = $paths", {"paths": paths})
        cols = []
        for col in source.columns:
            typ = col.type.duckdb()
            value = f'TRY_CAST(raw."{col.key}" AS {typ})' if col.key in header else f"CAST(NULL AS {typ})"
            cols.append(f'{value} AS "{col.name}"')
        selects.append(
            f"SELECT {', '.join(cols)}, {_partitions('f')} "
            f"FROM {flowlog_read_sql(header, f'getvariable({chr(39)}{variable}{chr(39)})')} AS raw "
            f"JOIN {files_table} AS f ON f.path = raw.filename "
            f"WHERE raw.\"{header[0]}\" IS DISTINCT FROM '{header[0]}'"
        )
    return " UNION ALL ".join(selects)


def flowlog_read_sql(header: tuple[str, ...], paths: str) -> str:
    """``read_csv`` of flow-log files that share ``header``, every field as text.

    ``paths`` is the SQL expression of the file list (a variable or a parameter).
    """
    columns = "{" + ", ".join(f"'{field}': 'VARCHAR'" for field in header) + "}"
    return (f"read_csv({paths}, columns={columns}, delim=' ', quote='', escape='', header=true, "
            f"auto_detect=false, nullstr='-', filename=true)")


def flowlog_header(path: str) -> tuple[str, ...]:
    """The field names in a flow-log file's first line."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        return tuple(fh.readline().split())


def empty_view_sql(source: LogSource) -> str:
    """A view with the source's columns and no rows (no file matched)."""
    cols = [f'CAST(NULL AS {c.type.duckdb()}) AS "{c.name}"' for c in source.columns]
    cols += [f'CAST(NULL AS VARCHAR) AS "{p}"' for p in source.partitions]
    return f"SELECT {', '.join(cols)} WHERE FALSE"
