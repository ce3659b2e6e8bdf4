"""What an address is before anyone owns it: private, documentation, reserved... or public.

CloudTrail's ``sourceIPAddress`` is not always an address: AWS writes ``AWS Internal`` for some
of its own calls and a service's host name (``ec2.amazonaws.com``) for calls a service made for
the caller. :func:`address_kind` names those too, so no value is left unexplained.

>>> address_kind("10.1.2.3")
'private'
>>> address_kind("203.0.113.7")
'documentation'
>>> address_kind("ec2.amazonaws.com")
'aws-service'
>>> address_kind("8.8.8.8")
'public'
"""

from __future__ import annotations

import bisect
import ipaddress

#: ``sourceIPAddress`` when AWS made the call itself.
AWS_INTERNAL = "AWS Internal"

#: The kinds, in words, for a legend or a docs table.
KINDS = {
    "public": "a public address: country and ASN apply",
    "private": "RFC 1918 / unique-local: inside a network (a VPC, an office)",
    "shared": "carrier-grade NAT (100.64.0.0/10)",
    "documentation": "reserved for documentation and examples (RFC 5737, RFC 3849): never on the internet",
    "loopback": "this host",
    "link-local": "this link only (169.254.0.0/16: instance metadata, fe80::/10)",
    "multicast": "multicast",
    "reserved": "reserved or not routable on the internet",
    "aws-internal": "AWS Internal: a call AWS made itself",
    "aws-service": "an AWS service's host name: the service called on the caller's behalf",
    "not-an-address": "neither an address nor a value CloudTrail writes in its place",
    "missing": "no value",
}

_DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def parse(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``value`` as an address (an IPv4-mapped IPv6 address as its IPv4 one), or ``None``."""
    if not isinstance(value, str) or not value or len(value) > 45:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_service_name(value: str) -> bool:
    """Whether ``value`` is an AWS service's host name (``lambda.amazonaws.com``, ``...amazonaws.com.cn``)."""
    if not isinstance(value, str) or len(value) > 253 or " " in value:
        return False
    host = value.strip().lower()
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".amazon.com")) and all(
        c.isalnum() or c in ".-" for c in host)


def address_kind(value) -> str:
    """What ``value`` is: one of :data:`KINDS` (``public``, ``private``, ``documentation``...)."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return "missing"
    if value == AWS_INTERNAL:
        return "aws-internal"
    address = parse(value)
    if address is None:
        return "aws-service" if is_service_name(value) else "not-an-address"
    return kind_of(address)


#: IPv4's special-purpose blocks (IANA's registry, RFC 6890), by first address: (first, last, kind).
_V4_SPECIAL = sorted(
    (int(net.network_address), int(net.broadcast_address), kind) for net, kind in (
        (ipaddress.ip_network(n), k) for n, k in (
            ("0.0.0.0/8", "reserved"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared"),
            ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
            ("192.0.0.0/24", "reserved"), ("192.0.2.0/24", "documentation"), ("192.88.99.0/24", "reserved"),
            ("192.168.0.0/16", "private"), ("198.18.0.0/15", "reserved"), ("198.51.100.0/24", "documentation"),
            ("203.0.113.0/24", "documentation"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"))))
_V4_FIRSTS = [first for first, _, _ in _V4_SPECIAL]


def kind_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """:func:`address_kind` for a parsed address."""
    if address.version == 4:
        value = int(address)
        i = bisect.bisect_right(_V4_FIRSTS, value) - 1
        if i >= 0 and value <= _V4_SPECIAL[i][1]:
            return _V4_SPECIAL[i][2]
        return "public"
    if any(address in net for net in _DOCUMENTATION if net.version == address.version):
        return "documentation"
    if address.version == 4 and address in _SHARED:
        return "shared"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        # ipaddress counts every special-purpose block as private; name the RFC 1918 / ULA ones
        if address.version == 4 and any(address in n for n in _RFC1918):
            return "private"
        if address.version == 6 and address in _UNIQUE_LOCAL:
            return "private"
        return "reserved"
    if address.is_reserved or address.is_unspecified or not address.is_global:
        return "reserved"
    return "public"


_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
