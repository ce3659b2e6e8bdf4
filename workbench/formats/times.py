"""The times records carry, read however a log or an export spelled them.

CloudTrail writes ``2026-11-03T10:00:00Z``; exports rename and respell it: a space instead of
``T``, fractions of a second (to the nanosecond), offsets (``+02:00``, ``+0200``), ``UTC``, or
epoch seconds and milliseconds (Splunk's ``_time``, Elastic's ``@timestamp`` as a number). The
parser here is a pattern of its own, not :meth:`datetime.fromisoformat`, whose accepted forms
differ between the Python versions the package runs on.
"""

from __future__ import annotations

import datetime as dt
import re

_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)

_OWN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

#: The web servers' common log format, as S3 server access logs write it: ``06/Feb/2019:00:00:38 +0000``.
_CLF = re.compile(r"\[?(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2})\s*([+-]\d{4})?\]?")
_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                         "dec"), start=1)}

#: CloudTrail's own spelling of a time (UTC, to the second).
CLOUDTRAIL_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

#: Epoch numbers above this are milliseconds (this many seconds is the year 5138).
_MILLIS_FROM = 10 ** 11


def parse_time(value) -> dt.datetime | None:
    """``value`` as a UTC time, or ``None`` when it is none.

    Accepts ISO 8601 with ``T`` or a space, with or without seconds and fractions, with ``Z``,
    ``UTC``, ``GMT`` or an offset (a time without any is taken as UTC), epoch seconds or
    milliseconds as numbers or digit strings, and the common log format's ``06/Feb/2019:00:00:38 +0000``
    (S3 server access logs).

    Examples
    --------
    >>> parse_time("2026-11-03 12:00:00.125+02:00").isoformat()
    '2026-11-03T10:00:00.125000+00:00'
    >>> parse_time(1793700000000).isoformat()
    '2026-11-03T10:00:00+00:00'
    >>> parse_time("03/Nov/2026:12:00:00 +0200").isoformat()
    '2026-11-03T10:00:00+00:00'
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number <= 0:
            return None
        try:
            return dt.datetime.fromtimestamp(number / 1000 if number >= _MILLIS_FROM else number, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    if _OWN.fullmatch(value):  # CloudTrail's own spelling, by far the most common: no general parse
        try:
            return dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                               int(value[14:16]), int(value[17:19]), tzinfo=dt.timezone.utc)
        except ValueError:
            return None
    match = _TIME.fullmatch(value.strip())
    if not match:
        return _common_log_time(value.strip())
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                           int((fraction or "0")[:6].ljust(6, "0")), tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return when - _offset(zone)


def _common_log_time(value: str) -> dt.datetime | None:
    """``06/Feb/2019:00:00:38 +0000`` (brackets allowed) as UTC, or ``None``."""
    match = _CLF.fullmatch(value)
    month = _MONTHS.get(match.group(2).lower()) if match else None
    if not month:
        return None
    day, _, year, hour, minute, second, zone = match.groups()
    try:
        when = dt.datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return when - _offset(zone)


def _offset(zone: str | None) -> dt.timedelta:
    if not zone or zone.upper() in ("Z", "UTC", "GMT"):
        return dt.timedelta(0)
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timedelta(minutes=minutes if zone[0] == "+" else -minutes)


def cloudtrail_time(value) -> str | None:
    """``value`` spelled as CloudTrail spells times (``2026-11-03T10:00:00Z``), or ``None``."""
    when = parse_time(value)
    return when.strftime(CLOUDTRAIL_FORMAT) if when else None


__all__ = ["CLOUDTRAIL_FORMAT", "cloudtrail_time", "parse_time"]
