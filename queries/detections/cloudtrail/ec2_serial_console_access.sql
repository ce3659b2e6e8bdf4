-- name: ec2_serial_console_access
-- source: cloudtrail
-- id: WB-CT-061
-- title: EC2 serial console enabled or used
-- severity: high
-- tactics: TA0008
-- techniques: T1021
-- description: EnableSerialConsoleAccess or SendSerialConsoleSSHPublicKey: a console onto an instance that
--   bypasses its network controls.
-- false_positives: Recovering an instance that cannot boot.
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
    concat(eventname, ' ', coalesce(json_extract_scalar(requestparameters, '$.instanceId'), ''), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND ((eventsource = 'ec2.amazonaws.com' AND eventname = 'EnableSerialConsoleAccess') OR (eventsource = 'ec2-instance-connect.amazonaws.com' AND eventname = 'SendSerialConsoleSSHPublicKey'))
ORDER BY event_time, event_id
