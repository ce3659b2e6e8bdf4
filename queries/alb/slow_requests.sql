-- name: slow_requests
-- source: alb
-- description: Requests whose target took at least `min_ms` milliseconds to answer, slowest first: a report
--   export, a dump of a table through an injection, a target about to fall over.
-- params:
--   start        date          first day (inclusive, UTC)
--   end          date          last day (inclusive, UTC)
--   accounts     list<string>  = []  account ids to keep; empty keeps all
--   regions      list<string>  = []  regions to keep; empty keeps all
--   min_ms       int           = 2000  fewest milliseconds of target processing time
--   top          int           = 50  how many requests
-- returns: request_time, account_id, load_balancer, client_ip, request_verb, request_url,
--   elb_status_code, target_status_code, target_seconds, sent_bytes, user_agent, rank
SELECT *
FROM (
    SELECT
        from_iso8601_timestamp("time") AS request_time,
        account AS account_id,
        elb AS load_balancer,
        client_ip,
        request_verb,
        request_url,
        elb_status_code,
        target_status_code,
        target_processing_time AS target_seconds,
        sent_bytes,
        user_agent,
        row_number() OVER (ORDER BY target_processing_time DESC, "time", trace_id) AS rank
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
        AND target_processing_time * 1000 >= :min_ms
) AS ranked
WHERE rank <= :top
ORDER BY rank
