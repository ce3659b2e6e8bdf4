"""The query library: SQL files in the Athena dialect, each with a header that is its contract.

A query file answers one question::

    -- name: console_logins
    -- source: cloudtrail
    -- description: One row per console sign-in ...
    -- params:
    --   start     date          first day (inclusive, UTC)
    --   end       date          last day (inclusive, UTC)
    --   accounts  list<string>  = []  account ids to keep; empty keeps all
    -- returns: event_time, account_id, ...
    SELECT ... FROM cloudtrail WHERE day BETWEEN replace(:start, '-', '/') AND ...

Parameters are ``:name`` placeholders. They are bound by the engine, never formatted into
the SQL text. Parameter types: ``date`` (``YYYY-MM-DD``, bound as that string), ``string``,
``int`` and ``list<string>`` (comma-separated on the command line).

The library is the ``queries/`` folder shipped with the package, plus any folders named in
the ``WORKBENCH_QUERY_PATH`` environment variable (``os.pathsep``-separated), so teams can
keep their own queries beside the built-in ones. A name defined twice is refused, never
silently replaced, and every result names the file its query came from.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from workbench.errors import QueryDefinitionError, UsageError
from workbench.settings import parse_list, query_path, shipped_dir
from workbench.sources import get_source
from workbench.words import did_you_mean

#: The SQL dialect query files are written in (Athena engine v3, i.e. Trino).
DIALECT = "athena"

PARAM_TYPES = ("date", "string", "int", "list<string>")

_HEADER_KEY = re.compile(
    r"^--\s*(name|source|description|params|returns|id|title|severity|tactics|techniques|false_positives|judge):\s*(.*)$")

#: Header keys a detection rule adds (:mod:`workbench.detections`); kept in :attr:`Query.meta`.
RULE_KEYS = ("id", "title", "severity", "tactics", "techniques", "false_positives", "judge")
_PARAM_LINE = re.compile(
    r"^--\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>date|string|int|list<string>)"
    r"(?:\s+=\s*(?P<default>\[\]|\S+))?\s+(?P<doc>.+)$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Param:
    """One declared query parameter.

    Attributes
    ----------
    name : str
        Placeholder name (``:name`` in the SQL).
    type : str
        One of :data:`PARAM_TYPES`.
    doc : str
        What it means, for ``workbench queries`` and ``--help``.
    default : object
        Value used when the caller gives none; ``required`` is true when there is none.
    """

    name: str
    type: str
    doc: str
    default: object = None
    required: bool = True

    def coerce(self, value: object) -> object:
        """Check and convert a value given by a caller or on the command line.

        Raises
        ------
        UsageError
            Naming the parameter, the value and the expected form.
        """
        if self.type == "list<string>":
            try:
                return parse_list(value)
            except UsageError as err:
                raise UsageError(f"parameter {self.name}: {err}") from None
        if self.type == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, dt.date):
                return value.isoformat()
            text = str(value).strip()
            if not _DATE.match(text):
                raise UsageError(f"parameter {self.name}: expected a day as YYYY-MM-DD, got {value!r}")
            try:
                dt.date.fromisoformat(text)
            except ValueError as err:
                raise UsageError(f"parameter {self.name}: {text!r} is not a valid day ({err})") from None
            return text
        if self.type == "int":
            try:
                return int(value)
            except (TypeError, ValueError):
                raise UsageError(f"parameter {self.name}: expected an integer, got {value!r}") from None
        if value is None:
            raise UsageError(f"parameter {self.name}: a value is required")
        return str(value)


@dataclass(frozen=True)
class Query:
    """A parsed query file (or an ad-hoc SQL text).

    Attributes
    ----------
    name : str
        The query's name (``console_logins``); ``"adhoc"`` for SQL given directly.
    source : str
        The log source it reads first (``cloudtrail``).
    description : str
        One paragraph.
    params : tuple of Param
        Declared parameters, in header order.
    returns : tuple of str
        Declared result columns, in order.
    sql : str
        The SQL body in the Athena dialect (header included, as written).
    path : Path or None
        The file it came from.
    """

    name: str
    source: str
    description: str
    params: tuple[Param, ...]
    returns: tuple[str, ...]
    sql: str
    path: Path | None = None
    placeholders: tuple[str, ...] = field(default=())
    meta: tuple[tuple[str, str], ...] = field(default=())

    def header(self, key: str, default: str = "") -> str:
        """A header value beyond the query contract (a detection rule's ``id``, ``severity``...)."""
        return dict(self.meta).get(key, default)

    @property
    def qualified_name(self) -> str:
        """``source/name``, as the query is filed under ``queries/``."""
        return f"{self.source}/{self.name}"

    def bind(self, params: dict | None = None) -> dict:
        """Apply defaults, check and convert ``params``; return the values to bind.

        Raises
        ------
        UsageError
            For an unknown parameter, a missing required one, or a value of the wrong form.
        """
        given = dict(params or {})
        declared = {p.name: p for p in self.params}
        if self.path is None and not declared:  # ad-hoc SQL: bind what is given, as given
            missing = [n for n in self.placeholders if n not in given]
            if missing:
                raise UsageError(f"SQL uses parameter(s) {', '.join(missing)} with no value given")
            return {n: given[n] for n in self.placeholders}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise UsageError(
                f"query {self.name} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared) or '(none)'}"
            )
        values = {}
        for param in self.params:
            if param.name in given and given[param.name] is not None:
                values[param.name] = param.coerce(given[param.name])
            elif param.required:
                raise UsageError(
                    f"query {self.name} needs parameter {param.name} ({param.type}: {param.doc}); "
                    f"give it as -p {param.name}=..."
                )
            else:
                values[param.name] = param.coerce(param.default)
        return values

    @property
    def statement(self) -> exp.Expression:
        """The parsed SQL (parsed once per text and shared: copy it before changing it)."""
        return parse_sql(self.sql, where=self.name)

    def to_duckdb(self) -> str:
        """The SQL in DuckDB's dialect (placeholders become ``$name``), made once per text."""
        parse_sql(self.sql, where=self.name)  # a query that does not parse is named here, with its error
        return _duckdb_text(self.sql)


def parse_sql(sql: str, *, where: str = "query") -> exp.Expression:
    """Parse Athena SQL, raising :class:`QueryDefinitionError` naming ``where`` on failure.

    A text is parsed once and its tree shared by every caller (the engines, the pruning and
    column analyses): copy it (``.copy()``) before changing it.
    """
    try:
        return _parsed(sql)
    except sqlglot.errors.ParseError as err:
        raise QueryDefinitionError(f"{where}: SQL does not parse as Athena SQL: {err}") from None
    except _StatementCount as err:
        raise QueryDefinitionError(f"{where}: expected one SQL statement, found {err.args[0]}") from None


class _StatementCount(Exception):
    """A text that holds no statement or several."""


@lru_cache(maxsize=512)
def _parsed(sql: str) -> exp.Expression:
    statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    if len(statements) != 1:
        raise _StatementCount(len(statements))
    return statements[0]


@lru_cache(maxsize=512)
def _duckdb_text(sql: str) -> str:
    return _parsed(sql).sql(dialect="duckdb", comments=False)


def placeholders(expression: exp.Expression) -> tuple[str, ...]:
    """Names of the ``:name`` placeholders in a parsed statement, in first-use order."""
    names: list[str] = []
    for node in expression.find_all(exp.Placeholder):
        if not node.name:
            raise QueryDefinitionError("positional '?' placeholders are not supported; use :name")
        if node.name not in names:
            names.append(node.name)
    return tuple(names)


def parse_query_text(text: str, *, path: Path | None = None) -> Query:
    """Parse a query file's text: header, then SQL; check that they agree.

    Raises
    ------
    QueryDefinitionError
        Naming the file and what is wrong: a missing header key, a malformed parameter
        line, parameters that differ from the placeholders, or SQL that does not parse.
    """
    where = str(path) if path else "query"
    header, params = _read_header(text, where)
    statement = parse_sql(text, where=where)
    used = placeholders(statement)
    returns = tuple(parse_list(header["returns"]))
    _check_contract(statement, where, used=used, declared=[p.name for p in params], returns=returns,
                    judged=bool(header.get("judge")))
    if returns == ("*",):  # every column of the source's table, then its partitions, as the table has them
        table = get_source(header["source"])
        returns = tuple(c.name for c in table.columns) + tuple(table.partitions)
    meta = tuple((k, header[k]) for k in RULE_KEYS if header.get(k))
    return Query(name=header["name"], source=header["source"], description=header["description"],
                 params=tuple(params), returns=returns, sql=text, path=path, placeholders=used, meta=meta)


def _read_header(text: str, where: str) -> tuple[dict[str, str], list[Param]]:
    """The ``-- key: value`` lines before the SQL, and the parameter lines under ``-- params:``."""
    header: dict[str, str] = {}
    params: list[Param] = []
    section = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        key = _HEADER_KEY.match(stripped)
        if key:
            section = key.group(1)
            header[section] = key.group(2).strip()
        elif section == "params":
            params.append(_param(stripped, where))
        elif section in ("description", "returns", "false_positives"):
            header[section] += " " + stripped.lstrip("-").strip()
    for key in ("name", "source", "description", "returns"):
        if not header.get(key):
            raise QueryDefinitionError(f"{where}: header has no '-- {key}:' line")
    return header, params


def _param(line: str, where: str) -> Param:
    """One ``--   name  type  [= default]  description`` line."""
    match = _PARAM_LINE.match(line)
    if not match:
        raise QueryDefinitionError(
            f"{where}: cannot read parameter line {line!r}; "
            "expected '--   name  type  [= default]  description' with type one of " + ", ".join(PARAM_TYPES)
        )
    default_text = match.group("default")
    param = Param(match.group("name"), match.group("type"), match.group("doc").strip(), required=default_text is None)
    if default_text is None:
        return param
    default = [] if default_text == "[]" else default_text
    return Param(param.name, param.type, param.doc, param.coerce(default), required=False)


def _check_contract(statement: exp.Expression, where: str, *, used: tuple[str, ...], declared: list[str],
                    returns: tuple[str, ...], judged: bool = False) -> None:
    """The SQL keeps the header's promises: its parameters, where they stand, what it returns.

    A detection rule with a judge may declare parameters its SQL does not use: the judge's thresholds.
    """
    if (not set(used) <= set(declared)) if judged else sorted(used) != sorted(declared):
        raise QueryDefinitionError(
            f"{where}: declared parameters {sorted(declared)} differ from placeholders {sorted(used)}"
        )
    outside = sorted({p.name for p in statement.find_all(exp.Placeholder) if not p.find_ancestor(exp.Where)})
    if outside:
        raise QueryDefinitionError(
            f"{where}: parameter(s) {', '.join(':' + n for n in outside)} outside a WHERE clause; "
            "Athena accepts execution parameters only in WHERE clauses (filter in a subquery instead)"
        )
    selected = tuple(statement.named_selects) if isinstance(statement, exp.Query) else ()
    if selected and "*" not in selected and selected != returns:
        raise QueryDefinitionError(
            f"{where}: '-- returns:' lists {list(returns)} but the query returns {list(selected)}"
        )


def adhoc_query(sql: str) -> Query:
    """Wrap SQL given directly (not a file) so that engines can run it."""
    statement = parse_sql(sql, where="SQL")
    return Query("adhoc", "", "ad-hoc SQL", (), (), sql, None, placeholders(statement))


def query_dirs() -> list[Path]:
    """Folders searched for query files: the built-in library, then ``WORKBENCH_QUERY_PATH``."""
    builtin = shipped_dir("queries")
    return ([builtin] if builtin else []) + query_path()


@cache
def _load(path: Path, mtime: float) -> Query:
    return parse_query_text(path.read_text(encoding="utf-8"), path=path)


def _library() -> tuple[dict[str, Query], dict[str, list[Path]]]:
    """The queries by ``source/name`` (the first folder that has one wins) and the names defined twice."""
    found: dict[str, Query] = {}
    twice: dict[str, list[Path]] = {}
    for folder in query_dirs():
        for path in sorted(folder.glob("*/*.sql")):
            query = _load(path, path.stat().st_mtime)
            expected = f"{path.parent.name}/{path.stem}"
            if query.qualified_name != expected:
                raise QueryDefinitionError(
                    f"{path}: header says {query.qualified_name!r}; the file must be {expected}.sql"
                )
            if query.qualified_name in found:
                twice.setdefault(query.qualified_name, [found[query.qualified_name].path]).append(path)
                continue
            found[query.qualified_name] = query
    return found, twice


def list_queries() -> list[Query]:
    """Every query in the library, sorted by ``source/name``.

    A query of ``WORKBENCH_QUERY_PATH`` never replaces one of the same name: the first folder's
    stands here, and :func:`get_query` refuses the name (:func:`shadowed` lists them).
    """
    found, _ = _library()
    return [found[k] for k in sorted(found)]


def is_builtin(path: str | os.PathLike | None) -> bool:
    """Whether a query file is one of the library shipped with the package (``None``, ad-hoc SQL, is not a file)."""
    if path is None:
        return True
    builtin = shipped_dir("queries")
    return builtin is not None and builtin in Path(path).resolve().parents


def shadowed() -> dict[str, list[Path]]:
    """``source/name`` -> the files that define it, for every query defined more than once."""
    return _library()[1]


def get_query(name: str) -> Query:
    """Find a query by ``name`` or ``source/name``.

    Raises
    ------
    UsageError
        If no query or more than one has that name (listing the candidates), or if two query
        files define it (a query of ``WORKBENCH_QUERY_PATH`` would silently replace another).
    """
    name = name.strip().removesuffix(".sql")
    found, twice = _library()
    queries = [found[k] for k in sorted(found)]
    matches = [q for q in queries if name in (q.qualified_name, q.name)]
    for query in matches:
        if query.qualified_name in twice:
            files = " and ".join(str(p) for p in twice[query.qualified_name])
            raise UsageError(
                f"query {query.qualified_name} is defined twice, in {files}: the workbench will not pick one "
                "for you (a query of WORKBENCH_QUERY_PATH must not replace a built-in one unseen); rename "
                "yours (its file and its '-- name:' line)")
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            f"query name {name!r} is ambiguous: {', '.join(q.qualified_name for q in matches)}"
        )
    names = {q.name: q.qualified_name for q in queries}
    close = [names[n] for n in did_you_mean(name.split("/")[-1], names)]
    hint = (f"; did you mean {' or '.join(close)}?" if close else "") + "; 'workbench queries' lists them all"
    raise UsageError(f"no query called {name!r}{hint}")
