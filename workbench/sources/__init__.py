"""The log sources: one definition per log type, the single source of truth.

>>> from workbench.sources import get_source
>>> get_source("cloudtrail").table
'cloudtrail'
"""

from workbench.sources.base import DAY_FORMAT, PARTITIONS, Column, LogSource, is_org_id
from workbench.sources.cloudtrail import CLOUDTRAIL
from workbench.sources.guardduty import GUARDDUTY
from workbench.sources.vpcflow import DEFAULT_FORMAT as VPCFLOW_DEFAULT_FORMAT
from workbench.sources.vpcflow import VPCFLOW, format_columns

SOURCES: dict[str, LogSource] = {}


def register(source: LogSource) -> LogSource:
    """Add a log source to the registry (by name); returns it."""
    SOURCES[source.name] = source
    return source


def get_source(name: str) -> LogSource:
    """The source called ``name`` (or whose table is ``name``).

    Raises
    ------
    KeyError
        Naming the known sources.
    """
    for source in SOURCES.values():
        if name in (source.name, source.table):
            return source
    raise KeyError(f"unknown log source {name!r}; known: {', '.join(SOURCES)}")


for _source in (CLOUDTRAIL, VPCFLOW, GUARDDUTY):
    register(_source)

__all__ = [
    "DAY_FORMAT", "PARTITIONS", "SOURCES", "VPCFLOW_DEFAULT_FORMAT", "Column", "LogSource",
    "format_columns", "get_source", "is_org_id", "register",
]
