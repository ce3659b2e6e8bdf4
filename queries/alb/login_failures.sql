-- name: login_failures
-- source: alb
-- description: Ten-minute spans with at least `min_failures` refused sign-ins (401 or 403 to a POST
--   on a path like `login_path`), across every client: credential stuffing spreads over many
--   addresses, each staying under a per-client limit, so it shows only counted together.
-- params:
--   start         date          first day (inclusive, UTC)
--   end           date          last day (inclusive, UTC)
--   accounts      list<string>  = []  account ids to keep; empty keeps all
--   regions       list<string>  = []  regions to keep; empty keeps all
--   login_path    string        = %login%  LIKE pattern of sign-in paths
--   min_failures  int           = 50  fewest refused sign-ins in ten minutes
-- returns: span_start, account_id, load_balancer, path, failures, successes, clients,
--   first_seen, last_seen
SELECT *
FROM (
    SELECT
        from_unixtime(floor(to_unixtime(from_iso8601_timestamp("time")) / 600) * 600) AS span_start,
        account AS account_id,
        elb AS load_balancer,
        nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '') AS path,
        sum(CASE WHEN elb_status_code IN (401, 403) THEN 1 ELSE 0 END) AS failures,
        sum(CASE WHEN elb_status_code BETWEEN 200 AND 399 THEN 1 ELSE 0 END) AS successes,
        count(DISTINCT client_ip) AS clients,
        min(from_iso8601_timestamp("time")) AS first_seen,
        max(from_iso8601_timestamp("time")) AS last_seen
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
        AND request_verb = 'POST'
        AND nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '') LIKE :login_path
    GROUP BY 1, 2, 3, 4
) AS spans
WHERE failures >= :min_failures
ORDER BY span_start, path
