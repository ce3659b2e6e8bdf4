-- name: bulk_download
-- source: s3access
-- id: WB-S3-001
-- title: One requester downloaded many objects of a bucket within an hour
-- severity: high
-- tactics: TA0009, TA0010
-- techniques: T1530
-- description: One requester (an IAM principal, or anonymous) downloaded at least min_objects distinct
--   objects of one bucket from one address within one hour (REST.GET.OBJECT answered 200). Applications
--   read a steady trickle; a stolen credential emptying a bucket reads hundreds. One hit per requester,
--   address, bucket and hour, at its first download.
-- false_positives: A backup or replication job, a data pipeline's batch read, a migration: allow-list
--   their roles.
-- params:
--   start        date          first day (inclusive, UTC)
--   end          date          last day (inclusive, UTC)
--   accounts     list<string>  = []  account ids to keep; empty keeps all
--   regions      list<string>  = []  regions to keep; empty keeps all
--   min_objects  int           = 100  fewest distinct objects downloaded in the hour
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH hours AS (
    SELECT
        account AS account_id,
        region,
        bucket,
        requester,
        remoteip,
        date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s'))))
            AS hour,
        count(DISTINCT key) AS objects,
        coalesce(sum(bytessent), 0) AS sent,
        min(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS first_read,
        min_by(requestid, concat(requestdatetime, requestid)) AS first_request
    FROM s3access
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND operation = 'REST.GET.OBJECT'
        AND httpstatus = '200'
        AND requestdatetime IS NOT NULL
    GROUP BY account, region, bucket, requester, remoteip,
        date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s'))))
)
SELECT
    first_read AS event_time,
    account_id,
    region,
    requester AS principal,
    remoteip AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'bulk download' AS event_name,
    first_request AS event_id,
    concat(CAST(objects AS varchar), ' objects (', CAST(sent AS varchar), ' bytes) of ', bucket,
           ' downloaded within the hour') AS detail
FROM hours
WHERE objects >= :min_objects
ORDER BY event_time, event_id
