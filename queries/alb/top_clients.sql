-- name: top_clients
-- source: alb
-- description: The clients that sent the most requests in the window, with their error counts, how
--   many distinct paths they asked for and which user agents they gave: scanners ask for many
--   paths and get 4xx, crawlers and health checkers for few.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many clients
-- returns: client_ip, requests, client_errors, server_errors, waf_blocked, paths, user_agents,
--   first_seen, last_seen, rank
SELECT *
FROM (
    SELECT
        client_ip,
        count(*) AS requests,
        sum(CASE WHEN elb_status_code BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
        sum(CASE WHEN elb_status_code >= 500 THEN 1 ELSE 0 END) AS server_errors,
        sum(CASE WHEN actions_executed = 'waf' AND elb_status_code = 403 THEN 1 ELSE 0 END) AS waf_blocked,
        count(DISTINCT nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '')) AS paths,
        array_join(slice(array_sort(array_agg(DISTINCT user_agent)), 1, 3), ' | ') AS user_agents,
        min(from_iso8601_timestamp("time")) AS first_seen,
        max(from_iso8601_timestamp("time")) AS last_seen,
        row_number() OVER (ORDER BY count(*) DESC, client_ip) AS rank
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
    GROUP BY client_ip
) AS ranked
WHERE rank <= :top
ORDER BY rank
