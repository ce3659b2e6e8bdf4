"""Flow-log text: a header line naming the fields, then one space-separated row per line (VPC Flow Logs).

The field set and order are the flow log's format, which users choose. DuckDB reads files by
their header: files are grouped by header, each group read with its own explicit column list
(no sniffing), and the groups united with every known field, null where a format lacks it.
``-`` is null; a value that is not a number in a number field reads as null, as on Athena.
Athena itself reads by position, so its table needs the format (:meth:`FlowLogText.table_columns`).

:meth:`FlowLogText.salvage` reads files whose parts differ: a file may be several files
concatenated, each header line (a line made only of known field names) starting a section
with its own format; blank lines are ignored; rows whose field count differs from their
section's header are counted and reported, never guessed at. Its records are
``(header, row)`` pairs.
"""

from __future__ import annotations

import datetime as dt
import gzip

from workbench.errors import UnreadableFiles
from workbench.formats.base import (
    MAX_OBJECT_BYTES,
    Body,
    FileCheck,
    LogFile,
    LogFormat,
    Placed,
    Salvage,
    scan_files,
    unplaceable,
)
from workbench.formats.duckdb_sql import partition_columns, partitions_table
from workbench.formats.problems import Problem, ReadResult
from workbench.formats.raw import read_text
from workbench.sources import Column, LogSource


class FlowLogText(LogFormat):
    """Space-separated text with a header line."""

    name = "flowlog_text"
    title = "flow-log text"

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = MAX_OBJECT_BYTES) -> str:
        """Rows of ``files``, every known field (DuckDB reads only the fields a query uses from CSV)."""
        files_table = partitions_table(con, source, files)
        known = _known(source)
        groups: dict[tuple[str, ...], list[str]] = {}
        for log in files:
            header = header_of(log.path)
            if not _is_header(header, known):  # checked before; changed since
                raise UnreadableFiles(f"{log.path}: its header changed since it was checked; run the query again")
            groups.setdefault(header, []).append(log.path)
        selects = []
        for i, (header, paths) in enumerate(sorted(groups.items())):
            variable = f"files_{source.name}_{i}"
            con.execute(f"SET VARIABLE {variable} = $paths", {"paths": paths})
            cols = []
            for col in source.columns:
                typ = col.type.duckdb()
                value = f'TRY_CAST(raw."{col.key}" AS {typ})' if col.key in header else f"CAST(NULL AS {typ})"
                cols.append(f'{value} AS "{col.name}"')
            selects.append(
                f"SELECT {', '.join(cols)}, {partition_columns('f', source)} "
                f"FROM {_read_sql(header, f'getvariable({chr(39)}{variable}{chr(39)})')} AS raw "
                f"JOIN {files_table} AS f ON f.path = raw.filename "
                f"WHERE raw.\"{header[0]}\" IS DISTINCT FROM '{header[0]}'"
            )
        return " UNION ALL ".join(selects)

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """Rows counted per file; a file whose header is not all known fields goes to salvage.

        Number fields that hold something else are reported (they read as null, as on Athena).
        """
        out: dict[str, FileCheck | Salvage] = {}
        groups: dict[tuple[str, ...], list[LogFile]] = {}
        known = _known(source)
        for log in files:
            try:
                header = header_of(log.path)
            except (OSError, EOFError, UnicodeError):
                header = ()
            if _is_header(header, known):
                groups.setdefault(header, []).append(log)
            else:
                out[log.path] = Salvage()
        for header, logs in groups.items():
            rows = scan_files(con, _count_sql(source, header), logs)
            for log in logs:
                row = rows.get(log.path)
                if isinstance(row, Salvage):
                    out[log.path] = row
                elif row is None:  # header only: no rows
                    out[log.path] = FileCheck(0, [], [])
                else:
                    problems = []
                    if row[1]:
                        problems.append(Problem(log.path, f"{row[1]} value(s) in number fields are not numbers "
                                                          "(read as null, as Athena does)", 0))
                    out[log.path] = FileCheck(int(row[0]), problems, [log])
        return out

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every row of ``path`` as ``(header, row)``, section by section."""
        result = ReadResult(path, source.name, shape="flow-log text")
        text = read_text(result)
        if text is None:
            return result
        known = _known(source)
        header: tuple[str, ...] | None = None
        sections = 0
        before_header, wrong_width, twice = 0, 0, set()
        for line in text.splitlines():
            tokens = line.split()
            if not tokens:
                continue
            if set(tokens) <= known:
                if len(set(tokens)) < len(tokens):  # a field named twice: which value is which?
                    twice.update(t for t in tokens if tokens.count(t) > 1)
                    header = None
                elif header != tuple(tokens):
                    header, sections = tuple(tokens), sections + 1
                continue  # a repeated header (concatenated files) starts nothing new
            if header is None:
                before_header += 1
            elif len(tokens) != len(header):
                wrong_width += 1
            else:
                result.records.append((header, tokens))
        if twice:
            result.problem(f"a header line names {', '.join(sorted(twice))} more than once; the rows under it "
                           "cannot be read (format unknown)", before_header)
        elif before_header:
            result.problem(f"{before_header} line(s) before any header line (format unknown)", before_header)
        if wrong_width:
            result.problem(f"{wrong_width} line(s) whose field count differs from their header", wrong_width)
        if header is None and not before_header and not twice:
            result.problem("no header line and no rows", 0)
        if sections > 1:
            result.shape = f"flow-log text, {sections} sections"
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        """One body per run of rows that share a header."""
        bodies, run, header = [], [], None
        for row_header, row in records + [(None, None)]:
            if row_header != header and run:
                bodies.append(Body((" ".join(header) + "\n" + "".join(" ".join(r) + "\n" for r in run)).encode()))
                run = []
            header = row_header
            if row is not None:
                run.append(row)
        return bodies

    # -- workbench import ----------------------------------------------------------------

    def claims(self, text: str, source: LogSource) -> int:
        """A first line made only of the source's fields: a header, which nothing else has."""
        first = next((line.split() for line in text.splitlines() if line.strip()), [])
        return 100 if first and set(first) <= _known(source) else 0

    def place(self, record, source: LogSource, *, account: str | None = None, region: str | None = None,
              path: str | None = None) -> Placed | str:
        """A row's account, region and day from its own fields (``start``, else ``end``); what it
        lacks from its file's S3 key when the file still has one, then from ``--account``/``--region``."""
        header, row = record
        fields = {k: v for k, v in zip(header, row) if v != "-" or k in source.record_keys.account}
        keys = source.record_keys
        key = source.parse_key(path.replace("\\", "/")) if path else None
        supplied = []
        own_account = next((fields[k] for k in keys.account if k in fields and fields[k] != "-"), "")
        row_account = own_account or (key or {}).get("account") or account or ""
        if not own_account and row_account:
            supplied.append("account" if not key else "account from the S3 key")
        own_region = next((fields[k] for k in keys.region if k in fields), None)
        row_region = own_region or (key or {}).get("region") or region
        if not own_region and row_region:
            supplied.append("region" if not key else "region from the S3 key")
        start = next((fields[k] for k in keys.time if k in fields), "")
        when = dt.datetime.fromtimestamp(int(start), dt.timezone.utc) if start.isdigit() else None
        if when is None and key is not None and not any(k in header for k in keys.time):
            when = dt.datetime.strptime(key["day"], "%Y/%m/%d").replace(tzinfo=dt.timezone.utc)
            supplied.append("day from the S3 key")
        if when is None and not any(k in header for k in keys.time):
            return ("the flow-log format has no start or end field, so a row's day is unknown: import the file "
                    "under its S3 key (.../vpcflowlogs/<region>/yyyy/mm/dd/...), or log start in the format")
        reason = unplaceable(row_account, row_region or "", when, source)
        if reason:
            return reason
        return Placed(row_account, row_region, when, order=(when, row), group=header, supplied=tuple(supplied))

    def reject(self, record) -> dict:
        header, row = record
        return {"header": " ".join(header), "row": " ".join(row)}

    def encode_for_hive(self, records: list, source: LogSource) -> bytes:
        """Every row with every field of the source, in its column order, ``-`` for none, under one header.

        Hive reads text by position; one layout for every file lets one table read flow logs
        of any format.
        """
        keys = [c.key for c in source.columns]
        lines = [" ".join(keys)]
        for header, row in records:
            fields = dict(zip(header, row))
            lines.append(" ".join(fields.get(k, "-") for k in keys))
        return ("\n".join(lines) + "\n").encode()

    def table_columns(self, source: LogSource, *, fields: str | None = None) -> tuple[Column, ...]:
        """The columns Athena reads by position: ``fields`` (a flow log's format), else AWS's default."""
        return source.columns_for(fields or source.default_fields)


def header_of(path: str) -> tuple[str, ...]:
    """The field names in a flow-log file's first line."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        return tuple(fh.readline().split())


def _is_header(tokens: tuple[str, ...], known: set[str]) -> bool:
    """Whether a first line is a header DuckDB can read by: known fields, each named once."""
    return bool(tokens) and set(tokens) <= known and len(set(tokens)) == len(tokens)


def _known(source: LogSource) -> set[str]:
    return {c.key for c in source.columns}


def _read_sql(header: tuple[str, ...], paths: str) -> str:
    """``read_csv`` of flow-log files that share ``header`` (known field names only), every field as text."""
    columns = "{" + ", ".join(f"'{field}': 'VARCHAR'" for field in header) + "}"
    return (f"read_csv({paths}, columns={columns}, delim=' ', quote='', escape='', header=true, "
            f"auto_detect=false, nullstr='-', filename=true)")


def _count_sql(source: LogSource, header: tuple[str, ...]) -> str:
    """Rows per file, and values in number fields that are not numbers."""
    numeric = [c.key for c in source.columns if c.key in header and c.type.name in ("int", "bigint")]
    first = header[0]
    bad_numbers = " + ".join(
        f"count_if(\"{k}\" IS NOT NULL AND TRY_CAST(\"{k}\" AS BIGINT) IS NULL AND \"{first}\" <> '{first}')"
        for k in numeric) or "0"
    return (f"SELECT filename, count_if(\"{first}\" IS DISTINCT FROM '{first}') AS rows_, {bad_numbers} AS bad_numbers "
            f"FROM {_read_sql(header, '$paths')} GROUP BY filename")
