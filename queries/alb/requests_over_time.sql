-- name: requests_over_time
-- source: alb
-- description: Requests per hour and load balancer: how many, how many the load balancer or the
--   targets answered with an error (4xx, 5xx), how many WAF blocked (403 with only the waf
--   action), and the mean and slowest target time. The traffic curve of the web edge.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: hour, account_id, load_balancer, requests, client_errors, server_errors, waf_blocked,
--   clients, mean_target_seconds, max_target_seconds
SELECT
    date_trunc('hour', from_iso8601_timestamp("time")) AS hour,
    account AS account_id,
    elb AS load_balancer,
    count(*) AS requests,
    sum(CASE WHEN elb_status_code BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
    sum(CASE WHEN elb_status_code >= 500 THEN 1 ELSE 0 END) AS server_errors,
    sum(CASE WHEN actions_executed = 'waf' AND elb_status_code = 403 THEN 1 ELSE 0 END) AS waf_blocked,
    count(DISTINCT client_ip) AS clients,
    -- whole milliseconds summed exactly, so the mean does not depend on the order rows are added in
    round(sum(CASE WHEN target_processing_time >= 0 THEN round(target_processing_time * 1e3) END)
        / nullif(count(CASE WHEN target_processing_time >= 0 THEN 1 END), 0) / 1e3, 4) AS mean_target_seconds,
    max(target_processing_time) AS max_target_seconds
FROM alb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
GROUP BY 1, 2, 3
ORDER BY hour, account_id, load_balancer
