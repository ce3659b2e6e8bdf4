-- name: ec2_instance_connect_key_pushed
-- source: cloudtrail
-- id: WB-CT-060
-- title: SSH key pushed to an instance (EC2 Instance Connect)
-- severity: medium
-- tactics: TA0008
-- techniques: T1021.004
-- description: SendSSHPublicKey puts a key on an instance for 60 seconds: a way onto a host without its key
--   pair.
-- false_positives: Administrators using EC2 Instance Connect.
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
    concat('instance ', coalesce(json_extract_scalar(requestparameters, '$.instanceId'), '?'), ' as ', coalesce(json_extract_scalar(requestparameters, '$.instanceOSUser'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'ec2-instance-connect.amazonaws.com' AND eventname = 'SendSSHPublicKey')
ORDER BY event_time, event_id
