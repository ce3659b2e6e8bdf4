-- name: cache_results
-- source: cloudfront
-- description: What the edge did with the requests, per distribution: served from the cache (Hit,
--   RefreshHit), fetched from the origin (Miss), refused or failed (Error, with the detailed reason
--   such as OriginDnsError or ClientGeoBlocked), per status code.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   distributions  list<string>  = []  distribution ids to keep; empty keeps all
-- returns: account_id, distribution, x_edge_result_type, x_edge_detailed_result_type, sc_status,
--   requests, sent_bytes, clients, mean_time_taken
SELECT
    account AS account_id,
    distribution,
    x_edge_result_type,
    x_edge_detailed_result_type,
    sc_status,
    count(*) AS requests,
    sum(sc_bytes) AS sent_bytes,
    count(DISTINCT c_ip) AS clients,
    -- whole milliseconds summed exactly, so the mean does not depend on the order rows are added in
    round(sum(round(time_taken * 1e3)) / count(*) / 1e3, 4) AS mean_time_taken
FROM cloudfront
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:distributions) = 0 OR contains(:distributions, distribution))
    AND "date" IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY account_id, distribution, requests DESC, x_edge_result_type, x_edge_detailed_result_type, sc_status
