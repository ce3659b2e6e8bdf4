"""``workbench import``: bring log files that are not in the S3 layout into it.

An incident responder's JSON dump, a console "Event history" export, LookupEvents output,
a GuardDuty EventBridge archive or concatenated flow-log text: each record is placed by
account, region and event day under ``OUT/AWSLogs/...`` exactly as AWS would deliver it, so
every query and notebook works on it. Every record read is accounted for: written,
written once as a duplicate of another (same id), or rejected with its reason into
``OUT/import-rejects/<source>.jsonl``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from workbench.formats.cloudtrail_json import read_cloudtrail
from workbench.formats.flowlog_text import is_header, read_flowlog
from workbench.formats.json_lines import read_guardduty
from workbench.formats.problems import Problem
from workbench.formats.raw import decode_text, read_bytes, write_gzip
from workbench.sources import get_source

_ACCOUNT = re.compile(r"\d{9,12}")
_REGION = re.compile(r"[a-z0-9-]{3,40}")
_RECORDS_PER_FILE = 5000
_NAMESPACE = uuid.UUID("5d1c9b5e-2f7e-4a54-9a3c-6b0f4c1e2d7a")


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
    problems: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every record read was placed and no file lost anything."""
        return not self.rejected and not any(p.lost != 0 for p in self.problems)

    def summary(self) -> str:
        """A few lines for people."""
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
        for p in self.problems:
            lost = {None: "records lost: unknown", 0: "nothing lost"}.get(p.lost, f"{p.lost} records lost")
            lines.append(f"  problem: {p.path}: {p.reason} ({lost})")
        return "\n".join(lines)


def import_files(paths, out, *, region: str | None = None, progress: bool = False) -> ImportReport:
    """Read every file under ``paths`` and write its records into the S3 layout under ``out``.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, or folders (read recursively).
    out : str or Path
        Destination folder; ``out/AWSLogs/...`` is created.
    region : str, optional
        Region for flow-log rows whose format has no ``region`` field.
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
        kind, why = detect_kind(path)
        if kind is None:  # a damaged file may have held records; a clean foreign file did not
            report.problems.append(Problem(path, why, None if "(" in why or "empty" in why else 0))
            report.files.append({"path": path, "kind": "unknown", "shape": "", "records": 0})
            continue
        result = {"cloudtrail": read_cloudtrail, "guardduty": read_guardduty, "vpcflow": read_flowlog}[kind](path)
        count = sum(len(rows) for _, rows in result.records) if kind == "vpcflow" else len(result.records)
        report.files.append({"path": path, "kind": kind, "shape": result.shape, "records": count})
        report.records_in += count
        report.problems += result.problems
        if kind == "vpcflow":
            collected[kind] += [(header, row, path) for header, rows in result.records for row in rows]
        else:
            collected[kind] += [(r, path) for r in result.records]
    rejects: dict[str, list] = defaultdict(list)
    _write_cloudtrail(collected["cloudtrail"], out, report, rejects)
    _write_guardduty(collected["guardduty"], out, report, rejects)
    _write_flowlogs(collected["vpcflow"], out, report, rejects, region=region)
    for kind, items in rejects.items():
        folder = out / "import-rejects"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{kind}.jsonl", "a", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps(item, default=str) + "\n")
    return report


def detect_kind(path: str) -> tuple[str | None, str]:
    """What a file holds, from its first bytes.

    Returns
    -------
    kind : str or None
        ``"cloudtrail"``, ``"guardduty"``, ``"vpcflow"``, or ``None``.
    why : str
        When ``kind`` is ``None``, the reason.
    """
    data, notes = read_bytes(path, limit=65536)
    if not data.strip():
        return None, (notes[0] if notes else "no content (blank file)")
    text, _ = decode_text(data)
    first = next((line.split() for line in text.splitlines() if line.strip()), [])
    if is_header(first):
        return "vpcflow", ""
    if text.lstrip()[:1] in ("{", "["):
        if ('"schemaVersion"' in text and '"severity"' in text) or '"GuardDuty Finding"' in text:
            return "guardduty", ""
        if any(k in text for k in ('"CloudTrailEvent"', '"eventVersion"', '"eventTime"', '"Records"')):
            return "cloudtrail", ""
    reason = "not a CloudTrail, GuardDuty or VPC flow-log file"
    return None, reason + (f" ({'; '.join(notes)})" if notes else "")


# -- writers ------------------------------------------------------------------------


def _write_cloudtrail(items, out: Path, report: ImportReport, rejects) -> None:
    source = get_source("cloudtrail")
    groups: dict[tuple, list] = defaultdict(list)
    seen: set[str] = set()
    for record, path in items:
        account = str(record.get("recipientAccountId") or (record.get("userIdentity") or {}).get("accountId") or "")
        region, when = str(record.get("awsRegion") or ""), _time(record.get("eventTime"))
        reason = _unplaceable(account, region, when)
        if reason:
            rejects["cloudtrail"].append({"reason": reason, "file": path, "record": record})
            report.rejected += 1
            continue
        event_id = record.get("eventID")
        if event_id and event_id in seen:
            report.duplicates += 1
            continue
        if event_id:
            seen.add(event_id)
        groups[(account, region, when.date())].append((when, record))
    for (account, region, day), rows in sorted(groups.items()):
        rows.sort(key=lambda r: (r[0], str(r[1].get("eventID"))))
        for chunk in _chunks(rows):
            body = json.dumps({"Records": [r for _, r in chunk]}, separators=(",", ":")).encode()
            stamp = chunk[0][0].strftime("%Y%m%dT%H%MZ")
            name = f"{account}_CloudTrail_{region}_{stamp}_{_digest(body, 16)}.json.gz"
            _emit(out, source.key_prefix(account=account, region=region, day=day) + name, body, len(chunk), report)


def _write_guardduty(items, out: Path, report: ImportReport, rejects) -> None:
    source = get_source("guardduty")
    groups: dict[tuple, list] = defaultdict(list)
    seen: set[tuple] = set()
    for finding, path in items:
        account, region = str(finding.get("accountId") or ""), str(finding.get("region") or "")
        when = _time(finding.get("updatedAt") or finding.get("createdAt"))
        reason = _unplaceable(account, region, when)
        if reason:
            rejects["guardduty"].append({"reason": reason, "file": path, "record": finding})
            report.rejected += 1
            continue
        key = (finding.get("id"), finding.get("updatedAt"))
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        groups[(account, region, when.date())].append(finding)
    for (account, region, day), findings in sorted(groups.items()):
        findings.sort(key=lambda f: (str(f.get("updatedAt")), str(f.get("id"))))
        for chunk in _chunks(findings):
            body = "".join(json.dumps(f, separators=(",", ":")) + "\n" for f in chunk).encode()
            name = f"{uuid.uuid5(_NAMESPACE, hashlib.sha256(body).hexdigest())}.jsonl.gz"
            _emit(out, source.key_prefix(account=account, region=region, day=day) + name, body, len(chunk), report)


def _write_flowlogs(items, out: Path, report: ImportReport, rejects, *, region: str | None) -> None:
    source = get_source("vpcflow")
    groups: dict[tuple, list] = defaultdict(list)
    for header, row, path in items:
        fields = dict(zip(header, row))
        account = fields.get("account-id", "")
        row_region = fields.get("region") if fields.get("region") not in (None, "-") else region
        start = fields.get("start", "")
        when = dt.datetime.fromtimestamp(int(start), dt.timezone.utc) if start.isdigit() else None
        reason = _unplaceable(account, row_region or "", when)
        if reason and not row_region and _ACCOUNT.fullmatch(account or ""):
            reason = "the format has no region field: give --region"
        if reason:
            rejects["vpcflow"].append({"reason": reason, "file": path, "header": " ".join(header), "row": " ".join(row)})
            report.rejected += 1
            continue
        groups[(account, row_region, when.date(), header)].append((when, row))
    for (account, row_region, day, header), rows in sorted(groups.items()):
        rows.sort(key=lambda r: (r[0], r[1]))
        for chunk in _chunks(rows):
            body = (" ".join(header) + "\n" + "".join(" ".join(r) + "\n" for _, r in chunk)).encode()
            stamp = chunk[0][0].strftime("%Y%m%dT%H%MZ")
            name = f"{account}_vpcflowlogs_{row_region}_fl-{_digest(header_key(header), 17)}_{stamp}_{_digest(body, 8)}.log.gz"
            _emit(out, source.key_prefix(account=account, region=row_region, day=day) + name, body, len(chunk), report)


def header_key(header: tuple[str, ...]) -> bytes:
    """Bytes that identify a flow-log format (for a stable flow-log id per format)."""
    return " ".join(header).encode()


def _emit(out: Path, key: str, body: bytes, records: int, report: ImportReport) -> None:
    path = out / key
    path.parent.mkdir(parents=True, exist_ok=True)
    write_gzip(path, body)
    report.outputs.append(str(path))
    report.written += records


def _unplaceable(account: str, region: str, when) -> str | None:
    if not _ACCOUNT.fullmatch(account or ""):
        return f"no usable account id ({account!r})"
    if not _REGION.fullmatch(region or ""):
        return f"no usable region ({region!r})"
    if when is None:
        return "no usable time (eventTime/updatedAt/start)"
    return None


def _time(value) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


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


__all__ = ["ImportReport", "detect_kind", "import_files"]
