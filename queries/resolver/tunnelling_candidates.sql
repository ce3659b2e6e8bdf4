-- name: tunnelling_candidates
-- source: resolver
-- description: Domains under which one host asked for names with long labels: data sent out through DNS
--   (tunnelling) puts it in the labels of names under a domain its receiver answers for, often in TXT
--   queries. Per source and domain (the last two labels of a name), the queries, distinct names,
--   longest label, TXT share and a few of the names.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep (the region a record names); empty keeps all
--   vpcs       list<string>  = []  VPC ids to keep; empty keeps all
--   min_label  int           = 40  shortest longest label to report (a DNS label holds at most 63)
-- returns: account_id, region, vpc, srcaddr, instance_id, domain, queries, names, longest_label,
--   txt_queries, sample_names, first_seen, last_seen
WITH asked AS (
    SELECT
        account AS account_id,
        region,
        vpc,
        srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
        regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1) AS domain,
        query_name,
        query_type,
        array_max(transform(split(query_name, '.'), label -> length(label))) AS longest,
        from_iso8601_timestamp(query_timestamp) AS asked_at
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND (cardinality(:vpcs) = 0 OR contains(:vpcs, vpc))
        AND query_name IS NOT NULL
        AND query_timestamp IS NOT NULL
)
SELECT
    account_id,
    region,
    vpc,
    srcaddr,
    instance_id,
    domain,
    count(*) AS queries,
    count(DISTINCT query_name) AS names,
    max(longest) AS longest_label,
    count_if(query_type = 'TXT') AS txt_queries,
    array_join(slice(array_sort(array_agg(DISTINCT query_name)), 1, 3), ' ') AS sample_names,
    min(asked_at) AS first_seen,
    max(asked_at) AS last_seen
FROM asked
WHERE longest >= :min_label
GROUP BY account_id, region, vpc, srcaddr, instance_id, domain
ORDER BY names DESC, account_id, vpc, srcaddr, domain
