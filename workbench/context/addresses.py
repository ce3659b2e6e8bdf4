"""Everything known offline about one address: its kind, country, network owner and AWS range.

>>> a = Addresses().lookup("52.94.76.10")            # doctest: +SKIP
>>> a.is_aws, a.aws_service, a.aws_region, a.asn    # doctest: +SKIP
(True, 'EC2', 'us-west-2', 16509)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from workbench.context import aws_ranges, geo
from workbench.context.ranges import AWS_INTERNAL, address_kind, kind_of, parse


@dataclass(frozen=True)
class Address:
    """What is known of one address (or of a value CloudTrail writes in an address's place).

    Attributes
    ----------
    kind : str
        One of :data:`workbench.context.ranges.KINDS`.
    country, country_name : str or None
        ISO 3166 code and English name (public addresses).
    asn : int or None
        The autonomous system that announces it.
    org : str or None
        That system's organisation.
    is_aws : bool
        In AWS's published ranges, or an AWS service's name, or ``AWS Internal``.
    aws_service, aws_region, aws_prefix : str or None
        The most specific service, the region and the narrowest prefix from AWS's ranges (for a
        service's host name, the host name).
    """

    kind: str
    country: str | None = None
    country_name: str | None = None
    asn: int | None = None
    org: str | None = None
    is_aws: bool = False
    aws_service: str | None = None
    aws_region: str | None = None
    aws_prefix: str | None = None


class Addresses:
    """Look addresses up in the country and ASN databases and AWS's ranges.

    Parameters
    ----------
    country_db, asn_db : path, optional
        Your own MMDB files (default: ``$WORKBENCH_COUNTRY_DB``, ``$WORKBENCH_ASN_DB``, else the
        shipped DB-IP Lite databases).
    """

    def __init__(self, *, country_db=None, asn_db=None) -> None:
        self.countries = geo.database("country", str(country_db) if country_db else None)
        self.networks = geo.database("asn", str(asn_db) if asn_db else None)
        self.aws = aws_ranges.load()
        self.lookup = lru_cache(maxsize=1 << 17)(self._lookup)

    def sources(self) -> list[str]:
        """One line per data set in use: what it is and how old."""
        out = [db.describe() for db in (self.countries, self.networks) if db is not None]
        if self.countries is None or self.networks is None:
            out.append("no country/ASN data: install the package's dependencies again (pip install -e .)")
        out.append(self.aws.describe())
        return out

    def _lookup(self, value) -> Address:
        address = parse(value)
        if address is None:
            kind = address_kind(value)
            if kind == "aws-service":
                return Address(kind, is_aws=True, aws_service=value.strip().lower())
            if kind == "aws-internal":
                return Address(kind, is_aws=True, aws_service=AWS_INTERNAL)
            return Address(kind)
        kind = kind_of(address)
        if kind != "public":
            return Address(kind)
        text = str(address)
        code, name = geo.country(self.countries.get(text)) if self.countries else (None, None)
        number, org = geo.asn(self.networks.get(text)) if self.networks else (None, None)
        match = self.aws.lookup(address)
        if match is None:
            return Address(kind, code, name, number, org)
        return Address(kind, code, name, number, org, True, match.service, match.region or None, match.prefix)


@lru_cache(maxsize=1)
def default() -> Addresses:
    """The process's :class:`Addresses` with the default data (opened once)."""
    return Addresses()
