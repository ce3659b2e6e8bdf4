-- name: ec2_unusual_instance_types
-- source: cloudtrail
-- id: WB-CT-021
-- title: GPU or very large instances launched (or tried)
-- severity: medium
-- tactics: TA0002, TA0040
-- techniques: T1578.002, T1496
-- description: RunInstances for GPU, accelerator or very large instance types (p, g, inf, trn, x, dl
--   families; metal), the sign of a stolen key mining coins, whether it succeeded or not.
-- false_positives: Machine-learning teams.
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
    concat(coalesce(json_extract_scalar(requestparameters, '$.instanceType'), '?'), ' in ', awsregion, ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'ec2.amazonaws.com' AND eventname = 'RunInstances' AND regexp_like(coalesce(json_extract_scalar(requestparameters, '$.instanceType'), ''), '^(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|x[0-9]|u-)|metal'))
ORDER BY event_time, event_id
