-- name: rare_domains
-- source: resolver
-- description: Domains (the last two labels of a name) that resolved for at most max_hosts hosts in the
--   whole window: a controller, a drop site or a personal service one machine talks to stands out
--   against names every host of a fleet resolves. With the addresses they resolved to, to look for
--   in the flow logs.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep (the region a record names); empty keeps all
--   vpcs       list<string>  = []  VPC ids to keep; empty keeps all
--   max_hosts  int           = 1   most hosts (source addresses) that resolved the domain
-- returns: domain, hosts, srcaddrs, instance_ids, queries, names, days, addresses, first_seen,
--   last_seen
SELECT *
FROM (
    SELECT
        regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1) AS domain,
        count(DISTINCT concat(vpc, '/', srcaddr)) AS hosts,
        array_join(array_sort(array_agg(DISTINCT srcaddr)), ' ') AS srcaddrs,
        array_join(array_sort(array_agg(DISTINCT coalesce(srcids.instance, srcids.resolver_endpoint))), ' ')
            AS instance_ids,
        count(*) AS queries,
        count(DISTINCT query_name) AS names,
        count(DISTINCT day) AS days,
        array_join(array_sort(array_distinct(flatten(array_agg(
            transform(filter(coalesce(answers, ARRAY[]), a -> a.type IN ('A', 'AAAA')), a -> a.rdata))))), ' ')
            AS addresses,
        min(from_iso8601_timestamp(query_timestamp)) AS first_seen,
        max(from_iso8601_timestamp(query_timestamp)) AS last_seen
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND (cardinality(:vpcs) = 0 OR contains(:vpcs, vpc))
        AND rcode = 'NOERROR'
        AND query_name IS NOT NULL
        AND query_timestamp IS NOT NULL
    GROUP BY regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1)
) AS domains
WHERE hosts <= :max_hosts
ORDER BY queries DESC, domain
