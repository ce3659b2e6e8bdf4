"""What went wrong while reading, said so that a person can act on it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem with one file.

    Attributes
    ----------
    path : str
        The file.
    reason : str
        What is wrong, in words (``"truncated gzip: ..."``).
    lost : int or None
        Records (or lines) that could not be read, when known; ``None`` when the whole file
        was unreadable and its record count is unknown.
    """

    path: str
    reason: str
    lost: int | None = None

    def as_dict(self) -> dict:
        """Plain data for reports and JSON output."""
        return {"path": self.path, "reason": self.reason, "lost": self.lost}


@dataclass
class ReadResult:
    """Records read from one file, and what could not be read.

    Attributes
    ----------
    path : str
        The file.
    kind : str
        What the file turned out to be (``"cloudtrail"``, ``"guardduty"``, ``"vpcflow"``).
    records : list
        The records read (dicts for JSON sources; for flow logs, ``(header, rows)`` sections).
    problems : list of Problem
        Everything that was wrong, each with the records it cost.
    shape : str
        The shape recognised (``"Records body"``, ``"bare array"``, ``"JSON lines"``, ...).
    mappings : dict
        How records were found inside exports and mapped back to the source's own fields
        (``"Splunk export; original record in _raw"``), with how many records each gave.
    """

    path: str
    kind: str
    records: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    shape: str = ""
    mappings: dict = field(default_factory=dict)

    def mapped(self, how: str, records: int = 1) -> None:
        """Count ``records`` found or mapped ``how``."""
        self.mappings[how] = self.mappings.get(how, 0) + records

    def problem(self, reason: str, lost: int | None = None) -> None:
        """Record a problem with this file."""
        self.problems.append(Problem(self.path, reason, lost))
