-- name: iam_access_key_for_another_user
-- source: cloudtrail
-- id: WB-CT-071
-- title: Access key created for another user
-- severity: medium
-- tactics: TA0003
-- techniques: T1098.001
-- description: CreateAccessKey for a user other than the caller: long-lived keys for an account someone
--   else will hold.
-- false_positives: Administrators issuing keys to service users.
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
    concat('for ', json_extract_scalar(requestparameters, '$.userName'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'iam.amazonaws.com' AND eventname = 'CreateAccessKey' AND json_extract_scalar(requestparameters, '$.userName') IS NOT NULL AND json_extract_scalar(requestparameters, '$.userName') <> coalesce(useridentity.username, element_at(split(useridentity.arn, '/'), -1), ''))
ORDER BY event_time, event_id
