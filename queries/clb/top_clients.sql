-- name: top_clients
-- source: clb
-- description: The clients that sent a Classic Load Balancer the most requests in the window, with
--   their error counts, distinct paths and user agents: a scanner asks for many paths and gets
--   4xx, a person for a few.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many clients
-- returns: request_ip, requests, client_errors, server_errors, paths, sent_bytes, user_agents,
--   first_seen, last_seen, rank
SELECT *
FROM (
    SELECT
        request_ip,
        count(*) AS requests,
        sum(CASE WHEN elb_response_code LIKE '4%' THEN 1 ELSE 0 END) AS client_errors,
        sum(CASE WHEN elb_response_code LIKE '5%' THEN 1 ELSE 0 END) AS server_errors,
        count(DISTINCT nullif(regexp_extract(url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '')) AS paths,
        sum(sent_bytes) AS sent_bytes,
        array_join(slice(array_sort(array_agg(DISTINCT user_agent)), 1, 3), ' | ') AS user_agents,
        min(from_iso8601_timestamp("timestamp")) AS first_seen,
        max(from_iso8601_timestamp("timestamp")) AS last_seen,
        row_number() OVER (ORDER BY count(*) DESC, request_ip) AS rank
    FROM clb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND "timestamp" IS NOT NULL
    GROUP BY request_ip
) AS ranked
WHERE rank <= :top
ORDER BY rank
