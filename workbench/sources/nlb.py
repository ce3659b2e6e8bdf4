"""Network Load Balancer access logs: one space-separated line per TLS connection.

A Network Load Balancer logs only the connections of its TLS listeners. AWS delivers a file per
node every five minutes, beside the other load balancers' files, as
``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`` then
``<account>_elasticloadbalancing_<region>_net.<name>.<id>_<end>_<random>.log.gz`` (no node
address in the name, unlike ALB and CLB files).

Fields are positional and unquoted; ``-`` means "none" (no handshake, no alert, no ALPN). A
connection whose TLS handshake did not complete has ``-`` as its handshake time, cipher and
protocol: a scanner touching the port, or a client that gave up. Columns are named as AWS's Athena
table for these logs names them (``client_ip``/``client_port``, ``target_ip``/``target_port`` for
the destination, ``tcp_connection_time_ms``, ``tls_handshake_time_ms``, ``cert_arn``,
``tls_cipher_suite``). ``tls_named_group`` holds the field AWS now documents as
``tls_keyexchange``; ``tls_connection_creation_time`` (added later) is optional, and fields AWS
adds after it are allowed and not read.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_TOKEN = r"([^ ]*)"

#: One NLB access-log entry, a group per column in :data:`COLUMNS` order.
LINE_REGEX = (
    "^" + " ".join([
        _TOKEN, _TOKEN, _TOKEN,          # type, version, time
        _TOKEN, _TOKEN,                  # elb, listener
        r"([^ ]*):([0-9]*)",             # client:port
        r"([^ ]*):([0-9]*)",             # destination:port
        r"([-.0-9]*)", r"([-.0-9]*)",    # connection and handshake times (ms)
        r"([-0-9]*)", r"([-0-9]*)",      # received_bytes, sent_bytes
        r"([-0-9]*)",                    # incoming_tls_alert
        _TOKEN, _TOKEN,                  # chosen_cert_arn, chosen_cert_serial
        _TOKEN, _TOKEN, _TOKEN,          # tls_cipher, tls_protocol_version, tls_keyexchange
        _TOKEN,                          # domain_name (SNI)
        _TOKEN, _TOKEN, _TOKEN,          # alpn front end, back end, the client's list
    ]) + r"(?: ([^ ]*))?(?: .*)?$"       # tls_connection_creation_time, then fields added later
)

COLUMNS = (
    Column.of("type", "string"),
    Column.of("version", "string"),
    Column.of("time", "string"),
    Column.of("elb", "string"),
    Column.of("listener_id", "string"),
    Column.of("client_ip", "string"),
    Column.of("client_port", "int"),
    Column.of("target_ip", "string"),
    Column.of("target_port", "int"),
    Column.of("tcp_connection_time_ms", "double"),
    Column.of("tls_handshake_time_ms", "double"),
    Column.of("received_bytes", "bigint"),
    Column.of("sent_bytes", "bigint"),
    Column.of("incoming_tls_alert", "int"),
    Column.of("cert_arn", "string"),
    Column.of("certificate_serial", "string"),
    Column.of("tls_cipher_suite", "string"),
    Column.of("tls_protocol_version", "string"),
    Column.of("tls_named_group", "string"),
    Column.of("domain_name", "string"),
    Column.of("alpn_fe_protocol", "string"),
    Column.of("alpn_be_protocol", "string"),
    Column.of("alpn_client_preference_list", "string"),
    Column.of("tls_connection_creation_time", "string"),
)

NLB = LogSource(
    name="nlb",
    table="nlb",
    title="NLB access logs",
    service_folder="elasticloadbalancing",
    file_pattern=(r"{account}_elasticloadbalancing_{region}_net\.[A-Za-z0-9-]{{1,32}}\.[0-9a-f]{{1,32}}"
                  r"_\d{{8}}T\d{{4}}Z_[0-9a-z]{{1,32}}\.log(\.gz)?"),
    columns=COLUMNS,
    format="regex_text",
    records_name="NLB TLS connections",
    record_keys=RecordKeys(account=(), region=(), time=("time", "tls_connection_creation_time")),
    file_template="{account}_elasticloadbalancing_{region}_net.imported.{digest:.16}_{stamp}_{digest:.8}.log.gz",
    line_regex=LINE_REGEX,
    line_optional=("tls_connection_creation_time",),
    athena_storage={"row_format": "SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'"},
    description=(
        "Network Load Balancer access logs, one row per connection to a TLS listener, including "
        "connections whose handshake never completed (tls_handshake_time_ms null)."
    ),
)
