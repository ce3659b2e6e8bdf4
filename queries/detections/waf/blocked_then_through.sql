-- name: blocked_then_through
-- source: waf
-- id: WB-WAF-001
-- title: A client the web ACL blocked many times got a request through
-- severity: medium
-- tactics: TA0001
-- techniques: T1190
-- description: One client had at least min_blocked requests blocked by a web ACL in a day, and after its
--   first block the ACL allowed at least one of its requests. Injection and traversal campaigns vary their
--   payloads until one is not matched; that allowed request is the one to read (and its answer in the load
--   balancer's log). One hit per client, web ACL and day, at the first allowed request after the blocks.
-- false_positives: A customer behind a shared address (a corporate proxy, a mobile carrier's NAT) whose
--   neighbours trip a rule; a rule that blocks something the application legitimately sends.
-- params:
--   start        date          first day (inclusive, UTC)
--   end          date          last day (inclusive, UTC)
--   accounts     list<string>  = []  account ids to keep; empty keeps all
--   regions      list<string>  = []  regions to keep; empty keeps all
--   min_blocked  int           = 20  fewest blocked requests of one client in a day
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH requests AS (
    SELECT
        from_unixtime("timestamp" / 1e3) AS event_time,
        "timestamp" AS ts,
        account AS account_id,
        region,
        web_acl,
        day,
        httprequest.clientip AS client_ip,
        httprequest.requestid AS request_id,
        action,
        terminatingruleid AS rule,
        concat(httprequest.uri, CASE WHEN httprequest.args <> '' THEN concat(chr(63), httprequest.args) ELSE '' END)
            AS request
    FROM waf
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
),
blocks AS (
    SELECT account_id, web_acl, day, client_ip, count(*) AS blocked, min(ts) AS first_block,
        count(DISTINCT rule) AS rules
    FROM requests
    WHERE action = 'BLOCK'
    GROUP BY account_id, web_acl, day, client_ip
),
through AS (
    SELECT
        r.*,
        b.blocked,
        b.rules,
        count(*) OVER (PARTITION BY r.account_id, r.web_acl, r.day, r.client_ip) AS allowed,
        row_number() OVER (PARTITION BY r.account_id, r.web_acl, r.day, r.client_ip ORDER BY r.ts, r.request_id) AS nth
    FROM requests AS r
    JOIN blocks AS b
        ON b.account_id = r.account_id AND b.web_acl = r.web_acl AND b.day = r.day AND b.client_ip = r.client_ip
    WHERE r.action = 'ALLOW' AND r.ts > b.first_block AND b.blocked >= :min_blocked
)
SELECT
    event_time,
    account_id,
    region,
    CAST(NULL AS varchar) AS principal,
    client_ip AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'WAF allowed after blocks' AS event_name,
    request_id AS event_id,
    concat(CAST(blocked AS varchar), ' requests blocked by ', web_acl, ' (', CAST(rules AS varchar),
           ' rule(s)) that day, then ', CAST(allowed AS varchar), ' allowed; first: ', substr(request, 1, 200)) AS detail
FROM through
WHERE nth = 1
ORDER BY event_time, event_id
