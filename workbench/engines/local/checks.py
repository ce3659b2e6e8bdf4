"""Check log files before a query reads them, so that no problem passes unseen.

For every file a query is about to read, a quick DuckDB pass of its format
(:meth:`~workbench.formats.base.LogFormat.check`) counts its records and checks its shape, one
pass over all new files of a source together; the outcome is remembered per file path, size
and modification time, so repeated queries pay nothing. A file DuckDB cannot read, or whose
shape is wrong, goes to its format's Python salvage
(:meth:`~workbench.formats.base.LogFormat.salvage`), which saves every readable record into a
repaired copy (read in its place) and says what was lost and why. The query then runs over
healthy files and repaired copies only: one bad file never stops a query, and never hides its
neighbours' records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import weakref
from dataclasses import replace
from pathlib import Path

import duckdb

from workbench.formats import format_of
from workbench.formats.base import MAX_OBJECT_BYTES, FileCheck, LogFile, Salvage
from workbench.formats.problems import Problem
from workbench.formats.raw import write_gzip
from workbench.settings import keep_checks, user_cache_dir
from workbench.sources import LogSource

#: Version of the stored-checks file; another version is ignored (and rewritten). 2: the file
#: version holds its change time, inode and device besides size and modification time.
STORE_FORMAT = 2


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
        #: Where repaired copies go; removed on :meth:`close`, and when the checker is collected or
        #: the interpreter exits (a notebook kernel rarely closes its engine).
        self.workdir = tempfile.mkdtemp(prefix="workbench-repaired-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.workdir, True)
        self.store = store
        self._healthy: dict[str, list] = _load_store(store)
        #: Files taken as healthy from the store (or the cache) without a check in this session.
        self.trusted: set[tuple] = set()

    def close(self) -> None:
        """Remove repaired copies."""
        self._cleanup()

    def remember(self, log: LogFile, outcome: FileCheck) -> None:
        """Take ``outcome`` as the check of ``log`` (as found earlier, e.g. by the cache)."""
        self._done[_key(log)] = outcome
        self.trusted.add(_key(log))

    def forget_trusted(self, files: list[LogFile]) -> bool:
        """Forget what was taken on trust about ``files`` (they are checked again); whether there was any."""
        keys = {_key(f) for f in files} & self.trusted
        for key in keys:
            self._done.pop(key, None)
            self._healthy.pop(_store_key(key), None)
        self.trusted -= keys
        if keys:
            _save_store(self.store, self._healthy)
        return bool(keys)

    def check(self, source: LogSource, files: list[LogFile]) -> dict[str, FileCheck]:
        """A :class:`FileCheck` per file path (checking only files not seen before)."""
        new = []
        for log in (f for f in files if _key(f) not in self._done):
            stored = self._healthy.get(_store_key(_key(log)))
            if stored and (stored[1] is None or stored[1] <= self.max_record_bytes):
                self._done[_key(log)] = FileCheck(stored[0], [], [log], largest=stored[1])
                self.trusted.add(_key(log))
            else:
                new.append(log)
        if new:
            verdicts = format_of(source).check(self.con, source, new, max_record_bytes=self.max_record_bytes)
            for log in new:
                verdict = verdicts[log.path]
                outcome = self._repair(source, log, verdict.error) if isinstance(verdict, Salvage) else verdict
                self._done[_key(log)] = outcome
                if not outcome.problems and outcome.read == [log]:
                    self._healthy[_store_key(_key(log))] = [outcome.records, outcome.largest]
            _save_store(self.store, self._healthy)
        return {f.path: self._done[_key(f)] for f in files}

    # -- repair ---------------------------------------------------------------------

    def _repair(self, source: LogSource, log: LogFile, duckdb_error: str | None = None) -> FileCheck:
        """Read a file DuckDB could not, with the format's salvage; write what it saved."""
        fmt = format_of(source)
        result = fmt.salvage(log.path, source, max_record_bytes=self.max_record_bytes)
        problems = list(result.problems)
        if not problems:
            shape = f" ({result.shape})" if result.shape else ""
            problems.append(Problem(log.path, f"unusual shape{shape}, read by the fallback reader"
                                    + (f": {duckdb_error}" if duckdb_error else ""), 0))
        copies, largest = self._write_copies(log, fmt.encode(result.records)) if result.records else ([], None)
        return FileCheck(len(result.records), problems, copies, largest=largest)

    def _write_copies(self, log: LogFile, bodies: list) -> tuple[list[LogFile], int | None]:
        """Repaired copies of ``log`` holding ``bodies``, and their largest JSON value in bytes."""
        folder = tempfile.mkdtemp(dir=self.workdir)
        name = os.path.basename(log.path)
        if not name.endswith(".gz"):
            name += ".gz"
        copies = [self._write(folder, name if len(bodies) == 1 else f"section{i}-{name}", body.data, log)
                  for i, body in enumerate(bodies)]
        sizes = [body.largest for body in bodies]
        return copies, None if None in sizes else max(sizes, default=None)

    @staticmethod
    def _write(folder: str, name: str, data: bytes, log: LogFile) -> LogFile:
        path = os.path.join(folder, name)
        write_gzip(path, data)
        return replace(log, path=path, size=os.path.getsize(path))


def _store_key(key: tuple) -> str:
    return "|".join(map(str, key))


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
    if not keep_checks():
        return None
    digest = hashlib.sha256(str(Path(logs).resolve()).encode()).hexdigest()[:16]
    return user_cache_dir() / "file-checks" / f"{digest}.json"


def _key(log: LogFile) -> tuple:
    """A file and its version (:attr:`~workbench.formats.base.LogFile.version`)."""
    return (log.path, *log.version)
