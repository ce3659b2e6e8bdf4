-- name: iam_backdoor_role_created
-- source: cloudtrail
-- id: WB-CT-080
-- title: A role created that another account may assume
-- severity: medium
-- tactics: TA0003
-- techniques: T1098
-- description: CreateRole whose trust policy names an AWS account or principal (not only a service): a door
--   for someone outside.
-- false_positives: Cross-account roles for the organisation's own accounts.
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
    concat('role ', coalesce(json_extract_scalar(requestparameters, '$.roleName'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'iam.amazonaws.com' AND eventname = 'CreateRole' AND regexp_like(coalesce(json_extract_scalar(requestparameters, '$.assumeRolePolicyDocument'), ''), 'arn:aws:iam::[0-9]{12}:|"AWS"'))
ORDER BY event_time, event_id
