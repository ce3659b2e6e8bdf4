"""What every engine does: resolve a query, bind its parameters, run it, report the scan.

An engine plug-in writes one method, :meth:`Engine.execute`. The base class owns the rest,
once per query: finding the query, checking parameters, finding its reads of log tables
(the SQL is parsed once per text, :func:`workbench.library.parse_sql`), the full-scan guard,
timing and the scan report that every result carries in ``df.attrs["scan"]``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from workbench.engines.pruning import TableRead, table_reads
from workbench.errors import FullScanRefused
from workbench.library import Query, adhoc_query, get_query, is_builtin, parse_query_text, parse_sql
from workbench.sources import SOURCES
from workbench.words import problem_line, size


@dataclass
class ScanReport:
    """What a query read.

    Attributes
    ----------
    engine : str
        The engine's name.
    query : str
        The query's name (``adhoc`` for SQL given directly).
    query_file : str or None
        The file the query came from (``None`` for SQL given directly).
    tables : dict
        Per log table: ``partitions``, ``files`` and ``bytes`` (compressed, as stored) read;
        ``cache`` is true where the table was read from the Parquet cache (``files`` and
        ``bytes`` are then the cache's).
    files : int
        Log files opened, all tables together.
    bytes : int
        Bytes of those files as stored.
    records : int
        Records in the files read (before the query's filters), damaged files' saved
        records included.
    problems : list of dict
        Every file that could not be read whole, each ``{"path", "reason", "lost"}``
        (``lost``: records lost, ``0`` when nothing was, ``None`` when unknown).
    ignored : int
        Non-log objects found in the selected folders and left alone (digests, markers).
    rows : int
        Rows in the result.
    seconds : float
        Wall time of the query.
    scanned_bytes : int or None
        Bytes the service billed for (Athena); ``None`` on the local engine.
    cost_usd : float or None
        Estimated cost of the scan (Athena); ``None`` on the local engine.
    notes : list of str
        Why a result may be empty, in words (the window misses the days the logs hold, a
        source has no logs here).
    """

    engine: str
    query: str
    query_file: str | None = None
    tables: dict = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    records: int = 0
    problems: list = field(default_factory=list)
    ignored: int = 0
    rows: int = 0
    seconds: float = 0.0
    scanned_bytes: int | None = None
    cost_usd: float | None = None
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        """One line for people: what was read, how much, how long."""
        parts = [f"{self.rows} rows"]
        if self.files or self.scanned_bytes is None:  # Athena reads S3 itself: no file list
            parts.append(f"{self.files} files ({size(self.bytes)})")
        for table, info in sorted(self.tables.items()):
            cached = " (Parquet cache)" if info.get("cache") else ""
            parts.append(f"{table}: {info['partitions']} partitions, {info['files']} files{cached}")
        if self.scanned_bytes is not None:
            parts.append(f"scanned {size(self.scanned_bytes)}")
        if self.cost_usd is not None:
            parts.append(f"~${self.cost_usd:.4f}")
        if self.records:
            parts.append(f"{self.records} records")
        if self.problems:
            parts.append(f"{len(self.problems)} files with problems (see .problems)")
        where = "" if is_builtin(self.query_file) else f" (query from {self.query_file})"
        return f"{self.query} on {self.engine}{where}: " + ", ".join(parts) + f" in {self.seconds:.2f} s"

    def problem_lines(self) -> list[str]:
        """One line per file with a problem: what was lost and why."""
        return [problem_line(p) for p in self.problems]

    def as_dict(self) -> dict:
        """Plain data, as stored in ``DataFrame.attrs['scan']``."""
        return asdict(self)


class Engine(ABC):
    """Runs query files (or SQL) and returns DataFrames with a scan report.

    Subclasses implement :meth:`execute` and are registered with
    :func:`workbench.engines.register`.
    """

    name = "engine"

    def __init__(self):
        self.last_scan: ScanReport | None = None

    def query(
        self, sql_or_name: str, params: dict | None = None, *, allow_full_scan: bool = False
    ) -> pd.DataFrame:
        """Run a query from the library (by name) or SQL text, with bound parameters.

        Parameters
        ----------
        sql_or_name : str
            A query name (``console_logins`` or ``cloudtrail/console_logins``) or SQL in
            the Athena dialect with ``:name`` placeholders.
        params : dict, optional
            Parameter values; defaults from the query's header fill the rest.
        allow_full_scan : bool
            Read log tables even where the query gives no time bound (every file).

        Returns
        -------
        pandas.DataFrame
            The result; ``df.attrs["scan"]`` holds the :class:`ScanReport` as a dict.

        Raises
        ------
        UsageError, FullScanRefused, QueryFailed
            With a message that names the problem and the way out.
        """
        query, values, reads = self.prepare(sql_or_name, params, allow_full_scan=allow_full_scan)
        started = time.perf_counter()
        frame, report = self.execute(query, values, reads)
        report.query_file = str(query.path) if query.path else None
        report.seconds = time.perf_counter() - started
        report.rows = len(frame)
        frame.attrs["scan"] = report.as_dict()
        self.last_scan = report
        return frame

    def prepare(self, sql_or_name: str, params: dict | None = None, *,
                allow_full_scan: bool = False) -> tuple[Query, dict, list[TableRead]]:
        """Resolve a query, bind its parameters, find its reads of log tables and guard them.

        What :meth:`query` does before it runs anything, for engines' other ways of running
        a query (such as Athena's ``UNLOAD``).

        Returns
        -------
        query, values, reads
            The query, its bound parameter values, and its reads of log tables.

        Raises
        ------
        UsageError, QueryDefinitionError, FullScanRefused
        """
        query = resolve_query(sql_or_name)
        values = query.bind(params)
        reads = log_table_reads(query)
        check_time_bounds(query, reads, allow_full_scan=allow_full_scan)
        return query, values, reads

    @abstractmethod
    def execute(self, query: Query, values: dict, reads: list[TableRead]) -> tuple[pd.DataFrame, ScanReport]:
        """Run ``query`` with checked ``values``; return the rows and what was read.

        ``reads`` are the query's reads of log tables with their partition conditions,
        already past the full-scan guard.
        """

    def close(self) -> None:  # noqa: B027 - most engines hold nothing to release
        """Release resources (connections); the engine is unusable afterwards."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def resolve_query(sql_or_name: str) -> Query:
    """A library query for a name, a query file for a ``.sql`` path, or ad-hoc SQL text.

    A ``.sql`` file with a ``-- name:`` header is read as a query file (its parameters are
    checked); without one, as ad-hoc SQL.
    """
    text = sql_or_name.strip()
    if text.endswith(".sql") and Path(text).is_file():
        body = Path(text).read_text(encoding="utf-8")
        if body.lstrip().startswith("-- name:"):
            return parse_query_text(body, path=Path(text))
        return adhoc_query(body)
    if any(ch.isspace() for ch in text):
        return adhoc_query(text)
    return get_query(text)


def log_table_reads(query: Query) -> list[TableRead]:
    """Every read of a log table in ``query``, with its partition conditions (found once per text)."""
    parse_sql(query.sql, where=query.name)  # a query that does not parse is named here, with its error
    return list(_reads(query.sql, tuple((s.table, s.partitions) for s in SOURCES.values())))


@lru_cache(maxsize=512)
def _reads(sql: str, tables: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[TableRead, ...]:
    return tuple(table_reads(parse_sql(sql), tables=dict(tables)))


def check_time_bounds(query: Query, reads: list[TableRead], *, allow_full_scan: bool) -> None:
    """The full-scan guard shared by all engines.

    Raises
    ------
    FullScanRefused
        If a log table is read without a condition on ``day`` and the caller did not allow it.
    """
    if allow_full_scan:
        return
    unbounded = sorted({r.table for r in reads if not r.time_bounded})
    if unbounded:
        raise FullScanRefused(
            f"{query.name} reads {', '.join(unbounded)} with no time bound, which means every "
            "file of every day. Bound it with a condition on the day partition, e.g. "
            "\"WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')\" "
            "(library queries take -p start=YYYY-MM-DD -p end=YYYY-MM-DD), or pass "
            "allow_full_scan=True (CLI: --allow-full-scan) to read everything."
        )
