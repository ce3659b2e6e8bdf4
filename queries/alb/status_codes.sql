-- name: status_codes
-- source: alb
-- description: Requests per day and status code, the load balancer's and the target's side by side
--   (target '-': the load balancer answered itself, e.g. a WAF block, a redirect or a 502).
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: day, elb_status_code, target_status_code, requests, clients
SELECT
    replace(day, '/', '-') AS day,
    elb_status_code,
    target_status_code,
    count(*) AS requests,
    count(DISTINCT client_ip) AS clients
FROM alb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
GROUP BY 1, 2, 3
ORDER BY day, elb_status_code, target_status_code
