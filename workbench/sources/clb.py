"""Classic Load Balancer access logs: one space-separated line per request (or TCP connection).

AWS delivers a file per node every 60 minutes (or five, as configured), uncompressed, beside the
other load balancers' files, as ``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/``
then ``<account>_elasticloadbalancing_<region>_<name>_<end>_<node ip>_<random>.log``. A Classic
Load Balancer's name has no dot, so its files never look like an ALB's (``app.``) or NLB's
(``net.``).

Columns are named as AWS's Athena table for these logs names them: ``timestamp``, ``elb_name``,
``request_ip``/``request_port``, ``backend_ip``/``backend_port``, the three times (``-1`` when
the request could not be sent to an instance), ``elb_response_code`` and
``backend_response_code`` (text: ``-`` on TCP and SSL listeners), the request line in three
(``"- - - "`` on TCP listeners), the user agent without its quotes, cipher and protocol.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_TOKEN = r"([^ ]*)"
_NUMBER = r"([-.0-9]*)"

#: One CLB access-log entry, a group per column in :data:`COLUMNS` order.
LINE_REGEX = (
    "^" + " ".join([
        _TOKEN, _TOKEN,                  # timestamp, elb name
        r"([^ ]*):([0-9]*)",             # client:port
        r"([^ ]*)[:-]([0-9]*)",          # backend:port, "-" when no instance answered
        _NUMBER, _NUMBER, _NUMBER,       # request, backend and response processing times
        r"([-0-9]*)", r"([-0-9]*)",      # elb and backend status codes
        r"([-0-9]*)", r"([-0-9]*)",      # received_bytes, sent_bytes
        r'"([^ ]*) (.*?) ([^ ]*) ?"',    # "verb url protocol" ("- - - " on TCP listeners)
        r'"(.*?)"',                      # user agent
        _TOKEN, _TOKEN,                  # ssl_cipher, ssl_protocol
    ]) + r"(?: .*)?$"                    # fields AWS might add
)

COLUMNS = (
    Column.of("timestamp", "string"),
    Column.of("elb_name", "string"),
    Column.of("request_ip", "string"),
    Column.of("request_port", "int"),
    Column.of("backend_ip", "string"),
    Column.of("backend_port", "int"),
    Column.of("request_processing_time", "double"),
    Column.of("backend_processing_time", "double"),
    Column.of("client_response_time", "double"),
    Column.of("elb_response_code", "string"),
    Column.of("backend_response_code", "string"),
    Column.of("received_bytes", "bigint"),
    Column.of("sent_bytes", "bigint"),
    Column.of("request_verb", "string"),
    Column.of("url", "string"),
    Column.of("protocol", "string"),
    Column.of("user_agent", "string"),
    Column.of("ssl_cipher", "string"),
    Column.of("ssl_protocol", "string"),
)

CLB = LogSource(
    name="clb",
    table="clb",
    title="CLB access logs",
    service_folder="elasticloadbalancing",
    file_pattern=(r"{account}_elasticloadbalancing_{region}_[A-Za-z0-9-]{{1,32}}_\d{{8}}T\d{{4}}Z"
                  r"_[0-9a-fA-F.:]{{1,45}}_[0-9a-z]{{1,32}}\.log(\.gz)?"),
    columns=COLUMNS,
    format="regex_text",
    records_name="CLB requests",
    record_keys=RecordKeys(account=(), region=(), time=("timestamp",)),
    file_template="{account}_elasticloadbalancing_{region}_imported_{stamp}_0.0.0.0_{digest:.8}.log.gz",
    line_regex=LINE_REGEX,
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'"},
    description=(
        "Classic Load Balancer access logs, one row per request (HTTP/HTTPS listeners) or connection "
        "(TCP/SSL listeners, request '- - -')."
    ),
)
