-- name: actions_over_time
-- source: waf
-- description: Requests per hour and web ACL by what WAF did with them (ALLOW, BLOCK, CAPTCHA,
--   CHALLENGE), with how many clients: the blocked-against-allowed curve of the web edge.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: hour, account_id, web_acl, action, requests, clients
SELECT
    date_trunc('hour', from_unixtime("timestamp" / 1e3)) AS hour,
    account AS account_id,
    web_acl,
    action,
    count(*) AS requests,
    count(DISTINCT httprequest.clientip) AS clients
FROM waf
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
GROUP BY 1, 2, 3, 4
ORDER BY hour, account_id, web_acl, action
