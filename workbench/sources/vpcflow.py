"""VPC Flow Logs delivered to S3 as text.

Files start with a header line naming their fields; the field set and order are the
flow log's format, which users choose. The local reader goes by the header, so any
format loads; the Athena table reads by position, so ``workbench ddl`` takes the format
(default: AWS's default version-2 format).

Every field AWS documents becomes a column named as AWS's Athena examples name it
(``account-id`` -> ``account_id``). The version-5 ``region`` field is the column
``flow_region``, because ``region`` is the partition column of every table here; it always
equals the partition value, since flow logs are delivered per region.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

#: AWS's default format (version 2), in order.
DEFAULT_FORMAT = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol "
    "packets bytes start end action log-status"
)

COLUMNS = (
    Column.of("version", "int"),
    Column.of("account-id", "string"),
    Column.of("interface-id", "string"),
    Column.of("srcaddr", "string"),
    Column.of("dstaddr", "string"),
    Column.of("srcport", "int"),
    Column.of("dstport", "int"),
    Column.of("protocol", "bigint"),
    Column.of("packets", "bigint"),
    Column.of("bytes", "bigint"),
    Column.of("start", "bigint"),
    Column.of("end", "bigint"),
    Column.of("action", "string"),
    Column.of("log-status", "string"),
    Column.of("vpc-id", "string"),
    Column.of("subnet-id", "string"),
    Column.of("instance-id", "string"),
    Column.of("tcp-flags", "int"),
    Column.of("type", "string"),
    Column.of("pkt-srcaddr", "string"),
    Column.of("pkt-dstaddr", "string"),
    Column.of("region", "string", name="flow_region"),
    Column.of("az-id", "string"),
    Column.of("sublocation-type", "string"),
    Column.of("sublocation-id", "string"),
    Column.of("pkt-src-aws-service", "string"),
    Column.of("pkt-dst-aws-service", "string"),
    Column.of("flow-direction", "string"),
    Column.of("traffic-path", "int"),
    Column.of("reject-reason", "string"),
)

VPCFLOW = LogSource(
    name="vpcflow",
    table="vpcflow",
    title="VPC Flow Logs",
    service_folder="vpcflowlogs",
    file_pattern=r"{account}_vpcflowlogs_{region}_fl-[0-9a-f]+_\d{{8}}T\d{{4}}Z_[0-9a-f]+\.log(\.gz)?",
    columns=COLUMNS,
    format="flowlog_text",
    hive_paths=True,
    records_name="flow-log rows",
    record_keys=RecordKeys(account=("account-id",), region=("region",), time=("start", "end")),
    file_template="{account}_vpcflowlogs_{region}_fl-{group_digest:.17}_{stamp}_{digest:.8}.log.gz",
    default_fields=DEFAULT_FORMAT,
    athena_storage={
        "row_format": "DELIMITED FIELDS TERMINATED BY ' '",
        "properties": {"skip.header.line.count": "1", "serialization.null.format": "-"},
    },
    description=(
        "Network flows of the VPCs' interfaces, one row per flow and aggregation interval. "
        "NODATA and SKIPDATA rows have nulls in address, port, count and action columns."
    ),
)


def format_columns(log_format: str = DEFAULT_FORMAT) -> tuple[Column, ...]:
    """The columns of a flow-log format, in its order.

    Parameters
    ----------
    log_format : str
        Field names separated by spaces, as in a file's header line, or in the
        ``${field}`` form of the flow log's ``LogFormat`` setting.

    Raises
    ------
    ValueError
        If a field is not a known flow-log field.
    """
    return VPCFLOW.columns_for(log_format)
