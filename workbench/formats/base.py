"""What every file format is asked for: the plug-in points of :class:`LogFormat`.

A log source names its format (``LogSource.format``); the format's one object owns everything
that depends on how the files are written:

- :meth:`LogFormat.view`: the DuckDB ``SELECT`` that reads healthy files as the source's table;
- :meth:`LogFormat.check`: one DuckDB pass over new files that counts their records and says
  which are healthy;
- :meth:`LogFormat.salvage`: a Python reader for any file of the format, damaged ones
  included, that saves every readable record and says what was lost;
- :meth:`LogFormat.encode`: records back into file bodies (repaired copies, ``workbench import``).

Two small hooks serve ``workbench import`` (:mod:`workbench.formats.importer`):
:meth:`LogFormat.claims` (does a file look like this source's?) and :meth:`LogFormat.place`
(where does a record go in the S3 layout?).

The rest of this module is what the formats share: the file they read (:class:`LogFile`),
the outcome of a check (:class:`FileCheck`, :class:`Salvage`), the JSON buffer sizes, and
:func:`scan_files`, which runs a check query and tells files DuckDB cannot read from the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import duckdb

from workbench.formats.problems import Problem, ReadResult
from workbench.sources import LogSource

#: Largest single JSON value DuckDB will buffer: a whole CloudTrail file is one object.
MAX_OBJECT_BYTES = 512 * 1024 * 1024

#: DuckDB's JSON buffer for files whose values are known to be small (its own minimum).
SMALL_OBJECT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class LogFile:
    """One log file with its partition values, size in bytes and, when listed, its version.

    The version (:attr:`version`) is what the file system gives for free: size, modification
    and change times, inode and device. A file rewritten in place keeps none of them all: even
    with its size and modification time put back, its change time (which no one can set) moves.
    ``mtime_ns`` is 0 for files not found by listing (repaired copies); their version is then
    read from the file system when needed.
    """

    path: str
    account: str
    region: str
    day: str
    size: int
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    device: int = 0
    scope: str = ""

    @classmethod
    def of(cls, path: str, account: str, region: str, day: str, stat: os.stat_result, scope: str = "") -> LogFile:
        """A listed file, its version from ``stat``; ``scope`` is its ``LogSource.scope_partition`` value."""
        return cls(path, account, region, day, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                   stat.st_dev, scope)

    @property
    def version(self) -> tuple[int, int, int, int, int]:
        """``(size, mtime_ns, ctime_ns, inode, device)``: as listed, else as on disk now (``-1`` when gone)."""
        if self.mtime_ns:
            return (self.size, self.mtime_ns, self.ctime_ns, self.inode, self.device)
        return file_version(self.path)


def file_version(path: str) -> tuple[int, int, int, int, int]:
    """``(size, mtime_ns, ctime_ns, inode, device)`` of the file at ``path`` now; all ``-1`` when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1, -1, -1, -1)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


@dataclass
class FileCheck:
    """What a check found in one file.

    Attributes
    ----------
    records : int
        Records the query will read from it (from the file, or from its repaired copies).
    problems : list of Problem
        What was wrong; empty for a healthy file.
    read : list of LogFile
        What to read instead of the file: itself when healthy, its repaired copies, or
        nothing when no record could be saved.
    largest : int or None
        Bytes of the largest JSON value in what is read (a CloudTrail file is one value);
        ``None`` when unknown or not JSON. Views size their buffers by it.
    """

    records: int
    problems: list[Problem] = field(default_factory=list)
    read: list[LogFile] = field(default_factory=list)
    largest: int | None = None


@dataclass(frozen=True)
class Salvage:
    """A check's verdict on a file DuckDB cannot read as it is: read it with :meth:`LogFormat.salvage`.

    ``error`` is what DuckDB said, when it said something.
    """

    error: str | None = None


@dataclass(frozen=True)
class Body:
    """One file body made by :meth:`LogFormat.encode`: its bytes (uncompressed) and, for JSON,
    the size of its largest JSON value (a view's buffer must hold it)."""

    data: bytes
    largest: int | None = None


@dataclass(frozen=True)
class Placed:
    """Where ``workbench import`` puts one record.

    Attributes
    ----------
    account, region : str
        The partition.
    time : datetime
        The record's time: its day is the partition's, and a file's first record names it.
    order : tuple
        Sort key of the record within its file.
    identity : tuple or None
        What makes two records the same (written once); ``None``: never the same.
    group : tuple
        Records of one group share a file (flow logs: their format); ``()`` for most.
    supplied : tuple of str
        What the record lacked and the import supplied (``"account"`` from ``--account``,
        ``"region"`` from ``--region``, ``"day"`` from the file's own S3 key).
    scope : str
        The folder of the source's ``scope_partition`` (a WAF record's web ACL name); ``""`` for most.
    """

    account: str
    region: str
    time: dt.datetime
    order: tuple
    identity: tuple | None = None
    group: tuple = ()
    supplied: tuple = ()
    scope: str = ""


class LogFormat(ABC):
    """One kind of log file: everything about reading, checking, saving and writing it.

    Subclasses set :attr:`name` and write the four plug-in points; they are registered in
    :data:`workbench.formats.FORMATS`.
    """

    #: The name sources use (``LogSource.format``).
    name = "format"
    #: What people call it.
    title = "log files"

    @abstractmethod
    def view(self, con: duckdb.DuckDBPyConnection, source: LogSource, files: list[LogFile], *,
             columns: set[str] | None = None, fields: dict | None = None, needles: list[list[str]] | None = None,
             object_bytes: int = MAX_OBJECT_BYTES) -> str:
        """The ``SELECT`` of a view over ``files`` with the source's Athena columns, then the partitions.

        Parameters
        ----------
        con : duckdb.DuckDBPyConnection
            The engine's connection (file lists travel in its variables, never in the SQL text).
        source : LogSource
            The table.
        files : list of LogFile
            Healthy files (or repaired copies) of the source.
        columns : set of str, optional
            Data columns to read; the others are typed nulls (default: all).
        fields : dict, optional
            Field paths of struct columns to read (the other fields are nulls).
        needles : list of list of str, optional
            JSON texts one of whose sets a file must hold all of to add a row (files that
            cannot are passed over); formats that cannot search their text ignore them.
        object_bytes : int
            JSON buffer: at least the largest JSON value in ``files``.
        """

    @abstractmethod
    def check(self, con: duckdb.DuckDBPyConnection, source: LogSource, files: list[LogFile], *,
              max_record_bytes: int) -> dict[str, FileCheck | Salvage]:
        """Per file path: a :class:`FileCheck` for a file a view can read, or :class:`Salvage`."""

    @abstractmethod
    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every readable record of the file at ``path`` (any shape the format is met in), and the problems."""

    @abstractmethod
    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        """File bodies (uncompressed) that hold ``records`` as :meth:`salvage` returns them, in order."""

    def claims(self, text: str, source: LogSource) -> int:
        """How surely the start of a file (``text``) is a file of ``source``: 0 for no.

        ``workbench import`` gives a file to the source that claims it most surely.
        """
        return 0

    def claims_parquet(self, path: str, source: LogSource) -> int:
        """How surely the Parquet file at ``path`` is a file of ``source`` (its columns say): 0 for no."""
        return 0

    def place(self, record, source: LogSource, *, account: str | None = None, region: str | None = None,
              path: str | None = None) -> Placed | str:
        """Where ``record`` goes in the S3 layout, or why it cannot be placed.

        ``account`` and ``region`` are the importer's ``--account`` and ``--region``, for
        records that carry none; ``path`` is the file the record came from (whose name may be
        an S3 key that says more).
        """
        return f"{self.title} cannot be imported"

    def encode_for_hive(self, records: list, source: LogSource) -> bytes:
        """``records`` as Hive's SerDes (Athena's, Trino's Hive connector) read the source's table.

        For a layout of the logs that a Trino can read (:mod:`workbench.engines.trino.layout`).
        """
        raise NotImplementedError(f"{self.title} files have no Hive layout")

    def table_columns(self, source: LogSource, *, fields: str | None = None) -> tuple:
        """The Athena table's columns (formats Athena reads by position give ``fields`` in order)."""
        return source.columns

    def reject(self, record) -> dict:
        """A record that could not be placed, as written to ``import-rejects/``."""
        return {"record": record}


def scan_files(con: duckdb.DuckDBPyConnection, sql: str, files: list[LogFile], *, limit: int | None = None,
               max_limit: int = MAX_OBJECT_BYTES) -> dict:
    """Run a check query over ``files``; tell the files DuckDB cannot read from the rest.

    ``sql`` reads the files named by ``$paths`` and returns ``filename`` first. JSON checks
    (``{limit}`` in ``sql``) first read with DuckDB's smallest JSON buffer, which is much
    faster than a large one; a file with a larger value is checked again with ``max_limit``.
    A failure that names no file is narrowed down by halves.

    Returns
    -------
    dict
        ``{path: row tuple without the filename}``, or ``{path: Salvage(error)}`` for files
        DuckDB could not read; files with no row are absent.

    Raises
    ------
    duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException
        For a fault in the check itself rather than in a file.
    """
    if limit is None:
        limit = min(SMALL_OBJECT_BYTES, max_limit)
    remaining = list(files)
    found: dict = {}
    larger: list[LogFile] = []
    while remaining:
        try:
            rows = con.execute(sql.replace("{limit}", str(int(limit))),
                               {"paths": [f.path for f in remaining]}).fetchall()
        except (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException):
            raise
        except duckdb.Error as err:
            message = str(err)
            named = [f for f in remaining if f.path in message]
            if named:
                bad = max(named, key=lambda f: len(f.path))
                if "maximum_object_size" in message and limit < max_limit:
                    larger.append(bad)
                else:
                    found[bad.path] = Salvage(first_line(message))
                remaining.remove(bad)
                continue
            if len(remaining) == 1:
                found[remaining[0].path] = Salvage(first_line(message))
                break
            half = len(remaining) // 2
            for part in (remaining[:half], remaining[half:]):
                found.update(scan_files(con, sql, part, limit=limit, max_limit=max_limit))
            break
        for row in rows:
            found[row[0]] = tuple(row[1:])
        break
    if larger:
        found.update(scan_files(con, sql, larger, limit=max_limit, max_limit=max_limit))
    return found


#: An account id as it appears in keys and records.
ACCOUNT_ID = re.compile(r"\d{9,12}")
_REGION = re.compile(r"[a-z0-9-]{3,40}")


def unplaceable(account, region, time, source: LogSource) -> str | None:
    """Why a record with this account, region and time cannot be placed; ``None`` when it can.

    The reasons are the same for every record that fails alike (the import counts them by
    reason) and say what to do.
    """
    keys = source.record_keys

    def named(fields: tuple[str, ...]) -> str:
        return f" ({', '.join(fields)})" if fields else ""

    if account in (None, ""):
        return f"no account id{named(keys.account)}: give --account if you know whose logs these are"
    if not ACCOUNT_ID.fullmatch(str(account)):
        return f"the account id is not 12 digits{named(keys.account)}"
    if not source.regional:  # a global service: there is no region to place by
        pass
    elif region in (None, ""):
        return f"no region{named(keys.region)}: give --region if you know it"
    elif not _REGION.fullmatch(str(region)):
        return f"the region is not a region name{named(keys.region)}"
    if time is None:
        return f"no usable time{named(keys.time)}"
    return None


def object_buffer_bytes(largest: int | None) -> int:
    """The ``maximum_object_size`` to read JSON values of at most ``largest`` bytes.

    ``None`` (unknown) gives :data:`MAX_OBJECT_BYTES`; known sizes get twice their size,
    at least DuckDB's minimum buffer.
    """
    if largest is None:
        return MAX_OBJECT_BYTES
    return max(SMALL_OBJECT_BYTES, min(2 * largest, MAX_OBJECT_BYTES), largest + 1024)


def duckdb_threads(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's worker thread count on ``con``."""
    return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])


def first_line(message: str) -> str:
    """The first line of an error message."""
    return message.strip().splitlines()[0] if message.strip() else message
