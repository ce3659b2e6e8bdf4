-- name: rds_snapshot_shared
-- source: cloudtrail
-- id: WB-CT-033
-- title: An RDS snapshot shared with another account or made public
-- severity: high
-- tactics: TA0010
-- techniques: T1537
-- description: ModifyDBSnapshotAttribute (or the cluster one) adding restore permission: the database can
--   be copied out.
-- false_positives: Snapshots shared with a backup account.
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
    concat('snapshot ', coalesce(json_extract_scalar(requestparameters, '$.dBSnapshotIdentifier'), json_extract_scalar(requestparameters, '$.dBClusterSnapshotIdentifier'), '?'), ' to ', coalesce(json_format(json_extract(requestparameters, '$.valuesToAdd')), '?'), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'rds.amazonaws.com' AND eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute') AND json_extract(requestparameters, '$.valuesToAdd') IS NOT NULL)
ORDER BY event_time, event_id
