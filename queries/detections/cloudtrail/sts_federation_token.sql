-- name: sts_federation_token
-- source: cloudtrail
-- id: WB-CT-079
-- title: Federation token issued to an IAM user
-- severity: medium
-- tactics: TA0003, TA0005
-- techniques: T1550.001
-- description: GetFederationToken turns a user's long-lived key into temporary credentials that outlive the
--   key's deletion (up to 36 hours).
-- false_positives: Old federation proxies.
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
    concat('name ', coalesce(json_extract_scalar(requestparameters, '$.name'), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'sts.amazonaws.com' AND eventname = 'GetFederationToken')
ORDER BY event_time, event_id
