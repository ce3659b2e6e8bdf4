"""CloudTrail management and data events, as delivered to S3 by a trail.

Columns follow AWS's current Athena table for CloudTrail (all names lower case,
``useridentity``/``resources``/``tlsdetails`` as STRUCT and ARRAY types). Struct fields
are written here as the JSON keys are spelled, since the local reader must match them
exactly; the DDL lower-cases them.
"""

from workbench.sources.base import Column, LogSource, RecordKeys

_USER_IDENTITY = """struct<
    type:string, principalId:string, arn:string, accountId:string, invokedBy:string,
    accessKeyId:string, userName:string,
    onBehalfOf:struct<userId:string, identityStoreArn:string>,
    sessionContext:struct<
        attributes:struct<mfaAuthenticated:string, creationDate:string>,
        sessionIssuer:struct<type:string, principalId:string, arn:string, accountId:string, userName:string>,
        ec2RoleDelivery:string,
        webIdFederationData:struct<federatedProvider:string, attributes:map<string,string>>>>"""

COLUMNS = (
    Column.of("eventVersion", "string"),
    Column.of("userIdentity", _USER_IDENTITY),
    Column.of("eventTime", "string"),
    Column.of("eventSource", "string"),
    Column.of("eventName", "string"),
    Column.of("awsRegion", "string"),
    Column.of("sourceIPAddress", "string"),
    Column.of("userAgent", "string"),
    Column.of("errorCode", "string"),
    Column.of("errorMessage", "string"),
    Column.of("requestParameters", "string"),
    Column.of("responseElements", "string"),
    Column.of("additionalEventData", "string"),
    Column.of("requestID", "string"),
    Column.of("eventID", "string"),
    Column.of("readOnly", "string"),
    Column.of("resources", "array<struct<ARN:string, accountId:string, type:string>>"),
    Column.of("eventType", "string"),
    Column.of("apiVersion", "string"),
    Column.of("recipientAccountId", "string"),
    Column.of("serviceEventDetails", "string"),
    Column.of("sharedEventID", "string"),
    Column.of("vpcEndpointId", "string"),
    Column.of("vpcEndpointAccountId", "string"),
    Column.of("eventCategory", "string"),
    Column.of(
        "addendum",
        "struct<reason:string, updatedFields:string, originalRequestID:string, originalEventID:string>",
    ),
    Column.of("sessionCredentialFromConsole", "string"),
    Column.of("edgeDeviceDetails", "string"),
    Column.of("tlsDetails", "struct<tlsVersion:string, cipherSuite:string, clientProvidedHostHeader:string>"),
)

CLOUDTRAIL = LogSource(
    name="cloudtrail",
    table="cloudtrail",
    title="CloudTrail",
    service_folder="CloudTrail",
    file_pattern=r"{account}_CloudTrail_{region}_\d{{8}}T\d{{4}}Z_[A-Za-z0-9]+\.json(\.gz)?",
    columns=COLUMNS,
    format="cloudtrail_json",
    records_name="CloudTrail records",
    record_keys=RecordKeys(account=("recipientAccountId", "userIdentity.accountId"), region=("awsRegion",),
                           time=("eventTime",), identity=("eventID",)),
    file_template="{account}_CloudTrail_{region}_{stamp}_{digest:.16}.json.gz",
    markers=(("CloudTrailEvent",), ("eventVersion",), ("eventTime",), ("Records",),
             # Elastic Common Schema documents, nested and with dotted keys
             ("cloudtrail", "event_version"), ("cloudtrail", "user_identity"),
             ("aws.cloudtrail.event_version",), ("aws.cloudtrail.user_identity.type",)),
    global_region="us-east-1",
    org_trail=True,
    athena_storage={
        "row_format": "SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
        "input_format": "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
        "output_format": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    },
    description=(
        "Management and data events of a trail (single account or organisation trail). "
        "One row per event; console sign-ins and other global-service events are "
        "delivered under the us-east-1 prefix."
    ),
)
