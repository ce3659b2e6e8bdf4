-- name: lambda_layer_added
-- source: cloudtrail
-- id: WB-CT-076
-- title: A layer added to a Lambda function
-- severity: medium
-- tactics: TA0003
-- techniques: T1546
-- description: UpdateFunctionConfiguration with layers: a layer (or extension) runs with the function's
--   rights on every call.
-- false_positives: Deployments that add shared layers.
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
    concat('function ', coalesce(json_extract_scalar(requestparameters, '$.functionName'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'lambda.amazonaws.com' AND eventname LIKE 'UpdateFunctionConfiguration%' AND strpos(coalesce(requestparameters, ''), 'layers') > 0)
ORDER BY event_time, event_id
