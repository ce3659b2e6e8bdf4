-- name: requests_by_client
-- source: s3access
-- description: Every request to the buckets from any of `addresses` or signed by any of `principals`
--   (a requester ARN, or its last part: a user or role name) in the window, in time order: the pivot
--   from an address or a leaked credential to the objects it touched.
-- params:
--   start       date          first day (inclusive, UTC)
--   end         date          last day (inclusive, UTC)
--   addresses   list<string>  = []  client IP addresses
--   principals  list<string>  = []  requester ARNs, user or role names
--   accounts    list<string>  = []  account ids to keep; empty keeps all
--   regions     list<string>  = []  regions to keep; empty keeps all
-- returns: request_time, account_id, region, bucket, remoteip, requester, operation, key, httpstatus,
--   errorcode, bytessent, useragent, requestid
SELECT
    from_unixtime(to_unixtime(date_parse(substr(requestdatetime, 1, 20), '%d/%b/%Y:%H:%i:%s'))) AS request_time,
    account AS account_id,
    region,
    bucket,
    remoteip,
    requester,
    operation,
    key,
    httpstatus,
    errorcode,
    bytessent,
    useragent,
    requestid
FROM s3access
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (contains(:addresses, remoteip) OR contains(:principals, requester)
        OR contains(:principals, element_at(split(requester, '/'), -1)))
    AND requestdatetime IS NOT NULL
ORDER BY request_time, requestid
