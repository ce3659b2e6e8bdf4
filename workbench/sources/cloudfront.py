"""CloudFront standard logs: one tab-separated W3C line per request a distribution's edge answered.

CloudFront is global: its logs name no region. Standard logging (v2) delivers them to S3 under
``AWSLogs/<account>/CloudFront/`` unless told otherwise; with the partitioning AWS's Athena pages
use (suffix path ``{DistributionId}/{yyyy}/{MM}/{dd}/{HH}``) a key is
``AWSLogs/<account>/CloudFront/<distribution>/yyyy/mm/dd/HH/<distribution>.<yyyy-mm-dd-HH>.<id>.gz``.
That is this source's layout: partitions ``account, distribution, day``, the hour folder read but
not pruned on. Legacy standard logging writes the same files flat under a prefix
(``<prefix>/<distribution>.<yyyy-mm-dd-HH>.<id>.gz``); ``workbench import --account`` files them
into this layout by their names.

A file starts with ``#Version: 1.0`` and ``#Fields: ...`` lines; those are headers, not records.
The 33 fields are read with one regular expression (a group per field, tabs between), the same
on every engine, and named as AWS's Athena table for these logs names them (``x_edge_location``,
``c_ip``, ``cs_uri_stem``, ``sc_status``, ``x_edge_result_type``...). ``date`` and ``time`` are
text (``date`` is a ``DATE`` in AWS's table; the expression reads text on every engine). Values
are URL-encoded as CloudFront writes them (``%20`` in a user agent); ``-`` is "none". Fields AWS
adds after the 33rd are allowed and not read.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

#: The fields of the ``#Fields:`` header, in order.
FIELDS = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
          "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
          "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
          "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
          "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end")

COLUMNS = (
    Column.of("date", "string"),
    Column.of("time", "string"),
    Column.of("x-edge-location", "string", name="x_edge_location"),
    Column.of("sc-bytes", "bigint", name="sc_bytes"),
    Column.of("c-ip", "string", name="c_ip"),
    Column.of("cs-method", "string", name="cs_method"),
    Column.of("cs(Host)", "string", name="cs_host"),
    Column.of("cs-uri-stem", "string", name="cs_uri_stem"),
    Column.of("sc-status", "int", name="sc_status"),
    Column.of("cs(Referer)", "string", name="cs_referrer"),
    Column.of("cs(User-Agent)", "string", name="cs_user_agent"),
    Column.of("cs-uri-query", "string", name="cs_uri_query"),
    Column.of("cs(Cookie)", "string", name="cs_cookie"),
    Column.of("x-edge-result-type", "string", name="x_edge_result_type"),
    Column.of("x-edge-request-id", "string", name="x_edge_request_id"),
    Column.of("x-host-header", "string", name="x_host_header"),
    Column.of("cs-protocol", "string", name="cs_protocol"),
    Column.of("cs-bytes", "bigint", name="cs_bytes"),
    Column.of("time-taken", "double", name="time_taken"),
    Column.of("x-forwarded-for", "string", name="x_forwarded_for"),
    Column.of("ssl-protocol", "string", name="ssl_protocol"),
    Column.of("ssl-cipher", "string", name="ssl_cipher"),
    Column.of("x-edge-response-result-type", "string", name="x_edge_response_result_type"),
    Column.of("cs-protocol-version", "string", name="cs_protocol_version"),
    Column.of("fle-status", "string", name="fle_status"),
    Column.of("fle-encrypted-fields", "int", name="fle_encrypted_fields"),
    Column.of("c-port", "int", name="c_port"),
    Column.of("time-to-first-byte", "double", name="time_to_first_byte"),
    Column.of("x-edge-detailed-result-type", "string", name="x_edge_detailed_result_type"),
    Column.of("sc-content-type", "string", name="sc_content_type"),
    Column.of("sc-content-len", "bigint", name="sc_content_len"),
    Column.of("sc-range-start", "bigint", name="sc_range_start"),
    Column.of("sc-range-end", "bigint", name="sc_range_end"),
)

#: One entry: the 33 fields, tab-separated; a field holds no tab. Fields added later are allowed.
LINE_REGEX = "^" + "\\t".join(["([^\\t]*)"] * len(COLUMNS)) + "(?:\\t.*)?$"

CLOUDFRONT = LogSource(
    name="cloudfront",
    table="cloudfront",
    title="CloudFront standard logs",
    service_folder="CloudFront",
    file_pattern=(r"[A-Z0-9]{{1,32}}\.\d{{4}}-\d{{2}}-\d{{2}}-\d{{2}}\.[A-Za-z0-9]{{1,64}}"
                  r"(?:\.(?:gz|json|parquet|log|txt|snappy|zst)){{1,3}}"),
    columns=COLUMNS,
    format="output_choice",
    markers=(("x-edge-location", "x-edge-request-id"),),
    records_name="CloudFront requests",
    record_keys=RecordKeys(account=(), region=(), time=("date+time",)),
    file_template="{scope}.{hour}.{digest:.16}.gz",
    line_regex=LINE_REGEX,
    comment_prefix="#",
    file_header=f"#Version: 1.0\n#Fields: {FIELDS}\n",
    scope_partition="distribution",
    scope_option="--distributions",
    hive_paths=True,
    hive_scope="DistributionId",
    scope_pattern=r"[A-Z0-9]{1,32}",
    scope_from_name=(r"(?P<scope>[A-Z0-9]{1,32})\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]{1,64}"
                     r"(?:\.(?:gz|json|parquet|log|txt|snappy|zst)){1,3}"),
    time_folders=1,
    regional=False,
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'",
                    "properties": {"skip.header.line.count": "2"}},
    description=(
        "CloudFront standard logs, one row per request an edge location answered, with its cache "
        "result (x_edge_result_type) and the client's address (c_ip)."
    ),
)
