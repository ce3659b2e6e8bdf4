-- name: dns_tunnelling
-- source: resolver
-- description: One host asked for at least min_names distinct names whose longest label is at least
--   min_label characters, under one domain, in one day: data encoded into labels (base32, hex) and
--   sent to the domain's name server. One hit per host, domain and day, at the first such query.
-- id: WB-DNS-002
-- title: A host sent many long-labelled names under one domain (DNS tunnelling)
-- severity: high
-- tactics: TA0011, TA0010
-- techniques: T1071.004, T1048.003
-- false_positives: Services that encode data in names by design (some anti-virus and CDN look-ups,
--   DKIM or ACME challenges): allow-list their domains.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep (the region a record names); empty keeps all
--   min_label  int           = 40  shortest longest label of a name to count (a label holds at most 63)
--   min_names  int           = 10  fewest such distinct names under one domain in a day
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH asked AS (
    SELECT
        account AS account_id,
        region,
        vpc,
        srcaddr,
        coalesce(srcids.instance, srcids.resolver_endpoint) AS instance_id,
        day,
        regexp_extract(query_name, '([^.]+\.[^.]+)\.*$', 1) AS domain,
        query_name,
        query_type,
        from_iso8601_timestamp(query_timestamp) AS asked_at
    FROM resolver
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND query_timestamp IS NOT NULL
        AND array_max(transform(split(query_name, '.'), label -> length(label))) >= :min_label
),
days AS (
    SELECT account_id, region, vpc, srcaddr, instance_id, day, domain, count(DISTINCT query_name) AS names,
        count_if(query_type = 'TXT') AS txt, min(asked_at) AS first_asked
    FROM asked
    GROUP BY account_id, region, vpc, srcaddr, instance_id, day, domain
)
SELECT
    first_asked AS event_time,
    account_id,
    region,
    instance_id AS principal,
    srcaddr AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'DNS tunnelling' AS event_name,
    concat(vpc, '/', srcaddr, '/', domain, '/', day) AS event_id,
    concat(CAST(names AS varchar), ' long-labelled names under ', domain, ' (', CAST(txt AS varchar),
           ' TXT queries) asked by ', srcaddr, ' in ', vpc, ' that day') AS detail
FROM days
WHERE names >= :min_names
ORDER BY event_time, event_id
