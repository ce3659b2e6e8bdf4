-- name: cloudtrail_logging_stopped
-- source: cloudtrail
-- id: WB-CT-011
-- title: CloudTrail logging was stopped
-- severity: high
-- tactics: TA0005
-- techniques: T1562.008
-- description: StopLogging pauses a trail: the classic first step of someone who is about to act.
-- false_positives: Planned maintenance of the trail.
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
    concat('trail ', coalesce(json_extract_scalar(requestparameters, '$.name'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'cloudtrail.amazonaws.com' AND eventname = 'StopLogging')
ORDER BY event_time, event_id
