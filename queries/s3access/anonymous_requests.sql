-- name: anonymous_requests
-- source: s3access
-- description: Requests no credential signed (requester '-'), per address, bucket, operation and
--   answer: a public object read as intended, or someone trying a bucket's name (403 AccessDenied)
--   or listing it.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
--   buckets   list<string>  = []  bucket names to keep; empty keeps all
-- returns: remoteip, bucket, operation, httpstatus, errorcode, requests, objects, user_agents,
--   first_seen, last_seen
SELECT
    remoteip,
    bucket,
    operation,
    httpstatus,
    errorcode,
    count(*) AS requests,
    count(DISTINCT nullif(key, '-')) AS objects,
    array_join(slice(array_sort(array_agg(DISTINCT useragent)), 1, 3), ' | ') AS user_agents,
    min(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS first_seen,
    max(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS last_seen
FROM s3access
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (cardinality(:buckets) = 0 OR contains(:buckets, bucket))
    AND requester = '-'
    AND requestdatetime IS NOT NULL
GROUP BY remoteip, bucket, operation, httpstatus, errorcode
ORDER BY requests DESC, remoteip, bucket, operation
