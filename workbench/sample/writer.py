"""S3 key layout, deterministic gzip and file writing.

Keys follow exactly what AWS delivers (see ``AWS_LOG_FORMATS.md``).  Compression is
ISA-L's deflate (``isal``, several times faster than zlib at the same ratio) behind a
fixed gzip header (mtime 0, no file name, OS "unknown"), so the same arguments give
byte-identical files on every run with the same ``isal`` build.
"""

from __future__ import annotations

import json
import os
import struct
from bisect import bisect_left
from operator import itemgetter
from pathlib import Path

from isal import isal_zlib

from workbench.integrity.digest import signing_string
from workbench.integrity.layout import METADATA_SUFFIX

from . import digest_signer, ids, trail_files, vpcflow

COMPRESSLEVEL = 1  # ISA-L levels are 0-3; 1 compresses sample logs as well as zlib's level 3
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
SLOT = 900  # CloudTrail delivers a file per account and region about every 15 minutes


def gzip_bytes(data: bytes, level: int = COMPRESSLEVEL) -> bytes:
    """Gzip ``data`` with a header that does not depend on time or file name."""
    return b"".join((_GZIP_HEADER, isal_zlib.compress(data, level, wbits=-15),
                     struct.pack("<II", isal_zlib.crc32(data), len(data) & 0xFFFFFFFF)))


def ymd(t: int) -> str:
    """``YYYY/MM/DD`` folder of an epoch time."""
    return ids.iso(t)[:10].replace("-", "/")


def trail_prefix(org, account_id: str) -> str:
    """``AWSLogs/<org>/<acct>`` for an organisation trail, ``AWSLogs/<acct>`` otherwise."""
    return f"AWSLogs/{org.org_id}/{account_id}" if org.org_id else f"AWSLogs/{account_id}"


def trail_bucket(org, account) -> str:
    return org.accounts[0].trail_bucket if org.org_id else account.trail_bucket


class Writer:
    """Writes objects under ``root`` by S3 key and counts what it wrote."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self._dirs: set[str] = set()
        self.files: dict[str, int] = {}
        self.bytes = 0

    def put(self, key: str, data: bytes, *, kind: str, compress: bool = True) -> None:
        """Write ``data`` (gzipped unless ``compress`` is False) at ``key``; count it under ``kind``."""
        folder = key.rpartition("/")[0]
        if folder not in self._dirs:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self._dirs.add(folder)
        blob = gzip_bytes(data) if compress else data
        fd = os.open(os.path.join(self.root, key), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view, done = memoryview(blob), 0
            while done < len(blob):
                done += os.write(fd, view[done:])
        finally:
            os.close(fd)
        self.files[kind] = self.files.get(kind, 0) + 1
        self.bytes += len(blob)


def write_cloudtrail_day(w: Writer, org, day_index: int, records: dict, accounts=None) -> list[dict]:
    """One file per account, region and 15-minute slot; returns file facts for the digests.

    ``records`` maps ``(account_id, region)`` to ``[(epoch, json_text), ...]``; ``accounts``
    (default: all) limits the files to those accounts.  A file is named after the end of
    its slot (its delivery time); the last slot of a day is named ``T2359Z`` rather than
    the next day's ``T0000Z``, so a name's date is always its folder's date and no file
    spans midnight.
    """
    t0 = ids.epoch(org.day(day_index))
    folder = ymd(t0)
    metas = []
    for acct in org.accounts if accounts is None else accounts:
        prefix = trail_prefix(org, acct.id)
        for region in org.trail_regions:
            recs = records.get((acct.id, region))
            if not recs:
                continue
            recs.sort(key=itemgetter(0))
            r = ids.rng(org.seed, "cloudtrail-files", acct.id, region, day_index)
            times, texts = list(map(itemgetter(0), recs)), list(map(itemgetter(1), recs))
            i, n = 0, len(recs)
            while i < n:
                limit = t0 + ((times[i] - t0) // SLOT + 1) * SLOT
                j = bisect_left(times, limit, i)
                body = _records_body(texts[i:j])
                named = min(limit, t0 + 86340)
                key = (f"{prefix}/CloudTrail/{region}/{folder}/{acct.id}_CloudTrail_{region}_{ids.stamp(named)}_"
                       f"{ids.alnum(r, 16, ids.MIXED_ALNUM)}.json.gz")
                w.put(key, body, kind="cloudtrail")
                metas.append({"account": acct.id, "region": region, "key": key, "delivered": named,
                              "sha256": trail_files.sha256(body), "oldest": times[i], "newest": times[j - 1],
                              "events": j - i})
                i = j
    return metas


def _records_body(texts: list[str]) -> bytes:
    """``{"Records":[...]}`` around the JSON texts of records, built with a single join."""
    texts[0] = '{"Records":[' + texts[0]
    texts[-1] += "]}"
    return ",".join(texts).encode()


def write_digests(w: Writer, org, metas: list[dict], accounts=None, regions=None) -> None:
    """Hourly digest files per account and trail region, chained by previous-digest hashes and
    signed with the sample's test key (the signature beside each digest, as ``workbench sync``
    records S3 metadata). The chain runs one digest past the last day, which lists that day's
    last files, as CloudTrail's next digest would.

    ``accounts`` and ``regions`` (default: all) limit the chains written to those.
    """
    by_stream: dict[tuple[str, str], list[dict]] = {}
    for m in metas:
        by_stream.setdefault((m["account"], m["region"]), []).append(m)
    for acct in org.accounts if accounts is None else accounts:
        prefix, bucket = trail_prefix(org, acct.id), trail_bucket(org, acct)
        for region in org.trail_regions if regions is None else regions:
            files = sorted(by_stream.get((acct.id, region), []), key=itemgetter("delivered", "key"))
            r = ids.rng(org.seed, "digests", acct.id, region)
            previous, k = None, 0
            t0 = ids.epoch(org.day(0))
            for hour in range(org.days * 24 + 1):
                end = t0 + hour * 3600 + trail_files.DIGEST_OFFSET
                start = end - 3600
                covered = []
                while k < len(files) and files[k]["delivered"] <= end:
                    if files[k]["delivered"] > start:
                        covered.append(files[k])
                    k += 1
                key = (f"{prefix}/CloudTrail-Digest/{region}/{ymd(end)}/{acct.id}_CloudTrail-Digest_{region}_"
                       f"{org.trail_name}_us-east-1_{ids.stamp(end, seconds=True)}.json.gz")
                doc = trail_files.digest(org, acct, region, start, end, covered, previous, bucket, key, r)
                body = json.dumps(doc, separators=(",", ":")).encode()
                sha = trail_files.sha256(body)
                signature = digest_signer.sign(signing_string(doc["digestEndTime"], bucket, key, sha,
                                                              previous["signature"] if previous else None))
                w.put(key, body, kind="cloudtrail_digest")
                w.put(key + METADATA_SUFFIX, json.dumps({"signature": signature,
                                                         "signature-algorithm": "SHA256withRSA"}).encode(),
                      kind="cloudtrail_digest_signature", compress=False)
                previous = {"key": key, "sha256": sha, "signature": signature}


def write_insights(w: Writer, org, insights: list[tuple[str, str, int, dict]]) -> None:
    """Each Insights event in its own file, delivered some minutes after the event."""
    for n, (account_id, region, t, rec) in enumerate(sorted(insights, key=lambda x: (x[0], x[1], x[2]))):
        r = ids.rng(org.seed, "insight-files", account_id, region, t, n)
        t0 = t - t % 86400
        named = min(t + 600 - t % 300, t0 + 86340)
        key = (f"{trail_prefix(org, account_id)}/CloudTrail-Insight/{region}/{ymd(t)}/{account_id}_CloudTrail-Insight_"
               f"{region}_{ids.stamp(named)}_{ids.alnum(r, 16, ids.MIXED_ALNUM)}.json.gz")
        w.put(key, json.dumps({"Records": [rec]}, separators=(",", ":")).encode(), kind="cloudtrail_insight")


def write_config(w: Writer, org) -> None:
    """One Config snapshot per account (first region, first day) and Config's writability check."""
    for acct in org.accounts:
        region = org.regions[0]
        r = ids.rng(org.seed, "config", acct.id)
        t = ids.epoch(org.start) + 6 * 3600 + r.randrange(3600)
        day = org.start
        key = (f"AWSLogs/{acct.id}/Config/{region}/{day.year}/{day.month}/{day.day}/ConfigSnapshot/"
               f"{acct.id}_Config_{region}_ConfigSnapshot_{ids.stamp(t, seconds=True)}_{ids.uuid4(r)}.json.gz")
        w.put(key, json.dumps(trail_files.config_snapshot(org, acct, region, t, r), separators=(",", ":")).encode(),
              kind="config")
        w.put(f"AWSLogs/{acct.id}/Config/ConfigWritabilityCheckFile", b"", kind="config", compress=False)


def write_flows_day(w: Writer, org, account, site, day_index: int, log: vpcflow.FlowLog) -> int:
    """One flow-log file per hour for one VPC; returns the number of records written.

    Records go to the file of the hour their capture window starts in; names carry the
    end of that hour (``T2359Z`` for the last one), like CloudTrail files.
    """
    t0 = ids.epoch(org.day(day_index))
    folder = ymd(t0)
    r = ids.rng(org.seed, "flow-files", account.id, site.region, day_index)
    for hour, text in log.hours(t0):
        named = min(t0 + (hour + 1) * 3600, t0 + 86340)
        key = (f"AWSLogs/{account.id}/vpcflowlogs/{site.region}/{folder}/{account.id}_vpcflowlogs_{site.region}_"
               f"{site.flow_log_id}_{ids.stamp(named)}_{ids.hex_id(r, 8)}.log.gz")
        w.put(key, text.encode(), kind="vpcflow")
    return log.count


def write_guardduty(w: Writer, org, findings: list) -> int:
    """Group exports by account, region and export time into ``.jsonl.gz`` files."""
    end = ids.epoch(org.start) + org.days * 86400
    batches: dict[tuple[str, str, int], list] = {}
    for f in findings:
        for e in f.exports:
            if e[0] < end:
                batches.setdefault((f.account, f.region, e[0]), []).append((f.id, f, e))
    for (account_id, region, t) in sorted(batches):
        r = ids.rng(org.seed, "guardduty-files", account_id, region, t)
        lines = [json.dumps(f.render(e), separators=(",", ":")) for _, f, e in sorted(batches[(account_id, region, t)], key=itemgetter(0))]
        key = f"AWSLogs/{account_id}/GuardDuty/{region}/{ymd(t)}/{ids.uuid4(r)}.jsonl.gz"
        w.put(key, ("\n".join(lines) + "\n").encode(), kind="guardduty")
    return sum(len(v) for v in batches.values())
