-- name: lambda_code_replaced
-- source: cloudtrail
-- id: WB-CT-077
-- title: A Lambda function's code replaced
-- severity: low
-- tactics: TA0003
-- techniques: T1525
-- description: UpdateFunctionCode by a person (an IAM user, root or a console session) rather than a
--   deployment pipeline's role: a backdoor in a function that already has rights.
-- false_positives: People deploying by hand.
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
    AND (eventsource = 'lambda.amazonaws.com' AND eventname LIKE 'UpdateFunctionCode%' AND (useridentity.type IN ('IAMUser', 'Root') OR sessioncredentialfromconsole = 'true'))
ORDER BY event_time, event_id
