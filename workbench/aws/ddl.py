"""Athena tables with partition projection, made from the log-source definitions.

AWS documents partition projection for one account and one region. Organisations need
more: here every table projects ``account`` and ``region`` as ``enum`` values and ``day``
as a ``date`` (``yyyy/MM/dd``), and ``storage.location.template`` follows the source's key
layout, organisation trails included. :func:`table_spec` is the data (used by the
CloudFormation test too); :func:`create_table_sql` renders it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workbench.formats import format_of
from workbench.sources import DAY_FORMAT, LogSource


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
        Table ``LOCATION`` (``s3://bucket/prefix/AWSLogs/``).
    row_format : str
        ``ROW FORMAT`` clause body.
    input_format, output_format : str or None
        ``STORED AS INPUTFORMAT ... OUTPUTFORMAT ...`` when the source needs them.
    properties : dict
        ``TBLPROPERTIES``, projection settings included.
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
) -> TableSpec:
    """The Athena table of ``source`` over ``s3://bucket/prefix/AWSLogs/...``.

    Parameters
    ----------
    source : LogSource
        The log source.
    bucket, prefix : str
        Where the logs are (``prefix`` is what stands before ``AWSLogs/``, if anything).
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

    Raises
    ------
    ValueError
        If accounts or regions are empty, or the flow-log format has unknown fields.
    """
    if not accounts or not regions:
        raise ValueError("partition projection needs at least one account and one region")
    start_text = start.strftime("%Y/%m/%d") if isinstance(start, dt.date) else start.replace("-", "/")
    columns = format_of(source).table_columns(source, fields=fields)
    storage = source.athena_storage
    location = f"s3://{bucket}/" + (f"{prefix.strip('/')}/" if prefix.strip("/") else "") + "AWSLogs/"
    if org_id and source.org_trail:
        location += f"{org_id}/"
    properties = {
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": ",".join(accounts),
        "projection.region.type": "enum",
        "projection.region.values": ",".join(regions),
        "projection.day.type": "date",
        "projection.day.format": DAY_FORMAT,
        "projection.day.range": f"{start_text},NOW",
        "projection.day.interval": "1",
        "projection.day.interval.unit": "DAYS",
        "storage.location.template": source.location_template(bucket=bucket, prefix=prefix, org_id=org_id),
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
    )


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
    if spec.input_format:
        lines.append(f"STORED AS INPUTFORMAT '{spec.input_format}'")
        lines.append(f"OUTPUTFORMAT '{spec.output_format}'")
    lines.append(f"LOCATION '{spec.location}'")
    props = ",\n".join(f"  '{k}'='{v}'" for k, v in spec.properties.items())
    lines.append(f"TBLPROPERTIES (\n{props}\n);")
    return "\n".join(lines)
