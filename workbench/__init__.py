"""AWS security-log analysis workbench.

Query CloudTrail, VPC Flow Logs and GuardDuty findings where AWS writes them (S3, or a
local copy laid out the same way) with one library of Athena-dialect SQL, on an embedded
DuckDB engine or on Athena.

>>> import workbench
>>> engine = workbench.connect(logs="demo-data")                               # doctest: +SKIP
>>> engine.query("root_activity", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP
>>> workbench.session.pivot(source_ip="203.0.113.7", start="2026-11-01", end="2026-11-07")  # doctest: +SKIP
>>> workbench.lineage(access_key_id="ASIA...", start="2026-11-01", end="2026-11-07")     # doctest: +SKIP
"""

__version__ = "0.1.0"

from workbench.engines import connect
from workbench.library import get_query, list_queries
from workbench.session.investigation import Investigation
from workbench.session.lineage import LineageResult, lineage
from workbench.session.pivot import PivotResult, pivot
from workbench.session.summary import write_summary
from workbench.settings import default_engine

__all__ = [
    "Investigation", "LineageResult", "PivotResult", "__version__", "connect", "default_engine", "get_query",
    "lineage", "list_queries", "pivot", "write_summary",
]
