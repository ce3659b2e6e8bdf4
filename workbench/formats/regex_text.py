"""Text read line by line with one regular expression: a group per column (load balancer access logs).

The expression is the source's (``LogSource.line_regex``) and is the same everywhere a line is
read: DuckDB's ``regexp_extract`` in the local view, ``java.util.regex`` behind Athena's
``RegexSerDe`` and Trino's ``REGEX`` format, and :mod:`re` in the salvage. Every column is
captured as text and cast to its type (a value that is not a number reads as null, as on Athena).

The check counts, per file, the lines and the lines the expression does not match. A file
with such a line, a control character DuckDB's reader stops at, invalid UTF-8 or a damaged
gzip stream is salvaged: every matching line is kept, the others are counted and named with
the reason, and control characters inside kept lines are shown escaped (``\\x01``), since
text stays text. Its records are the lines themselves (``str``).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from workbench.formats.base import Body, FileCheck, LogFile, LogFormat, Placed, Salvage, scan_files, unplaceable
from workbench.formats.duckdb_sql import file_list, partition_columns, partitions_table
from workbench.formats.problems import ReadResult
from workbench.formats.raw import read_text
from workbench.formats.times import parse_time
from workbench.sources import LogSource

#: Longest line DuckDB's reader takes (its own default); a longer one sends the file to salvage.
MAX_LINE_BYTES = 2 * 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RegexText(LogFormat):
    """One record per line, its fields the groups of the source's regular expression."""

    name = "regex_text"
    title = "access-log text"

    # -- DuckDB -------------------------------------------------------------------------

    def view(self, con, source: LogSource, files: list[LogFile], *, columns=None, fields=None, needles=None,
             object_bytes: int = 0) -> str:
        """Rows of healthy ``files``: each line's groups, cast to the columns' types."""
        paths, files_table = file_list(con, f"files_{source.name}", files), partitions_table(con, source, files)
        wanted = [i for i, c in enumerate(source.columns) if columns is None or c.name in columns]
        first = first_token(source.line_regex)
        # the first field is the text before the first separator: no expression needed for it, so a
        # query's guard on it (the null rows Athena makes of other lines) costs no second match
        kept = [i for i in wanted if not (first and i == 0)] or [1 if first else 0]
        names = "[" + ", ".join(f"'g{i}'" for i in kept) + "]"
        cols = []
        for i, col in enumerate(source.columns):
            typ = col.type.duckdb()
            if first and i == 0:
                value = "raw.f0" if col.type.name == "string" else f"TRY_CAST(raw.f0 AS {typ})"
                cols.append(f'{value} AS "{col.name}"' if 0 in wanted else f'CAST(NULL AS {typ}) AS "{col.name}"')
            elif i not in kept:
                cols.append(f'CAST(NULL AS {typ}) AS "{col.name}"')
            elif col.name in source.line_optional:
                cols.append(f'TRY_CAST(NULLIF(raw.r.g{i}, \'\') AS {typ}) AS "{col.name}"')
            elif col.type.name == "string":
                cols.append(f'raw.r.g{i} AS "{col.name}"')
            else:
                cols.append(f'TRY_CAST(raw.r.g{i} AS {typ}) AS "{col.name}"')
        return (
            f"SELECT {', '.join(cols)}, {partition_columns('f', source)} "
            f"FROM (SELECT regexp_extract(line, {_sql_text(captures(source.line_regex, set(kept)))}, {names}) AS r, "
            + (f"split_part(line, {_sql_text(first)}, 1) AS f0, " if first else "")
            + "filename "
            f"FROM {_read_sql(paths)} WHERE {_is_entry(source)}) AS raw "
            f"JOIN {files_table} AS f ON f.path = raw.filename"
        )

    def check(self, con, source: LogSource, files: list[LogFile], *, max_record_bytes: int) -> dict:
        """Lines per file; a file with any line the expression does not match goes to salvage."""
        sql = (f"SELECT filename, count(*) AS records, "
               f"count_if(NOT regexp_full_match(line, {_sql_text(captures(source.line_regex, set()))})) AS unmatched "
               f"FROM {_read_sql('$paths')} WHERE {_is_entry(source)} GROUP BY filename")
        rows = scan_files(con, sql, files)
        out: dict[str, FileCheck | Salvage] = {}
        for log in files:
            row = rows.get(log.path)
            if isinstance(row, Salvage):
                out[log.path] = row
            elif row is None:  # no lines at all: an empty delivery
                out[log.path] = FileCheck(0, [], [])
            elif row[1]:
                out[log.path] = Salvage()
            else:
                out[log.path] = FileCheck(int(row[0]), [], [log])
        return out

    # -- Python -------------------------------------------------------------------------

    def salvage(self, path: str, source: LogSource, *, max_record_bytes: int | None = None) -> ReadResult:
        """Every line of ``path`` the expression matches; the others counted with the reason."""
        result = ReadResult(path, source.name, shape=self.title)
        text = read_text(result)
        if text is None:
            return result
        pattern = _compiled(source.line_regex)
        unmatched, escaped, first_bad = 0, 0, None
        limit = max_record_bytes or MAX_LINE_BYTES
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.rstrip("\r")
            if not line.strip() or (source.comment_prefix and line.startswith(source.comment_prefix)):
                continue
            if _CONTROL.search(line):
                line, escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line), escaped + 1
            if len(line) <= limit and pattern.fullmatch(line):
                result.records.append(line)
            else:
                unmatched += 1
                first_bad = first_bad or number
        if unmatched:
            result.problem(f"{unmatched} line(s) are not in the {source.title} format (first: line {first_bad}); "
                           "the other lines are kept", unmatched)
        if escaped:
            result.problem(f"{escaped} line(s) hold control characters, shown escaped (\\xNN)", 0)
        if not result.records and not unmatched:
            result.problem("no entries", 0)
        return result

    def encode(self, records: list, source: LogSource | None = None) -> list[Body]:
        header = source.file_header if source is not None else ""
        return [Body((header + "".join(line + "\n" for line in records)).encode())]

    # -- workbench import ----------------------------------------------------------------

    def claims(self, text: str, source: LogSource) -> int:
        """A first line the source's expression matches: as sure as a header (nothing else matches)."""
        skip = source.comment_prefix or "\n"  # "\n" starts no line
        first = next((line.rstrip("\r") for line in text.split("\n") if line.strip() and not line.startswith(skip)),
                     "")
        return 100 if first and _compiled(source.line_regex).fullmatch(first) else 0

    def place(self, record, source: LogSource, *, account: str | None = None, region: str | None = None,
              path: str | None = None) -> Placed | str:
        """A line's day from its own time; account and region from its file's S3 key, else
        ``--account``/``--region`` (access-log lines do not say them)."""
        match = _compiled(source.line_regex).fullmatch(record)
        if not match:
            return f"not in the {source.title} format"
        values = dict(zip((c.key for c in source.columns), match.groups()))
        times = (" ".join(values.get(part) or "" for part in k.split("+")) for k in source.record_keys.time)
        when = next((parse_time(t) for t in times if parse_time(t)), None)
        key = source.parse_key(path.replace("\\", "/")) if path else None
        supplied = []
        where_account = (key or {}).get("account") or account or ""
        where = (key or {}).get("region") or region or "" if source.regional else ""
        if not key:
            supplied += [name for name, given in (("account", account), ("region", region)) if given]
        named_scope = (values[k] for k in source.record_keys.scope
                       if re.fullmatch(source.scope_pattern, values.get(k) or ""))
        scope = (key or {}).get("scope", "") or next(named_scope, "")
        if source.scope_partition and not scope:
            name = os.path.basename(path or "")
            named = re.fullmatch(source.scope_from_name, name) if source.scope_from_name else None
            if not named:
                where = "/".join(source.record_keys.scope)
                return (f"no {source.scope_partition.replace('_', ' ')}" + (f" in {where}" if where else "")
                        + f": import {source.title} under their S3 key "
                        f"(AWSLogs/<account>/{source.service_folder}/<{source.scope_partition}>/...) or with the "
                        "file names AWS gives them")
            scope = named.group("scope")
        reason = unplaceable(where_account, where, when, source)
        if reason:
            if not where_account or (source.regional and not where):
                asked = "--account and --region" if source.regional else "--account"
                reason += (f" ({source.title} do not name their account{' and region' * source.regional}: import "
                           f"them under their S3 key (AWSLogs/<account>/{source.service_folder}/...), or give {asked})")
            return reason
        return Placed(where_account, where, when, order=(when, record), supplied=tuple(supplied), scope=scope)

    def reject(self, record) -> dict:
        return {"line": record}

    def encode_for_hive(self, records: list, source: LogSource) -> bytes:
        """The lines as they are, after the source's header: Athena and Trino read them with the same expression."""
        return (source.file_header + "".join(line + "\n" for line in records)).encode()


@lru_cache(maxsize=8)
def _compiled(regex: str) -> re.Pattern:
    return re.compile(regex)


@lru_cache(maxsize=64)
def _captures(regex: str, keep: frozenset) -> str:
    out, group, i = [], 0, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i:i + 2])
            i += 2
        elif char == "[":  # a class: copied whole (a "(" in it is no group; a leading "]" is a member)
            start = i + 1 + (regex[i + 1] == "^")
            end = regex.index("]", start + (regex[start] == "]"))
            out.append(regex[i:end + 1])
            i = end + 1
        elif char == "(" and regex[i + 1:i + 2] != "?":
            out.append("(" if group in keep else "(?:")
            group += 1
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


#: An expression whose first group is "everything up to the first space (or tab)", then that separator.
_FIRST = re.compile(r"\^\(\[\^( |\\t)\]\*\)(?: |\\t)")


def first_token(regex: str) -> str:
    r"""The separator after the first field, when ``regex`` starts ``^([^ ]*) `` (or the same with a tab).

    Then the first field of a line the expression matches is the text before that separator.

    Examples
    --------
    >>> first_token("^([^ ]*) ([0-9]*)$"), first_token("^([^\\t]*)\\t(.*)$"), first_token("^(a+) (b)$")
    (' ', '\t', '')
    """
    match = _FIRST.match(regex)
    if not match:
        return ""
    return "\t" if match.group(1) == "\\t" else " "


def captures(regex: str, keep: set[int]) -> str:
    """``regex`` with only the capturing groups numbered in ``keep`` (from 0) still capturing.

    The others become non-capturing groups, so they match the same text: DuckDB's expression
    engine (RE2) runs much faster when it has fewer groups to report, and a query reads few columns.

    Examples
    --------
    >>> captures(r"(a+) ([^ )]*) (c|d)", {2})
    '(?:a+) (?:[^ )]*) (c|d)'
    """
    return _captures(regex, frozenset(keep))


def _sql_text(text: str) -> str:
    """A SQL string literal of the project's own constant (a source's expression), quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def _is_entry(source: LogSource) -> str:
    """The condition a read line must meet to be an entry: not empty, not a header line."""
    comment = f" AND NOT starts_with(line, {_sql_text(source.comment_prefix)})" if source.comment_prefix else ""
    return f"line IS NOT NULL AND line <> ''{comment}"


def _read_sql(paths: str) -> str:
    """Each line of the files whole, as one text column (``line``), with the file name.

    The column separator is a control character (\\x01), never in an entry's text: a line holding
    one is not read here but salvaged, and a tab stays in its line (CloudFront's separator).
    """
    return (f"read_csv({paths}, columns={{'line': 'VARCHAR'}}, delim=chr(1), quote='', escape='', header=false, "
            f"auto_detect=false, filename=true, max_line_size={MAX_LINE_BYTES})")
