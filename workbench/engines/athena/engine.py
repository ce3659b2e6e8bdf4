"""The Athena engine: the same query files, run by Amazon Athena over the Glue tables.

For each query it

1. refuses reads of a log table with no time bound (the guard shared with the local engine);
2. checks once per engine that the workgroup, a result location, the database and the
   tables the query reads exist, so that a missing piece is named before anything runs;
3. sends the query text as written, with ``:name`` placeholders turned into ``?`` and the
   values as Athena execution parameters (:mod:`workbench.engines.athena.params`);
4. waits for it (awswrangler), reads the result that Athena wrote to its result location
   (or, for workgroups with managed results, pages through ``GetQueryResults``), and reports
   the bytes Athena scanned and what that costs.

Every AWS problem a user meets comes back as one :class:`~workbench.errors.WorkbenchError`
that says what to fix (see :mod:`workbench.aws.clients`).
"""

from __future__ import annotations

import math

import pandas as pd

from workbench.aws.clients import (
    AwsAccessDenied,
    AwsResourceMissing,
    AwsSettingsError,
    ScanCutoffExceeded,
    aws_errors,
    error_code,
    error_message,
    require,
    session,
)
from workbench.aws.settings import AthenaSettings, resolve_settings
from workbench.engines.athena.params import execution_parameters
from workbench.engines.base import Engine, ScanReport
from workbench.engines.pruning import TableRead
from workbench.errors import QueryFailed
from workbench.library import Query
from workbench.words import size

#: Athena's price for SQL queries in USD per terabyte scanned, as listed on
#: https://aws.amazon.com/athena/pricing/ ("$5.00 per TB of data scanned" in most regions,
#: including us-east-1; a few regions charge more). Estimates only: the bill is the truth.
PRICE_PER_TB_USD = 5.0

#: Athena bills whole megabytes and at least 10 MB for each query that scans data
#: (same pricing page).
MIN_BILLED_BYTES = 10 * 1024**2
_MB = 1024**2
_TB = 1024**4


def estimate_cost(scanned_bytes: int | None) -> float | None:
    """Estimated USD cost of a query that scanned ``scanned_bytes``.

    Examples
    --------
    >>> estimate_cost(0)
    0.0
    >>> round(estimate_cost(1024**4), 2)
    5.0
    >>> estimate_cost(1) == estimate_cost(10 * 1024**2)
    True
    """
    if scanned_bytes is None:
        return None
    if scanned_bytes <= 0:
        return 0.0
    billed = max(MIN_BILLED_BYTES, math.ceil(scanned_bytes / _MB) * _MB)
    return billed / _TB * PRICE_PER_TB_USD


class AthenaEngine(Engine):
    """Run library queries (or SQL) on Amazon Athena.

    Parameters
    ----------
    database : str, optional
        Glue database that holds the log tables (``workbench ddl`` and ``infra/`` make them).
    workgroup : str, optional
        Athena workgroup; its per-query scan cutoff applies.
    region : str, optional
        AWS region of the workgroup and database.
    output : str, optional
        ``s3://`` location for query results, when the workgroup does not set one.
    logs : object, optional
        Ignored. Accepted so that ``workbench.connect(engine, logs=...)`` switches between
        ``local`` and ``athena`` with no other change.
    boto3_session : boto3.Session, optional
        Session to use (credentials, profile, region); default: a new default session.

    Every setting not given falls back to ``WORKBENCH_ATHENA_<NAME>``, then to the config
    file (see :mod:`workbench.aws.settings`).

    Raises
    ------
    AwsSettingsError
        If boto3 or awswrangler is missing, or no region is set anywhere.

    Examples
    --------
    >>> import workbench
    >>> engine = workbench.connect("athena", database="security_logs", workgroup="workbench")  # doctest: +SKIP
    >>> engine.query("root_activity", {"start": "2026-11-01", "end": "2026-11-07"})  # doctest: +SKIP
    >>> engine.last_scan.summary()                                                  # doctest: +SKIP
    'root_activity on athena: 3 rows, ... scanned 1.2 GB, ~$0.0059 in 4.10 s'
    """

    name = "athena"

    def __init__(
        self,
        *,
        database: str | None = None,
        workgroup: str | None = None,
        region: str | None = None,
        output: str | None = None,
        logs: object = None,
        boto3_session=None,
    ):
        super().__init__()
        self.wr = require("awswrangler")
        self.settings: AthenaSettings = resolve_settings(
            database=database, workgroup=workgroup, region=region, output=output
        )
        self.session = session(boto3_session, region=self.settings.region)
        if not self.session.region_name:
            raise AwsSettingsError(
                "the Athena engine needs an AWS region: set WORKBENCH_ATHENA_REGION or "
                "AWS_DEFAULT_REGION (e.g. us-east-1), pass region=..., or set 'region' in the "
                "[athena] table of the config file"
            )
        self.region = self.session.region_name
        self.scan_cutoff: int | None = None
        self.last_execution_id: str | None = None
        self.last_sql: str | None = None
        self.last_parameters: list[str] = []
        self._workgroup: dict | None = None
        self._output: str | None = self.settings.output
        self._tables_checked: set[str] = set()

    def __repr__(self) -> str:
        s = self.settings
        return f"AthenaEngine(database={s.database!r}, workgroup={s.workgroup!r}, region={self.region!r})"

    # -- the one method an engine writes ----------------------------------------------

    def execute(self, query: Query, values: dict, reads: list[TableRead]):
        sql, parameters = execution_parameters(query, values)
        self.check_workgroup()
        self.check_tables(sorted({r.table for r in reads}))
        self.last_sql, self.last_parameters = sql, parameters
        execution = self._run(query, sql, parameters)
        frame = self._results(query, execution["QueryExecutionId"])
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes") or 0)
        report = ScanReport(engine=self.name, query=query.name, scanned_bytes=scanned,
                            cost_usd=estimate_cost(scanned))
        return frame, report

    # -- checks made once per engine --------------------------------------------------

    def check_workgroup(self) -> dict:
        """The workgroup's description; checks that it exists, is enabled and has a result location.

        Asks Athena once per engine. Records the per-query scan cutoff in :attr:`scan_cutoff`.

        Raises
        ------
        AwsResourceMissing, AwsSettingsError, AwsCredentialsError, AwsAccessDenied
        """
        if self._workgroup is not None:
            return self._workgroup
        name = self.settings.workgroup
        with aws_errors(f"read Athena workgroup {name!r} in {self.region}"):
            try:
                response = self.wr.athena.get_work_group(workgroup=name, boto3_session=self.session)
            except Exception as err:
                if error_code(err) == "InvalidRequestException" and "not found" in str(err).lower():
                    response = {}
                else:
                    raise
        workgroup = response.get("WorkGroup") or None
        if not workgroup:
            raise AwsResourceMissing(
                f"Athena workgroup {name!r} does not exist in {self.region}: deploy the workbench "
                f"stack (infra/), or name an existing workgroup with WORKBENCH_ATHENA_WORKGROUP "
                f"(now {self.settings.describe('workgroup')})"
            )
        if workgroup.get("State", "ENABLED") != "ENABLED":
            raise AwsSettingsError(f"Athena workgroup {name!r} is disabled: enable it in the Athena "
                                   "console or with 'aws athena update-work-group --state ENABLED'")
        config = workgroup.get("Configuration") or {}
        cutoff = config.get("BytesScannedCutoffPerQuery")
        self.scan_cutoff = int(cutoff) if cutoff else None
        managed = (config.get("ManagedQueryResultsConfiguration") or {}).get("Enabled", False)
        wg_output = (config.get("ResultConfiguration") or {}).get("OutputLocation")
        if config.get("EnforceWorkGroupConfiguration") and wg_output:
            self._output = None  # Athena uses the workgroup's location whatever we ask for
        if not (managed or wg_output or self._output):
            raise AwsSettingsError(
                f"Athena workgroup {name!r} has no query result location and none is configured: "
                "set WORKBENCH_ATHENA_OUTPUT=s3://BUCKET/PREFIX/ (a bucket you can write to), "
                "or give the workgroup a result location"
            )
        self._workgroup = workgroup
        return workgroup

    def check_tables(self, tables: list[str]) -> None:
        """Check that the database and ``tables`` exist in the Glue catalog (once per table).

        Raises
        ------
        AwsResourceMissing
            Naming the missing database or table and how to create it.
        """
        todo = [t for t in tables if t not in self._tables_checked]
        if not todo:
            return
        glue = self.session.client("glue")
        database = self.settings.database
        with aws_errors(f"read Glue database {database!r}"):
            try:
                glue.get_database(Name=database)
            except Exception as err:
                if error_code(err) != "EntityNotFoundException":
                    raise
                raise AwsResourceMissing(
                    f"Glue database {database!r} does not exist in {self.region}: deploy the "
                    "workbench stack (infra/) or create it ('CREATE DATABASE ...' in Athena), or name "
                    f"yours with WORKBENCH_ATHENA_DATABASE (now {self.settings.describe('database')})"
                ) from None
        for table in todo:
            with aws_errors(f"read Glue table {database}.{table}"):
                try:
                    glue.get_table(DatabaseName=database, Name=table)
                except Exception as err:
                    if error_code(err) != "EntityNotFoundException":
                        raise
                    raise AwsResourceMissing(
                        f"table {table!r} does not exist in Glue database {database!r}: create it "
                        f"with the statement from 'workbench ddl --bucket YOUR-LOG-BUCKET --database "
                        f"{database} --source {table}' (run it in Athena), or deploy infra/"
                    ) from None
            self._tables_checked.add(table)

    # -- running ------------------------------------------------------------------

    def _run(self, query: Query, sql: str, parameters: list[str]) -> dict:
        wr = self.wr
        where = f"workgroup {self.settings.workgroup!r} ({self.region})"
        with aws_errors(f"start {query.name} on Athena in {where}"):
            try:
                execution_id = wr.athena.start_query_execution(
                    sql=sql,
                    database=self.settings.database,
                    s3_output=self._output,
                    workgroup=self.settings.workgroup,
                    params=parameters or None,
                    paramstyle="qmark",
                    boto3_session=self.session,
                )
            except Exception as err:
                if error_code(err) != "InvalidRequestException":
                    raise
                refused = {"Status": {"State": "FAILED", "StateChangeReason": error_message(err)}}
                raise self.failure(query.name, refused) from None
        self.last_execution_id = execution_id
        try:
            with aws_errors(f"wait for {query.name} on Athena"):
                try:
                    return wr.athena.wait_query(query_execution_id=execution_id, boto3_session=self.session)
                except (wr.exceptions.QueryFailed, wr.exceptions.QueryCancelled):
                    execution = wr.athena.get_query_execution(execution_id, boto3_session=self.session)
        except KeyboardInterrupt:
            wr.athena.stop_query_execution(execution_id, boto3_session=self.session)
            raise
        raise self.failure(query.name, execution)

    def _results(self, query: Query, execution_id: str) -> pd.DataFrame:
        with aws_errors(f"read the result of {query.name} (query execution {execution_id})"):
            return self.wr.athena.get_query_results(execution_id, boto3_session=self.session)

    def failure(self, name: str, execution: dict) -> Exception:
        """The error to raise for a query execution that ended FAILED or CANCELLED."""
        status = execution.get("Status", {})
        state = status.get("State", "FAILED")
        reason = (status.get("StateChangeReason") or (status.get("AthenaError") or {}).get("ErrorMessage")
                  or "Athena gave no reason")
        scanned = int((execution.get("Statistics") or {}).get("DataScannedInBytes") or 0)
        execution_id = execution.get("QueryExecutionId", self.last_execution_id)
        lowered = reason.lower()
        wg = self.settings.workgroup
        if "scanned limit" in lowered or "bytes scanned" in lowered or (
            state == "CANCELLED" and self.scan_cutoff and scanned >= self.scan_cutoff
        ):
            limit = f"{size(self.scan_cutoff)} per query" if self.scan_cutoff else "its per-query limit"
            return ScanCutoffExceeded(
                f"{name} was stopped by workgroup {wg!r}'s scan cutoff ({limit}) after scanning "
                f"{size(scanned)}: query fewer days (start/end) or fewer accounts and regions, or "
                "raise the workgroup's BytesScannedCutoffPerQuery if the scan is worth it "
                f"(Athena: {reason})"
            )
        if "table_not_found" in lowered or ("table" in lowered and "does not exist" in lowered):
            return AwsResourceMissing(
                f"{name}: {reason}; create the table with the statement from 'workbench ddl' "
                f"(database {self.settings.database!r}), or deploy infra/"
            )
        if "schema_not_found" in lowered or ("schema" in lowered and "does not exist" in lowered):
            return AwsResourceMissing(
                f"{name}: {reason}; the Glue database is missing: deploy infra/ or set "
                "WORKBENCH_ATHENA_DATABASE to the database that holds the log tables"
            )
        if "access denied" in lowered or "permission denied" in lowered or "not authorized" in lowered:
            return AwsAccessDenied(
                f"{name} failed on Athena: {reason}. Athena reads the logs and writes results as "
                "you: the identity needs s3:GetObject and s3:ListBucket on the log bucket (kms:Decrypt "
                "for GuardDuty exports) and write access to the result location"
            )
        if "output" in lowered and ("bucket" in lowered or "location" in lowered):
            return AwsSettingsError(
                f"{name} failed on Athena: {reason}; set WORKBENCH_ATHENA_OUTPUT to an s3:// "
                "location you can write to, or give the workgroup a result location"
            )
        if "column_not_found" in lowered:
            return QueryFailed(
                f"{name} failed on Athena: {reason}; the table was made by an older definition: "
                f"recreate it with 'workbench ddl' (query execution {execution_id})"
            )
        if state == "CANCELLED":
            return QueryFailed(f"{name} was cancelled on Athena (query execution {execution_id}): {reason}")
        return QueryFailed(f"{name} failed on Athena: {reason} (query execution {execution_id}; "
                           f"see it in the Athena console, workgroup {wg!r})")
