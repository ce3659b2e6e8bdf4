"""Route 53 Resolver query logs delivered to S3: one JSON record per line, one per DNS query.

A query logging configuration whose destination is a bucket writes every query that the VPCs
associated with it send to the Route 53 Resolver (and queries through inbound and outbound
Resolver endpoints) as
``AWSLogs/<account>/vpcdnsquerylogs/<vpc>/yyyy/mm/dd/<vpc>_vpcdnsquerylogs_<account>_<yyyymmddThhmmZ>_<hash>.log.gz``.
The key has no region folder (a record names its region): the partitions are
``account, vpc, day``, as AWS's Athena table partitions them by ``vpc`` and date.

Columns follow AWS's Athena table for these logs: ``query_timestamp`` is ISO 8601 text,
``query_name`` the name asked for with its final dot (``example.com.``), ``rcode`` the response
code (``NOERROR``, ``NXDOMAIN``, ``SERVFAIL``...), ``answers`` the records returned (``Rdata``,
``Type``, ``Class``), ``srcids`` the instance (or the Resolver endpoint) that asked and the
``firewall_*`` columns what a DNS Firewall rule did. Every string comes from whoever runs code
in the VPC: a query name is whatever a process asked for, tunnelled data included.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

COLUMNS = (
    Column.of("version", "string"),
    Column.of("account_id", "string"),
    Column.of("region", "string"),
    Column.of("vpc_id", "string"),
    Column.of("query_timestamp", "string"),
    Column.of("query_name", "string"),
    Column.of("query_type", "string"),
    Column.of("query_class", "string"),
    Column.of("rcode", "string"),
    Column.of("answers", "array<struct<Rdata:string,Type:string,Class:string>>"),
    Column.of("srcaddr", "string"),
    Column.of("srcport", "int"),
    Column.of("transport", "string"),
    Column.of("srcids", "struct<instance:string,resolver_endpoint:string>"),
    Column.of("firewall_rule_action", "string"),
    Column.of("firewall_rule_group_id", "string"),
    Column.of("firewall_domain_list_id", "string"),
)

#: What a VPC id looks like (the folder and the start of a file name).
VPC_ID = r"vpc-[0-9a-f]{8,17}"

RESOLVER = LogSource(
    name="resolver",
    table="resolver",
    title="Route 53 Resolver query logs",
    service_folder="vpcdnsquerylogs",
    file_pattern=VPC_ID.replace("{", "{{").replace("}", "}}")
    + r"_vpcdnsquerylogs_{account}_\d{{8}}T\d{{4}}Z_[0-9a-f]{{8}}\.log(\.gz)?",
    columns=COLUMNS,
    format="json_lines",
    records_name="Resolver query log records",
    record_keys=RecordKeys(account=("account_id",), region=(), time=("query_timestamp",),
                           identity=("query_timestamp", "vpc_id", "srcaddr", "srcport", "query_name", "query_type"),
                           scope=("vpc_id",)),
    file_template="{scope}_vpcdnsquerylogs_{account}_{stamp}_{digest:.8}.log.gz",
    markers=(("query_name", "query_timestamp", "rcode", "srcaddr"),),
    required_keys=("query_timestamp", "query_name"),
    scope_partition="vpc",
    scope_option="--vpcs",
    scope_pattern=VPC_ID,
    scope_from_name=rf"(?P<scope>{VPC_ID})_vpcdnsquerylogs_\d{{12}}_\d{{8}}T\d{{4}}Z_[0-9a-f]{{8}}\.log(?:\.gz)?",
    regional=False,
    athena_storage={"row_format": "SERDE 'org.openx.data.jsonserde.JsonSerDe'"},
    description=(
        "Route 53 Resolver query logs, one row per DNS query a VPC's hosts sent: the name asked for "
        "(query_name), the answer code (rcode), the records returned (answers) and who asked (srcaddr, "
        "srcids.instance)."
    ),
)
