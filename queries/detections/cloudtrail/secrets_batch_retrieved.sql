-- name: secrets_batch_retrieved
-- source: cloudtrail
-- id: WB-CT-003
-- title: Secrets retrieved in bulk (BatchGetSecretValue)
-- severity: high
-- tactics: TA0006
-- techniques: T1555.006
-- description: BatchGetSecretValue returns many Secrets Manager secrets in one call: rarely needed by an
--   application, an attacker's quickest way to all of them.
-- false_positives: Deployment tooling that loads many secrets at start-up.
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
    concat('secrets: ', coalesce(json_format(json_extract(requestparameters, '$.secretIdList')), 'by filter'), '; ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'secretsmanager.amazonaws.com' AND eventname = 'BatchGetSecretValue')
ORDER BY event_time, event_id
