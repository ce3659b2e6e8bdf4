"""Log file formats: one class per format, each owning everything that depends on how files are written.

A log source names its format (``LogSource.format``); :func:`format_of` gives the object.
Each format (:class:`~workbench.formats.base.LogFormat`) has the same plug-in points: the
DuckDB view over healthy files, the check pass that tells healthy files from damaged ones,
the Python salvage of any file (every readable record saved, every loss named with its
reason), and the encoding of records back into files; ``workbench import``
(:mod:`workbench.formats.importer`) uses them to bring loose files into the S3 layout.

Built in: ``cloudtrail_json`` (CloudTrail), ``json_lines`` (GuardDuty exports) and
``flowlog_text`` (VPC Flow Logs), ``regex_text`` (load balancer access logs), ``parquet`` (Parquet
files, columns found by name) and ``output_choice`` (CloudFront: text, JSON lines or Parquet, each
file read by its content). A new format is one class in one file, registered below.
"""

from workbench.formats.base import FileCheck, LogFile, LogFormat, Salvage
from workbench.formats.cloudtrail_json import CloudTrailJson
from workbench.formats.flowlog_text import FlowLogText
from workbench.formats.json_lines import JsonLines
from workbench.formats.output_choice import OutputChoice
from workbench.formats.parquet_table import ParquetTable
from workbench.formats.problems import Problem, ReadResult
from workbench.formats.regex_text import RegexText
from workbench.registry import Registry
from workbench.sources import LogSource

#: File formats by name.
FORMATS: Registry[LogFormat] = Registry("file format")


def format_of(source: LogSource) -> LogFormat:
    """The format of ``source``'s files."""
    return FORMATS.lookup(source.format)


for _format in (CloudTrailJson(), JsonLines(), FlowLogText(), RegexText(), ParquetTable(), OutputChoice()):
    FORMATS.register(_format.name, _format)

__all__ = ["FORMATS", "FileCheck", "LogFile", "LogFormat", "Problem", "ReadResult", "Salvage", "format_of"]
