"""``workbench verify``: were these CloudTrail logs modified, deleted or added since AWS delivered them?

For each account and region of a log folder laid out as in S3, the digests of the window's days
(and the day after, whose first digest lists the window's last files) are read and checked:

1. each digest lies where its own ``digestS3Object`` says (a moved digest proves nothing);
2. its signature, recorded beside it by ``workbench sync``, verifies with the region's public key
   over CloudTrail's signing string (end time, ``bucket/key``, SHA-256, previous signature);
3. the chain: the previous digest it names is here (unless it falls before the window), its
   SHA-256 is the one recorded, and so is its signature; a chain that starts again is noted;
4. every log file a digest lists, delivered in the window, is here with the SHA-256 listed
   (of its inflated content, as CloudTrail hashes it);
5. every log file here in the window is listed by some digest, unless it was delivered after
   the last digest's end (noted: it cannot be judged yet).

Findings are *problems* (something was changed, removed or added) or *notes* (something could
not be checked: no signature recorded, no public key, no digests, files newer than the last
digest). Nothing a digest says is trusted as a path: keys outside ``AWSLogs/`` or with ``..``
are problems, and symbolic links are not followed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from workbench.integrity.digest import Digest, DigestUnreadable, read_digest, signing_string
from workbench.integrity.keys import PublicKeys
from workbench.integrity.layout import (
    DIGEST_FOLDER,
    DIGEST_NAME,
    LOG_FOLDER,
    METADATA_SUFFIX,
    delivered,
    digest_days,
    local_path,
    read_metadata,
)
from workbench.sources.base import is_org_id
from workbench.words import count

#: Kinds of finding that mean the copy is not what AWS delivered.
PROBLEMS = {
    "modified": "a log file whose SHA-256 is not the one its digest lists",
    "missing": "a log file a digest lists that is not here",
    "unlisted": "a log file no digest lists, delivered before the last digest of its trail and region",
    "digest missing": "a digest the next digest of the chain names that is not here",
    "digest modified": "a digest whose SHA-256 or signature is not the one the next digest records",
    "digest moved": "a digest that does not lie where its own key says",
    "bad signature": "a digest whose signature does not verify with its region's public key",
    "unreadable": "a digest that cannot be read, a key that leaves the log folder, or a symbolic link",
}
#: Kinds of finding that say what could not be checked.
NOTES = {
    "unsigned": "a digest without a recorded signature (copied without its S3 metadata)",
    "no key": "a digest signed with a key not given",
    "gap": "a chain that starts again (log file validation or the trail was off)",
    "awaiting": "a log file delivered after the last digest of its trail and region",
    "no digests": "log files of an account and region without any digest (validation off?)",
}
READ_BLOCK = 1 << 20


@dataclass
class Finding:
    """One thing :func:`verify_logs` found: its ``kind`` (a key of :data:`PROBLEMS` or
    :data:`NOTES`), the file it is about (relative to the log folder) and what is wrong."""

    kind: str
    path: str
    detail: str

    @property
    def problem(self) -> bool:
        return self.kind in PROBLEMS


@dataclass
class IntegrityReport:
    """What :func:`verify_logs` checked and found."""

    logs: str
    start: str
    end: str
    digests: int = 0
    signatures: int = 0
    files: int = 0
    findings: list[Finding] = field(default_factory=list)
    last_digest: str | None = None

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if not f.problem]

    @property
    def status(self) -> str:
        """``verified``, ``not verifiable`` (nothing wrong found, but not everything could be
        checked) or ``N problems``."""
        if self.problems:
            return count(len(self.problems), "problem")
        if not self.digests or self.notes or self.signatures < self.digests:
            return "not verifiable"
        return "verified"

    def summary(self, *, limit: int = 20) -> str:
        """Lines a person reads: the status, what was checked, then each problem and note (by kind)."""
        lines = [f"integrity of {self.logs}, {self.start} to {self.end}: {self.status}",
                 f"  {count(self.digests, 'digest')} read, {count(self.signatures, 'signature')} verified, "
                 f"{count(self.files, 'log file')} matching their digests"
                 + (f"; the last digest ends {self.last_digest}" if self.last_digest else "")]
        for title, found in (("problems", self.problems), ("could not be checked", self.notes)):
            if not found:
                continue
            lines.append(f"  {title}:")
            by_kind: dict[str, list[Finding]] = {}
            for f in found:
                by_kind.setdefault(f.kind, []).append(f)
            for kind, items in by_kind.items():
                meaning = PROBLEMS.get(kind) or NOTES[kind]
                lines.append(f"    {kind} ({len(items)}): {meaning}")
                shown = limit if title == "problems" else min(limit, 3)
                lines += [f"      {f.path}: {f.detail}" for f in items[:shown]]
                if len(items) > shown:
                    lines.append(f"      ... and {len(items) - shown} more")
        if not self.digests:
            lines.append("  no digests in this window: copy them with `workbench sync` (it copies "
                         f"{DIGEST_FOLDER}/ with each signature), and turn on log file validation on the trail")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"logs": self.logs, "start": self.start, "end": self.end, "status": self.status,
                "digests": self.digests, "signatures": self.signatures, "files": self.files,
                "last_digest": self.last_digest,
                "findings": [asdict(f) | {"problem": f.problem} for f in self.findings]}


def verify_logs(logs: str | os.PathLike, *, start: dt.date | str, end: dt.date | str,
                keys: PublicKeys | None = None, accounts: list[str] | None = None,
                progress: bool = False) -> IntegrityReport:
    """Check the CloudTrail files of ``start``..``end`` in ``logs`` against their digests.

    Parameters
    ----------
    logs : str or Path
        A folder laid out as in S3 (``AWSLogs/...``), e.g. what ``workbench sync`` wrote.
    start, end : date or str
        First and last delivery day (UTC, inclusive).
    keys : PublicKeys, optional
        CloudTrail's public keys; without them signatures are not checked (a note says so).
    accounts : list of str, optional
        Only these accounts (default: every account in the folder).
    progress : bool
        A progress bar on stderr while log files are hashed.

    Returns
    -------
    IntegrityReport
        Its ``status`` is ``verified``, ``not verifiable`` or ``N problems``; ``summary()`` says why.
    """
    root = Path(logs)
    first = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
    last = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))
    report = IntegrityReport(logs=str(logs), start=first.isoformat(), end=last.isoformat())
    window = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    ends = []
    for base in _bases(root):
        checks = _Checks(base, report, keys, top=root)
        for owner in _owners(base, accounts):
            for region in _regions(owner):
                checks.region(owner, region, window)
        checks.hash_listed(progress=progress)
        ends += checks.chain_end.values()
    report.last_digest = max(ends).strftime("%Y-%m-%dT%H:%M:%SZ") if ends else None
    return report


class _Checks:
    """The state of one verification: digests read, files listed, where each chain ends."""

    def __init__(self, root: Path, report: IntegrityReport, keys: PublicKeys | None, *, top: Path):
        self.root, self.report, self.keys, self.top = root, report, keys, top
        self.listed: dict[Path, tuple[str, Path]] = {}  # local path -> (sha256 listed, digest listing it)
        self.chain_end: dict[tuple[Path, str], dt.datetime] = {}
        self.window_files: list[Path] = []

    def add(self, kind: str, path: Path, detail: str) -> None:
        self.report.findings.append(Finding(kind, self.rel(path), detail))

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.top).as_posix()
        except ValueError:
            return str(path)

    # -- one account and region ---------------------------------------------------------

    def region(self, owner: Path, region: str, window: list[dt.date]) -> None:
        digests = self.digests(owner / DIGEST_FOLDER / region, window)
        chains: dict[str, list[Digest]] = {}
        for d in digests:
            chains.setdefault(DIGEST_NAME.match(d.path.name)["trail"], []).append(d)
        for chain in chains.values():
            chain.sort(key=lambda d: (d.end, d.path.name))
            self.chain(chain, window[0])
            self.chain_end[(owner, region)] = max(self.chain_end.get((owner, region), chain[-1].end), chain[-1].end)
        for d in digests:
            for listed in d.files:
                path = local_path(self.root, listed.key)
                if path is None:
                    self.add("unreadable", d.path, f"lists {listed.key!r}, a key outside AWSLogs/ or with '..'")
                    continue
                day = _day_of(path)
                if day is not None and window[0] <= day <= window[-1]:
                    self.listed.setdefault(path, (listed.sha256, d.path))
        self.unlisted(owner, region, window)

    def digests(self, folder: Path, window: list[dt.date]) -> list[Digest]:
        found = []
        for day in digest_days(window[0], window[-1]):
            for path in _files(folder / f"{day:%Y/%m/%d}", self):
                if path.name.endswith(METADATA_SUFFIX):
                    continue
                if not DIGEST_NAME.match(path.name):
                    continue  # not a digest file: nothing CloudTrail wrote here, nothing to check
                try:
                    found.append(read_digest(path))
                except DigestUnreadable as err:
                    self.add("unreadable", path, f"not a readable digest: {err}")
        self.report.digests += len(found)
        return found

    def chain(self, chain: list[Digest], first_day: dt.date) -> None:
        by_path = {d.path: d for d in chain}
        for n, d in enumerate(chain):
            if local_path(self.root, d.key) != d.path:
                self.add("digest moved", d.path, f"its own key is s3://{d.bucket}/{d.key}")
            self.signature(d)
            if d.previous_key is None:
                if n:
                    self.add("gap", d.path, f"the chain starts again after {chain[n - 1].end:%Y-%m-%dT%H:%M:%SZ}")
                continue
            previous = local_path(self.root, d.previous_key)
            if previous is None:
                self.add("unreadable", d.path, f"names {d.previous_key!r} as the previous digest, a key outside "
                         "AWSLogs/ or with '..'")
                continue
            earlier = by_path.get(previous)
            if earlier is None and previous.is_file() and not previous.is_symlink():
                try:
                    earlier = read_digest(previous)
                except DigestUnreadable:
                    earlier = None  # reported when its own day is read
            if earlier is None:
                day = _day_of(previous)
                if previous.exists() or day is None or day >= first_day:
                    self.add("digest missing", previous, f"{d.path.name} names it as the previous digest")
                continue
            if d.previous_sha256 and earlier.sha256 != d.previous_sha256:
                self.add("digest modified", previous,
                         f"its SHA-256 is {earlier.sha256}, {d.path.name} records {d.previous_sha256}")
            recorded = (read_metadata(previous) or {}).get("signature")
            if recorded and d.previous_signature and recorded.lower() != d.previous_signature.lower():
                self.add("digest modified", previous, f"its signature is not the one {d.path.name} records")

    def signature(self, d: Digest) -> None:
        signature = (read_metadata(d.path) or {}).get("signature")
        if not signature:
            self.add("unsigned", d.path, "no signature recorded beside it (copy it with workbench sync)")
            return
        if d.algorithm != "SHA256withRSA":
            self.add("bad signature", d.path, f"signed with {d.algorithm!r}, not SHA256withRSA")
            return
        if not self.keys:
            self.add("no key", d.path, "no public keys given (--public-keys FILE or --fetch-keys)")
            return
        why = self.keys.check(d.fingerprint, signature, signing_string(d.end_text, d.bucket, d.key, d.sha256,
                                                                       d.previous_signature))
        if why is None:
            self.report.signatures += 1
        elif why.startswith("signed with key"):
            self.add("no key", d.path, why)
        else:
            self.add("bad signature", d.path, why)

    def unlisted(self, owner: Path, region: str, window: list[dt.date]) -> None:
        end = self.chain_end.get((owner, region))
        lonely = 0
        for day in window:
            for path in _files(owner / LOG_FOLDER / region / f"{day:%Y/%m/%d}", self):
                self.window_files.append(path)
                if path in self.listed:
                    continue
                if end is None:
                    lonely += 1
                    continue
                when = delivered(path.name)
                if when is not None and when > end:
                    self.add("awaiting", path, f"delivered {when:%Y-%m-%dT%H:%MZ}, after the last digest "
                             f"({end:%Y-%m-%dT%H:%M:%SZ})")
                else:
                    self.add("unlisted", path, "no digest lists it")
        if lonely:
            self.add("no digests", owner / LOG_FOLDER / region, f"{count(lonely, 'log file')} in the window, "
                     "no digest of this account and region")

    # -- the listed files -----------------------------------------------------------------

    def hash_listed(self, *, progress: bool) -> None:
        items = sorted(self.listed.items())
        for path, (expected, digest) in tqdm(items, desc="hashing", unit="file", disable=not progress,
                                             file=sys.stderr, leave=False):
            if path.is_symlink():
                self.add("unreadable", path, "a symbolic link, not followed")
            elif not path.is_file():
                self.add("missing", path, f"listed in {digest.name}")
            else:
                actual = _inflated_sha256(path)
                if actual != expected:
                    self.add("modified", path, f"listed in {digest.name} with SHA-256 {expected}, "
                             + (f"its own is {actual}" if actual else "it is not the gzip file delivered"))
                else:
                    self.report.files += 1


def digest_regions(logs: str | os.PathLike) -> list[str]:
    """The regions that have a ``CloudTrail-Digest/`` folder anywhere in ``logs`` (key prefixes and
    organisation trails included): where ``ListPublicKeys`` must be asked."""
    return sorted({e.name for base in _bases(Path(logs)) for owner in _owners(base, None)
                   for e in _folders(owner / DIGEST_FOLDER)})


def _bases(root: Path) -> list[Path]:
    """The folders that hold ``AWSLogs/``: ``root`` itself, or the key prefixes below it (a sync of
    ``s3://bucket/prefix`` keeps ``prefix/``), two levels at most."""
    if (root / "AWSLogs").is_dir():
        return [root]
    below = [p.parent for pattern in ("*/AWSLogs", "*/*/AWSLogs") for p in sorted(root.glob(pattern))
             if p.is_dir() and not p.is_symlink() and not p.parent.is_symlink()]
    return below or [root]


def _owners(root: Path, accounts: list[str] | None) -> list[Path]:
    """``AWSLogs/<account>`` and ``AWSLogs/<o-id>/<account>`` folders."""
    top = root / "AWSLogs"
    found = []
    for entry in _folders(top):
        if is_org_id(entry.name):
            found += [e for e in _folders(entry) if e.name.isdigit()]
        elif entry.name.isdigit():
            found.append(entry)
    return [f for f in found if not accounts or f.name in accounts]


def _regions(owner: Path) -> list[str]:
    names = {e.name for folder in (owner / DIGEST_FOLDER, owner / LOG_FOLDER) for e in _folders(folder)}
    return sorted(names)


def _folders(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def _files(folder: Path, checks: _Checks) -> list[Path]:
    """The plain files of ``folder``; symbolic links are reported, not followed."""
    if folder.is_symlink():
        checks.add("unreadable", folder, "a symbolic link, not followed")
        return []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry.is_symlink():
            checks.add("unreadable", Path(entry.path), "a symbolic link, not followed")
        elif entry.is_file(follow_symlinks=False):
            out.append(Path(entry.path))
    return out


def _day_of(path: Path) -> dt.date | None:
    """The day of a file from its ``YYYY/MM/DD`` folders."""
    parts = path.parts
    try:
        return dt.date(int(parts[-4]), int(parts[-3]), int(parts[-2]))
    except (IndexError, ValueError):
        return None


def _inflated_sha256(path: Path) -> str | None:
    """SHA-256 of a gzip file's inflated content (every member), streamed in bounded blocks;
    ``None`` if it is not whole gzip (empty, truncated, damaged, or not gzip at all)."""
    digest = hashlib.sha256()
    stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    members, open_member = 0, False
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(READ_BLOCK), b""):
                pending = block
                while pending:
                    digest.update(stream.decompress(pending, READ_BLOCK))
                    if stream.eof:
                        members, open_member = members + 1, False
                        pending = stream.unused_data
                        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    else:
                        open_member = True
                        pending = stream.unconsumed_tail
    except (OSError, zlib.error):
        return None
    if not members or open_member:
        return None
    return digest.hexdigest()
