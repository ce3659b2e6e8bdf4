-- name: roles_anywhere_trust_anchor
-- source: cloudtrail
-- id: WB-CT-078
-- title: IAM Roles Anywhere trust anchor or profile created
-- severity: high
-- tactics: TA0003
-- techniques: T1098
-- description: CreateTrustAnchor and CreateProfile let certificates from an outside authority assume roles:
--   a backdoor that survives key rotation.
-- false_positives: Setting up Roles Anywhere for on-premises servers.
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
    concat(eventname, ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'rolesanywhere.amazonaws.com' AND eventname IN ('CreateTrustAnchor', 'CreateProfile', 'UpdateTrustAnchor'))
ORDER BY event_time, event_id
