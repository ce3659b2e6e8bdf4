"""AWS WAF logs delivered to S3: one JSON record per line, one per request a web ACL inspected.

AWS writes them every five minutes as
``AWSLogs/<account>/WAFLogs/<region>/<web-acl-name>/yyyy/mm/dd/HH/mm/<account>_waflogs_<region>_<web-acl-name>_<yyyymmddThhmmZ>_<hash>.log.gz``
in a bucket whose name starts ``aws-waf-logs-``. The region folder of a CloudFront web ACL is
``cloudfront``. The web ACL's name is a partition (``web_acl``) between the region and the day;
the hour and minute folders are read, not pruned on.

Columns follow AWS's Athena table for WAF logs (lower case; ``timestamp`` is milliseconds since
the epoch). ``httprequest`` holds the client address and its country as WAF saw them, the
headers, URI and query; ``labels`` the labels rules added; ``rulegrouplist`` what each managed
rule group did; ``terminatingruleid`` the rule that decided (``Default_Action`` when none did).
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_MATCH = "array<struct<conditionType:string,sensitivityLevel:string,location:string,matchedData:array<string>>>"
_RESPONSE = "struct<responseCode:string,solveTimestamp:string,failureReason:string>"

COLUMNS = (
    Column.of("timestamp", "bigint"),
    Column.of("formatVersion", "int"),
    Column.of("webaclId", "string"),
    Column.of("terminatingRuleId", "string"),
    Column.of("terminatingRuleType", "string"),
    Column.of("action", "string"),
    Column.of("terminatingRuleMatchDetails", _MATCH),
    Column.of("httpSourceName", "string"),
    Column.of("httpSourceId", "string"),
    Column.of("ruleGroupList", "array<struct<ruleGroupId:string,terminatingRule:struct<ruleId:string,action:string,"
                               f"ruleMatchDetails:{_MATCH}>,nonTerminatingMatchingRules:array<struct<ruleId:string,"
                               f"action:string,overriddenAction:string,ruleMatchDetails:{_MATCH}>>,"
                               "excludedRules:string>>"),
    Column.of("rateBasedRuleList", "array<struct<rateBasedRuleId:string,rateBasedRuleName:string,limitKey:string,"
                                   "maxRateAllowed:int>>"),
    Column.of("nonTerminatingMatchingRules", f"array<struct<ruleId:string,action:string,ruleMatchDetails:{_MATCH}>>"),
    Column.of("requestHeadersInserted", "array<struct<name:string,value:string>>"),
    Column.of("responseCodeSent", "string"),
    Column.of("httpRequest", "struct<clientIp:string,country:string,headers:array<struct<name:string,value:string>>,"
                             "uri:string,args:string,httpVersion:string,httpMethod:string,requestId:string,"
                             "fragment:string,scheme:string,host:string>"),
    Column.of("labels", "array<struct<name:string>>"),
    Column.of("captchaResponse", _RESPONSE),
    Column.of("challengeResponse", _RESPONSE),
    Column.of("ja3Fingerprint", "string"),
    Column.of("ja4Fingerprint", "string"),
    Column.of("requestBodySize", "int"),
    Column.of("requestBodySizeInspectedByWAF", "int"),
)

WAF = LogSource(
    name="waf",
    table="waf",
    title="WAF logs",
    service_folder="WAFLogs",
    file_pattern=r"{account}_waflogs_{region}_[A-Za-z0-9_-]{{1,128}}_\d{{8}}T\d{{4}}Z_[0-9a-f]{{8}}\.log(\.gz)?",
    columns=COLUMNS,
    format="json_lines",
    records_name="WAF records",
    record_keys=RecordKeys(account=(), region=(), time=("timestamp",),
                           identity=("httpRequest.requestId", "timestamp", "webaclId"), arn=("webaclId",)),
    file_template="{account}_waflogs_{region}_{scope}_{stamp}_{digest:.8}.log.gz",
    markers=(("webaclId", "terminatingRuleId", "httpRequest"),),
    required_keys=("timestamp", "httpRequest"),
    scope_partition="web_acl",
    scope_option="--web-acls",
    time_folders=2,
    athena_storage={"row_format": "SERDE 'org.openx.data.jsonserde.JsonSerDe'"},
    description=(
        "AWS WAF logs, one row per request a web ACL inspected: what it decided (action), which rule "
        "decided (terminatingruleid), the labels rules added and the request as WAF saw it (httprequest)."
    ),
)
