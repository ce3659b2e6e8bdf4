"""Bytes and text of a raw file: gzip by content (not by name), truncation, bad UTF-8, and a cap.

A file is the attacker's: a 4 MB gzip can hold gigabytes. Nothing here inflates more than the
file's cap (:func:`workbench.settings.max_file_bytes`); what lies beyond it is not read, and the
note says so.
"""

from __future__ import annotations

import gzip
import zlib

from workbench.formats.problems import ReadResult
from workbench.settings import max_file_bytes
from workbench.words import size
from workbench.writes import write_atomic

try:  # ISA-L: the same gzip format, inflated about 1.6x faster than zlib
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - the standard library's zlib
    _zlib = zlib

#: What a damaged gzip stream raises.
INFLATE_ERRORS = (OSError, EOFError, zlib.error, getattr(_zlib, "error", zlib.error))

GZIP_MAGIC = b"\x1f\x8b"

#: Name of the inflate implementation in use ("isal" or "zlib"), for reports.
INFLATE = "isal" if _zlib is not zlib else "zlib"


def inflate(data: bytes, *, limit: int) -> tuple[bytes, list[str], bool]:
    """``data`` gunzipped (every member of it), at most ``limit`` bytes of it.

    Returns
    -------
    inflated : bytes
        What was inflated, up to ``limit`` bytes.
    notes : list of str
        Damage met: a corrupt or truncated stream.
    over : bool
        Whether the stream holds more than ``limit`` bytes (they were not inflated).
    """
    out = bytearray()
    notes: list[str] = []
    remaining = data
    while remaining:
        stream = _zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        budget = limit + 1 - len(out)
        try:
            out += stream.decompress(remaining, budget)
        except INFLATE_ERRORS as err:
            notes.append(f"corrupt gzip data after {len(out)} bytes ({err})")
            break
        if len(out) > limit or stream.unconsumed_tail:
            del out[limit:]
            return bytes(out), notes, True
        if not stream.eof:
            notes.append(f"truncated gzip: the stream ends early, after {len(out)} decompressed bytes")
            break
        remaining = stream.unused_data  # concatenated gzip members
        if remaining[:2] != GZIP_MAGIC:
            break
    return bytes(out), notes, False


def over_cap_note(limit: int) -> str:
    """What a file cut at its cap says."""
    return (f"inflates to more than the {size(limit)} a log file may hold ($WORKBENCH_MAX_FILE_BYTES); "
            "only that much was read")


def read_bytes(path: str, *, limit: int | None = None) -> tuple[bytes, list[str]]:
    """The file's content, decompressed when it is gzip, with what went wrong.

    A truncated or corrupt gzip stream yields everything decompressed before the damage; a
    stream larger than the cap yields its first bytes up to the cap.

    Parameters
    ----------
    path : str
        The file.
    limit : int, optional
        Read at most this many decompressed bytes (default: the file cap); a note says when
        there was more.

    Returns
    -------
    data : bytes
        What could be read.
    notes : list of str
        Problems met: ``"empty file"``, ``"truncated gzip ..."``, ``"not gzip although named .gz"``,
        ``"cannot read the file"``, the cap...
    """
    cap = limit or max_file_bytes()
    try:
        with open(path, "rb") as fh:
            head = fh.read(cap + 1)
    except OSError as err:
        return b"", [f"cannot read the file ({err.strerror or err})"]
    notes: list[str] = []
    if not head:
        return b"", ["empty file (0 bytes)"]
    larger = len(head) > cap  # even as stored, more than may be read
    if head[:2] != GZIP_MAGIC:
        if path.endswith(".gz"):
            notes.append("not gzip although named .gz (read as plain text)")
        data, over = head[:cap], larger
    else:
        data, damage, over = inflate(head[:cap], limit=cap)
        notes += [d for d in damage if not (larger and d.startswith("truncated gzip"))]
        over = over or larger
    if over:
        notes.append(f"stopped after {limit} bytes (limit)" if limit else over_cap_note(cap))
    return data, notes


def decode_text(data: bytes) -> tuple[str, int]:
    """UTF-8 text with invalid bytes replaced (U+FFFD); returns the text and how many were replaced."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")


def write_gzip(path, data: bytes) -> None:
    """Write ``data`` gzip-compressed with a fixed header (same input, same bytes), atomically."""
    write_atomic(path, gzip.compress(data, mtime=0))


def read_text(result: ReadResult) -> str | None:
    """The text of ``result.path``, with what kept any of it from being read noted on ``result``.

    ``None`` when there is no text at all (an empty file, or nothing readable).
    """
    data, notes = read_bytes(result.path)
    for note in notes:
        result.problem(note, 0 if note.startswith("not gzip") else None)
    text, replaced = decode_text(data)
    if replaced:
        result.problem(f"{replaced} byte(s) are not valid UTF-8 and were replaced by U+FFFD", 0)
    if not text.strip():
        if not notes:
            result.problem("no content (blank file)", 0)
        return None
    return text
