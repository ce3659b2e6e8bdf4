"""The Trino engine: the query library on any Trino (or Starburst), the engine Athena runs on.

For each query it

1. refuses reads of a log table with no time bound (the guard every engine shares);
2. sends the query text as written, with ``:name`` placeholders turned into ``?``, as a prepared
   statement, and binds the values with ``EXECUTE ... USING`` in the same literal forms the Athena
   engine passes as execution parameters (:mod:`workbench.engines.athena.params`): values never
   enter the query's text;
3. returns the rows as a DataFrame, and reports what Trino read from storage (its physical input
   bytes).

The tables are the Athena tables, made in Trino's Hive connector by ``workbench ddl --trino``
(the same columns and partition projection). Connection problems, refused credentials and missing
catalogs, schemas or tables come back as one error that says what to fix.
"""

from __future__ import annotations

import importlib

import pandas as pd

from workbench.distribution import install_hint
from workbench.engines.athena.params import execution_parameters
from workbench.engines.base import Engine, ScanReport
from workbench.engines.pruning import TableRead
from workbench.engines.trino.settings import TrinoSettings, resolve_settings
from workbench.errors import QueryFailed, WorkbenchError
from workbench.library import Query

#: What to install for the Trino engine.
INSTALL_HINT = install_hint("trino")

_MISSING = {"TABLE_NOT_FOUND": "table", "SCHEMA_NOT_FOUND": "schema", "CATALOG_NOT_FOUND": "catalog"}


class TrinoUnavailable(WorkbenchError):
    """No Trino answers at the configured address, or the client package is missing."""


class TrinoAuthRefused(WorkbenchError):
    """Trino refused the user or password."""


class TrinoTableMissing(QueryFailed):
    """The catalog, schema or table a query reads does not exist on the Trino."""


class TrinoEngine(Engine):
    """Run library queries (or SQL) on a Trino over the Athena tables.

    Parameters
    ----------
    host, port, http_scheme : optional
        Where Trino is (default ``localhost``, ``8080``, ``http``).
    catalog, schema : str, optional
        Where the log tables are (default ``hive``, ``security_logs``, as ``workbench ddl`` names it).
    user, password : str, optional
        Who queries; a password (HTTP basic authentication) needs ``https``.
    logs : object, optional
        Ignored, so that ``workbench.connect(name, logs=...)`` switches engines by name alone.

    Every setting not given falls back to ``WORKBENCH_TRINO_<NAME>``, then the config file
    (:mod:`workbench.engines.trino.settings`).

    Examples
    --------
    >>> import workbench
    >>> engine = workbench.connect("trino", host="trino.internal", schema="security_logs")   # doctest: +SKIP
    >>> engine.query("root_activity", {"start": "2026-11-01", "end": "2026-11-07"})        # doctest: +SKIP
    """

    name = "trino"

    def __init__(self, *, host=None, port=None, http_scheme=None, catalog=None, schema=None, user=None,
                 password=None, logs: object = None):
        super().__init__()
        self.settings: TrinoSettings = resolve_settings(host=host, port=port, http_scheme=http_scheme,
                                                        catalog=catalog, schema=schema, user=user, password=password)
        self.trino = _client()
        self._connection = None
        self.last_sql: str | None = None
        self.last_parameters: list[str] = []
        self._statements = 0

    def __repr__(self) -> str:
        s = self.settings
        return f"TrinoEngine({s.url}, catalog={s.catalog!r}, schema={s.schema!r}, user={s.user!r})"

    @property
    def connection(self):
        """The DB-API connection (opened at the first query)."""
        if self._connection is None:
            s = self.settings
            auth = self.trino.auth.BasicAuthentication(s.user, s.password) if s.password else None
            self._connection = self.trino.dbapi.connect(host=s.host, port=s.port, http_scheme=s.http_scheme,
                                                        user=s.user, catalog=s.catalog, schema=s.schema,
                                                        auth=auth if auth else self.trino.constants.DEFAULT_AUTH)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- the one method an engine writes ----------------------------------------------

    def execute(self, query: Query, values: dict, reads: list[TableRead]):
        sql, parameters = execution_parameters(query, values)
        self.last_sql, self.last_parameters = sql, parameters
        with _Translate(self, query):
            cursor = self.connection.cursor()
            if parameters:
                self._statements += 1
                name = f"workbench_{self._statements}"
                cursor.execute(f"PREPARE {name} FROM {sql}")
                cursor.fetchall()
                cursor.execute(f"EXECUTE {name} USING " + ", ".join(parameters))
            else:
                cursor.execute(sql)
            rows = cursor.fetchall()
            columns = [(d[0], d[1]) for d in cursor.description or ()]
            stats = dict(cursor.stats or {})
            if parameters:
                cursor.execute(f"DEALLOCATE PREPARE {name}")
                cursor.fetchall()
        frame = _frame(rows, columns)
        report = ScanReport(engine=self.name, query=query.name,
                            scanned_bytes=int(stats.get("physicalInputBytes") or 0))
        return frame, report


class _Translate:
    """Turns what the client raises into errors that say what to fix."""

    def __init__(self, engine: TrinoEngine, query: Query):
        self.engine, self.query = engine, query

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if err is None or isinstance(err, WorkbenchError):
            return False
        s = self.engine.settings
        exceptions = self.engine.trino.exceptions
        name = getattr(err, "error_name", "")
        if name in _MISSING:
            raise TrinoTableMissing(
                f"{self.query.name}: {getattr(err, 'message', err)}; the {_MISSING[name]} is missing on the Trino at "
                f"{s.url} (catalog {s.describe('catalog')}, schema {s.describe('schema')}): create the tables with "
                "the statements 'workbench ddl --trino' prints, or name the right catalog and schema with "
                "WORKBENCH_TRINO_CATALOG and WORKBENCH_TRINO_SCHEMA") from None
        if isinstance(err, exceptions.TrinoQueryError):
            raise QueryFailed(f"{self.query.name} failed on Trino ({name or 'error'}): "
                              f"{getattr(err, 'message', err)} (query {getattr(err, 'query_id', '?')})") from None
        if isinstance(err, exceptions.TrinoAuthError) or (
                isinstance(err, exceptions.HttpError) and ("401" in str(err) or "403" in str(err))):
            raise TrinoAuthRefused(f"the Trino at {s.url} refused user {s.describe('user')}: check the user and "
                                   "password (WORKBENCH_TRINO_USER, WORKBENCH_TRINO_PASSWORD)") from None
        if isinstance(err, exceptions.TrinoConnectionError) or _is_connection_error(err):
            raise TrinoUnavailable(
                f"no Trino answers at {s.url} (host {s.describe('host')}, port {s.describe('port')}): start it, or "
                "point WORKBENCH_TRINO_HOST and WORKBENCH_TRINO_PORT (or the [trino] table of the config file) at "
                f"yours ({type(err).__name__}: {err})") from None
        return False


def _is_connection_error(err: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - the trino client depends on requests
        return isinstance(err, (ConnectionError, OSError))
    return isinstance(err, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError))


def _client():
    try:
        trino = importlib.import_module("trino")
        for module in ("trino.dbapi", "trino.auth", "trino.exceptions", "trino.constants"):
            importlib.import_module(module)
    except ImportError:
        raise TrinoUnavailable(f"the Trino engine needs the trino package, which is not installed; run: "
                               f"{INSTALL_HINT}") from None
    return trino


def _frame(rows: list, columns: list[tuple[str, str]]) -> pd.DataFrame:
    """The rows as a DataFrame; timestamps with a time zone as UTC timestamps and rows (structs) as
    dicts, as the other engines give them."""
    frame = pd.DataFrame.from_records([[_value(v) for v in r] for r in rows], columns=[c for c, _ in columns])
    for name, type_name in columns:
        if str(type_name).startswith("timestamp") and "with time zone" in str(type_name):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def _value(value):
    """A cell as the local engine gives it: a ``ROW`` (the client's named tuple) as a dict, inside lists too."""
    names = getattr(value, "_names", None) if isinstance(value, tuple) else None
    if isinstance(names, list):
        return {str(name): _value(item) for name, item in zip(names, value)}
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value
