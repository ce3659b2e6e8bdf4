"""The local engine: DuckDB, embedded, over a folder of logs laid out as in S3.

For each query it

1. finds every read of a log table and the partition conditions of that read
   (:mod:`workbench.engines.pruning`), refusing reads with no time bound;
2. evaluates those conditions, with the query's bound parameters, against the partition
   folders that exist, so only the selected ``account x region x day`` folders are listed;
3. defines each log table as a view over exactly those files
   (:mod:`workbench.engines.local.views`), with the Athena table's columns, transforming
   only the columns the query uses (:mod:`workbench.engines.local.columns`) -- or, when a Parquet
   cache (:mod:`workbench.engines.local.cache`) holds every selected partition unchanged, as a view over
   the cached Parquet files instead;
4. runs the query, turned from Athena SQL into DuckDB SQL by sqlglot, with the parameters
   bound by DuckDB.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from workbench.engines.base import Engine, ScanReport
from workbench.engines.local.cache import ParquetCache, default_cache_dir
from workbench.engines.local.checks import FileChecker, default_store
from workbench.engines.local.columns import used_columns, used_fields
from workbench.engines.local.connection import confine, open_connection
from workbench.engines.local.listing import LogTree, Partition
from workbench.engines.local.needles import file_needles
from workbench.engines.local.views import define_cached_view, define_view
from workbench.engines.pruning import TableRead
from workbench.errors import QueryFailed, UnreadableFiles
from workbench.formats.base import MAX_OBJECT_BYTES, LogFile, object_buffer_bytes
from workbench.library import Query
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
    cache : str, Path or bool, optional
        Parquet cache folder (``workbench cache build``). By default ``<logs>/.workbench-cache``
        when it exists; ``False`` never uses a cache. A table is read from the cache only
        when every partition the query selects is cached and its raw files are unchanged.
    remember_checks : bool
        Keep the checks of healthy files in the user's cache folder (``~/.cache/workbench``,
        off with ``$WORKBENCH_CHECKS=off``), so a new session does not check them again.

    Examples
    --------
    >>> engine = LocalEngine("demo-data")                             # doctest: +SKIP
    >>> engine.query("console_logins", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP
    """

    name = "local"

    def __init__(self, logs: str | os.PathLike, *, threads: int | None = None,
                 memory_limit: str | None = None, strict: bool = False,
                 max_record_bytes: int = MAX_OBJECT_BYTES, cache: str | os.PathLike | bool | None = None,
                 remember_checks: bool = True):
        super().__init__()
        self.strict = strict
        self.tree = LogTree(logs)
        if cache is None or cache is True:
            cache = default_cache_dir(logs)
        self.cache = ParquetCache(cache) if cache is not False else None
        self.last_files: list[LogFile] = []
        self.con = open_connection(threads=threads, memory_limit=memory_limit)
        self.checker = FileChecker(self.con, max_record_bytes=max_record_bytes,
                                   store=default_store(logs) if remember_checks else None)
        confine(self.con, [self.checker.workdir, self.tree.root] + ([self.cache.root] if self.cache else []))

    def close(self) -> None:
        self.checker.close()
        self.con.close()

    def execute(self, query: Query, values: dict, reads: list[TableRead]):
        try:
            return self._execute(query, values, reads)
        except QueryFailed:
            # A file taken as healthy on trust (kept checks, the cache's manifests) may have turned
            # bad with its version unchanged: forget that trust, check those files, and try again.
            if not self.checker.forget_trusted(self.last_files):
                raise
            return self._execute(query, values, reads)

    def _execute(self, query: Query, values: dict, reads: list[TableRead]):
        report = ScanReport(engine=self.name, query=query.name)
        self.last_files = []
        statement = query.statement
        for table in sorted({r.table for r in reads}):
            source = get_source(table)
            columns = used_columns(statement, source)
            self._define_table(table, [r for r in reads if r.table == table], values, report, columns,
                               used_fields(statement, source, columns))
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
        if source.scope_partition:
            frame = frame.rename(columns={"scope": source.scope_partition})
        if not source.regional:  # a global service's table has no region: a condition on it is an error
            frame = frame.drop(columns=["region"])
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

    def _define_table(self, table: str, reads: list[TableRead], values: dict, report: ScanReport,
                      columns: set[str] | None = None, fields: dict | None = None):
        source = get_source(table)
        partitions = self.select_partitions(table, reads, values)
        if not partitions:
            report.notes.append(self._why_nothing(source))
        files, ignored = self.tree.files(source, partitions)
        refused = self.tree.problems_for(source, partitions)
        if self.cache is not None and partitions and self.cache.exists():
            found = self.cache.lookup(source, partitions, files)
            if all(manifest is not None for _, manifest, _ in found):
                self._define_cached_table(source, found, files, ignored, report)
                report.problems += refused
                return
            for _, manifest, part_files in found:  # the check pass the cache already made
                for log, outcome in manifest.healthy_checks(part_files) if manifest else ():
                    self.checker.remember(log, outcome)
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
        report.problems += refused
        report.problems += [p.as_dict() for c in checks.values() for p in c.problems]
        self.last_files += files
        largest = [checks[f.path].largest for f in files if checks[f.path].read]
        self.define_view(table, [r for f in files for r in checks[f.path].read], columns=columns, fields=fields,
                         needles=file_needles(source, reads, values),
                         object_bytes=object_buffer_bytes(None if None in largest else max(largest, default=0)))

    def _why_nothing(self, source) -> str:
        """Why no folder of ``source`` was read: the logs here hold none, or none of the window's days."""
        every = self.tree.partitions(source)
        if not every:
            return (f"no {source.title} logs under {self.tree.root} (looked for "
                    f"AWSLogs/.../{source.service_folder}/<region>/yyyy/mm/dd/)")
        days = sorted(p.day for p in every)
        return (f"the {source.title} logs here cover {days[0].replace('/', '-')} to {days[-1].replace('/', '-')}; "
                "the window (or the accounts and regions asked for) has none of them")

    def _define_cached_table(self, source, found, files: list[LogFile], ignored: list[str], report: ScanReport):
        """Define ``source``'s view over its cached partitions; report as the raw read would."""
        data = [m.data_path for _, m, _ in found if m.rows]
        size = sum(m.parquet_bytes for _, m, _ in found)
        records = sum(m.records for _, m, _ in found)
        report.tables[source.table] = {"partitions": len(found), "files": len(data), "bytes": size,
                                       "records": records, "cache": True}
        report.files += len(data)
        report.bytes += size
        report.records += records
        report.ignored += len(ignored)
        report.problems += [p for part, m, _ in found for p in m.problems_for(part)]
        self.last_files += files
        define_cached_view(self.con, source, data)

    def define_view(self, table: str, files: list[LogFile], **options) -> None:
        """(Re)define the view ``table`` over exactly ``files`` (:func:`~workbench.engines.local.views.define_view`)."""
        define_view(self.con, get_source(table), files, **options)


def _used(values: dict, names: tuple[str, ...]) -> dict:
    return {n: values[n] for n in names if n in values}
