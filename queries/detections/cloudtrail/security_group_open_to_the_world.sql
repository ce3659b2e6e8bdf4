-- name: security_group_open_to_the_world
-- source: cloudtrail
-- id: WB-CT-030
-- title: A security group opened to the whole internet
-- severity: high
-- tactics: TA0010, TA0005
-- techniques: T1562.007
-- description: AuthorizeSecurityGroupIngress with a range of prefix length 0 (0.0.0.0/0, ::/0): anyone may
--   now reach the port (SSH, RDP, a database).
-- false_positives: Public web front ends (80, 443).
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
    concat('group ', coalesce(json_extract_scalar(requestparameters, '$.groupId'), '?'), ' from anywhere: ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'ec2.amazonaws.com' AND eventname = 'AuthorizeSecurityGroupIngress' AND regexp_like(coalesce(requestparameters, ''), '/0"'))
ORDER BY event_time, event_id
