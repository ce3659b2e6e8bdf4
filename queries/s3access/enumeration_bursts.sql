-- name: enumeration_bursts
-- source: s3access
-- description: Hours in which one address (as one requester) was refused (403) or asked for objects that
--   do not exist (404) at least min_errors times in one bucket: enumeration of names, or a credential
--   trying what it is not allowed.
-- params:
--   start       date          first day (inclusive, UTC)
--   end         date          last day (inclusive, UTC)
--   accounts    list<string>  = []  account ids to keep; empty keeps all
--   regions     list<string>  = []  regions to keep; empty keeps all
--   buckets     list<string>  = []  bucket names to keep; empty keeps all
--   min_errors  int           = 20  fewest 403 and 404 answers in the hour
-- returns: hour, bucket, requester, remoteip, errors, denied, missing, objects, first_seen, last_seen
SELECT *
FROM (
    SELECT
        date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS hour,
        bucket,
        requester,
        remoteip,
        count(*) AS errors,
        count_if(httpstatus = '403') AS denied,
        count_if(httpstatus = '404') AS missing,
        count(DISTINCT nullif(key, '-')) AS objects,
        min(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS first_seen,
        max(from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))) AS last_seen
    FROM s3access
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND (cardinality(:buckets) = 0 OR contains(:buckets, bucket))
        AND httpstatus IN ('403', '404')
        AND requestdatetime IS NOT NULL
    GROUP BY date_trunc('hour', from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s')))), bucket, requester, remoteip
) AS hours
WHERE errors >= :min_errors
ORDER BY hour, bucket, requester, remoteip
