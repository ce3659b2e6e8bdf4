"""Apache Parquet files: columns found by name, whatever their spelling and type.

Parquet says its own column names and types, and AWS's Parquet deliveries do not promise
either: CloudFront's v2 Parquet output holds every field as text, a Cost and Usage Report its
own types, and a delivery holds only the fields the user chose. So a source's column is the file
column whose name, compared as :func:`column_key` spells it (lower case, every run of other
characters one ``_``), is the column's raw key or Athena name (``cs(Host)``, ``cs-host`` and
``cs_host`` are one column); a column no file has reads as null, and a value that is not of
the column's type reads as null, as on Athena. Files are read where they are (never inflated
first); the names found travel as quoted identifiers, never as text from the file.

The check decodes every column of every row group the view reads, so a damaged page is found
once, at check time, and not in the middle of a query. A file DuckDB cannot read (a truncated
footer, a damaged page) is salvaged with :mod:`pyarrow`: every row group that reads is kept,
the others are counted and named with the reason. Its records are dicts keyed by the source's
raw keys, values as text.
"""

from __future__ import annotations

import io
import os
import re

from workbench.formats.base import Body, FileCheck, LogFile, LogFormat, Salvage, scan_files
from workbench.formats.duckdb_sql import file_list, partition_columns, partitions_table
from workbench.formats.problems import ReadResult
from workbench.settings import max_file_bytes
from workbench.sources import LogSource
from workbench.words import size

#: The four bytes every Parquet file starts and ends with.
PARQUET_MAGIC = b"PAR1"

_OTHER = re.compile(r"[^a-z0-9]+")


def column_key(name: str) -> str:
    """How a column name is compared: lower case, each run of other characters one ``_``, none at the ends.

    Examples
    --------
    >>> column_key("cs(User-Agent)"), column_key("x-edge-location"), column_key("cs_user_agent")
    ('cs_user_agent', 'x_edge_location', 'cs_user_agent')
    """
    return _OTHER.sub("_", name.lower()).strip("_")


def matched_columns(source: LogSource, names) -> dict[str, list[str]]:
    """``{column name: [file column names]}`` for the source's columns the file columns ``names`` hold.

    A file column matches a source column when :func:`column_key` makes its name the column's raw
    key or Athena name. Files of one folder may spell a field differently (a delivery changed, an
    export renamed it): every spelling found is listed, and a row's value is its first non-null one.
    """
    wanted = {}
    for col in source.columns:
        for key in (column_key(col.key), column_key(col.name)):
            wanted.setdefault(key, col.name)
    found: dict[str, list[str]] = {}
    for name in names:
        column = wanted.get(column_key(name))
        if column is not None:
            found.setdefault(column, []).append(name)
    return found


def quoted(name: str) -> str:
    """``name`` as a DuckDB identifier (any text: quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


class ParquetTable(LogFormat):
    """Parquet files whose columns are found by name (:func:`matched_columns`)."""

    name = "parquet"
    title = "Parquet"

    def __init__(self, *, none_text: str | None = None):
        #: Text that stands for "none" in the source's text format (CloudFront's ``-``): a null text
        #: value reads as it, so a query sees the same values whatever the delivery's format.
        self.none_text = none_text
        self._names: dict[tuple, list[str]] = {}  # a file version's column names: footers are read once

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = 0) -> str:
        """Rows of healthy ``files``: each matched column cast to its type, missing ones null."""
        names = sorted({n for per_file in self.names(con, files).values() for n in per_file})
        paths = file_list(con, f"parquet_{source.name}", files)
        files_table = partitions_table(con, source, files)
        file_column = _free_name("file", names)
        return (f"SELECT {self.projection(source, matched_columns(source, names), 'raw', columns)}, "
                f"{partition_columns('f', source)} "
                f"FROM read_parquet({paths}, filename={_text(file_column)}, union_by_name=true, "
                f"hive_partitioning=false) AS raw JOIN {files_table} AS f ON f.path = raw.{quoted(file_column)}")

    def names(self, con, files: list[LogFile]) -> dict[str, list[str]]:
        """``{path: column names}`` of ``files``, from their footers, each file version's read once."""
        keys = {log.path: (log.path,) + log.version for log in files}
        unread = [log for log in files if keys[log.path] not in self._names]
        if unread:
            found: dict[str, list[str]] = {log.path: [] for log in unread}
            rows = con.execute(f"SELECT file_name, name FROM parquet_schema({file_list(con, 'parquet_names', unread)})"
                               ).fetchall()
            roots: set[str] = set()
            for path, name in rows:
                if path not in roots:  # each file's first entry is its schema's root, not a column
                    roots.add(path)
                    continue
                found.setdefault(path, []).append(name)
            if len(self._names) > 500_000:
                self._names.clear()
            for log in unread:
                self._names[keys[log.path]] = found.get(log.path, [])
        return {log.path: self._names[keys[log.path]] for log in files}

    def projection(self, source: LogSource, found: dict[str, list[str]], alias: str, columns=None) -> str:
        """The source's columns out of the file columns ``found`` (:func:`matched_columns`)."""
        cols = []
        for col in source.columns:
            typ = col.type.duckdb()
            names = [f"{alias}.{quoted(n)}" for n in found.get(col.name, [])]
            as_text = (f"CAST({names[0]} AS VARCHAR)" if len(names) == 1
                       else "coalesce(" + ", ".join(f"CAST({n} AS VARCHAR)" for n in names) + ")")
            if columns is not None and col.name not in columns:
                value = f"CAST(NULL AS {typ})"  # not used by the query: not read
            elif not names:  # a field the delivery did not hold
                text = self.none_text is not None and col.type.name == "string"
                value = f"'{self.none_text}'" if text else f"CAST(NULL AS {typ})"
            elif col.type.name == "string":
                value = f"coalesce({as_text}, '{self.none_text}')" if self.none_text is not None else as_text
            elif self.none_text is not None:
                value = f"TRY_CAST(NULLIF({as_text}, '{self.none_text}') AS {typ})"
            elif len(names) == 1:  # a typed column (a report's costs) is cast directly
                value = f"TRY_CAST({names[0]} AS {typ})"
            else:
                value = f"TRY_CAST({as_text} AS {typ})"
            cols.append(f'{value} AS "{col.name}"')
        return ", ".join(cols)

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """Rows per file, every column the view reads decoded; an unreadable or oversized file goes to salvage."""
        out: dict[str, FileCheck | Salvage] = {}
        cap = max_file_bytes()
        readable = []
        for log in files:
            if log.size > cap:
                out[log.path] = Salvage(f"{size(log.size)}, more than the {size(cap)} a log file may hold")
            else:
                readable.append(log)
        try:  # the footers of every file at once; a damaged footer sends the files one by one
            batches = [(readable, self.names(con, readable))] if readable else []
        except Exception:
            batches = []
            for log in readable:
                try:
                    batches.append(([log], self.names(con, [log])))
                except Exception as err:
                    out[log.path] = Salvage(str(err).strip().splitlines()[0] if str(err).strip() else None)
        for group, per_file in batches:
            names = sorted({n for file_names in per_file.values() for n in file_names})
            found, file_column = matched_columns(source, names), _free_name("file", names)
            # every value read as text: each page the view reads is decoded here, once (a file without one
            # of the names reads nulls for it: union_by_name)
            decoded = " + ".join(f"coalesce(strlen(CAST({quoted(n)} AS VARCHAR)), 0)"
                                 for spellings in found.values() for n in spellings) or "0"
            rows = scan_files(con, f"SELECT {quoted(file_column)}, count(*), sum({decoded}) FROM read_parquet("
                                   f"$paths, filename={_text(file_column)}, union_by_name=true, "
                                   f"hive_partitioning=false) GROUP BY 1", group)
            for log in group:
                row = rows.get(log.path)
                if isinstance(row, Salvage):
                    out[log.path] = row
                elif not matched_columns(source, per_file.get(log.path, [])):
                    out[log.path] = Salvage(f"none of the {source.title} fields are in the file")
                elif row is None:
                    out[log.path] = FileCheck(0, [], [])
                else:
                    out[log.path] = FileCheck(int(row[0]), [], [log])
        return out

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every row group of ``path`` that reads, as dicts of the source's raw keys (values as text)."""
        import pyarrow.parquet as pq

        result = ReadResult(path, source.name, shape=self.title)
        cap = max_file_bytes()
        try:
            stored = os.path.getsize(path)
        except OSError as err:
            result.problem(f"cannot read the file ({err.strerror or err})", None)
            return result
        if stored > cap:
            result.problem(f"{size(stored)}, more than the {size(cap)} a log file may hold "
                           "($WORKBENCH_MAX_FILE_BYTES): not read", None)
            return result
        try:
            parquet = pq.ParquetFile(path)
        except Exception as err:
            result.problem(f"not a readable Parquet file ({_first_line(err)})", None)
            return result
        found = matched_columns(source, parquet.schema_arrow.names)
        if not found:
            result.problem(f"none of the {source.title} fields are in the file", 0)
            return result
        keys = {file_name: source.column(name).key for name, spellings in found.items() for file_name in spellings}
        lost_groups, lost_rows, first_error = 0, 0, None
        budget = cap  # what the row groups may inflate to, together, as a text file's cap
        for group in range(parquet.num_row_groups):
            declared = parquet.metadata.row_group(group).total_byte_size
            if declared > budget:  # the rest is not read: memory stays bounded whatever the file says
                unread = sum(parquet.metadata.row_group(g).num_rows for g in range(group, parquet.num_row_groups))
                result.problem(f"row groups {group + 1} to {parquet.num_row_groups} inflate to more than the "
                               f"{size(cap)} a log file may hold ($WORKBENCH_MAX_FILE_BYTES): not read", unread)
                break
            budget -= declared
            try:
                table = parquet.read_row_group(group, columns=list(keys))
            except Exception as err:
                lost_groups, first_error = lost_groups + 1, first_error or _first_line(err)
                lost_rows += parquet.metadata.row_group(group).num_rows
                continue
            for row in table.to_pylist():
                record: dict = {}
                for name, value in row.items():  # the first non-null spelling of a field
                    if value is not None and record.get(keys[name]) is None:
                        record[keys[name]] = str(value)
                result.records.append(record)
        if lost_groups:
            result.problem(f"{lost_groups} row group(s) cannot be read ({first_error}); the others are kept", lost_rows)
        if not result.records and not lost_groups:
            result.problem("no entries", 0)
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        """One Parquet file (its bytes, already compressed: never gzip them) of dict ``records``, as text."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        keys = [c.key for c in source.columns] if source is not None else sorted({k for r in records for k in r})
        table = pa.table({k: pa.array([None if r.get(k) is None else str(r.get(k)) for r in records], pa.string())
                          for k in keys})
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="snappy")
        return [Body(buffer.getvalue())]


def _free_name(base: str, taken) -> str:
    """A column name that is not in ``taken`` (a file's own column may be called anything, ``filename`` too)."""
    taken, name = set(taken), f"workbench_{base}"
    while name in taken:
        name += "_"
    return name


def _text(text: str) -> str:
    """A SQL string literal of a name made here (never a file's text)."""
    return "'" + text.replace("'", "''") + "'"


def is_parquet(head: bytes) -> bool:
    """Whether a file starting with ``head`` is Parquet."""
    return head[:4] == PARQUET_MAGIC


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
