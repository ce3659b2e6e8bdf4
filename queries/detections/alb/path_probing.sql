-- name: path_probing
-- source: alb
-- id: WB-ALB-002
-- title: One client asked for many paths that do not exist
-- severity: low
-- tactics: TA0043
-- techniques: T1595.003
-- description: In a day, one client got 4xx answers on at least min_paths distinct paths (query strings
--   left out): a scanner working through a word list of admin pages, backups and leaked configuration
--   files. One hit per client, load balancer and day, at its first 4xx.
-- false_positives: The organisation's own vulnerability scanner; a crawler following a site's broken links.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   min_paths  int           = 20  fewest distinct paths answered 4xx
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH misses AS (
    SELECT
        from_iso8601_timestamp("time") AS event_time,
        account AS account_id,
        region,
        elb,
        day,
        client_ip,
        trace_id,
        elb_status_code,
        nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '') AS path
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
        AND elb_status_code BETWEEN 400 AND 499
),
ranked AS (
    SELECT
        *,
        count(DISTINCT path) OVER (PARTITION BY account_id, elb, day, client_ip) AS paths,
        count(*) OVER (PARTITION BY account_id, elb, day, client_ip) AS misses,
        row_number() OVER (PARTITION BY account_id, elb, day, client_ip ORDER BY event_time, trace_id) AS nth
    FROM misses
)
SELECT
    event_time,
    account_id,
    region,
    CAST(NULL AS varchar) AS principal,
    client_ip AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'paths probed' AS event_name,
    trace_id AS event_id,
    concat(CAST(paths AS varchar), ' distinct paths answered 4xx that day (', CAST(misses AS varchar),
           ' requests) on ', elb) AS detail
FROM ranked
WHERE nth = 1 AND paths >= :min_paths
ORDER BY event_time, event_id
