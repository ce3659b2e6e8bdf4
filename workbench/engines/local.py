"""The local engine: DuckDB, embedded, over a folder of logs laid out as in S3.

For each query it

1. finds every read of a log table and the partition conditions of that read
   (:mod:`workbench.engines.pruning`), refusing reads with no time bound;
2. evaluates those conditions, with the query's bound parameters, against the partition
   folders that exist, so only the selected ``account x region x day`` folders are listed;
3. defines each log table as a view over exactly those files
   (:mod:`workbench.engines.duckdb_readers`), with the Athena table's columns;
4. runs the query, turned from Athena SQL into DuckDB SQL by sqlglot, with the parameters
   bound by DuckDB.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from workbench.engines.base import Engine, ScanReport, check_time_bounds, log_table_reads
from workbench.engines.checks import FileChecker
from workbench.engines.duckdb_readers import MAX_OBJECT_BYTES, READERS, empty_view_sql
from workbench.engines.listing import LogFile, LogTree, Partition
from workbench.engines.pruning import TableRead
from workbench.errors import QueryFailed, UnreadableFiles
from workbench.library import Query, parse_sql
from workbench.sources import get_source


class LocalEngine(Engine):
    """Run queries with DuckDB over a local log folder.

    Parameters
    ----------
    logs : str or Path
        Folder holding ``AWSLogs/`` (a synced bucket, a sample, or ``AWSLogs`` itself).
    threads : int, optional
        DuckDB worker threads (default: all cores).
    memory_limit : str, optional
        DuckDB memory limit, e.g. ``"4GB"``.
    strict : bool
        Fail (:class:`~workbench.errors.UnreadableFiles`) on any file problem instead of
        reading what can be read and reporting the rest.
    max_record_bytes : int, optional
        Largest JSON value read whole (a CloudTrail file is one value); records larger
        than this are dropped and reported.

    Examples
    --------
    >>> engine = LocalEngine("demo-data")                             # doctest: +SKIP
    >>> engine.query("console_logins", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP
    """

    name = "local"

    def __init__(self, logs: str | os.PathLike, *, threads: int | None = None,
                 memory_limit: str | None = None, strict: bool = False,
                 max_record_bytes: int = MAX_OBJECT_BYTES):
        super().__init__()
        self.strict = strict
        self.tree = LogTree(logs)
        self.last_files: list[LogFile] = []
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = $limit", {"limit": memory_limit})
        self.checker = FileChecker(self.con, max_record_bytes=max_record_bytes)

    def close(self) -> None:
        self.checker.close()
        self.con.close()

    def execute(self, query: Query, values: dict, *, allow_full_scan: bool):
        reads = log_table_reads(query)
        check_time_bounds(query, reads, allow_full_scan=allow_full_scan)
        report = ScanReport(engine=self.name, query=query.name)
        self.last_files = []
        for table in sorted({r.table for r in reads}):
            self._define_table(table, [r for r in reads if r.table == table], values, report)
        if self.strict and report.problems:
            raise UnreadableFiles(
                f"{query.name}: {len(report.problems)} file(s) could not be read whole (strict mode):\n  "
                + "\n  ".join(report.problem_lines())
            )
        sql = query.to_duckdb()
        try:
            frame = self.con.execute(sql, _used(values, query.placeholders)).df()
        except duckdb.Error as err:
            raise QueryFailed(f"{query.name} failed on the local engine: {err}") from None
        return frame, report

    # -- partitions and files -----------------------------------------------------

    def select_partitions(self, table: str, reads: list[TableRead], values: dict) -> list[Partition]:
        """Partition folders of ``table`` that any of ``reads`` can touch."""
        source = get_source(table)
        partitions = self.tree.partitions(source)
        if not partitions:
            return []
        frame = pd.DataFrame([p.__dict__ for p in partitions])
        self.con.register("_partitions", frame)
        try:
            keep: set[str] = set()
            for read in reads:
                where = read.where_sql(dialect="duckdb")
                names = [n for n in values if f"${n}" in where]
                rows = self.con.execute(
                    f"SELECT path FROM _partitions WHERE {where}", {n: values[n] for n in names}
                ).fetchall()
                keep.update(r[0] for r in rows)
        except duckdb.Error as err:
            raise QueryFailed(f"cannot evaluate the partition conditions of {table}: {err}") from None
        finally:
            self.con.unregister("_partitions")
        return [p for p in partitions if p.path in keep]

    def _define_table(self, table: str, reads: list[TableRead], values: dict, report: ScanReport):
        source = get_source(table)
        partitions = self.select_partitions(table, reads, values)
        files, ignored = self.tree.files(source, partitions)
        checks = self.checker.check(source, files)
        records = sum(c.records for c in checks.values())
        report.tables[table] = {
            "partitions": len(partitions),
            "files": len(files),
            "bytes": sum(f.size for f in files),
            "records": records,
        }
        report.files += len(files)
        report.bytes += sum(f.size for f in files)
        report.records += records
        report.ignored += len(ignored)
        report.problems += [p.as_dict() for c in checks.values() for p in c.problems]
        self.last_files += files
        self.define_view(table, [r for f in files for r in checks[f.path].read])

    def define_view(self, table: str, files: list[LogFile]) -> None:
        """(Re)define the view ``table`` over exactly ``files``."""
        source = get_source(table)
        if not files:
            self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{source.table}" AS {empty_view_sql(source)}')
            return
        files_table = f"_files_{source.name}"
        self.con.register(files_table, pd.DataFrame([f.__dict__ for f in files]))
        body = READERS[source.reader](self.con, source, files, files_table)
        self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{source.table}" AS {body}')


def _used(values: dict, names: tuple[str, ...]) -> dict:
    return {n: values[n] for n in names if n in values}
