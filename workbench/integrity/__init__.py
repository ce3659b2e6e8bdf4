"""Integrity of a local copy of CloudTrail logs: were files modified, deleted or added since AWS
delivered them?

CloudTrail writes an hourly *digest* per trail and region: the SHA-256 of every log file it
delivered in the hour, the hash and signature of the previous digest (a chain), and an RSA
signature of its own, kept in the digest object's S3 metadata. :func:`verify_logs` checks all
of that on a folder laid out as in S3 (``workbench sync`` copies the digests and their
signatures), offline, with the public keys of ``aws cloudtrail list-public-keys`` saved to a
file or fetched by the caller.

>>> from workbench.integrity import PublicKeys, verify_logs
>>> report = verify_logs("logs", start="2026-11-01", end="2026-11-07",
...                      keys=PublicKeys.from_file("keys.json"))                 # doctest: +SKIP
>>> report.status                                                                # doctest: +SKIP
'verified'
"""

from workbench.integrity.digest import Digest, DigestUnreadable, read_digest, signing_string
from workbench.integrity.keys import PublicKeys, fingerprint
from workbench.integrity.layout import DIGEST_FOLDER, METADATA_SUFFIX, read_metadata, write_metadata
from workbench.integrity.verify import Finding, IntegrityReport, verify_logs

__all__ = [
    "DIGEST_FOLDER", "METADATA_SUFFIX", "Digest", "DigestUnreadable", "Finding", "IntegrityReport", "PublicKeys",
    "fingerprint", "read_digest", "read_metadata", "signing_string", "verify_logs", "write_metadata",
]
