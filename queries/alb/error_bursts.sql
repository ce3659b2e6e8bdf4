-- name: error_bursts
-- source: alb
-- description: Ten-minute spans in which one client got at least `min_errors` 4xx or 5xx answers:
--   probing for paths, guessing passwords, or a broken client. Each with how many distinct paths
--   it tried (many paths: a scanner; one path: a login being guessed) and a few of them.
-- params:
--   start       date          first day (inclusive, UTC)
--   end         date          last day (inclusive, UTC)
--   accounts    list<string>  = []  account ids to keep; empty keeps all
--   regions     list<string>  = []  regions to keep; empty keeps all
--   min_errors  int           = 20  fewest error answers in ten minutes
-- returns: span_start, account_id, load_balancer, client_ip, errors, requests, paths, statuses,
--   sample_paths, user_agent, first_seen, last_seen
SELECT *
FROM (
    SELECT
        from_unixtime(floor(to_unixtime(from_iso8601_timestamp("time")) / 600) * 600) AS span_start,
        account AS account_id,
        elb AS load_balancer,
        client_ip,
        sum(CASE WHEN elb_status_code >= 400 THEN 1 ELSE 0 END) AS errors,
        count(*) AS requests,
        count(DISTINCT nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '')) AS paths,
        array_join(array_sort(array_agg(DISTINCT CAST(elb_status_code AS varchar))), ',') AS statuses,
        array_join(slice(array_sort(array_agg(DISTINCT nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), ''))), 1, 5), ' ') AS sample_paths,
        min(user_agent) AS user_agent,
        min(from_iso8601_timestamp("time")) AS first_seen,
        max(from_iso8601_timestamp("time")) AS last_seen
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
    GROUP BY 1, 2, 3, 4
) AS spans
WHERE errors >= :min_errors
ORDER BY span_start, client_ip
