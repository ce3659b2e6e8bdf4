-- name: requests_over_time
-- source: clb
-- description: Requests per hour and Classic Load Balancer: how many, how many it or the instances
--   answered with an error, how many could not be sent to an instance (times of -1), and the
--   slowest backend time. The traffic curve of a legacy app.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: hour, account_id, elb_name, requests, client_errors, server_errors, not_dispatched,
--   clients, max_backend_seconds
SELECT
    date_trunc('hour', from_iso8601_timestamp("timestamp")) AS hour,
    account AS account_id,
    elb_name,
    count(*) AS requests,
    sum(CASE WHEN elb_response_code LIKE '4%' THEN 1 ELSE 0 END) AS client_errors,
    sum(CASE WHEN elb_response_code LIKE '5%' THEN 1 ELSE 0 END) AS server_errors,
    sum(CASE WHEN backend_processing_time < 0 THEN 1 ELSE 0 END) AS not_dispatched,
    count(DISTINCT request_ip) AS clients,
    max(backend_processing_time) AS max_backend_seconds
FROM clb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND "timestamp" IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY hour, account_id, elb_name
