-- name: ec2_user_data_changed
-- source: cloudtrail
-- id: WB-CT-022
-- title: An instance's user data was changed
-- severity: high
-- tactics: TA0002, TA0003
-- techniques: T1059.009
-- description: ModifyInstanceAttribute setting userData: the script runs as root at the next start.
-- false_positives: Image pipelines that set user data while an instance is stopped.
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
    concat('instance ', coalesce(json_extract_scalar(requestparameters, '$.instanceId'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'ec2.amazonaws.com' AND eventname = 'ModifyInstanceAttribute' AND (json_extract_scalar(requestparameters, '$.userData') IS NOT NULL OR strpos(coalesce(requestparameters, ''), 'userData') > 0))
ORDER BY event_time, event_id
