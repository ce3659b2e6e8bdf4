"""Writing files so that no one ever reads half of one: temporary names, atomic renames, folder locks.

A file is written under a temporary name of its own in the same folder (unique to the process and
the call, so two writers never share one) and renamed into place, which is atomic on a local file
system: a reader sees the old file or the new one, and a writer killed half-way leaves only a
temporary name, which no log pattern matches. Work that must not run twice at once on one folder
(two cache builds) holds the folder's lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


def temporary(path: str | os.PathLike) -> Path:
    """A fresh temporary name beside ``path`` (``.<name>.<pid>-<random>.tmp``)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` through a temporary name and an atomic rename; returns ``path``."""
    path = Path(path)
    temp = temporary(path)
    try:
        with open(temp, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary name for a writer that needs a path (DuckDB's ``COPY``): renamed to ``path`` on success."""
    path = Path(path)
    temp = temporary(path)
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(folder: str | os.PathLike, name: str = ".lock") -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (created if missing); a second holder waits for the first."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
