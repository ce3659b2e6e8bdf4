"""Application Load Balancer access logs: one space-separated line per request, some fields quoted.

AWS delivers them every five minutes per load balancer node, as
``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`` then
``<account>_elasticloadbalancing_<region>_app.<name>.<id>_<end>_<node ip>_<random>.log.gz``.
Network and Classic Load Balancers write to the same folders with ``net.`` or no prefix
before the name and other fields; their files do not match this source's pattern and are not read.

Fields are positional. Both engines read a line with one regular expression
(:data:`LINE_REGEX`): Athena's ``RegexSerDe`` and Trino's ``REGEX`` format through the table, the
local engine with DuckDB's ``regexp_extract``, and the Python salvage with :mod:`re`. The
columns are named as AWS's Athena example names them: ``client:port`` is two columns, the
quoted request line three (``request_verb``, ``request_url``, ``request_proto``), the field
``error_reason`` is ``lambda_error_reason``. A line that does not match is damage: its file is
salvaged, the line named and dropped, the others kept.

``conn_trace_id`` (2024) is optional, so older lines match; fields AWS may add after it are
allowed and not read. ``-1`` in a time field means the load balancer could not reach a target
or the client closed; ``-`` is "none".
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_TOKEN = r"([^ ]*)"
_QUOTED = r'"([^"]*)"'
_NUMBER = r"([-.0-9]*)"

#: One access-log entry, a group per column in :data:`COLUMNS` order. RE2 (DuckDB) and
#: java.util.regex (Athena, Trino) read it the same; no group is optional except the last.
LINE_REGEX = (
    "^" + " ".join([
        _TOKEN,                      # type
        _TOKEN,                      # time
        _TOKEN,                      # elb
        r"([^ ]*):([0-9]*)",         # client:port
        r"([^ ]*)[:-]([0-9]*)",      # target:port, "-" when no target was chosen
        _NUMBER, _NUMBER, _NUMBER,   # request, target and response processing times
        _NUMBER,                     # elb_status_code
        _TOKEN,                      # target_status_code
        _NUMBER, _NUMBER,            # received_bytes, sent_bytes
        r'"([^ ]*) (.*?) ([^ ]*) ?"',  # "verb url protocol" ("- - - " when unparsable)
        r'"(.*?)"',                  # user agent
        _TOKEN, _TOKEN,              # ssl_cipher, ssl_protocol
        _TOKEN,                      # target_group_arn
        _QUOTED, _QUOTED, _QUOTED,   # trace_id, domain_name, chosen_cert_arn
        _TOKEN,                      # matched_rule_priority
        _TOKEN,                      # request_creation_time
        _QUOTED, _QUOTED, _QUOTED,   # actions_executed, redirect_url, error_reason
        _QUOTED, _QUOTED,            # target:port_list, target_status_code_list
        _QUOTED, _QUOTED,            # classification, classification_reason
    ]) + r"(?: ([^ ]*))?(?: .*)?$"   # conn_trace_id, then fields added later
)

COLUMNS = (
    Column.of("type", "string"),
    Column.of("time", "string"),
    Column.of("elb", "string"),
    Column.of("client_ip", "string"),
    Column.of("client_port", "int"),
    Column.of("target_ip", "string"),
    Column.of("target_port", "int"),
    Column.of("request_processing_time", "double"),
    Column.of("target_processing_time", "double"),
    Column.of("response_processing_time", "double"),
    Column.of("elb_status_code", "int"),
    Column.of("target_status_code", "string"),
    Column.of("received_bytes", "bigint"),
    Column.of("sent_bytes", "bigint"),
    Column.of("request_verb", "string"),
    Column.of("request_url", "string"),
    Column.of("request_proto", "string"),
    Column.of("user_agent", "string"),
    Column.of("ssl_cipher", "string"),
    Column.of("ssl_protocol", "string"),
    Column.of("target_group_arn", "string"),
    Column.of("trace_id", "string"),
    Column.of("domain_name", "string"),
    Column.of("chosen_cert_arn", "string"),
    Column.of("matched_rule_priority", "string"),
    Column.of("request_creation_time", "string"),
    Column.of("actions_executed", "string"),
    Column.of("redirect_url", "string"),
    Column.of("lambda_error_reason", "string"),
    Column.of("target_port_list", "string"),
    Column.of("target_status_code_list", "string"),
    Column.of("classification", "string"),
    Column.of("classification_reason", "string"),
    Column.of("conn_trace_id", "string"),
)

ALB = LogSource(
    name="alb",
    table="alb",
    title="ALB access logs",
    service_folder="elasticloadbalancing",
    file_pattern=(r"{account}_elasticloadbalancing_{region}_app\.[A-Za-z0-9-]{{1,32}}\.[0-9a-f]{{1,32}}"
                  r"_\d{{8}}T\d{{4}}Z_[0-9a-fA-F.:]{{1,45}}_[0-9a-z]{{1,32}}\.log(\.gz)?"),
    columns=COLUMNS,
    format="regex_text",
    records_name="ALB requests",
    record_keys=RecordKeys(account=(), region=(), time=("time", "request_creation_time")),
    file_template="{account}_elasticloadbalancing_{region}_app.imported.{digest:.16}_{stamp}_0.0.0.0_{digest:.8}.log.gz",
    line_regex=LINE_REGEX,
    line_optional=("conn_trace_id",),
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'"},
    description=(
        "Application Load Balancer access logs, one row per request the load balancer received, "
        "including requests it answered itself (4xx/5xx with target_status_code '-') and WAF blocks (403)."
    ),
)
