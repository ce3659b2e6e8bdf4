"""Check log files before a query reads them, so that no problem passes unseen.

For every file a query is about to read, a quick DuckDB pass counts its records and
checks its shape (one pass over all new files together, CloudTrail files inflated by the
worker threads that also feed queries, :mod:`workbench.formats.feed`; the outcome is
remembered per file path, size and modification time, so repeated queries pay nothing). A file DuckDB cannot
read, or whose shape is wrong, goes to the Python readers in :mod:`workbench.formats`,
which save every readable record into a repaired copy (read in its place) and say what was
lost and why. The query then runs over healthy files and repaired copies only: one bad
file never stops a query, and never hides its neighbours' records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from workbench.engines.local.views import (MAX_OBJECT_BYTES, SMALL_OBJECT_BYTES, duckdb_threads,
                                               flowlog_header, flowlog_read_sql)
from workbench.formats.feed import JsonFileFeed
from workbench.engines.local.listing import LogFile
from workbench.formats.cloudtrail_json import read_cloudtrail
from workbench.formats.flowlog_text import read_flowlog
from workbench.formats.json_lines import read_guardduty
from workbench.formats.problems import Problem
from workbench.formats.raw import write_gzip
from workbench.sources import LogSource


#: Version of the stored-checks file; another version is ignored (and rewritten).
STORE_FORMAT = 1

#: The CloudTrail check over a feed: ``{types}`` is the types of the records, a list (null
#: when the text is not JSON). Healthy: read, JSON, ``Records`` an array of objects only.
_BODY_CHECK = (
    "SELECT filename, problem, coalesce(len(types), 0) AS records, coalesce(strlen(json), 0) AS largest, "
    "coalesce(problem IS NULL AND types IS NOT NULL AND list_count(list_filter(types, lambda t: t <> 'OBJECT')) = 0 "
    "AND CASE WHEN len(types) = 0 THEN try(json_type(json, '$.Records')) = 'ARRAY' ELSE TRUE END, FALSE) AS healthy "
    "FROM (SELECT filename, problem, json, {types} AS types FROM {feed})")


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
        ``None`` when unknown or not JSON. Readers size their buffers by it.
    """

    records: int
    problems: list[Problem] = field(default_factory=list)
    read: list[LogFile] = field(default_factory=list)
    largest: int | None = None


class FileChecker:
    """Checks files per source, remembering the outcome per file version.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The engine's connection.
    max_record_bytes : int
        Largest JSON value read (a whole CloudTrail file is one value); larger ones are
        read by the Python readers, which drop records over this size with a reason.
    store : path, optional
        A JSON file where the checks of healthy files are kept between sessions (keyed by
        path, size and modification time), so that a new session, or a notebook run, does
        not check them again. Damaged files are always checked afresh.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, max_record_bytes: int = MAX_OBJECT_BYTES,
                 store: str | os.PathLike | None = None):
        self.con = con
        self.max_record_bytes = max_record_bytes
        self._done: dict[tuple, FileCheck] = {}
        self._workdir: str | None = None
        self.store = store
        self._healthy: dict[str, list] = _load_store(store)

    def close(self) -> None:
        """Remove repaired copies."""
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def remember(self, log: LogFile, outcome: FileCheck) -> None:
        """Take ``outcome`` as the check of ``log`` (as found earlier, e.g. by the cache)."""
        self._done[_key(log)] = outcome

    def check(self, source: LogSource, files: list[LogFile]) -> dict[str, FileCheck]:
        """A :class:`FileCheck` per file path (checking only files not seen before)."""
        new = []
        for log in (f for f in files if _key(f) not in self._done):
            stored = self._healthy.get(_store_key(_key(log)))
            if stored and (stored[1] is None or stored[1] <= self.max_record_bytes):
                self._done[_key(log)] = FileCheck(stored[0], [], [log], largest=stored[1])
            else:
                new.append(log)
        if new:
            checker = {"cloudtrail_json": self._check_json_body, "jsonl": self._check_jsonl,
                       "flowlog_text": self._check_flowlog}[source.reader]
            for log, outcome in checker(source, new).items():
                self._done[_key(log)] = outcome
                if not outcome.problems and outcome.read == [log]:
                    self._healthy[_store_key(_key(log))] = [outcome.records, outcome.largest]
            _save_store(self.store, self._healthy)
        return {f.path: self._done[_key(f)] for f in files}

    # -- one DuckDB pass per kind, with a fallback per damaged file ---------------

    def _check_json_body(self, source, files):
        """CloudTrail: one object per file whose ``Records`` is an array of objects.

        The files come through a :class:`~workbench.formats.feed.JsonFileFeed`, the
        reader queries use, and each is parsed once (the types of its records give their
        count). Only when some file is not JSON is the pass made again with errors as nulls.
        """
        feed = f"_check_feed_{source.name}"
        self.con.register(feed, JsonFileFeed(files, workers=duckdb_threads(self.con), report_problems=True))
        try:
            try:
                rows = self.con.execute(_BODY_CHECK.format(feed=feed, types="json_type(json, '$.Records[*]')"))
                rows = rows.fetchall()
            except (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException):
                raise  # a fault in the check itself, not in a file
            except duckdb.Error:  # some file is not JSON: the same pass with such errors as nulls
                rows = self.con.execute(
                    _BODY_CHECK.format(feed=feed, types="try(json_type(json, '$.Records[*]'))")).fetchall()
        finally:
            self.con.unregister(feed)
        found = {row[0]: row[1:] for row in rows}
        out = {}
        for log in files:
            problem, records, largest, healthy = found[log.path]
            if healthy and largest <= self.max_record_bytes:
                out[log] = FileCheck(int(records), [], [log], largest=int(largest))
            else:
                out[log] = self._repair(source, log, duckdb_error=problem)
        return out

    def _check_jsonl(self, source, files):
        """GuardDuty exports: one finding object (with ``id`` and ``type``) per line."""
        return self._check_json(source, files, (
            "SELECT filename, count(*) AS records, max(strlen(CAST(json AS VARCHAR))) AS largest, "
            "count_if(json_type(json) <> 'OBJECT' OR json_extract_string(json, '$.id') IS NULL "
            "OR json_extract_string(json, '$.type') IS NULL) = 0 AS healthy "
            "FROM read_json_objects($paths, format='newline_delimited', filename=true, "
            "maximum_object_size={limit}) GROUP BY filename"))

    def _check_json(self, source, files, sql: str) -> dict:
        """Run a check whose rows are ``(records, largest, healthy)``; repair the rest."""
        rows = self._scan(sql, files, source)
        out = {}
        for log in files:
            row = rows.get(log.path)
            if isinstance(row, FileCheck):
                out[log] = row
            elif row is not None and row[2] and row[1] <= self.max_record_bytes:
                out[log] = FileCheck(int(row[0]), [], [log], largest=int(row[1]))
            else:
                out[log] = self._repair(source, log)
        return out

    def _check_flowlog(self, source, files):
        out = {}
        groups: dict[tuple[str, ...], list[LogFile]] = {}
        for log in files:
            try:
                header = flowlog_header(log.path)
            except (OSError, EOFError, UnicodeError) as err:
                header = ("?unreadable", str(err))
            if header and all(f in {c.key for c in source.columns} for f in header):
                groups.setdefault(header, []).append(log)
            else:
                out[log] = self._repair(source, log)
        for header, logs in groups.items():
            numeric = [c.key for c in source.columns if c.key in header and c.type.name in ("int", "bigint")]
            first = header[0]
            bad_numbers = " + ".join(
                f"count_if(\"{k}\" IS NOT NULL AND TRY_CAST(\"{k}\" AS BIGINT) IS NULL AND \"{first}\" <> '{first}')"
                for k in numeric) or "0"
            sql = (f"SELECT filename, count_if(\"{first}\" IS DISTINCT FROM '{first}') AS rows_, "
                   f"{bad_numbers} AS bad_numbers "
                   f"FROM {flowlog_read_sql(header, '$paths')} GROUP BY filename")
            rows = self._scan(sql, logs, source)
            for log in logs:
                row = rows.get(log.path)
                if isinstance(row, FileCheck):
                    out[log] = row
                elif row is None:  # header only: no rows
                    out[log] = FileCheck(0, [], [])
                else:
                    problems = []
                    if row[1]:
                        problems.append(Problem(log.path, f"{row[1]} value(s) in number fields are not numbers "
                                                          "(read as null, as Athena does)", 0))
                    out[log] = FileCheck(int(row[0]), problems, [log])
        return out

    def _scan(self, sql: str, files: list[LogFile], source: LogSource, *, limit: int | None = None) -> dict:
        """Run a check query over ``files``; a file that breaks it is repaired and left out.

        JSON checks (``{limit}`` in ``sql``) first read with DuckDB's smallest JSON buffer,
        which is much faster than a large one; a file with a larger value is checked again
        with the full allowance (``max_record_bytes``).

        Returns ``{path: row tuple without the filename}``, or ``{path: FileCheck}`` for
        files that had to be repaired because DuckDB could not read them.
        """
        if limit is None:
            limit = min(SMALL_OBJECT_BYTES, self.max_record_bytes)
        remaining = list(files)
        found: dict = {}
        larger: list[LogFile] = []
        while remaining:
            try:
                rows = self.con.execute(sql.replace("{limit}", str(int(limit))),
                                        {"paths": [f.path for f in remaining]}).fetchall()
            except (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException):
                raise  # a fault in the check itself, not in a file
            except duckdb.Error as err:
                message = str(err)
                named = [f for f in remaining if f.path in message]
                if named:
                    bad = max(named, key=lambda f: len(f.path))
                    if "maximum_object_size" in message and limit < self.max_record_bytes:
                        larger.append(bad)
                    else:
                        found[bad.path] = self._repair(source, bad, duckdb_error=_first_line(message))
                    remaining.remove(bad)
                    continue
                if len(remaining) == 1:
                    found[remaining[0].path] = self._repair(source, remaining[0], duckdb_error=_first_line(message))
                    break
                half = len(remaining) // 2  # the error names no file: find it by halves
                for part in (remaining[:half], remaining[half:]):
                    found.update(self._scan(sql, part, source, limit=limit))
                break
            for row in rows:
                found[row[0]] = tuple(row[1:])
            break
        if larger:
            found.update(self._scan(sql, larger, source, limit=self.max_record_bytes))
        return found

    # -- repair ---------------------------------------------------------------------

    def _repair(self, source: LogSource, log: LogFile, *, duckdb_error: str | None = None) -> FileCheck:
        """Read a file DuckDB could not, with the Python readers; write what they saved."""
        if source.reader == "flowlog_text":
            result = read_flowlog(log.path)
            count = sum(len(rows) for _, rows in result.records)
        elif source.reader == "jsonl":
            result = read_guardduty(log.path, max_record_bytes=self.max_record_bytes)
            count = len(result.records)
        else:
            result = read_cloudtrail(log.path, max_record_bytes=self.max_record_bytes)
            count = len(result.records)
        problems = list(result.problems)
        if not problems:
            shape = f" ({result.shape})" if result.shape else ""
            problems.append(Problem(log.path, f"unusual shape{shape}, read by the fallback reader"
                                    + (f": {duckdb_error}" if duckdb_error else ""), 0))
        copies, largest = self._write_copies(source, log, result.records) if count else ([], None)
        return FileCheck(count, problems, copies, largest=largest)

    def _write_copies(self, source: LogSource, log: LogFile, records: list) -> tuple[list[LogFile], int | None]:
        """Repaired copies of ``log`` holding ``records``, and their largest JSON value in bytes."""
        if self._workdir is None:
            self._workdir = tempfile.mkdtemp(prefix="workbench-repaired-")
        folder = tempfile.mkdtemp(dir=self._workdir)
        name = os.path.basename(log.path)
        if not name.endswith(".gz"):
            name += ".gz"
        copies, largest = [], None
        if source.reader == "flowlog_text":
            for i, (header, rows) in enumerate(records):
                text = " ".join(header) + "\n" + "".join(" ".join(r) + "\n" for r in rows)
                copies.append(self._write(folder, f"section{i}-{name}", text.encode(), log))
        elif source.reader == "jsonl":
            lines = [json.dumps(r, separators=(",", ":")).encode() for r in records]
            largest = max(len(line) for line in lines)
            copies.append(self._write(folder, name, b"".join(line + b"\n" for line in lines), log))
        else:
            body = json.dumps({"Records": records}, separators=(",", ":")).encode()
            largest = len(body)
            copies.append(self._write(folder, name, body, log))
        return copies, largest

    @staticmethod
    def _write(folder: str, name: str, data: bytes, log: LogFile) -> LogFile:
        path = os.path.join(folder, name)
        write_gzip(path, data)
        return replace(log, path=path, size=os.path.getsize(path))


def _store_key(key: tuple) -> str:
    return f"{key[0]}|{key[1]}|{key[2]}"


def _load_store(store) -> dict:
    if not store:
        return {}
    try:
        doc = json.loads(Path(store).read_text(encoding="utf-8"))
        return doc["checks"] if doc.get("format") == STORE_FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a missing or unreadable store only costs a fresh check


def _save_store(store, healthy: dict) -> None:
    if not store:
        return
    path = Path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"format": STORE_FORMAT, "checks": healthy}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: checks are simply not kept


def default_store(logs) -> Path | None:
    """Where checks of the files under ``logs`` are kept: the user's cache folder.

    ``$WORKBENCH_CHECKS=off`` keeps nothing; ``$XDG_CACHE_HOME`` moves the folder.
    """
    if os.environ.get("WORKBENCH_CHECKS", "").lower() in ("off", "0", "no"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(Path(logs).resolve()).encode()).hexdigest()[:16]
    return base / "workbench" / "file-checks" / f"{digest}.json"


def _key(log: LogFile) -> tuple:
    """A file version: path, size and modification time (as listed, else as on disk now)."""
    if log.mtime_ns:
        return (log.path, log.size, log.mtime_ns)
    try:
        stat = os.stat(log.path)
        return (log.path, stat.st_size, stat.st_mtime_ns)
    except OSError:
        return (log.path, -1, -1)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message
