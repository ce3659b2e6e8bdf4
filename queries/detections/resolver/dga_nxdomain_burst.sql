-- name: dga_nxdomain_burst
-- source: resolver
-- id: WB-DNS-001
-- title: A host asked for many names that do not exist in one hour (domain generation)
-- severity: high
-- tactics: TA0011
-- techniques: T1568.002
-- description: One host (a source address in a VPC) asked the Resolver for at least min_names distinct
--   names that do not exist (NXDOMAIN) under at least min_names / 2 distinct domains within one hour.
--   Malware that generates its controller's names (a DGA) asks for them until one answers; a mistyped
--   or missing internal name is asked again and again, one name under one domain. One hit per host and
--   hour, at its first such query.
-- false_positives: A crawler or mail server that resolves many names it was given (spam senders'
--   domains); a security tool that checks lists of domains.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep (the region a record names); empty keeps all
--   min_names  int           = 20  fewest distinct names that do not exist, in one hour
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH hours AS (
    SELECT
        account AS account_id,
        region,
        vpc,
        srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
        date_trunc('hour', from_iso8601_timestamp(query_timestamp)) AS hour,
        count(DISTINCT query_name) AS names,
        count(DISTINCT regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1)) AS domains,
        min(from_iso8601_timestamp(query_timestamp)) AS first_asked
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND rcode = 'NXDOMAIN'
        AND query_timestamp IS NOT NULL
    GROUP BY account, region, vpc, srcaddr, coalesce(srcids.instance, srcids.resolver_endpoint),
        date_trunc('hour', from_iso8601_timestamp(query_timestamp))
)
SELECT
    first_asked AS event_time,
    account_id,
    region,
    instance_id AS principal,
    srcaddr AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'NXDOMAIN burst' AS event_name,
    concat(vpc, '/', srcaddr, '/', CAST(CAST(to_unixtime(hour) AS bigint) AS varchar)) AS event_id,
    concat(CAST(names AS varchar), ' names that do not exist under ', CAST(domains AS varchar),
           ' domains asked by ', srcaddr, ' in ', vpc, ' within the hour') AS detail
FROM hours
WHERE names >= :min_names AND domains * 2 >= :min_names
ORDER BY event_time, event_id
