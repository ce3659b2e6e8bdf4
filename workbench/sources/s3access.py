"""S3 server access logs: one space-separated line per request a bucket received, some fields quoted.

Unlike every other source, S3 does not write them under ``AWSLogs/``. Server access logging writes
to a target bucket under a target prefix, either flat (``<prefix>YYYY-MM-DD-hh-mm-ss-<id>``) or, since
2023, date-partitioned:
``<prefix><source account>/<source region>/<source bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<id>``.
The partitioned form is this source's layout (partitions ``account, region, bucket, day``, which makes
projection possible), with the workbench's convention for the target prefix: ``s3-access-logs/``,
beside ``AWSLogs/``. ``workbench import --account --region`` files flat logs into it by the bucket each
line names. Files are plain text, not gzip.

Fields are positional and read with one regular expression (:data:`LINE_REGEX`), the same on every
engine, and named as AWS's Athena table for these logs names them (``bucketowner``, ``bucket_name``,
``requestdatetime``, ``remoteip``, ``requester``, ``operation``, ``key``, ``httpstatus``...).
``requestdatetime`` is text as S3 writes it (``06/Feb/2019:00:00:38 +0000``); ``requester`` is an IAM
ARN, a canonical user id, or ``-`` for an anonymous request; ``key`` is URL-encoded; ``-`` is "none".
Fields S3 added over the years (``versionid`` onwards, the last ``sourceregion``) are optional, so
older lines match; fields it may add later are allowed and not read.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_TOKEN = r"([^ ]*)"
_QUOTED = r'"([^"]*)"'

COLUMNS = (
    Column.of("bucketowner", "string"),
    Column.of("bucket_name", "string"),
    Column.of("requestdatetime", "string"),
    Column.of("remoteip", "string"),
    Column.of("requester", "string"),
    Column.of("requestid", "string"),
    Column.of("operation", "string"),
    Column.of("key", "string"),
    Column.of("request_uri", "string"),
    Column.of("httpstatus", "string"),
    Column.of("errorcode", "string"),
    Column.of("bytessent", "bigint"),
    Column.of("objectsize", "bigint"),
    Column.of("totaltime", "string"),
    Column.of("turnaroundtime", "string"),
    Column.of("referrer", "string"),
    Column.of("useragent", "string"),
    Column.of("versionid", "string"),
    Column.of("hostid", "string"),
    Column.of("sigv", "string"),
    Column.of("ciphersuite", "string"),
    Column.of("authtype", "string"),
    Column.of("endpoint", "string"),
    Column.of("tlsversion", "string"),
    Column.of("accesspointarn", "string"),
    Column.of("aclrequired", "string"),
    Column.of("sourceregion", "string"),
)

#: The fields after ``useragent``: each present only if the ones before it are (older lines stop early).
_LATER = 10


def _later(n: int) -> str:
    return "" if n == 0 else "(?: " + _TOKEN + _later(n - 1) + ")?"


#: One entry, a group per column in :data:`COLUMNS` order: 17 fields always there, then up to ten more.
LINE_REGEX = (
    "^" + " ".join([_TOKEN, _TOKEN, r"\[([^\]]*)\]", _TOKEN, _TOKEN, _TOKEN, _TOKEN, _TOKEN, _QUOTED,
                    _TOKEN, _TOKEN, _TOKEN, _TOKEN, _TOKEN, _TOKEN, _QUOTED, _QUOTED])
    + _later(_LATER) + r"(?: .*)?$"
)

#: A bucket name as S3 allows it (3 to 63 lower-case letters, digits, dots and hyphens).
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"

S3ACCESS = LogSource(
    name="s3access",
    table="s3access",
    title="S3 server access logs",
    service_folder="s3-access-logs",
    file_pattern=r"\d{{4}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-[0-9A-F]{{16}}",
    columns=COLUMNS,
    format="regex_text",
    records_name="S3 requests",
    record_keys=RecordKeys(account=(), region=(), time=("requestdatetime",), scope=("bucket_name",)),
    file_template="{stamp_seconds}-{digest_upper:.16}",
    line_regex=LINE_REGEX,
    line_optional=tuple(c.name for c in COLUMNS[-_LATER:]),
    scope_partition="bucket",
    scope_option="--buckets",
    scope_pattern=BUCKET,
    awslogs=False,
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'"},
    description=(
        "S3 server access logs, one row per request a bucket received: who asked (requester, remoteip), "
        "what (operation, key), the answer (httpstatus, errorcode) and the bytes sent."
    ),
)
