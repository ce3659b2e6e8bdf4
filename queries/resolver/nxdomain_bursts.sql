-- name: nxdomain_bursts
-- source: resolver
-- description: Hours in which one host asked for many names that do not exist (NXDOMAIN), most of them
--   different: what malware that generates its controller's domain names (a DGA) does until one
--   answers. A mistyped name asked again and again is one name, not a burst.
-- params:
--   start         date          first day (inclusive, UTC)
--   end           date          last day (inclusive, UTC)
--   accounts      list<string>  = []  account ids to keep; empty keeps all
--   regions       list<string>  = []  regions to keep (the region a record names); empty keeps all
--   vpcs          list<string>  = []  VPC ids to keep; empty keeps all
--   min_names     int           = 20  fewest distinct names that do not exist, in one hour
-- returns: hour, account_id, region, vpc, srcaddr, instance_id, nxdomain, names, domains,
--   sample_names, first_seen, last_seen
SELECT *
FROM (
    SELECT
        date_trunc('hour', from_iso8601_timestamp(query_timestamp)) AS hour,
        account AS account_id,
        region,
        vpc,
        srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
        count(*) AS nxdomain,
        count(DISTINCT query_name) AS names,
        count(DISTINCT regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1)) AS domains,
        array_join(slice(array_sort(array_agg(DISTINCT query_name)), 1, 5), ' ') AS sample_names,
        min(from_iso8601_timestamp(query_timestamp)) AS first_seen,
        max(from_iso8601_timestamp(query_timestamp)) AS last_seen
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND (cardinality(:vpcs) = 0 OR contains(:vpcs, vpc))
        AND rcode = 'NXDOMAIN'
        AND query_timestamp IS NOT NULL
    GROUP BY date_trunc('hour', from_iso8601_timestamp(query_timestamp)), account, region, vpc, srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint)
) AS hours
WHERE names >= :min_names
ORDER BY hour, account_id, vpc, srcaddr
