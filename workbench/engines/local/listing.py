"""A local folder of logs laid out as in S3, listed by partition.

Symbolic links are followed only while they lead to a place inside the log folder; one that
leads out of it is not read and is reported (:attr:`LogTree.refused`), as is a folder that
cannot be listed. The folder may be the ``AWSLogs`` folder itself, the folder holding it (a synced bucket),
or a folder with a user prefix before ``AWSLogs/`` (``bucket/prefix/AWSLogs/...``). Single
account trees (``AWSLogs/<account>/...``) and organisation trails
(``AWSLogs/o-xxxxxxxxxx/<account>/...``) may sit side by side.

Only the partition folders of a source are walked (``<account>/<Service>/<region>/YYYY/MM/DD``),
and only files whose names match the source's file pattern are returned: digests,
Insights, Config snapshots and stray objects are never touched. Folders may also be spelled as
a Hive-compatible delivery spells them (VPC Flow Logs' and CloudFront v2's option):
``aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=YYYY/month=MM/day=DD``,
``aws-account-id=<account>/CloudFront/DistributionId=<id>/year=.../hour=HH``; the partition values
are what follows the ``=``.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import LogsNotFound
from workbench.formats.base import LogFile
from workbench.sources import SOURCES, LogSource, is_org_id

_ACCOUNT = re.compile(r"(?:aws-account-id=)?\d{9,12}")
_YEAR = re.compile(r"(?:year=)?\d{4}")
_MONTH = re.compile(r"(?:month=)?\d{2}")
_DAY = re.compile(r"(?:day=)?\d{2}")
_BELOW_DAY = re.compile(r"(?:(?:hour|minute)=)?\d{2}")
_REGION_FOLDER = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_MAX_PREFIX_DEPTH = 4


@dataclass(frozen=True)
class Partition:
    """One ``account x region x day`` folder of a source."""

    account: str
    region: str
    day: str  # yyyy/MM/dd
    path: str
    scope: str = ""  # the folder of LogSource.scope_partition (WAF: the web ACL), else ""


def folder_value(name: str) -> str:
    """A folder's value: the folder's name, or what follows ``=`` in a Hive-compatible one (``year=2026``)."""
    return name.split("=", 1)[1] if "=" in name else name


class LogTree:
    """The log folders found under ``root``.

    Parameters
    ----------
    root : str or Path
        A folder holding ``AWSLogs/`` (at most four levels down) or ``AWSLogs`` itself.

    Raises
    ------
    LogsNotFound
        If the folder does not exist or holds no ``AWSLogs`` folder.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise LogsNotFound(
                f"log folder {self.root} does not exist; give the folder that holds AWSLogs/ (--logs DIR, or "
                "logs= in a notebook), or make one: 'workbench demo' or 'workbench sample --out DIR' (the sample), "
                "'workbench sync' (from S3)"
            )
        self._real = self.root.resolve()
        #: Paths not read, with why: symbolic links out of the log folder, folders that cannot be listed.
        self.refused: dict[str, str] = {}
        self.awslogs = self._find_awslogs()
        self._names: dict[tuple[str, str], tuple[int, list[str], list[str]]] = {}
        if not self.awslogs and not any(self.own_roots.values()):
            parts = self.root.parts
            if "AWSLogs" in parts:  # one level (or more) too deep
                above = Path(*parts[:len(parts) - parts[::-1].index("AWSLogs") - 1])
                raise LogsNotFound(f"{self.root} is inside an AWSLogs/ tree; give the folder that holds "
                                   f"AWSLogs/: --logs {above}")
            own = ", ".join(f"{name}/" for name in sorted(self.own_roots))
            raise LogsNotFound(
                f"no AWSLogs/ (or {own}) folder under {self.root}; point --logs at the folder that holds "
                "AWSLogs/ (the bucket root or prefix, as copied from S3)"
            )

    def _find_awslogs(self) -> list[Path]:
        """The ``AWSLogs`` folders (the shallowest level that has any), and beside them, in
        :attr:`own_roots`, the folders of sources that do not write under ``AWSLogs/``."""
        own = {s.service_folder for s in SOURCES.values() if not s.awslogs}
        self.own_roots: dict[str, list[Path]] = {name: [] for name in own}
        if self.root.name == "AWSLogs":
            for name in own:
                self.own_roots[name] = [d for d in self._dirs(self.root.parent) if d.name == name]
            return [self.root]
        found: list[Path] = []
        level = [self.root]
        for _ in range(_MAX_PREFIX_DEPTH + 1):
            below: list[Path] = []
            for folder in level:
                for entry in self._dirs(folder):
                    if entry.name in own:
                        self.own_roots[entry.name].append(entry)
                    (found if entry.name == "AWSLogs" else below).append(entry)
            if found or any(self.own_roots.values()):
                return sorted(found)
            level = below
        return []

    def _dirs(self, folder: Path, pattern: re.Pattern | None = None) -> list[Path]:
        """The sub-folders of ``folder`` that are in the log folder (not hidden, not linked out of it)."""
        try:
            with os.scandir(folder) as entries:
                found = [e for e in entries if e.is_dir() and not e.name.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as err:
            self.refused[str(folder)] = f"cannot list the folder ({err.strerror or err})"
            return []
        dirs = [Path(e.path) for e in found if not (e.is_symlink() and self._outside(e.path))]
        if pattern is not None:
            dirs = [d for d in dirs if pattern.fullmatch(d.name)]
        return sorted(dirs)

    def _outside(self, path: str) -> bool:
        """Whether a symbolic link leads out of the log folder (then it is refused, and says so)."""
        target = Path(os.path.realpath(path))
        if target == self._real or self._real in target.parents:
            return False
        self.refused[path] = f"a symbolic link to {target}, outside the log folder: not read"
        return True

    def problems_for(self, source: LogSource, partitions: list[Partition]) -> list[dict]:
        """What was refused where ``source``'s files are looked for, as problems (``path``, ``reason``, ``lost``)."""
        folders = [p.path for p in partitions]
        out = []
        for path, reason in sorted(self.refused.items()):
            under = any(path == f or path.startswith(f + os.sep) for f in folders)
            above = f"{os.sep}{source.service_folder}{os.sep}" in path + os.sep or not any(
                f"{os.sep}{s.service_folder}{os.sep}" in path + os.sep for s in SOURCES.values())
            if under or above:
                out.append({"path": path, "reason": reason, "lost": None})
        return out

    def account_dirs(self) -> list[tuple[str, Path]]:
        """``(account, folder)`` for every account folder, organisation trails included."""
        out = []
        for awslogs in self.awslogs:
            for entry in self._dirs(awslogs):
                if _ACCOUNT.fullmatch(entry.name):
                    out.append((folder_value(entry.name), entry))
                elif is_org_id(entry.name):
                    out += [(folder_value(a.name), a) for a in self._dirs(entry) if _ACCOUNT.fullmatch(a.name)]
        return out

    def layout(self) -> dict:
        """What the tree holds: ``accounts`` and ``regions`` (sorted), ``org_id`` (the one
        organisation id, or ``None`` when there is none or several) and ``scopes`` (per source
        with a folder between region and day, e.g. WAF, the folder names found, sorted)."""
        accounts, regions, orgs = set(), set(), set()
        scoped = {s.service_folder: s for s in SOURCES.values() if s.scope_partition}
        global_services = {s.service_folder for s in SOURCES.values() if not s.regional}
        scopes: dict[str, set[str]] = {s.name: set() for s in scoped.values()}
        for account, folder in self.account_dirs():
            accounts.add(account)
            if is_org_id(folder.parent.name):
                orgs.add(folder.parent.name)
            for service in self._dirs(folder):
                found, name = self._dirs(service), folder_value(service.name)
                if name in global_services:  # no region folder: any scope folders are right below
                    if name in scoped:
                        scopes[scoped[name].name].update(folder_value(d.name) for d in found)
                    continue
                regions.update(folder_value(r.name) for r in found)
                if name in scoped:
                    scopes[scoped[name].name].update(folder_value(d.name) for r in found for d in self._dirs(r))
        for source in (s for s in SOURCES.values() if not s.awslogs):
            for account, folder in self.own_account_dirs(source):
                accounts.add(account)
                for region in self._dirs(folder, _REGION_FOLDER):  # the folders partitions() reads, no others
                    regions.add(region.name)
                    scopes[source.name].update(d.name for d in self._dirs(region, re.compile(source.scope_pattern)))
        return {"accounts": sorted(accounts), "regions": sorted(regions),
                "org_id": sorted(orgs)[0] if len(orgs) == 1 else None,
                "scopes": {name: sorted(values) for name, values in scopes.items()}}

    def own_account_dirs(self, source: LogSource) -> list[tuple[str, Path]]:
        """``(account, folder)`` of a source that does not write under ``AWSLogs/`` (S3 server access logs:
        ``<its folder>/<account>/<region>/<bucket>/yyyy/mm/dd/``)."""
        return [(a.name, a) for root in self.own_roots.get(source.service_folder, [])
                for a in self._dirs(root) if _ACCOUNT.fullmatch(a.name)]

    def partitions(self, source: LogSource) -> list[Partition]:
        """Every partition folder of ``source``, sorted."""
        parts = []
        if not source.awslogs:
            for account, folder in self.own_account_dirs(source):
                for region in self._dirs(folder, _REGION_FOLDER):
                    for scope in self._dirs(region, re.compile(source.scope_pattern)):
                        for year in self._dirs(scope, _YEAR):
                            for month in self._dirs(year, _MONTH):
                                for day in self._dirs(month, _DAY):
                                    parts.append(Partition(account, region.name, f"{year.name}/{month.name}/{day.name}",
                                                           str(day), scope.name))
            return sorted(parts, key=lambda p: (p.day, p.account, p.region, p.scope, p.path))
        for account, folder in self.account_dirs():
            for service in (folder / source.service_folder, folder / f"aws-service={source.service_folder}"):
                for region in self._dirs(service) if source.regional else [service]:
                    scopes = self._dirs(region) if source.scope_partition else [region]
                    for scope in scopes:
                        for year in self._dirs(scope, _YEAR):
                            for month in self._dirs(year, _MONTH):
                                for day in self._dirs(month, _DAY):
                                    day_text = "/".join(folder_value(d.name) for d in (year, month, day))
                                    parts.append(Partition(
                                        account, folder_value(region.name) if source.regional else "", day_text,
                                        str(day), folder_value(scope.name) if source.scope_partition else "",
                                    ))
        return sorted(parts, key=lambda p: (p.day, p.account, p.region, p.scope, p.path))

    def files(self, source: LogSource, partitions: list[Partition]) -> tuple[list[LogFile], list[str]]:
        """Log files of ``source`` in the given partitions.

        Returns
        -------
        files : list of LogFile
            Files whose names match the source's pattern, sorted by path.
        ignored : list of str
            Other files in those folders (not logs of this source), never read.
        """
        files, ignored = [], []
        for part in partitions:
            pattern = source.file_regex(account=part.account, region=part.region)
            for folder in self._time_folders(part, source.time_folders):
                found = self._listed(folder, pattern)
                if found is None:
                    found = self._scan(folder, pattern)
                files += found[0]
                ignored += found[1]
        files.sort(key=lambda f: f.path)
        return files, sorted(ignored)

    def _time_folders(self, part: Partition, depth: int) -> list[Partition]:
        """The folders under a day folder that hold its files (``HH/mm`` for WAF), as partitions of the day."""
        level = [part]
        for _ in range(depth):
            level = [Partition(p.account, p.region, p.day, str(d), p.scope)
                     for p in level for d in self._dirs(Path(p.path), _BELOW_DAY)]
        return level

    def _scan(self, part: Partition, pattern: re.Pattern) -> tuple[list[LogFile], list[str]]:
        """List ``part``'s folder; remember the names when the folder has not changed lately."""
        listed_at = time.time_ns()
        folder_mtime = os.stat(part.path).st_mtime_ns
        files, names, ignored = [], [], []
        try:
            entries = list(os.scandir(part.path))
        except OSError as err:
            self.refused[part.path] = f"cannot list the folder ({err.strerror or err})"
            return [], []
        for entry in entries:
            if not entry.is_file():
                continue
            if entry.is_symlink() and self._outside(entry.path):
                continue
            if pattern.fullmatch(entry.name):
                files.append(LogFile.of(entry.path, part.account, part.region, part.day, entry.stat(), part.scope))
                names.append(entry.name)
            else:
                ignored.append(entry.path)
        if listed_at - folder_mtime > _SETTLED_NS:
            self._names[(part.path, pattern.pattern)] = (folder_mtime, names, ignored)
        else:
            self._names.pop((part.path, pattern.pattern), None)
        return files, ignored

    def _listed(self, part: Partition, pattern: re.Pattern) -> tuple[list[LogFile], list[str]] | None:
        """``part``'s files from remembered names (each file stat-ed again), or None to list it.

        A folder's modification time changes whenever a name is added, removed or renamed
        in it, so names remembered with that time stay true while it is the same. Names are
        only remembered for a folder unchanged for :data:`_SETTLED_NS` before it was listed,
        so that a change within a coarse file-system clock tick cannot go unnoticed.
        """
        known = self._names.get((part.path, pattern.pattern))
        if known is None or os.stat(part.path).st_mtime_ns != known[0]:
            return None
        files, prefix = [], part.path + os.sep
        for name in known[1]:
            path = prefix + name
            try:
                stat = os.stat(path)
            except FileNotFoundError:  # removed since: list the folder again
                return None
            files.append(LogFile.of(path, part.account, part.region, part.day, stat, part.scope))
        return files, known[2]


#: How long a folder must have been unchanged before its names are remembered (2 s: the
#: coarsest file-system clock in common use, FAT's).
_SETTLED_NS = 2_000_000_000
