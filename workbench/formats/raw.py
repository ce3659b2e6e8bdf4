"""Bytes and text of a raw file: gzip by content (not by name), truncation, bad UTF-8."""

from __future__ import annotations

import gzip
import zlib

from workbench.formats.problems import ReadResult

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str, *, limit: int | None = None) -> tuple[bytes, list[str]]:
    """The file's content, decompressed when it is gzip, with what went wrong.

    A truncated or corrupt gzip stream yields everything decompressed before the damage.

    Parameters
    ----------
    path : str
        The file.
    limit : int, optional
        Stop after this many decompressed bytes (a note says so).

    Returns
    -------
    data : bytes
        What could be read.
    notes : list of str
        Problems met: ``"empty file"``, ``"truncated gzip ..."``, ``"not gzip although named .gz"``, ...
    """
    with open(path, "rb") as fh:
        head = fh.read()
    notes: list[str] = []
    if not head:
        return b"", ["empty file (0 bytes)"]
    if head[:2] != GZIP_MAGIC:
        if path.endswith(".gz"):
            notes.append("not gzip although named .gz (read as plain text)")
        return (head[:limit] if limit else head), notes
    data = bytearray()
    remaining = head
    while remaining:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data += decomp.decompress(remaining, max(0, (limit or 0) - len(data)) if limit else 0)
            if limit and len(data) >= limit:
                notes.append(f"stopped after {limit} bytes (limit)")
                break
            data += decomp.flush()
        except zlib.error as err:
            notes.append(f"corrupt gzip data after {len(data)} bytes ({err})")
            break
        if not decomp.eof:
            notes.append(f"truncated gzip: the stream ends early, after {len(data)} decompressed bytes")
            break
        remaining = decomp.unused_data  # concatenated gzip members
        if remaining[:2] != GZIP_MAGIC:
            break
    return bytes(data), notes


def decode_text(data: bytes) -> tuple[str, int]:
    """UTF-8 text with invalid bytes replaced (U+FFFD); returns the text and how many were replaced."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")


def write_gzip(path, data: bytes) -> None:
    """Write ``data`` gzip-compressed with a fixed header (same input, same bytes)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(data)


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
