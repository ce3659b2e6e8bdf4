"""Context for every address and user agent, offline: kind, country, network owner, AWS range, client.

- :mod:`~workbench.context.ranges`: private, documentation, reserved... or public; CloudTrail's
  ``AWS Internal`` and service host names.
- :mod:`~workbench.context.geo`: country and ASN/organisation from the shipped DB-IP Lite data or
  your own MMDB file.
- :mod:`~workbench.context.aws_ranges`: AWS's published ranges (a dated snapshot, refreshed by
  ``workbench context update``).
- :mod:`~workbench.context.agents`: the client, its version and OS, and the program behind it.
- :mod:`~workbench.context.enrichment`: all of it as columns of a query result.
"""

from workbench.context.addresses import Address, Addresses
from workbench.context.agents import Agent, agent
from workbench.context.enrichment import enrich

__all__ = ["Address", "Addresses", "Agent", "agent", "enrich"]
