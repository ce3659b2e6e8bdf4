-- name: requests_by_client
-- source: waf
-- description: Every request WAF inspected from any of `addresses` in the window, in time order,
--   with what it decided, the rule that decided and the labels rules added.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   addresses  list<string>  client IP addresses
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: request_time, account_id, region, web_acl, client_ip, country, action, rule,
--   group_rule, http_method, host, uri, args, labels, request_id
SELECT
    from_unixtime("timestamp" / 1e3) AS request_time,
    account AS account_id,
    region,
    web_acl,
    httprequest.clientip AS client_ip,
    httprequest.country AS country,
    action,
    terminatingruleid AS rule,
    element_at(filter(rulegrouplist, g -> g.terminatingrule IS NOT NULL), 1).terminatingrule.ruleid AS group_rule,
    httprequest.httpmethod AS http_method,
    httprequest.host AS host,
    httprequest.uri AS uri,
    httprequest.args AS args,
    array_join(transform(labels, l -> l.name), ' ') AS labels,
    httprequest.requestid AS request_id
FROM waf
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND contains(:addresses, httprequest.clientip)
ORDER BY request_time, request_id
