-- name: queries_by_source
-- source: resolver
-- description: The hosts that asked the Resolver the most in the window: per source address and
--   instance, the queries, the distinct names, how many did not exist (NXDOMAIN), the TXT queries and
--   the longest label asked for. A host that suddenly asks for many names that do not exist, or for
--   long labels, is worth a look.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep (the region a record names); empty keeps all
--   vpcs      list<string>  = []  VPC ids to keep; empty keeps all
--   top       int           = 25  how many sources
-- returns: account_id, region, vpc, srcaddr, instance_id, queries, names, nxdomain, txt_queries,
--   longest_label, first_seen, last_seen, rank
SELECT *
FROM (
    SELECT
        account AS account_id,
        region,
        vpc,
        srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
        count(*) AS queries,
        count(DISTINCT query_name) AS names,
        count_if(rcode = 'NXDOMAIN') AS nxdomain,
        count_if(query_type = 'TXT') AS txt_queries,
        max(array_max(transform(split(query_name, '.'), label -> length(label)))) AS longest_label,
        min(from_iso8601_timestamp(query_timestamp)) AS first_seen,
        max(from_iso8601_timestamp(query_timestamp)) AS last_seen,
        row_number() OVER (ORDER BY count(*) DESC, srcaddr, vpc) AS rank
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND (cardinality(:vpcs) = 0 OR contains(:vpcs, vpc))
        AND query_timestamp IS NOT NULL
    GROUP BY account, region, vpc, srcaddr, coalesce(srcids.instance, srcids.resolver_endpoint)
) AS ranked
WHERE rank <= :top
ORDER BY rank
