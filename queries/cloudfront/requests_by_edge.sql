-- name: requests_by_edge
-- source: cloudfront
-- description: Requests per day, distribution and edge location: how many, how many came from the
--   cache, how many were errors, the bytes sent and how many clients. Where the audience is, and
--   an edge that suddenly serves far more than it used to.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   distributions  list<string>  = []  distribution ids to keep; empty keeps all
-- returns: day, account_id, distribution, x_edge_location, requests, cache_hits, hit_ratio,
--   client_errors, server_errors, sent_bytes, clients
SELECT
    "date" AS day,
    account AS account_id,
    distribution,
    x_edge_location,
    count(*) AS requests,
    sum(CASE WHEN x_edge_result_type IN ('Hit', 'RefreshHit') THEN 1 ELSE 0 END) AS cache_hits,
    round(sum(CASE WHEN x_edge_result_type IN ('Hit', 'RefreshHit') THEN 1 ELSE 0 END) * 1e0 / count(*), 3) AS hit_ratio,
    sum(CASE WHEN sc_status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
    sum(CASE WHEN sc_status >= 500 THEN 1 ELSE 0 END) AS server_errors,
    sum(sc_bytes) AS sent_bytes,
    count(DISTINCT c_ip) AS clients
FROM cloudfront
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:distributions) = 0 OR contains(:distributions, distribution))
    AND "date" IS NOT NULL  -- header lines are rows of nulls on Athena and Trino
GROUP BY 1, 2, 3, 4
ORDER BY day, account_id, distribution, requests DESC, x_edge_location
