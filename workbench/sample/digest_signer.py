"""Signing the sample's CloudTrail digests, so ``workbench verify`` is tested end to end.

The key is a test key made for this project (``digest_test_key.pem``): it signs sample data
and nothing else, and it is public, so a signature made with it proves only that the sample
is as generated. Its public half is written beside the sample as ``cloudtrail-public-keys.json``,
in the form ``aws cloudtrail list-public-keys --output json`` prints, for ``workbench verify
--public-keys``.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from workbench.integrity.keys import fingerprint

KEY_FILE = Path(__file__).with_name("digest_test_key.pem")
#: The file beside the sample that holds the test key's public half.
PUBLIC_KEYS_FILE = "cloudtrail-public-keys.json"


@cache
def _key():
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)


@cache
def public_der() -> bytes:
    """The test key's public half: PKCS #1 DER, as CloudTrail's ``ListPublicKeys`` gives a key."""
    from cryptography.hazmat.primitives import serialization

    return _key().public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def key_fingerprint() -> str:
    """What the sample's digests name as ``digestPublicKeyFingerprint``."""
    return fingerprint(public_der())


def sign(data: bytes) -> str:
    """SHA256withRSA (PKCS #1 v1.5) signature of ``data``, hex, as CloudTrail records it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return _key().sign(data, padding.PKCS1v15(), hashes.SHA256()).hex()


def public_keys_document(start: str, end: str) -> dict:
    """The test key as ``aws cloudtrail list-public-keys --output json`` would print it."""
    return {"PublicKeyList": [{"Value": base64.b64encode(public_der()).decode(), "ValidityStartTime": start,
                               "ValidityEndTime": end, "Fingerprint": key_fingerprint()}]}
