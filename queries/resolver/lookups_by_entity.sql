-- name: lookups_by_entity
-- source: resolver
-- description: The DNS lookups that involve any of `addresses` or `instance_ids`, per hour: names a host
--   with one of those addresses (or one of those instances) asked for, and names that resolved to one
--   of those addresses, whoever asked. The pivot from an instance to what it looked up, and from an
--   outside address to the name that led a host to it.
-- params:
--   start         date          first day (inclusive, UTC)
--   end           date          last day (inclusive, UTC)
--   addresses     list<string>  = []  IP addresses: of the host that asked, or in an answer
--   instance_ids  list<string>  = []  instance ids of the hosts that asked
--   accounts      list<string>  = []  account ids to keep; empty keeps all
--   regions       list<string>  = []  regions to keep (the region a record names); empty keeps all
-- returns: hour, account_id, region, vpc, srcaddr, instance_id, query_name, query_type, rcode,
--   queries, addresses, first_seen, last_seen
SELECT
    date_trunc('hour', from_iso8601_timestamp(query_timestamp)) AS hour,
    account AS account_id,
    region,
    vpc,
    srcaddr,
    coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
    query_name,
    query_type,
    rcode,
    count(*) AS queries,
    array_join(array_sort(array_distinct(flatten(array_agg(
        transform(coalesce(answers, ARRAY[]), a -> a.rdata))))), ' ') AS addresses,
    min(from_iso8601_timestamp(query_timestamp)) AS first_seen,
    max(from_iso8601_timestamp(query_timestamp)) AS last_seen
FROM resolver
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (contains(:addresses, srcaddr) OR contains(:instance_ids, srcids.instance)
        OR cardinality(filter(coalesce(answers, ARRAY[]), a -> contains(:addresses, a.rdata))) > 0)
    AND query_timestamp IS NOT NULL
GROUP BY date_trunc('hour', from_iso8601_timestamp(query_timestamp)), account, region, vpc, srcaddr,
    coalesce(srcids.instance, srcids.resolver_endpoint), query_name, query_type, rcode
ORDER BY hour, first_seen, srcaddr, query_name, query_type
