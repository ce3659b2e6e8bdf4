-- name: blocks_by_rule
-- source: waf
-- description: What WAF stopped in the window, per deciding rule: the web ACL's rule
--   (terminatingruleid) and, for a managed rule group, the rule inside it; with how many
--   requests, clients and countries. The rule that blocks most comes first.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: web_acl, rule, group_rule, action, requests, clients, countries, first_seen, last_seen
SELECT
    web_acl,
    terminatingruleid AS rule,
    element_at(filter(rulegrouplist, g -> g.terminatingrule IS NOT NULL), 1).terminatingrule.ruleid AS group_rule,
    action,
    count(*) AS requests,
    count(DISTINCT httprequest.clientip) AS clients,
    count(DISTINCT httprequest.country) AS countries,
    from_unixtime(min("timestamp") / 1e3) AS first_seen,
    from_unixtime(max("timestamp") / 1e3) AS last_seen
FROM waf
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND action IN ('BLOCK', 'CAPTCHA', 'CHALLENGE')
GROUP BY 1, 2, 3, 4
ORDER BY requests DESC, web_acl, rule, group_rule
