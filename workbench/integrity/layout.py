"""Where digests and their signatures lie in a log folder, and where a key a digest names lies.

S3 keeps a digest's signature in the object's user metadata (``x-amz-meta-signature`` and
``x-amz-meta-signature-algorithm``), which a file cannot carry; a local copy keeps it beside
the digest, in ``<digest name>`` + :data:`METADATA_SUFFIX` (JSON: ``{"signature": ...,
"signature-algorithm": ...}``). ``workbench sync`` writes it, and so does the sample generator.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path, PurePosixPath

from workbench.writes import write_atomic

#: The folder between the account and the region that holds a trail's digests.
DIGEST_FOLDER = "CloudTrail-Digest"
#: The folder of the log files the digests list.
LOG_FOLDER = "CloudTrail"
#: Suffix of the file beside a digest that holds its S3 user metadata (the signature).
METADATA_SUFFIX = ".s3-metadata.json"
#: ``<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz``
DIGEST_NAME = re.compile(r"^(?P<account>\d{12})_CloudTrail-Digest_(?P<region>[a-z0-9-]+)_(?P<trail>.+)_"
                         r"(?P<stamp>\d{8}T\d{6}Z)(?P<backfill>_backfill)?\.json\.gz$")
#: The delivery stamp in a log file's name (``..._20261101T0015Z_...``).
LOG_STAMP = re.compile(r"_(\d{8}T\d{4})Z_")


def metadata_path(digest: Path) -> Path:
    """The file that holds ``digest``'s signature."""
    return digest.with_name(digest.name + METADATA_SUFFIX)


def read_metadata(digest: Path) -> dict | None:
    """The S3 user metadata recorded beside ``digest`` (``signature``, ``signature-algorithm``),
    or ``None`` when none was recorded or it is not a JSON object of strings."""
    try:
        doc = json.loads(metadata_path(digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        return None
    return doc


def write_metadata(digest: Path, metadata: dict) -> Path:
    """Record ``digest``'s S3 user metadata (its ``signature`` and ``signature-algorithm``) beside it."""
    kept = {k: str(metadata[k]) for k in ("signature", "signature-algorithm") if k in metadata}
    return write_atomic(metadata_path(digest), json.dumps(kept, sort_keys=True) + "\n")


def local_path(logs: Path, key: str) -> Path | None:
    """Where the object ``key`` (as a digest names it) lies in ``logs``: the part of the key from
    ``AWSLogs/`` on, below ``logs``. ``None`` when the key has no ``AWSLogs/`` or names a path
    that would leave ``logs`` (``..``, empty or absolute segments): a digest's text is data."""
    if not isinstance(key, str) or "\x00" in key or "\\" in key:
        return None
    at = key.find("AWSLogs/")
    if at < 0 or (at > 0 and key[at - 1] != "/"):
        return None
    parts = PurePosixPath(key[at:]).parts
    if any(p in ("", ".", "..") for p in key[at:].split("/")) or not parts:
        return None
    return logs.joinpath(*parts)


def digest_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The day folders whose digests cover files delivered ``start``..``end``: one day more,
    since the first digest of a day lists the last files of the day before."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 2)]


def delivered(name: str) -> dt.datetime | None:
    """A log file's delivery time, from the stamp in its name."""
    match = LOG_STAMP.search(name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
