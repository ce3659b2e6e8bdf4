"""A Parquet copy of the raw logs, for repeated queries over the same days.

``workbench cache build --logs DIR`` writes, per log table and ``account x region x day``
partition, one Parquet file (zstd) holding exactly the rows the local engine's view gives
for that partition's raw files (damaged files' saved records included), and a manifest
beside it::

    <cache>/<table>/account=<id>/region=<name>/day=<yyyy-mm-dd>/data.parquet
    <cache>/<table>/account=<id>/region=<name>/day=<yyyy-mm-dd>/manifest.json

The manifest names every raw file the partition held (name, size, modification time), the
records read from each, and every problem the check pass found, so a cached answer reports
damaged files exactly as a raw one does. A partition is *fresh* while its raw files are
the ones in its manifest (same size, modification and change times, inode and device) and the
table's columns are unchanged; the local engine reads a
table from the cache only when every partition a query selects is fresh, and reads the raw
files otherwise. A new build rewrites only partitions that are missing or stale.

The cache lives in ``<logs>/.workbench-cache`` unless another folder is given; the
engine's listing never enters folders whose names start with a dot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.engines.local.checks import FileChecker, default_store
from workbench.engines.local.connection import confine, open_connection
from workbench.engines.local.listing import LogTree, Partition
from workbench.engines.local.views import define_view
from workbench.formats.base import MAX_OBJECT_BYTES, FileCheck, LogFile, object_buffer_bytes
from workbench.sources import SOURCES, LogSource, get_source
from workbench.words import size as size_text
from workbench.writes import locked, replacing, write_atomic

#: Folder of the cache inside the log folder, when no other is given.
CACHE_DIRNAME = ".workbench-cache"

#: Bumped when the cache's layout or content changes: older caches are then stale.
#: 3: a raw file's version holds its change time, inode and device besides size and modification time.
FORMAT_VERSION = 3

_DATA, _MANIFEST = "data.parquet", "manifest.json"
#: What a manifest records of a raw file's version, in :attr:`~workbench.formats.base.LogFile.version`'s order.
_VERSION_KEYS = ("size", "mtime_ns", "ctime_ns", "inode", "device")


def default_cache_dir(logs: str | os.PathLike) -> Path:
    """Where ``workbench cache build`` writes when no folder is given."""
    return Path(logs).expanduser() / CACHE_DIRNAME


def schema_fingerprint(source: LogSource) -> str:
    """A short hash of the table's columns and types: a cache of other columns is stale."""
    known = _FINGERPRINTS.get(id(source))
    if known is not None and known[0] is source:  # computed once per source definition
        return known[1]
    spec = [FORMAT_VERSION, source.table, [(c.name, c.type.duckdb()) for c in source.columns],
            list(source.partitions)]
    fingerprint = hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]
    _FINGERPRINTS[id(source)] = (source, fingerprint)
    return fingerprint


_FINGERPRINTS: dict[int, tuple[LogSource, str]] = {}


@dataclass
class Manifest:
    """What one cached partition holds and where it came from.

    Attributes
    ----------
    table, account, region, day : str
        The partition (``day`` as ``yyyy/MM/dd``).
    schema : str
        :func:`schema_fingerprint` of the table when it was written.
    files : list of dict
        One per raw file: ``name``, its version (``size``, ``mtime_ns``, ``ctime_ns``, ``inode``,
        ``device``), ``records``, ``largest``.
    problems : list of dict
        One per problem: ``name`` (raw file name), ``reason``, ``lost``.
    rows : int
        Rows in ``data.parquet`` (0: no Parquet file is written).
    parquet_bytes : int
        Size of ``data.parquet``.
    """

    table: str
    account: str
    region: str
    day: str
    schema: str
    files: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    rows: int = 0
    parquet_bytes: int = 0
    folder: Path | None = None

    @property
    def records(self) -> int:
        """Records read from the raw files (what a raw query reports)."""
        return sum(f["records"] for f in self.files)

    @property
    def data_path(self) -> str:
        return str(self.folder / _DATA)

    def matches(self, source: LogSource, files: list[LogFile]) -> bool:
        """Whether this manifest still describes ``files`` (the partition's raw files now)."""
        if self.schema != schema_fingerprint(source) or len(files) != len(self.files):
            return False
        known = {f["name"]: tuple(f.get(k) for k in _VERSION_KEYS) for f in self.files}
        for log in files:
            now = log.version
            if known.get(_name(log.path, source)) != now:
                return False
        return self.rows == 0 or os.path.isfile(self.data_path)

    def problems_for(self, part: Partition) -> list[dict]:
        """The problems as the engine reports them (``path`` under the partition folder now)."""
        return [{"path": os.path.join(part.path, p["name"]), "reason": p["reason"], "lost": p["lost"]}
                for p in self.problems]

    def healthy_checks(self, files: list[LogFile]) -> list[tuple[LogFile, FileCheck]]:
        """Check outcomes of those of ``files`` (the partition's, as listed now) that had no problem."""
        troubled = {p["name"] for p in self.problems}
        known = {f["name"]: f for f in self.files}
        out = []
        for log in files:
            name = _name(log.path, get_source(self.table))
            if name in known and name not in troubled:
                out.append((log, FileCheck(known[name]["records"], [], [log], largest=known[name].get("largest"))))
        return out

    def to_json(self) -> str:
        doc = {k: v for k, v in self.__dict__.items() if k != "folder"}
        return json.dumps({"format": FORMAT_VERSION, **doc}, indent=1)


class ParquetCache:
    """A cache folder: finds fresh partitions for the engine, and (re)builds them.

    Parameters
    ----------
    root : str or Path
        The cache folder (created by :meth:`build` when missing).
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser()
        self._manifests: dict[str, tuple[int, Manifest | None]] = {}

    def exists(self) -> bool:
        """Whether the folder exists (an engine looks only at existing caches)."""
        return self.root.is_dir()

    def folder(self, source: LogSource, part: Partition) -> Path:
        """The folder of one partition's Parquet file and manifest."""
        folder = self.root / source.table / f"account={part.account}" / f"region={part.region}"
        if source.scope_partition:  # a folder name from the logs: hashed, never a path of its own
            folder = folder / f"{source.scope_partition}={hashlib.sha256(part.scope.encode()).hexdigest()[:16]}"
        return folder / f"day={part.day.replace('/', '-')}"

    def manifest(self, source: LogSource, part: Partition) -> Manifest | None:
        """The partition's manifest, or ``None`` (missing, unreadable or of another format)."""
        folder = self.folder(source, part)
        path = folder / _MANIFEST
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        hit = self._manifests.get(str(path))
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            manifest = None
            if doc.pop("format", None) == FORMAT_VERSION:
                manifest = Manifest(**doc, folder=folder)
        except (OSError, ValueError, TypeError):
            manifest = None
        self._manifests[str(path)] = (mtime, manifest)
        return manifest

    def fresh(self, source: LogSource, part: Partition, files: list[LogFile]) -> Manifest | None:
        """The manifest of ``part`` if it still describes ``files`` (the partition's raw files)."""
        manifest = self.manifest(source, part)
        return manifest if manifest is not None and manifest.matches(source, files) else None

    def lookup(self, source: LogSource, partitions: list[Partition],
               files: list[LogFile]) -> list[tuple[Partition, Manifest | None, list[LogFile]]]:
        """Per partition: its fresh manifest (``None`` if missing or stale) and its raw files."""
        by_part: dict[str, list[LogFile]] = {p.path: [] for p in partitions}
        for log in files:
            by_part.setdefault(_folder(log.path, source), []).append(log)
        return [(part, self.fresh(source, part, by_part[part.path]), by_part[part.path]) for part in partitions]

    # -- building -------------------------------------------------------------------

    def build(self, logs: str | os.PathLike, *, start: dt.date | str | None = None,
              end: dt.date | str | None = None, sources: list[str] | None = None,
              progress: bool = False, max_record_bytes: int | None = None) -> BuildReport:
        """Write (or bring up to date) the cache of the raw logs under ``logs``.

        Parameters
        ----------
        logs : str or Path
            The log folder (holding ``AWSLogs/``).
        start, end : date or ``YYYY-MM-DD``, optional
            First and last day to cache (default: every day found).
        sources : list of str, optional
            Log sources to cache (default: all).
        progress : bool
            Show a progress bar over partitions.
        max_record_bytes : int, optional
            As for :class:`~workbench.engines.local.LocalEngine` (records larger than this
            are dropped and reported).

        Returns
        -------
        BuildReport
            Partitions written, kept and removed; rows, bytes and problems.
        """
        first, last = _day(start), _day(end)
        report = BuildReport(cache=str(self.root))
        started = time.perf_counter()
        raw = _RawLogs(logs, self.root, max_record_bytes=max_record_bytes or MAX_OBJECT_BYTES)
        try:
            with locked(self.root):  # a second build of this cache waits for the first
                for name in sources or list(SOURCES):
                    source = get_source(name)
                    partitions = [p for p in raw.tree.partitions(source)
                                  if (first is None or p.day >= first) and (last is None or p.day <= last)]
                    self._build_source(raw, source, partitions, report, progress=progress)
                    self._remove_gone(source, partitions, first, last, report)
        finally:
            raw.close()
        report.seconds = time.perf_counter() - started
        return report

    def _build_source(self, engine: _RawLogs, source: LogSource, partitions: list[Partition], report, *, progress):
        files, _ = engine.tree.files(source, partitions)
        by_part: dict[str, list[LogFile]] = {p.path: [] for p in partitions}
        for log in files:
            by_part[_folder(log.path, source)].append(log)
        stale = []
        for part in partitions:
            if self.fresh(source, part, by_part[part.path]) is not None:
                report.kept += 1
            else:
                stale.append(part)
        if not stale:
            return
        checks = engine.checker.check(source, [f for p in stale for f in by_part[p.path]])
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(stale), desc=f"cache {source.table}", unit="partition")
        for part in stale:
            manifest = self._write_partition(engine, source, part, by_part[part.path], checks)
            report.written += 1
            report.rows += manifest.rows
            report.raw_bytes += sum(f["size"] for f in manifest.files)
            report.problems += manifest.problems_for(part)
            if bar:
                bar.update()
        if bar:
            bar.close()

    def _write_partition(self, engine: _RawLogs, source: LogSource, part: Partition, files: list[LogFile],
                         checks: dict[str, FileCheck]) -> Manifest:
        folder = self.folder(source, part)
        folder.mkdir(parents=True, exist_ok=True)
        manifest = Manifest(source.table, part.account, part.region, part.day, schema_fingerprint(source),
                            folder=folder)
        for log in files:
            check = checks[log.path]
            manifest.files.append({"name": _name(log.path, source), **dict(zip(_VERSION_KEYS, log.version)),
                                   "records": check.records, "largest": check.largest})
            manifest.problems += [{"name": _name(p.path, source), "reason": p.reason, "lost": p.lost}
                                  for p in check.problems]
        read = [r for log in files for r in checks[log.path].read]
        data = folder / _DATA
        if read:
            largest = [checks[f.path].largest for f in files if checks[f.path].read]
            define_view(engine.con, source, read,
                        object_bytes=object_buffer_bytes(None if None in largest else max(largest, default=0)))
            with replacing(data) as partial:
                engine.con.execute(f'COPY (SELECT * FROM "{source.table}") TO \'{_sql_path(partial)}\' '
                                   "(FORMAT parquet, COMPRESSION zstd)").fetchall()
                manifest.rows = engine.con.execute(
                    f"SELECT count(*) FROM read_parquet('{_sql_path(partial)}', hive_partitioning=false)"
                ).fetchall()[0][0]
            manifest.parquet_bytes = data.stat().st_size
        else:
            data.unlink(missing_ok=True)
        write_atomic(folder / _MANIFEST, manifest.to_json() + "\n")
        return manifest

    def _remove_gone(self, source: LogSource, partitions: list[Partition], first, last, report) -> None:
        """Drop cached partitions (in the built window) whose raw folder is gone."""
        table = self.root / source.table
        if not table.is_dir():
            return
        keep = {self.folder(source, p) for p in partitions}
        for folder in table.glob("account=*/region=*/**/day=*"):  # scoped tables have one more level
            day = folder.name.removeprefix("day=").replace("-", "/")
            if folder not in keep and (first is None or day >= first) and (last is None or day <= last):
                shutil.rmtree(folder, ignore_errors=True)
                report.removed += 1

    # -- status -----------------------------------------------------------------------

    def status(self, logs: str | os.PathLike) -> dict:
        """Per table: partitions found in the raw logs, cached and fresh, stale, and cache size."""
        tree = LogTree(logs)
        out = {}
        for source in SOURCES.values():
            partitions = tree.partitions(source)
            files, _ = tree.files(source, partitions)
            by_part: dict[str, list[LogFile]] = {p.path: [] for p in partitions}
            for log in files:
                by_part[_folder(log.path, source)].append(log)
            fresh = stale = size = rows = 0
            for part in partitions:
                manifest = self.manifest(source, part)
                if manifest is None:
                    continue
                size += manifest.parquet_bytes
                rows += manifest.rows
                if manifest.matches(source, by_part[part.path]):
                    fresh += 1
                else:
                    stale += 1
            out[source.table] = {"partitions": len(partitions), "fresh": fresh, "stale": stale,
                                 "missing": len(partitions) - fresh - stale, "rows": rows, "bytes": size}
        return out


@dataclass
class BuildReport:
    """What :meth:`ParquetCache.build` did."""

    cache: str
    written: int = 0
    kept: int = 0
    removed: int = 0
    rows: int = 0
    raw_bytes: int = 0
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for people."""
        line = (f"cache {self.cache}: {self.written} partitions written ({self.rows} rows from "
                f"{size_text(self.raw_bytes)} of raw files), {self.kept} up to date, {self.removed} removed, "
                f"in {self.seconds:.1f} s")
        if self.problems:
            line += f"; {len(self.problems)} file problems carried into the cache (reported by every query)"
        return line


def _day(value) -> str | None:
    """A ``yyyy/MM/dd`` partition value from a date or ``YYYY-MM-DD`` (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.strftime("%Y-%m-%d")
    return dt.date.fromisoformat(str(value)).strftime("%Y/%m/%d")


class _RawLogs:
    """What a cache build reads raw logs with: a connection, the listing and the checks, as the engine's."""

    def __init__(self, logs, cache: Path, *, max_record_bytes: int):
        self.tree = LogTree(logs)
        self.con = open_connection()
        self.checker = FileChecker(self.con, max_record_bytes=max_record_bytes, store=default_store(logs))
        confine(self.con, [self.checker.workdir, self.tree.root, cache])

    def close(self) -> None:
        self.checker.close()
        self.con.close()


def _sql_path(path: Path) -> str:
    """A path as a SQL string body (our own cache path; quotes doubled)."""
    return str(path).replace("'", "''")


def _name(path: str, source: LogSource) -> str:
    """A raw file's name within its partition folder (``HH/mm/name`` where the layout has time folders)."""
    return "/".join(path.split(os.sep)[-1 - source.time_folders:])


def _folder(path: str, source: LogSource) -> str:
    """The partition folder of a raw file."""
    return path.rsplit(os.sep, 1 + source.time_folders)[0]
