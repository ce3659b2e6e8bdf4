"""GuardDuty findings exported to S3 (one finding JSON per line, ``.jsonl.gz``).

Columns follow AWS's Athena example for exported findings: ``resource`` and ``service``
stay JSON strings, because their shape changes with the finding type (read them with
``json_extract_scalar``). The finding's ``region`` field is the partition ``region``:
exports are configured per region, so both always agree.

An updated finding is exported again, in a later file, with the same ``id``: queries
de-duplicate by ``id`` and keep the latest ``updatedat``.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

COLUMNS = (
    Column.of("schemaVersion", "string"),
    Column.of("accountId", "string"),
    Column.of("partition", "string"),
    Column.of("id", "string"),
    Column.of("arn", "string"),
    Column.of("type", "string"),
    Column.of("resource", "string"),
    Column.of("service", "string"),
    Column.of("severity", "double"),
    Column.of("createdAt", "string"),
    Column.of("updatedAt", "string"),
    Column.of("title", "string"),
    Column.of("description", "string"),
)

GUARDDUTY = LogSource(
    name="guardduty",
    table="guardduty",
    title="GuardDuty findings",
    service_folder="GuardDuty",
    file_pattern=r"[0-9a-fA-F-]{{36}}\.jsonl(\.gz)?",
    columns=COLUMNS,
    format="json_lines",
    records_name="GuardDuty findings",
    record_keys=RecordKeys(account=("accountId",), region=("region",), time=("updatedAt", "createdAt"),
                           identity=("id", "updatedAt")),
    file_template="{uuid}.jsonl.gz",
    markers=(("schemaVersion", "severity"), ("detail-type", "GuardDuty Finding")),
    required_keys=("id", "type"),
    wrapper_keys=("Findings",),
    athena_storage={"row_format": "SERDE 'org.openx.data.jsonserde.JsonSerDe'"},
    description=(
        "GuardDuty findings exported to S3, one row per finding and export; the same "
        "finding id recurs when an updated finding is exported again."
    ),
)
