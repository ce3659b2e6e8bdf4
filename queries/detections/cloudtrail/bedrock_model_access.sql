-- name: bedrock_model_access
-- source: cloudtrail
-- id: WB-CT-040
-- title: Bedrock models invoked or model access set up
-- severity: medium
-- tactics: TA0040
-- techniques: T1496
-- description: InvokeModel and the calls that grant model access (PutUseCaseForModelAccess,
--   CreateFoundationModelAgreement, PutFoundationModelEntitlement): stolen keys are sold for LLM
--   use.
-- false_positives: Teams that use Bedrock.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    coalesce(useridentity.arn, useridentity.username, useridentity.principalid) AS principal,
    sourceipaddress AS source_ip,
    useridentity.accesskeyid AS access_key_id,
    eventname AS event_name,
    eventid AS event_id,
    concat(coalesce(json_extract_scalar(requestparameters, '$.modelId'), json_extract_scalar(requestparameters, '$.modelIdentifier'), 'model access'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'bedrock.amazonaws.com' AND eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream', 'PutUseCaseForModelAccess', 'CreateFoundationModelAgreement', 'PutFoundationModelEntitlement'))
ORDER BY event_time, event_id
