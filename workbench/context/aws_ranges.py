"""AWS's own addresses: which service and region a prefix of AWS's published ranges belongs to.

AWS publishes its ranges as ``ip-ranges.json`` (``syncToken``, ``createDate``, ``prefixes`` and
``ipv6_prefixes``, each with ``region`` and ``service``). The package ships a dated snapshot in
that format (``data/aws-ip-ranges.json.gz``); ``workbench context update`` fetches the current
file when the machine is online and keeps it in the user cache, where it takes precedence
while it is newer than the snapshot.

One address can sit in several prefixes: ``AMAZON`` covers every range and a narrower prefix
names the service (``EC2``, ``S3``...). :meth:`AwsRanges.lookup` answers with the narrowest
prefix's region and the most specific service.
"""

from __future__ import annotations

import bisect
import gzip
import ipaddress
import json
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workbench.errors import UsageError
from workbench.settings import user_cache_dir
from workbench.writes import write_atomic

#: Where AWS publishes its ranges.
AWS_RANGES_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"
SHIPPED = Path(__file__).resolve().parent / "data" / "aws-ip-ranges.json.gz"
#: The catch-all service every AWS range is also listed under.
CATCH_ALL = "AMAZON"
#: The most an ``ip-ranges.json`` download may hold (the real file is a few MB).
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class AwsMatch:
    """An address inside AWS's ranges: the narrowest prefix, its region and the services listed for it."""

    prefix: str
    region: str
    service: str
    services: tuple[str, ...]


class AwsRanges:
    """AWS's published ranges, looked up one prefix length at a time (longest first).

    Parameters
    ----------
    document : dict
        An ``ip-ranges.json`` document.
    origin : str
        Where it came from, for :attr:`describe`.
    """

    def __init__(self, document: dict, origin: str = "") -> None:
        self.sync_token = str(document.get("syncToken") or "")
        self.create_date = str(document.get("createDate") or "")
        self.origin = origin
        self._tables: dict[int, dict[int, dict[int, list]]] = {4: {}, 6: {}}
        count = 0
        for key, items in (("ip_prefix", document.get("prefixes") or []),
                           ("ipv6_prefix", document.get("ipv6_prefixes") or [])):
            for item in items:
                try:
                    net = ipaddress.ip_network(str(item[key]), strict=False)
                except (KeyError, ValueError, TypeError):
                    continue
                by_length = self._tables[net.version].setdefault(net.prefixlen, {})
                by_length.setdefault(int(net.network_address), []).append(
                    (str(item.get("region") or ""), str(item.get("service") or "")))
                count += 1
        self.prefixes = count
        self._lengths = {v: sorted(t, reverse=True) for v, t in self._tables.items()}
        # every range merged into disjoint spans: an address outside AWS costs one bisection
        self._spans: dict[int, tuple[list[int], list[int]]] = {}
        for version, table in self._tables.items():
            bits = 32 if version == 4 else 128
            spans = sorted((net, net + (1 << (bits - length)) - 1) for length, nets in table.items() for net in nets)
            starts, ends = [], []
            for first, last in spans:
                if ends and first <= ends[-1] + 1:
                    ends[-1] = max(ends[-1], last)
                else:
                    starts.append(first)
                    ends.append(last)
            self._spans[version] = (starts, ends)

    def describe(self) -> str:
        """One line: how many prefixes, published when, from where."""
        return f"{self.prefixes:,} AWS prefixes published {self.published()} ({self.origin})"

    def published(self) -> str:
        """``createDate`` as a day (``YYYY-MM-DD``)."""
        return self.create_date[:10]

    def lookup(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> AwsMatch | None:
        """The narrowest AWS prefix holding ``address`` and its services, or ``None`` outside AWS."""
        value, bits = int(address), 32 if address.version == 4 else 128
        starts, ends = self._spans[address.version]
        i = bisect.bisect_right(starts, value) - 1
        if i < 0 or value > ends[i]:
            return None
        table = self._tables[address.version]
        found = []
        for length in self._lengths[address.version]:
            net = value >> (bits - length) << (bits - length)
            entries = table[length].get(net)
            if entries:
                found.append((length, net, entries))
        if not found:
            return None
        length, net, entries = found[0]
        services = []
        for _, _, items in found:
            services += [s for _, s in items if s not in services]
        specific = [s for s in services if s != CATCH_ALL]
        region = next((r for r, _ in entries if r), "")
        prefix = f"{ipaddress.ip_address(net)}/{length}"
        return AwsMatch(prefix=prefix, region=region, service=(specific or services)[0], services=tuple(services))


def cached_path() -> Path:
    """Where ``workbench context update`` keeps the current ranges."""
    return user_cache_dir() / "aws-ip-ranges.json"


def _read(path: Path) -> dict:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


@lru_cache(maxsize=1)
def load() -> AwsRanges:
    """The newest ranges at hand: the user cache's if newer than the shipped snapshot, else the snapshot."""
    shipped = AwsRanges(_read(SHIPPED), origin="the snapshot shipped with the package")
    path = cached_path()
    if path.is_file():
        try:
            fetched = AwsRanges(_read(path), origin=f"fetched into {path}")
        except (OSError, ValueError):
            return shipped
        if fetched.prefixes and fetched.create_date > shipped.create_date:
            return fetched
    return shipped


def update(url: str = AWS_RANGES_URL, *, timeout: float = 30.0, target: Path | None = None) -> AwsRanges:
    """Fetch ``ip-ranges.json`` from ``url`` and keep it in the user cache (``target``).

    Raises
    ------
    UsageError
        If it cannot be fetched, or what came back is not AWS's ranges.
    """
    if not url.startswith(("https://", "http://")):
        raise UsageError(f"--url must be an http(s) address, not {url!r}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # http(s) only: checked above
            raw = response.read(MAX_BYTES + 1)
    except OSError as e:
        raise UsageError(f"could not fetch {url}: {e}; is this machine online? The shipped snapshot "
                         f"({load().published()}) stays in use") from e
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{url} sent more than {MAX_BYTES // 2**20} MB; that is not AWS's ip-ranges.json")
    try:
        document = json.loads(raw)
        ranges = AwsRanges(document, origin=url)
    except (ValueError, AttributeError) as e:
        raise UsageError(f"{url} did not send AWS's ip-ranges.json ({e})") from e
    if not ranges.prefixes or not ranges.create_date:
        raise UsageError(f"{url} sent no prefixes or no createDate: not AWS's ip-ranges.json")
    path = target or cached_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, raw)
    load.cache_clear()
    return ranges
