"""Application Load Balancer connection logs: one space-separated line per TLS connection attempt.

AWS delivers a file per node every five minutes, beside the access logs, as
``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`` then
``conn_log_<account>_elasticloadbalancing_<region>_app.<name>.<id>_<end>_<node ip>_<random>.log.gz``.
A connection that failed its handshake is here and nowhere else: it never became a request.
``conn_trace_id`` is the same as on the access-log lines of the requests the connection carried.

Columns are named as AWS's Athena table for these logs names them (``time`` for the field AWS
calls ``timestamp``); the subject is always quoted. ``tls_keyexchange``, ``elb`` and
``ip_address`` (the load balancer node) came later and are optional; fields AWS adds after them
are allowed and not read.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_TOKEN = r"([^ ]*)"

#: One connection-log entry, a group per column in :data:`COLUMNS` order.
LINE_REGEX = (
    "^" + " ".join([
        _TOKEN,                          # timestamp
        _TOKEN, r"([0-9]*)",             # client ip, client port
        r"([0-9]*)",                     # listener port
        _TOKEN, _TOKEN,                  # tls protocol, cipher
        r"([-.0-9]*)",                   # handshake latency (s)
        r'"([^"]*)"',                    # leaf client certificate subject
        _TOKEN, _TOKEN,                  # its validity, its serial number
        _TOKEN,                          # tls_verify_status: Success or Failed:<code>
        _TOKEN,                          # conn_trace_id
    ]) + r"(?: ([^ ]*))?(?: ([^ ]*))?(?: ([^ ]*))?(?: .*)?$"  # key exchange, elb, node ip; later fields
)

COLUMNS = (
    Column.of("time", "string"),
    Column.of("client_ip", "string"),
    Column.of("client_port", "int"),
    Column.of("listener_port", "int"),
    Column.of("tls_protocol", "string"),
    Column.of("tls_cipher", "string"),
    Column.of("tls_handshake_latency", "double"),
    Column.of("leaf_client_cert_subject", "string"),
    Column.of("leaf_client_cert_validity", "string"),
    Column.of("leaf_client_cert_serial_number", "string"),
    Column.of("tls_verify_status", "string"),
    Column.of("conn_trace_id", "string"),
    Column.of("tls_keyexchange", "string"),
    Column.of("elb", "string"),
    Column.of("ip_address", "string"),
)

ALB_CONNECTIONS = LogSource(
    name="alb_connections",
    table="alb_connections",
    title="ALB connection logs",
    service_folder="elasticloadbalancing",
    file_pattern=(r"conn_log_{account}_elasticloadbalancing_{region}_app\.[A-Za-z0-9-]{{1,32}}\.[0-9a-f]{{1,32}}"
                  r"_\d{{8}}T\d{{4}}Z_[0-9a-fA-F.:]{{1,45}}_[0-9a-z]{{1,32}}\.log(\.gz)?"),
    columns=COLUMNS,
    format="regex_text",
    records_name="ALB connections",
    record_keys=RecordKeys(account=(), region=(), time=("time",)),
    file_template=("conn_log_{account}_elasticloadbalancing_{region}_app.imported.{digest:.16}_{stamp}_0.0.0.0_"
                   "{digest:.8}.log.gz"),
    line_regex=LINE_REGEX,
    line_optional=("tls_keyexchange", "elb", "ip_address"),
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'"},
    description=(
        "Application Load Balancer connection logs, one row per connection attempt with its TLS "
        "handshake (tls_verify_status Failed:<code> when it failed)."
    ),
)
