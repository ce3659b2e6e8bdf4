"""One CloudTrail digest file: its fields, its hash, and the string its signature signs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from workbench.formats.raw import read_bytes
from workbench.settings import max_file_bytes

#: Fields a digest must have before it can be checked.
REQUIRED = ("awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object",
            "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "previousDigestSignature", "logFiles")


class DigestUnreadable(ValueError):
    """A digest that cannot be checked: not gzip, not JSON, or a field missing or of the wrong type."""


@dataclass(frozen=True)
class ListedFile:
    """A log file as a digest lists it."""

    bucket: str
    key: str
    sha256: str


@dataclass
class Digest:
    """The fields of a digest that verification uses, and the SHA-256 of its inflated content."""

    path: Path
    sha256: str
    account: str
    start: dt.datetime
    end: dt.datetime
    end_text: str
    bucket: str
    key: str
    fingerprint: str
    algorithm: str
    previous_bucket: str | None
    previous_key: str | None
    previous_sha256: str | None
    previous_signature: str | None
    files: list[ListedFile] = field(default_factory=list)


def signing_string(end: str, bucket: str, key: str, sha256: str, previous_signature: str | None) -> bytes:
    """What CloudTrail signs for a digest: its end time as written, ``bucket/key``, the hex SHA-256
    of its inflated content and the previous digest's hex signature (``null`` for the first one),
    one per line."""
    return f"{end}\n{bucket}/{key}\n{sha256}\n{previous_signature or 'null'}".encode()


def read_digest(path: Path, *, limit: int | None = None) -> Digest:
    """Read and check the digest at ``path``.

    Raises
    ------
    DigestUnreadable
        Naming what is wrong: damaged gzip, more than ``limit`` bytes inflated (default: the
        per-file cap), not JSON, a required field missing or not of its type.
    """
    limit = max_file_bytes() if limit is None else limit
    data, notes = read_bytes(str(path), limit=limit)
    if notes:
        raise DigestUnreadable("; ".join(notes))
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise DigestUnreadable(f"not JSON ({str(err)[:80]})") from None
    if not isinstance(doc, dict):
        raise DigestUnreadable("not a JSON object")
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        raise DigestUnreadable(f"no {', '.join(missing)}")
    strings = [k for k in REQUIRED if k not in ("previousDigestSignature", "logFiles")]
    wrong = [k for k in strings if not isinstance(doc[k], str)]
    wrong += [k for k in ("previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
                          "previousDigestSignature") if doc.get(k) is not None and not isinstance(doc[k], str)]
    if not isinstance(doc["logFiles"], list):
        wrong.append("logFiles")
    if wrong:
        raise DigestUnreadable(f"{', '.join(wrong)} of the wrong type")
    files = []
    for entry in doc["logFiles"]:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                                  for k in ("s3Bucket", "s3Object", "hashValue")):
            raise DigestUnreadable("a logFiles entry without s3Bucket, s3Object and hashValue")
        files.append(ListedFile(entry["s3Bucket"], entry["s3Object"], entry["hashValue"].lower()))
    try:
        start, end = _time(doc["digestStartTime"]), _time(doc["digestEndTime"])
    except ValueError as err:
        raise DigestUnreadable(f"a time that is not ISO 8601 ({err})") from None
    return Digest(
        path=path, sha256=hashlib.sha256(data).hexdigest(), account=doc["awsAccountId"], start=start, end=end,
        end_text=doc["digestEndTime"], bucket=doc["digestS3Bucket"], key=doc["digestS3Object"],
        fingerprint=doc["digestPublicKeyFingerprint"], algorithm=doc["digestSignatureAlgorithm"],
        previous_bucket=doc.get("previousDigestS3Bucket"), previous_key=doc.get("previousDigestS3Object"),
        previous_sha256=(doc.get("previousDigestHashValue") or None) and doc["previousDigestHashValue"].lower(),
        previous_signature=doc.get("previousDigestSignature"), files=files,
    )


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
