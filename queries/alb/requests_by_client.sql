-- name: requests_by_client
-- source: alb
-- description: Every request from any of `addresses` in the window, in time order: the pivot from
--   an address (a WAF block, a scan, a finding) to what it asked the web edge and what it got.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   addresses  list<string>  client IP addresses
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: request_time, account_id, region, load_balancer, client_ip, request_verb, request_url,
--   elb_status_code, target_status_code, sent_bytes, user_agent, actions_executed, trace_id
SELECT
    from_iso8601_timestamp("time") AS request_time,
    account AS account_id,
    region,
    elb AS load_balancer,
    client_ip,
    request_verb,
    request_url,
    elb_status_code,
    target_status_code,
    sent_bytes,
    user_agent,
    actions_executed,
    trace_id
FROM alb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
    AND contains(:addresses, client_ip)
ORDER BY request_time, trace_id
