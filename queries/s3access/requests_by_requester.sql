-- name: requests_by_requester
-- source: s3access
-- description: Who did what to the buckets in the window: per bucket, requester (an IAM ARN, a
--   canonical user id, or '-' for anonymous) and operation, the requests, errors, distinct objects,
--   bytes sent, the addresses they came from and when.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
--   buckets   list<string>  = []  bucket names to keep; empty keeps all
-- returns: bucket, requester, operation, requests, errors, objects, sent_bytes, addresses,
--   first_seen, last_seen
SELECT
    bucket,
    requester,
    operation,
    count(*) AS requests,
    count_if(httpstatus NOT LIKE '2%' AND httpstatus NOT LIKE '3%') AS errors,
    count(DISTINCT nullif(key, '-')) AS objects,
    coalesce(sum(bytessent), 0) AS sent_bytes,
    array_join(slice(array_sort(array_agg(DISTINCT remoteip)), 1, 5), ' ') AS addresses,
    min(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS first_seen,
    max(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS last_seen
FROM s3access
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (cardinality(:buckets) = 0 OR contains(:buckets, bucket))
    AND requestdatetime IS NOT NULL
GROUP BY bucket, requester, operation
ORDER BY requests DESC, bucket, requester, operation
