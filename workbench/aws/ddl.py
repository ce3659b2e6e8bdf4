"""Athena tables with partition projection, made from the log-source definitions.

AWS documents partition projection for one account and one region. Organisations need
more: here every table projects ``account`` and ``region`` as ``enum`` values and ``day``
as a ``date`` (``yyyy/MM/dd``), and ``storage.location.template`` follows the source's key
layout, organisation trails included. :func:`table_spec` is the data (used by the
CloudFormation test too); :func:`create_table_sql` renders it for Athena, and
:func:`create_table_sql_trino` for Trino's Hive connector, with the same properties.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workbench.formats import format_of
from workbench.formats.parquet_table import column_key
from workbench.sources import DAY_FORMAT, LogSource
from workbench.sources.types import parse_type


@dataclass(frozen=True)
class TableSpec:
    """Everything Athena/Glue needs to define one log table.

    Attributes
    ----------
    database, name : str
        Where the table lives.
    columns : tuple of (str, str)
        Data columns: name and Athena type.
    partitions : tuple of (str, str)
        Partition columns: name and type (all ``string``).
    location : str
        Table ``LOCATION`` (``s3://bucket/prefix/AWSLogs/``; ``s3://bucket/prefix/s3-access-logs/`` for
        S3 server access logs, which are not under ``AWSLogs/``).
    row_format : str
        ``ROW FORMAT`` clause body.
    input_format, output_format : str or None
        ``STORED AS INPUTFORMAT ... OUTPUTFORMAT ...`` when the source needs them.
    properties : dict
        ``TBLPROPERTIES``, projection settings included.
    serde_properties : dict
        ``WITH SERDEPROPERTIES`` of the row format (``input.regex`` of a ``RegexSerDe``).
    """

    database: str
    name: str
    columns: tuple[tuple[str, str], ...]
    partitions: tuple[tuple[str, str], ...]
    location: str
    row_format: str
    input_format: str | None
    output_format: str | None
    properties: dict
    serde_properties: dict = field(default_factory=dict)


def table_spec(
    source: LogSource,
    *,
    bucket: str,
    accounts: list[str],
    regions: list[str],
    prefix: str = "",
    org_id: str | None = None,
    start: dt.date | str = "2024/01/01",
    database: str = "security_logs",
    fields: str | None = None,
    scheme: str = "s3",
    scopes: list[str] | None = None,
    hive: bool = False,
) -> TableSpec:
    """The Athena table of ``source`` over ``s3://bucket/prefix/AWSLogs/...``.

    Parameters
    ----------
    source : LogSource
        The log source.
    bucket, prefix : str
        Where the logs are (``prefix`` is what stands before ``AWSLogs/``, or before the folder of a
        source that is not under it, ``s3-access-logs/``, if anything).
    accounts, regions : list of str
        Values of the ``account`` and ``region`` projections.
    org_id : str, optional
        The organisation id of an organisation trail (CloudTrail only).
    start : date or str
        First day of the ``day`` projection.
    database : str
        Glue database name.
    fields : str, optional
        For sources whose files Athena reads by position (VPC flow logs): the fields in
        order, as the flow log's format names them (default: AWS's default format).
    scopes : list of str, optional
        For a source with a folder before the day (WAF's web ACL names, CloudFront's distribution
        ids, Resolver's VPC ids, the bucket names of S3 server access logs): the values of its ``enum``
        projection. Required for such a source.
    scheme : str
        The file system of the location (``s3``; ``local`` with an empty bucket for a Trino
        reading a local folder, ``local:///prefix/AWSLogs/...``).
    hive : bool
        The logs are delivered with Hive-compatible folders (``aws-account-id=.../year=YYYY/month=MM/day=DD``):
        the table has no projection (one ``day`` value cannot be projected into three folders), its
        ``storage.location.template`` spells the folders, and its partitions are registered by the upkeep
        Lambda (:mod:`workbench.aws.upkeep`), which reads that template. No accounts, regions or scopes needed.

    Raises
    ------
    ValueError
        If accounts or regions are empty, or the flow-log format has unknown fields.
    """
    if not hive and (not accounts or (source.regional and not regions)):
        raise ValueError("partition projection needs at least one account and one region")
    start_text = start.strftime("%Y/%m/%d") if isinstance(start, dt.date) else start.replace("-", "/")
    columns = format_of(source).table_columns(source, fields=fields)
    storage = source.athena_storage
    # the folder every key of the source is under: AWSLogs/, or beside it the source's own (s3-access-logs/)
    top = "AWSLogs" if source.awslogs else source.service_folder
    location = f"{scheme}://{bucket}/" + (f"{prefix.strip('/')}/" if prefix.strip("/") else "") + f"{top}/"
    if org_id and source.org_trail:
        location += f"{org_id}/"
    template = source.location_template(bucket=bucket, prefix=prefix, org_id=org_id, scheme=scheme, hive=hive)
    properties = {"projection.enabled": "false", "storage.location.template": template,
                  **storage.get("properties", {})} if hive else {
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": ",".join(accounts),
        **({"projection.region.type": "enum", "projection.region.values": ",".join(regions)}
           if source.regional else {}),
        **_scope_projection(source, scopes),
        "projection.day.type": "date",
        "projection.day.format": DAY_FORMAT,
        "projection.day.range": f"{start_text},NOW",
        "projection.day.interval": "1",
        "projection.day.interval.unit": "DAYS",
        "storage.location.template": template,
        **storage.get("properties", {}),
    }
    return TableSpec(
        database=database,
        name=source.table,
        columns=tuple((c.name, c.type.athena()) for c in columns),
        partitions=tuple((p, "string") for p in source.partitions),
        location=location,
        row_format=storage["row_format"],
        input_format=storage.get("input_format"),
        output_format=storage.get("output_format"),
        properties=properties,
        serde_properties={"input.regex": source.line_regex} if source.line_regex else {},
    )


#: CloudFront v2's other output formats: how Athena reads each, as AWS's Athena pages declare them
#: (every column ``string``), and how a column is named there.
OUTPUTS = {
    "parquet": {"row_format": "SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'",
                "input_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "output_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"},
    "json": {"row_format": "SERDE 'org.openx.data.jsonserde.JsonSerDe'"},
}


def output_table_spec(source: LogSource, output: str, **options) -> TableSpec:
    """The table of a delivery in another output format: the fields as text, named as its files name them.

    AWS's own Athena tables for CloudFront's Parquet and JSON outputs declare every field ``string``
    (the Parquet columns in snake case, ``cs_host``; the JSON keys as the ``#Fields`` header spells them,
    ``cs(host)``); this is that table (``<table>_<output>``), with the W3C table's partitions and
    projection. :func:`typed_view_sql` puts the library's column names and types on top of it.

    Parameters
    ----------
    source : LogSource
        A source whose format reads several outputs (CloudFront).
    output : str
        ``parquet`` or ``json``.
    **options
        As for :func:`table_spec`.
    """
    if source.format != "output_choice":
        raise ValueError(f"{source.title} has one output format")
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}: one of {', '.join(OUTPUTS)} (or none, for W3C)")
    text = table_spec(source, **options)
    properties = {k: v for k, v in text.properties.items() if k != "skip.header.line.count"}
    names = [column_key(c.key) if output == "parquet" else c.key.lower() for c in source.columns]
    storage = OUTPUTS[output]
    return TableSpec(database=text.database, name=f"{source.table}_{output}",
                     columns=tuple((n, "string") for n in names), partitions=text.partitions, location=text.location,
                     row_format=storage["row_format"], input_format=storage.get("input_format"),
                     output_format=storage.get("output_format"), properties=properties)


def typed_view_sql(source: LogSource, raw: TableSpec, *, catalog: str | None = None) -> str:
    """``CREATE OR REPLACE VIEW <table>`` over an output table: the library's columns, typed as the W3C
    table types them, with the same values (a missing field and ``-`` as the W3C file reads them).

    The same text runs on Athena and on Trino (``catalog`` names Trino's catalog).
    """
    where = f'"{catalog}".' if catalog else ""
    cols = []
    for col, (name, _) in zip(source.columns, raw.columns):
        value = f'"{name}"' if raw.row_format == OUTPUTS["parquet"]["row_format"] else f"NULLIF(\"{name}\", '')"
        if col.type.name == "string":
            cols.append(f"  coalesce({value}, '-') AS \"{col.name}\"")
        else:
            cols.append(f"  TRY_CAST(NULLIF({value}, '-') AS {col.type.trino()}) AS \"{col.name}\"")
    cols += [f'  "{name}"' for name, _ in raw.partitions]
    return (f'CREATE OR REPLACE VIEW {where}"{raw.database}"."{source.table}" AS SELECT\n' + ",\n".join(cols)
            + f'\nFROM {where}"{raw.database}"."{raw.name}"')


def _scope_projection(source: LogSource, scopes: list[str] | None) -> dict:
    """The ``enum`` projection of a source's folder before the day (none for most sources)."""
    name = source.scope_partition
    if not name:
        return {}
    if not scopes:
        raise ValueError(f"the {source.title} table projects {name} as enum values: give the names "
                         f"({source.scope_option} NAME,... on the command line, or --logs DIR to read them from a "
                         "local copy)")
    bad = [s for s in scopes if not re.fullmatch(source.scope_pattern, s)]
    if bad:
        raise ValueError(f"not a {name.replace('_', ' ')} name: {', '.join(map(repr, bad))} "
                         f"(must match {source.scope_pattern})")
    return {f"projection.{name}.type": "enum", f"projection.{name}.values": ",".join(scopes)}


def create_table_sql(spec: TableSpec) -> str:
    """``CREATE EXTERNAL TABLE`` text for Athena (Hive DDL)."""
    columns = ",\n".join(f"  `{name}` {typ}" for name, typ in spec.columns)
    partitions = ", ".join(f"`{name}` {typ}" for name, typ in spec.partitions)
    lines = [
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{spec.database}`.`{spec.name}` (",
        columns,
        ")",
        f"PARTITIONED BY ({partitions})",
        f"ROW FORMAT {spec.row_format}",
    ]
    if spec.serde_properties:
        serde = ",\n".join(f"  '{k}'='{v}'" for k, v in spec.serde_properties.items())
        lines.append(f"WITH SERDEPROPERTIES (\n{serde}\n)")
    if spec.input_format:
        lines.append(f"STORED AS INPUTFORMAT '{spec.input_format}'")
        lines.append(f"OUTPUTFORMAT '{spec.output_format}'")
    lines.append(f"LOCATION '{spec.location}'")
    props = ",\n".join(f"  '{k}'='{v}'" for k, v in spec.properties.items())
    lines.append(f"TBLPROPERTIES (\n{props}\n);")
    return "\n".join(lines)


#: The Athena row formats Trino's Hive connector reads, and the Trino table format of each. A
#: CloudTrail table's own input format (``CloudTrailInputFormat``, which unwraps ``Records``) is
#: Athena's alone: Trino reads the same records laid out one per line (:mod:`workbench.engines.trino.layout`).
TRINO_FORMATS = {
    "SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'": {"format": "'PARQUET'"},
    "SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'": {"format": "'JSON'"},
    "SERDE 'org.openx.data.jsonserde.JsonSerDe'": {"format": "'OPENX_JSON'"},
    "DELIMITED FIELDS TERMINATED BY ' '": {"format": "'TEXTFILE'", "textfile_field_separator": "' '"},
    "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'": {"format": "'REGEX'"},
}

#: SerDe properties and the Trino table properties that say the same.
TRINO_SERDE_PROPERTIES = {"input.regex": "regex"}

#: Athena table properties and the Trino table properties that say the same.
TRINO_PROPERTIES = {"skip.header.line.count": "skip_header_line_count", "serialization.null.format": "null_format"}


def create_table_sql_trino(spec: TableSpec, *, catalog: str = "hive") -> str:
    """The same table for Trino's Hive connector: ``CREATE TABLE`` with the same partition projection.

    Trino stores its ``partition_projection_*`` properties in the metastore under Athena's own
    names (``projection.day.range``, ``storage.location.template``...), so the table Trino makes
    carries the properties of the Athena table and of ``infra/``.

    Raises
    ------
    ValueError
        For a row format Trino's Hive connector does not read.
    """
    try:
        storage = dict(TRINO_FORMATS[spec.row_format])
    except KeyError:
        raise ValueError(f"Trino's Hive connector has no format for ROW FORMAT {spec.row_format}") from None
    props = spec.properties
    for athena, trino in TRINO_SERDE_PROPERTIES.items():
        if athena in spec.serde_properties:
            storage[trino] = _quote(spec.serde_properties[athena])
    for athena, trino in TRINO_PROPERTIES.items():
        if athena == "skip.header.line.count" and storage.get("format") == "'REGEX'":
            continue  # Trino's REGEX format skips no lines: a header line is a row of nulls, like any unmatched line
        if athena in props:
            value = props[athena]
            storage[trino] = value if value.isdigit() else _quote(value)
    columns = [f'  "{name}" {parse_type(typ).trino()}' for name, typ in spec.columns]
    projected = props.get("projection.enabled") == "true"
    for name, _ in spec.partitions:
        columns.append(f'  "{name}" varchar' + (f" WITH ({_projection(props, name)})" if projected else ""))
    table = {**storage, "external_location": _quote(spec.location),
             "partitioned_by": "ARRAY[" + ", ".join(_quote(n) for n, _ in spec.partitions) + "]"}
    if projected:  # else the partitions are registered, each with its own location
        table |= {"partition_projection_enabled": "true",
                  "partition_projection_location_template": _quote(props["storage.location.template"])}
    return (f'CREATE TABLE IF NOT EXISTS "{catalog}"."{spec.database}"."{spec.name}" (\n' + ",\n".join(columns)
            + "\n)\nWITH (\n" + ",\n".join(f"  {k} = {v}" for k, v in table.items()) + "\n)")


def _projection(props: dict, column: str) -> str:
    """The Trino column properties of one projected partition column."""
    kind = props[f"projection.{column}.type"]
    out = [f"partition_projection_type = {_quote(kind)}"]
    if kind == "enum":
        values = props[f"projection.{column}.values"].split(",")
        out.append("partition_projection_values = ARRAY[" + ", ".join(_quote(v) for v in values) + "]")
    else:
        first, last = props[f"projection.{column}.range"].split(",")
        out += [f"partition_projection_format = {_quote(props[f'projection.{column}.format'])}",
                f"partition_projection_range = ARRAY[{_quote(first)}, {_quote(last)}]",
                f"partition_projection_interval = {int(props[f'projection.{column}.interval'])}",
                f"partition_projection_interval_unit = {_quote(props[f'projection.{column}.interval.unit'])}"]
    return ", ".join(out)


def _quote(text: str) -> str:
    """A Trino string literal of the project's own settings (quotes doubled)."""
    return "'" + str(text).replace("'", "''") + "'"
