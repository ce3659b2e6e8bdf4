"""Python readers for raw log files in every shape they are met in, damaged ones included.

The local engine reads healthy files with DuckDB; these readers are what it falls back on
for a file DuckDB cannot read (to save every readable record and name what was lost), and
what ``workbench import`` uses to bring files that are not in the S3 layout into it.

Every reader returns records plus a list of :class:`~workbench.formats.problems.Problem`:
nothing is dropped without a reason.
"""

from workbench.formats.problems import Problem, ReadResult

__all__ = ["Problem", "ReadResult"]
