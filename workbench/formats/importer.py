"""``workbench import``: bring log files that are not in the S3 layout into it.

An incident responder's JSON dump, a console "Event history" export, LookupEvents output,
an Elasticsearch, OpenSearch or Splunk export (JSON or CSV), a GuardDuty EventBridge archive
or concatenated flow-log text: each record is placed by
account, region and event day under ``OUT/AWSLogs/...`` exactly as AWS would deliver it, so
every query and notebook works on it. Every record read is accounted for: written,
written once as a duplicate of another (same id), or rejected with its reason into
``OUT/import-rejects/<source>.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from workbench.formats import format_of
from workbench.formats.base import Placed
from workbench.formats.parquet_table import is_parquet
from workbench.formats.problems import Problem
from workbench.formats.raw import decode_text, read_bytes, write_gzip
from workbench.sources import SOURCES, LogSource
from workbench.words import lost
from workbench.writes import write_atomic

_RECORDS_PER_FILE = 5000
_NAMESPACE = uuid.UUID("5d1c9b5e-2f7e-4a54-9a3c-6b0f4c1e2d7a")
#: Bytes of a file's start that say what it is.
_HEAD_BYTES = 65536


@dataclass
class ImportReport:
    """What an import read, wrote and could not place.

    Attributes
    ----------
    files : list of dict
        One entry per input file: ``path``, ``kind``, ``shape``, ``records``.
    records_in : int
        Records read from the inputs.
    written : int
        Records written into the layout.
    duplicates : int
        Records identical in id to one already written in this import (written once).
    rejected : int
        Records read but not placeable (no account, region or time), kept in
        ``import-rejects/``.
    reject_reasons : dict
        ``{(source, reason): {file: records}}`` for the rejected records.
    supplied : dict
        ``{what: records}``: records placed with what the import supplied (``"account"`` from
        ``--account``, ``"day from the S3 key"``...).
    mappings : dict
        ``{how: records}``: records found inside exports or mapped back to the source's fields.
    problems : list of Problem
        Files, or parts of files, that could not be read.
    outputs : list of str
        Files written.
    """

    files: list = field(default_factory=list)
    records_in: int = 0
    written: int = 0
    duplicates: int = 0
    rejected: int = 0
    reject_reasons: dict = field(default_factory=dict)
    supplied: dict = field(default_factory=dict)
    mappings: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every record read was placed and no file lost anything."""
        return not self.rejected and not any(p.lost != 0 for p in self.problems)

    def summary(self) -> str:
        """A few lines for people: what was read and written, how exports were read, what was
        supplied, and each reason records were rejected with the files it hit."""
        kinds = defaultdict(int)
        for f in self.files:
            kinds[f["kind"]] += f["records"]
        lines = [
            f"read {self.records_in} records from {len(self.files)} files ("
            + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")",
            f"wrote {self.written} records into {len(self.outputs)} files"
            + (f"; {self.duplicates} duplicates (same id) written once" if self.duplicates else "")
            + (f"; {self.rejected} records rejected (see import-rejects/)" if self.rejected else ""),
        ]
        for how, records in sorted(self.mappings.items(), key=lambda m: -m[1]):
            lines.append(f"  read through an export: {records} record(s): {how}")
        for what, records in sorted(self.supplied.items()):
            lines.append(f"  {records} record(s) had no {what.split(' from ')[0]} of their own: "
                         + (f"placed with --{what}" if " from " not in what else f"took the {what.split(' from ')[0]} "
                            f"from {what.split(' from ')[1]}"))
        for (name, reason), files in sorted(self.reject_reasons.items()):
            where = ", ".join(f"{path} ({records})" for path, records in sorted(files.items())[:3])
            more = f" and {len(files) - 3} more file(s)" if len(files) > 3 else ""
            lines.append(f"  rejected {sum(files.values())} {name} record(s): {reason}; in {where}{more}")
        for p in self.problems:
            lines.append(f"  problem: {p.path}: {p.reason} ({lost(p.lost)})")
        return "\n".join(lines)


def import_files(paths, out, *, account: str | None = None, region: str | None = None,
                 progress: bool = False) -> ImportReport:
    """Read every file under ``paths`` and write its records into the S3 layout under ``out``.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, or folders (read recursively).
    out : str or Path
        Destination folder; ``out/AWSLogs/...`` is created.
    account : str, optional
        Account id for records that carry none (exports that strip ``recipientAccountId`` and
        ``userIdentity.accountId``; flow-log formats without ``account-id``). A record's own
        account always wins; the summary counts the records that needed this one.
    region : str, optional
        Region for records that carry none (flow-log rows without a ``region`` field).
    progress : bool
        Show a progress bar over input files.
    """
    out = Path(out)
    report = ImportReport()
    inputs = sorted(_expand(paths))
    collected: dict[str, list] = defaultdict(list)
    iterator = inputs
    if progress:
        from tqdm import tqdm

        iterator = tqdm(inputs, desc="import", unit="file")
    for path in iterator:
        source, why = detect_source(path)
        if source is None:  # a damaged file may have held records; a clean foreign file did not
            report.problems.append(Problem(path, why, None if "(" in why or "empty" in why else 0))
            report.files.append({"path": path, "kind": "unknown", "shape": "", "records": 0})
            continue
        result = format_of(source).salvage(path, source)
        report.files.append({"path": path, "kind": source.name, "shape": result.shape, "records": len(result.records)})
        report.records_in += len(result.records)
        report.problems += result.problems
        for how, records in result.mappings.items():
            report.mappings[how] = report.mappings.get(how, 0) + records
        collected[source.name] += [(record, path) for record in result.records]
    rejects: dict[str, list] = defaultdict(list)
    for source in SOURCES.values():
        _write(source, collected[source.name], out, report, rejects[source.name], account=account, region=region)
    for name, items in rejects.items():
        if items:
            _add_rejects(out / "import-rejects" / f"{name}.jsonl", items)
    return report


def _add_rejects(path: Path, items: list[dict]) -> None:
    """Add ``items`` to a rejects file, each line once however often an import runs; atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    known = set(lines)
    for item in items:
        line = json.dumps(item, default=str, sort_keys=True)
        if line not in known:
            known.add(line)
            lines.append(line)
    write_atomic(path, "".join(line + "\n" for line in lines))


def detect_source(path: str) -> tuple[LogSource | None, str]:
    """Whose logs a file holds, from its first bytes: the source whose format claims it most surely.

    Returns
    -------
    source : LogSource or None
        The source, or ``None`` when no source claims the file.
    why : str
        When ``source`` is ``None``, the reason.
    """
    data, notes = read_bytes(path, limit=_HEAD_BYTES)
    if not data.strip():
        return None, (notes[0] if notes else "no content (blank file)")
    if is_parquet(data):  # binary: its columns, in its footer, say whose it is
        claims = [(format_of(s).claims_parquet(path, s), -i, s) for i, s in enumerate(SOURCES.values())]
    else:
        text, _ = decode_text(data)
        claims = [(format_of(s).claims(text, s), -i, s) for i, s in enumerate(SOURCES.values())]
    strength, _, source = max(claims, key=lambda c: c[:2])
    if strength > 0:
        return source, ""
    names = ", ".join(s.title for s in SOURCES.values())
    reason = f"not a file of any known log source ({names})"
    return None, reason + (f" ({'; '.join(notes)})" if notes else "")


# -- writing --------------------------------------------------------------------------


def _write(source: LogSource, items: list, out: Path, report: ImportReport, rejects: list, *,
           account: str | None, region: str | None) -> None:
    """Place ``items`` (record, input path) by partition, drop duplicates, write files of the source's format."""
    fmt = format_of(source)
    groups: dict[tuple, list[tuple[Placed, object]]] = defaultdict(list)
    seen: set[tuple] = set()
    for record, path in items:
        placed = fmt.place(record, source, account=account, region=region, path=path)
        if isinstance(placed, str):
            rejects.append({"reason": placed, "file": path, **fmt.reject(record)})
            report.rejected += 1
            files = report.reject_reasons.setdefault((source.name, placed), {})
            files[path] = files.get(path, 0) + 1
            continue
        for what in placed.supplied:
            report.supplied[what] = report.supplied.get(what, 0) + 1
        if placed.identity is not None:
            if placed.identity in seen:
                report.duplicates += 1
                continue
            seen.add(placed.identity)
        when = placed.time
        below = (f"{when.hour:02d}", f"{when.minute - when.minute % 5:02d}")[:source.time_folders]
        groups[(placed.account, placed.region, placed.scope, when.date(), below, placed.group)].append((placed, record))
    for (account, where, scope, day, below, group), rows in sorted(groups.items(), key=lambda g: g[0]):
        rows.sort(key=lambda r: r[0].order)
        for chunk in _chunks(rows):
            body = b"".join(b.data for b in fmt.encode([record for _, record in chunk], source))
            name = source.file_template.format(
                account=account, region=where, scope=scope, stamp=chunk[0][0].time.strftime("%Y%m%dT%H%MZ"),
                hour=chunk[0][0].time.strftime("%Y-%m-%d-%H"),
                stamp_seconds=chunk[0][0].time.strftime("%Y-%m-%d-%H-%M-%S"),
                digest=hashlib.sha256(body).hexdigest(), digest_upper=hashlib.sha256(body).hexdigest().upper(),
                uuid=uuid.uuid5(_NAMESPACE, hashlib.sha256(body).hexdigest()),
                group_digest=hashlib.sha256(" ".join(group).encode()).hexdigest())
            folder = source.key_prefix(account=account, region=where, day=day, scope=scope or None)
            _emit(out, folder + "".join(f"{b}/" for b in below) + name, body, len(chunk), report)


def _emit(out: Path, key: str, body: bytes, records: int, report: ImportReport) -> None:
    path = out / key
    path.parent.mkdir(parents=True, exist_ok=True)
    if key.endswith(".gz"):
        write_gzip(path, body)
    else:  # a name AWS gives a plain-text file (S3 server access logs): plain text
        write_atomic(path, body)
    report.outputs.append(str(path))
    report.written += records


def _chunks(rows: list):
    for i in range(0, len(rows), _RECORDS_PER_FILE):
        yield rows[i:i + _RECORDS_PER_FILE]


def _expand(paths) -> list[str]:
    found = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found += [str(f) for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")]
        elif p.is_file():
            found.append(str(p))
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return found


__all__ = ["ImportReport", "detect_source", "import_files"]
