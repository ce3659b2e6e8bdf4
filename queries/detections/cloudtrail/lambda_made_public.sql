-- name: lambda_made_public
-- source: cloudtrail
-- id: WB-CT-075
-- title: A Lambda function opened to any principal
-- severity: high
-- tactics: TA0003
-- techniques: T1546
-- description: AddPermission with principal '*' (or a function URL with no auth): anyone may invoke the
--   function.
-- false_positives: Public webhooks.
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
    AND (eventsource = 'lambda.amazonaws.com' AND eventname LIKE 'AddPermission%' AND (json_extract_scalar(requestparameters, '$.principal') = '*' OR strpos(coalesce(requestparameters, ''), '"*"') > 0))
ORDER BY event_time, event_id
