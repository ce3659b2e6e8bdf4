-- name: ssm_send_command
-- source: cloudtrail
-- id: WB-CT-023
-- title: Commands sent to instances with SSM
-- severity: low
-- tactics: TA0002
-- techniques: T1651
-- description: SendCommand runs a command on instances as root; by a person rather than an automation role
--   it is worth a look.
-- false_positives: Patch and configuration automation.
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
    concat(coalesce(json_extract_scalar(requestparameters, '$.documentName'), '?'), ' on ', coalesce(json_format(json_extract(requestparameters, '$.instanceIds')), 'targets'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'ssm.amazonaws.com' AND eventname = 'SendCommand' AND coalesce(useridentity.type, '') <> 'AWSService')
ORDER BY event_time, event_id
