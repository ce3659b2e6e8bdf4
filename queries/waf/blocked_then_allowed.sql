-- name: blocked_then_allowed
-- source: waf
-- description: Clients WAF blocked at least `min_blocked` times that it then let through: after
--   their first block, how many of their requests were allowed and what they asked for. An
--   attacker whose payloads were stopped often finds one that is not; that request is the one to read.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   min_blocked  int           = 5  fewest blocked requests
-- returns: client_ip, web_acl, blocked, first_blocked, last_blocked, allowed_after,
--   first_allowed_after, allowed_requests
WITH requests AS (
    SELECT
        httprequest.clientip AS client_ip,
        web_acl,
        "timestamp" AS ts,
        action,
        concat(httprequest.uri, CASE WHEN httprequest.args <> '' THEN concat(chr(63), httprequest.args) ELSE '' END) AS request
    FROM waf
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
),
blocks AS (
    SELECT client_ip, web_acl, count(*) AS blocked, min(ts) AS first_ts, max(ts) AS last_ts
    FROM requests
    WHERE action = 'BLOCK'
    GROUP BY client_ip, web_acl
)
SELECT
    b.client_ip,
    b.web_acl,
    b.blocked,
    from_unixtime(b.first_ts / 1e3) AS first_blocked,
    from_unixtime(b.last_ts / 1e3) AS last_blocked,
    count(*) AS allowed_after,
    from_unixtime(min(r.ts) / 1e3) AS first_allowed_after,
    array_join(slice(array_sort(array_agg(DISTINCT r.request)), 1, 5), ' ') AS allowed_requests
FROM blocks AS b
JOIN requests AS r
    ON r.client_ip = b.client_ip AND r.web_acl = b.web_acl AND r.action = 'ALLOW' AND r.ts > b.first_ts
WHERE b.blocked >= :min_blocked
GROUP BY b.client_ip, b.web_acl, b.blocked, b.first_ts, b.last_ts
ORDER BY allowed_after DESC, b.client_ip
