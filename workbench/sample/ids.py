"""Deterministic randomness, identifiers and timestamps.

Every random choice in the generator comes from a :class:`random.Random` seeded with
a string such as ``"7/humans/123456789012/jane.doe/3"``.  String seeds are hashed
with SHA-512 by :mod:`random`, so they do not depend on ``PYTHONHASHSEED``, and a
component keeps the same stream whatever other components or the ``scale`` option do.
"""

from __future__ import annotations

import datetime as dt
import random

LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
MIXED_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # the base32 set AWS key ids use
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
_EPOCH = dt.date(1970, 1, 1)


def rng(seed: int | str, *parts: object) -> random.Random:
    """Return a generator seeded from ``seed`` and the path ``parts``.

    Examples
    --------
    >>> rng(7, "humans", "123456789012", 3).random() == rng(7, "humans", "123456789012", 3).random()
    True
    """
    return random.Random("/".join([str(seed), *(str(p) for p in parts)]))


def uuid4(r: random.Random) -> str:
    """A version-4 UUID string drawn from ``r`` (not from the OS entropy pool)."""
    return uuid_from_hex("%032x" % r.getrandbits(128))


def uuid_from_hex(h: str) -> str:
    """Format 32 hex digits as a version-4 UUID (sets the version and variant digits)."""
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def hex_id(r: random.Random, n: int) -> str:
    """``n`` lower-case hex digits."""
    return "%0*x" % (n, r.getrandbits(4 * n))


def alnum(r: random.Random, n: int, alphabet: str = LOWER_ALNUM) -> str:
    """``n`` characters of ``alphabet``."""
    return "".join(r.choices(alphabet, k=n))


def key_id(r: random.Random, prefix: str) -> str:
    """An AWS-style 20-character id: ``AKIA``/``ASIA``/``AIDA``/``AROA`` + 16 more."""
    return prefix + alnum(r, 16 if len(prefix) == 4 else 20 - len(prefix), KEY_ALPHABET)


def principal_id(r: random.Random, prefix: str) -> str:
    """A 21-character unique id such as ``AIDA...`` or ``AROA...``."""
    return prefix + alnum(r, 17, KEY_ALPHABET)


def epoch(day: dt.date) -> int:
    """Epoch seconds of ``day`` at 00:00 UTC."""
    return (day - _EPOCH).days * 86400


def iso(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for epoch seconds (CloudTrail's eventTime format)."""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_us(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` for epoch seconds (the load balancers' time format)."""
    whole = int(ts)
    return iso(whole)[:-1] + ".%06dZ" % (round((ts - whole) * 1e6) % 1000000)


def ymd(ts: float) -> str:
    """``YYYY/MM/DD`` of epoch seconds: the day folder of an S3 key."""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y/%m/%d")


def delivery_end(ts: float, interval: int) -> int:
    """The end of the delivery interval of ``ts`` (seconds); the day's last is named, and filed, at 23:59."""
    end = (int(ts) // interval + 1) * interval
    return end - 60 if end % 86400 == 0 else end


def iso_ms(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` for epoch seconds (GuardDuty's timestamp format)."""
    d = dt.datetime.fromtimestamp(int(ts), dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (round(ts * 1000) % 1000)


def compact(ts: float) -> str:
    """``YYYYMMDDTHHMMSSZ``: the compact form seen in some ``creationDate`` values."""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def stamp(ts: float, *, seconds: bool = False) -> str:
    """The timestamp used in S3 object names: ``YYYYMMDDTHHmmZ`` (or ``...HHmmssZ``)."""
    fmt = "%Y%m%dT%H%M%SZ" if seconds else "%Y%m%dT%H%MZ"
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime(fmt)


_CLOCK: list[str] = []


def clock() -> list[str]:
    """``"HH:MM:SS"`` for every second of a day (built once; index by second of day)."""
    if not _CLOCK:
        minutes = [f"{m:02d}:{s:02d}" for m in range(60) for s in range(60)]
        _CLOCK.extend([hour + ms for hour in (f"{h:02d}:" for h in range(24)) for ms in minutes])
    return _CLOCK


def spread(r: random.Random, n: int, start: float, end: float) -> list[int]:
    """``n`` sorted integer instants, evenly spaced over ``[start, end)`` with jitter."""
    if n <= 0 or end <= start:
        return []
    step = (end - start) / n
    return [int(start + (i + r.random()) * step) for i in range(n)]


def scaled(r: random.Random, mean: float) -> int:
    """An integer with expectation ``mean``: floor plus a Bernoulli draw for the fraction."""
    base = int(mean)
    return base + (1 if r.random() < mean - base else 0)
