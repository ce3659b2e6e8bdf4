"""CloudTrail's public keys, by fingerprint, and checking a digest's signature with them.

CloudTrail signs each region's digests with that region's private key (SHA256withRSA, PKCS #1
v1.5) and publishes the public keys through ``ListPublicKeys``: each is the DER encoding of a
PKCS #1 ``RSAPublicKey`` with a hex fingerprint, which a digest names. Offline, give the output
of ``aws cloudtrail list-public-keys --start-time ... --output json`` saved to a file (its
``Value`` fields are base64), or PEM files of RSA public keys (their fingerprint is then the
MD5 of the key's DER encoding, which is what the sample generator's test key uses).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path

from workbench.errors import UsageError


def _crypto():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError:  # pragma: no cover - a core dependency
        raise UsageError("checking signatures needs the cryptography package: pip install 'cryptography>=41'") from None
    return InvalidSignature, hashes, serialization, padding, rsa


def fingerprint(der: bytes) -> str:
    """The fingerprint this package gives a key it reads from PEM: MD5 of its PKCS #1 DER, hex."""
    return hashlib.md5(der, usedforsecurity=False).hexdigest()


class PublicKeys:
    """RSA public keys by fingerprint.

    Build with :meth:`from_file`, :meth:`from_list` (``ListPublicKeys``' ``PublicKeyList``) or
    :meth:`from_pem`; check a signature with :meth:`check`.
    """

    def __init__(self, keys: dict | None = None, *, origin: str = ""):
        self.keys = dict(keys or {})
        self.origin = origin

    def __len__(self) -> int:
        return len(self.keys)

    def __or__(self, other: PublicKeys) -> PublicKeys:
        """The keys of both (``other``'s win on a shared fingerprint)."""
        origins = ", ".join(o for o in (self.origin, other.origin) if o)
        return PublicKeys({**self.keys, **other.keys}, origin=origins)

    @classmethod
    def from_list(cls, entries, *, origin: str = "ListPublicKeys") -> PublicKeys:
        """Keys from ``PublicKeyList`` entries: ``Fingerprint`` and ``Value`` (DER bytes, or base64 text)."""
        *_, serialization, _, _ = _crypto()
        keys = {}
        for n, entry in enumerate(entries or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("Fingerprint"), str):
                raise UsageError(f"{origin}: public key {n + 1} has no Fingerprint")
            value = entry.get("Value")
            der = value if isinstance(value, (bytes, bytearray)) else _base64(value, origin, n)
            keys[entry["Fingerprint"].lower()] = _der_key(bytes(der), serialization, origin, n)
        return cls(keys, origin=origin)

    @classmethod
    def from_pem(cls, text: str, *, origin: str = "PEM") -> PublicKeys:
        """Keys from PEM text holding one or more RSA public keys (``RSA PUBLIC KEY`` or ``PUBLIC KEY``)."""
        *_, serialization, _, rsa = _crypto()
        keys = {}
        blocks = [b for b in text.split("-----END ") if "-----BEGIN " in b]
        for n, block in enumerate(blocks):
            pem = block[block.index("-----BEGIN "):]
            label = pem.split("-----", 2)[1][len("BEGIN "):]
            pem = f"{pem}-----END {label}-----\n".encode()
            try:
                key = serialization.load_pem_public_key(pem)
            except ValueError as err:
                raise UsageError(f"{origin}: key {n + 1} is not a PEM public key ({err})") from None
            if not isinstance(key, rsa.RSAPublicKey):
                raise UsageError(f"{origin}: key {n + 1} is not an RSA key")
            der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
            keys[fingerprint(der)] = key
        if not keys:
            raise UsageError(f"{origin}: no PEM public key in it")
        return cls(keys, origin=origin)

    @classmethod
    def from_file(cls, path: str | Path) -> PublicKeys:
        """Keys from a file: JSON as ``aws cloudtrail list-public-keys`` prints it, or PEM.

        Raises
        ------
        UsageError
            If the file cannot be read or holds no key this can use, saying which.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read the public keys in {path} ({err})") from None
        if "-----BEGIN " in text:
            return cls.from_pem(text, origin=str(path))
        try:
            doc = json.loads(text)
        except ValueError:
            raise UsageError(f"{path} is neither JSON from `aws cloudtrail list-public-keys` nor PEM") from None
        entries = doc.get("PublicKeyList") if isinstance(doc, dict) else doc
        if not isinstance(entries, list) or not entries:
            raise UsageError(f"{path} lists no public keys (expected the JSON of `aws cloudtrail list-public-keys`)")
        return cls.from_list(entries, origin=str(path))

    def check(self, fingerprint_hex: str, signature_hex: str, data: bytes) -> str | None:
        """Why the signature does not hold (``None`` when it does): no key with that fingerprint,
        a signature that is not hex, or one that does not verify."""
        invalid, hashes, _, padding, _ = _crypto()
        key = self.keys.get(str(fingerprint_hex).lower())
        if key is None:
            return f"signed with key {fingerprint_hex}, which is not among the keys of {self.origin or 'this run'}"
        try:
            signature = binascii.unhexlify(signature_hex)
        except (binascii.Error, ValueError, TypeError):
            return "the recorded signature is not hex"
        try:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except invalid:
            return "the signature does not match the digest"
        return None


def _base64(value, origin: str, n: int) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise UsageError(f"{origin}: public key {n + 1}'s Value is not base64") from None


def _der_key(der: bytes, serialization, origin: str, n: int):
    try:
        return serialization.load_der_public_key(der)
    except ValueError:
        pass
    try:  # PKCS #1 RSAPublicKey, as CloudTrail gives it: wrap it in PEM, which names the format
        pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END RSA PUBLIC KEY-----\n"
        return serialization.load_pem_public_key(pem)
    except ValueError:
        raise UsageError(f"{origin}: public key {n + 1} is not an RSA public key in DER") from None
