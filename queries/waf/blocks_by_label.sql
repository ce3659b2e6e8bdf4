-- name: blocks_by_label
-- source: waf
-- description: Requests per label that WAF's rules added (awswaf:managed:aws:sql-database:...),
--   with how many of them were blocked and by how many clients: labels name what a request
--   looked like, also where the rule only counted.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: label, requests, blocked, clients
SELECT
    label,
    count(*) AS requests,
    sum(CASE WHEN action = 'BLOCK' THEN 1 ELSE 0 END) AS blocked,
    count(DISTINCT client_ip) AS clients
FROM (
    SELECT httprequest.clientip AS client_ip, action, transform(labels, l -> l.name) AS names
    FROM waf
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
) AS labelled
CROSS JOIN UNNEST(names) AS t(label)
GROUP BY label
ORDER BY requests DESC, label
