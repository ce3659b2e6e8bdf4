-- name: blocks_by_country
-- source: waf
-- description: Requests per client country as WAF saw it (httprequest.country, ISO code), with how
--   many were blocked and by how many clients.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: country, requests, blocked, blocked_share, clients
SELECT
    httprequest.country AS country,
    count(*) AS requests,
    sum(CASE WHEN action = 'BLOCK' THEN 1 ELSE 0 END) AS blocked,
    CAST(sum(CASE WHEN action = 'BLOCK' THEN 1 ELSE 0 END) AS double) / count(*) AS blocked_share,
    count(DISTINCT httprequest.clientip) AS clients
FROM waf
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
GROUP BY 1
ORDER BY blocked DESC, requests DESC, country
