"""Whole JSON log files as an Arrow stream for DuckDB, decompressed ahead by a thread pool.

A CloudTrail file is one JSON object. DuckDB's ``read_json_objects`` reads such files on
gzip through one buffered reader per file and then hands the text to ``json_transform``;
on the benchmark store, reading the text that way costs more than parsing it. This feed
does the reading and the decompression in Python worker threads instead (ISA-L's inflate
when the ``isal`` package is present, else the standard library's zlib; both release the
GIL), and passes each batch of files to DuckDB as Arrow strings, which ``json_transform``
parses in DuckDB's own threads. Measured on one core over the same 1,152 files: 1.15 s
through ``read_json_objects`` against 0.29 s to inflate plus 0.42 s to transform
(``docs/performance.md``).

The feed is re-scannable: DuckDB asks for a new stream (``__arrow_c_stream__``) each time a
query scans it, so a query that reads a table twice reads the files twice, as it would
from files. Files go to the stream in the order given; each carries its partition values.

Queries read files the check pass (:mod:`workbench.engines.local.checks`) found healthy, so a
file that cannot be read there stops the query with an error naming it. The check pass
itself reads through a feed that reports instead: such a file comes with no text and a
``problem``, and the file goes to the repairing readers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from workbench.errors import UnreadableFiles
from workbench.formats.base import LogFile
from workbench.formats.raw import GZIP_MAGIC, inflate, over_cap_note
from workbench.settings import max_file_bytes

UTF8_BOM = b"\xef\xbb\xbf"

#: Compressed bytes of files per Arrow batch (about ten times that once inflated).
BATCH_BYTES = 1 << 20

#: Columns of the stream: the file, its partition values, its whole text, and what kept it
#: from being read (only when problems are reported).
SCHEMA = pa.schema([("filename", pa.string()), ("account", pa.string()), ("region", pa.string()),
                    ("day", pa.string()), ("json", pa.large_string()), ("problem", pa.string())])



def file_text(path: str, *, named_gz_must_be_gzip: bool = False, limit: int | None = None) -> bytes:
    """The text of a log file: gunzipped when it is gzip (by content), without a UTF-8 BOM.

    At most ``limit`` bytes are inflated (default: the file cap, :func:`workbench.settings.max_file_bytes`).

    Raises
    ------
    UnreadableFiles
        When the file cannot be opened, its gzip stream is damaged, or it holds more than the
        cap (the check pass sends such files to the salvaging readers, so in a query this
        means the file changed since), or, with ``named_gz_must_be_gzip``, when a file named
        ``.gz`` is not gzip.
    """
    cap = max_file_bytes(limit)
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as err:
        raise UnreadableFiles(f"{path}: cannot read the file ({err.strerror or err})") from None
    if data[:2] == GZIP_MAGIC:
        data, damage, over = inflate(data, limit=cap)
        if damage:
            raise UnreadableFiles(f"{path}: cannot read it ({damage[0]}); if it changed during the query, run the "
                                  "query again, so that it is checked afresh")
    else:
        over = len(data) > cap
        if named_gz_must_be_gzip and path.endswith(".gz"):
            raise UnreadableFiles(f"{path}: not gzip although named .gz; Athena would fail on it")
    if over:
        raise UnreadableFiles(f"{path}: {over_cap_note(cap)}")
    return data[3:] if data[:3] == UTF8_BOM else data


def _reported(path: str) -> tuple[bytes, str | None]:
    """A file's text, or no text and why: damaged gzip, unreadable, not UTF-8, named ``.gz``
    but not gzip (Athena goes by the name and would fail on it)."""
    try:
        data = file_text(path, named_gz_must_be_gzip=True)
        data.decode("utf-8")
    except UnreadableFiles as err:
        return b"", str(err)[len(path) + 2:].partition("; ")[0]
    except UnicodeDecodeError as err:
        return b"", f"not UTF-8 text ({err.reason} at byte {err.start})"
    return data, None


def _batch(files: list[LogFile], report: bool) -> pa.RecordBatch:
    if report:
        texts, problems = zip(*(_reported(f.path) for f in files))
    else:
        texts, problems = [file_text(f.path) for f in files], [None] * len(files)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    json = pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(offsets), pa.py_buffer(b"".join(texts)),
                                            pa.array([p is None for p in problems]).buffers()[1]
                                            if report and any(problems) else None)
    columns = [pa.array([getattr(f, name) for f in files], pa.string())
               for name in ("path", "account", "region", "day")]
    return pa.record_batch([*columns, json, pa.array(problems, pa.string())], schema=SCHEMA)


def batches_of(files: list[LogFile], batch_bytes: int = BATCH_BYTES) -> list[list[LogFile]]:
    """``files`` cut, in order, into runs of about ``batch_bytes`` compressed bytes (at least one file each)."""
    out: list[list[LogFile]] = []
    run: list[LogFile] = []
    size = 0
    for log in files:
        run.append(log)
        size += log.size
        if size >= batch_bytes:
            out.append(run)
            run, size = [], 0
    if run:
        out.append(run)
    return out


class JsonFileFeed:
    """A re-scannable Arrow stream of whole JSON files (see the module notes).

    Parameters
    ----------
    files : list of LogFile
        The files, each read whole as one string.
    workers : int
        Threads that read and inflate files (one per DuckDB thread is enough).
    batch_bytes : int
        Compressed bytes per Arrow batch.
    ahead : int, optional
        Batches read ahead of DuckDB (default: twice ``workers``); bounds the memory held.
    report_problems : bool
        Give a file that cannot be read (or is not UTF-8) a null text and a ``problem``
        instead of stopping with :class:`~workbench.errors.UnreadableFiles`.

    Examples
    --------
    >>> con.register("feed", JsonFileFeed(files, workers=2))                 # doctest: +SKIP
    >>> con.execute("SELECT filename, json_array_length(json, '$.Records') FROM feed")  # doctest: +SKIP
    """

    def __init__(self, files: list[LogFile], *, workers: int, batch_bytes: int = BATCH_BYTES,
                 ahead: int | None = None, report_problems: bool = False) -> None:
        self.files = list(files)
        self.report_problems = report_problems
        self.workers = max(1, int(workers))
        self.batch_bytes = batch_bytes
        self.ahead = ahead or 2 * self.workers

    def __arrow_c_stream__(self, requested_schema=None):
        reader = pa.RecordBatchReader.from_batches(SCHEMA, self.batches())
        return reader.__arrow_c_stream__(requested_schema)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The files as Arrow batches, in order, read ``ahead`` batches in advance."""
        runs = iter(batches_of(self.files, self.batch_bytes))
        with ThreadPoolExecutor(self.workers, thread_name_prefix="workbench-feed") as pool:
            pending: deque = deque()
            try:
                for run in runs:
                    pending.append(pool.submit(_batch, run, self.report_problems))
                    if len(pending) >= self.ahead:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:  # stopped early (LIMIT, an error): drop what is queued
                for future in pending:
                    future.cancel()
