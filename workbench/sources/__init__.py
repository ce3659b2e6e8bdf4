"""The log sources: one definition per log type, the single source of truth.

>>> from workbench.sources import get_source
>>> get_source("cloudtrail").table
'cloudtrail'
"""

from workbench.errors import UnknownName
from workbench.registry import Registry
from workbench.sources.alb import ALB
from workbench.sources.alb_connections import ALB_CONNECTIONS
from workbench.sources.base import DAY_FORMAT, PARTITIONS, Column, LogSource, RecordKeys, is_org_id
from workbench.sources.clb import CLB
from workbench.sources.cloudfront import CLOUDFRONT
from workbench.sources.cloudtrail import CLOUDTRAIL
from workbench.sources.guardduty import GUARDDUTY
from workbench.sources.nlb import NLB
from workbench.sources.resolver import RESOLVER
from workbench.sources.s3access import S3ACCESS
from workbench.sources.vpcflow import DEFAULT_FORMAT as VPCFLOW_DEFAULT_FORMAT
from workbench.sources.vpcflow import VPCFLOW, format_columns
from workbench.sources.waf import WAF

#: Log sources by name, in the order they are listed and printed.
SOURCES: Registry[LogSource] = Registry("log source")


def get_source(name: str) -> LogSource:
    """The source called ``name`` (or whose table is ``name``).

    Raises
    ------
    UnknownName
        Naming the known sources.
    """
    for source in SOURCES.values():
        if name in (source.name, source.table):
            return source
    raise UnknownName(f"unknown log source {name!r}; known: {', '.join(SOURCES)}")


for _source in (CLOUDTRAIL, VPCFLOW, GUARDDUTY, ALB, WAF, ALB_CONNECTIONS, NLB, CLB, CLOUDFRONT, RESOLVER, S3ACCESS):
    SOURCES.register(_source.name, _source)

__all__ = [
    "DAY_FORMAT", "PARTITIONS", "SOURCES", "VPCFLOW_DEFAULT_FORMAT", "Column", "LogSource", "RecordKeys",
    "format_columns", "get_source", "is_org_id",
]
