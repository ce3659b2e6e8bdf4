"""Where the Trino engine finds its settings: arguments, then ``WORKBENCH_TRINO_*``, then the
``[trino]`` table of the config file (:func:`workbench.settings.resolve_section`), then defaults::

    [trino]
    host = "trino.example.com"
    port = 443
    http_scheme = "https"
    catalog = "hive"
    schema = "security_logs"
    user = "analyst"

A password (``WORKBENCH_TRINO_PASSWORD``, or ``password`` in the file) signs in with HTTP basic
authentication, which Trino accepts only over ``https``.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from workbench.errors import UsageError
from workbench.settings import resolve_section

DEFAULTS = {"host": "localhost", "port": "8080", "http_scheme": "http", "catalog": "hive",
            "schema": "security_logs", "user": None, "password": None}


@dataclass(frozen=True)
class TrinoSettings:
    """The resolved settings, and where each came from (``origin``)."""

    host: str
    port: int
    http_scheme: str
    catalog: str
    schema: str
    user: str
    password: str | None = field(default=None, repr=False)
    origin: dict = field(default_factory=dict, compare=False)

    @property
    def url(self) -> str:
        return f"{self.http_scheme}://{self.host}:{self.port}"

    def describe(self, name: str) -> str:
        """``"8080 (from $WORKBENCH_TRINO_PORT)"``: a value and its origin (never the password)."""
        value = "***" if name == "password" else getattr(self, name)
        return f"{value} (from {self.origin.get(name, 'default')})"


def resolve_settings(**given) -> TrinoSettings:
    """Settings from the arguments, else ``WORKBENCH_TRINO_*``, else the config file, else defaults.

    Raises
    ------
    UsageError
        For a port that is not a number, an unknown scheme, or a password over plain http.
    """
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise UsageError(f"unknown Trino setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    values, origin = resolve_section("trino", DEFAULTS, given)
    try:
        port = int(values["port"])
    except ValueError:
        raise UsageError(f"the Trino port must be a number, got {values['port']!r} (from {origin['port']})") from None
    scheme = str(values["http_scheme"]).lower()
    if scheme not in ("http", "https"):
        raise UsageError(f"the Trino http_scheme is http or https, got {scheme!r} (from {origin['http_scheme']})")
    if values["password"] and scheme != "https":
        raise UsageError("Trino accepts a password only over https: set WORKBENCH_TRINO_HTTP_SCHEME=https "
                         f"(now {scheme}, from {origin['http_scheme']})")
    user = values["user"] or getpass.getuser()
    return TrinoSettings(host=str(values["host"]), port=port, http_scheme=scheme, catalog=str(values["catalog"]),
                         schema=str(values["schema"]), user=str(user), password=values["password"] or None,
                         origin=origin)
