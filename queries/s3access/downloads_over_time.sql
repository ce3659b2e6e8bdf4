-- name: downloads_over_time
-- source: s3access
-- description: Objects downloaded (REST.GET.OBJECT answered 200) per hour, requester, address and
--   bucket, with the bytes: an application reads a steady trickle; a stolen credential emptying a
--   bucket reads hundreds of objects in an hour from one address.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
--   buckets   list<string>  = []  bucket names to keep; empty keeps all
-- returns: hour, bucket, requester, remoteip, objects, downloads, sent_bytes
SELECT
    date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS hour,
    bucket,
    requester,
    remoteip,
    count(DISTINCT key) AS objects,
    count(*) AS downloads,
    coalesce(sum(bytessent), 0) AS sent_bytes
FROM s3access
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (cardinality(:buckets) = 0 OR contains(:buckets, bucket))
    AND operation = 'REST.GET.OBJECT'
    AND httpstatus = '200'
    AND requestdatetime IS NOT NULL
GROUP BY date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))), bucket, requester, remoteip
ORDER BY hour, bucket, requester, remoteip
