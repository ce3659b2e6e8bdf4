"""A copy of a log folder that Trino's Hive connector can read, in the same key layout.

Athena reads CloudTrail's ``{"Records": [...]}`` files with a CloudTrail input format of its own;
Trino's Hive connector has none, nor the SerDes' habit of giving an object in a ``string`` column
its JSON text. So each source's files are copied in the shape its table reads through the
connector's standard readers (:meth:`~workbench.formats.base.LogFormat.encode_for_hive`):
CloudTrail and GuardDuty one JSON object per line, values of string columns as JSON text;
VPC flow logs as text with every field in the table's order under one header line. Keys stay as
AWS delivers them, so the tables' partition projection (``workbench ddl --trino``) finds them.

>>> from workbench.engines.trino.layout import copy_for_trino
>>> copy_for_trino("demo-data", "trino-logs")        # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from workbench.engines.local.listing import LogTree
from workbench.formats import format_of
from workbench.formats.raw import write_atomic, write_gzip
from workbench.sources import SOURCES


@dataclass
class CopyReport:
    """What :func:`copy_for_trino` wrote: files and records per source, and the problems met."""

    files: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def copy_for_trino(logs: str | os.PathLike, out: str | os.PathLike) -> CopyReport:
    """Write every log file under ``logs`` to the same key under ``out``, in the Hive layout.

    Damaged files give what their salvage saves; what was lost is in ``problems``.
    """
    tree, out = LogTree(logs), Path(out)
    report = CopyReport()
    for source in SOURCES.values():
        fmt = format_of(source)
        files, _ = tree.files(source, tree.partitions(source))
        report.files[source.name] = report.records[source.name] = 0
        for log in files:
            result = fmt.salvage(log.path, source)
            report.problems += [p.as_dict() for p in result.problems]
            target = out / Path(log.path).relative_to(tree.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            body = fmt.encode_for_hive(result.records, source)
            if target.name.endswith(".gz"):
                write_gzip(target, body)
            else:  # a reader goes by the name: a Classic Load Balancer's .log stays plain text
                write_atomic(target, body)
            report.files[source.name] += 1
            report.records[source.name] += len(result.records)
    return report
