-- name: top_paths
-- source: alb
-- description: The paths asked for most in the window (query strings left out), with their status
--   mix and how many clients asked: a path only one client asks for, always with 404, is a probe.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many paths
-- returns: host, path, requests, clients, ok, client_errors, server_errors, waf_blocked, rank
SELECT *
FROM (
    SELECT
        domain_name AS host,
        nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '') AS path,
        count(*) AS requests,
        count(DISTINCT client_ip) AS clients,
        sum(CASE WHEN elb_status_code < 400 THEN 1 ELSE 0 END) AS ok,
        sum(CASE WHEN elb_status_code BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
        sum(CASE WHEN elb_status_code >= 500 THEN 1 ELSE 0 END) AS server_errors,
        sum(CASE WHEN actions_executed = 'waf' AND elb_status_code = 403 THEN 1 ELSE 0 END) AS waf_blocked,
        row_number() OVER (ORDER BY count(*) DESC, domain_name, nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '')) AS rank
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
    GROUP BY 1, 2
) AS ranked
WHERE rank <= :top
ORDER BY rank
