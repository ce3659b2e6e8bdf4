-- name: credential_stuffing
-- source: alb
-- id: WB-ALB-001
-- title: Credential stuffing: many refused sign-ins from many addresses
-- severity: high
-- tactics: TA0006
-- techniques: T1110.004
-- description: In ten minutes, at least min_failures sign-in POSTs (to a path with login, signin or
--   sign-in in it) were refused (401 or 403) by the application, from at least min_clients addresses. Stuffing
--   spreads leaked passwords over many addresses so that each stays under per-client limits; counted
--   together it is plain. One hit per load balancer, path and day, at the first refused sign-in of the
--   busiest span, naming the address that failed most.
-- false_positives: An outage of the identity backend refusing every sign-in; a load test against the
--   sign-in page.
-- params:
--   start         date          first day (inclusive, UTC)
--   end           date          last day (inclusive, UTC)
--   accounts      list<string>  = []  account ids to keep; empty keeps all
--   regions       list<string>  = []  regions to keep; empty keeps all
--   min_failures  int           = 100  fewest refused sign-ins in ten minutes
--   min_clients   int           = 10  fewest addresses among them
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH signins AS (
    SELECT
        from_iso8601_timestamp("time") AS event_time,
        account AS account_id,
        region,
        elb,
        day,
        nullif(regexp_extract(request_url, '^[a-z]+://[^/]*([^\x3F]*)', 1), '') AS path,
        client_ip,
        trace_id,
        elb_status_code IN (401, 403) AS refused
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
        AND request_verb = 'POST'
        AND regexp_like(lower(request_url), 'log-?in|sign-?in')
),
spans AS (
    SELECT
        account_id, region, elb, day, path,
        floor(to_unixtime(event_time) / 600) AS span,
        sum(CASE WHEN refused THEN 1 ELSE 0 END) AS failures,
        sum(CASE WHEN refused THEN 0 ELSE 1 END) AS successes,
        count(DISTINCT CASE WHEN refused THEN client_ip END) AS clients,
        min_by(trace_id, CASE WHEN refused THEN concat(CAST(event_time AS varchar), trace_id) END) AS first_trace,
        min(CASE WHEN refused THEN event_time END) AS first_time
    FROM signins
    GROUP BY account_id, region, elb, day, path, floor(to_unixtime(event_time) / 600)
),
worst AS (
    SELECT s.*, row_number() OVER (PARTITION BY account_id, elb, day, path ORDER BY failures DESC, span) AS nth,
        count(*) OVER (PARTITION BY account_id, elb, day, path) AS busy_spans
    FROM spans AS s
    WHERE failures >= :min_failures AND clients >= :min_clients
),
top_client AS (
    SELECT account_id, elb, day, path, floor(to_unixtime(event_time) / 600) AS span, client_ip,
        row_number() OVER (PARTITION BY account_id, elb, day, path, floor(to_unixtime(event_time) / 600)
                           ORDER BY count(*) DESC, client_ip) AS rank
    FROM signins
    WHERE refused
    GROUP BY account_id, elb, day, path, floor(to_unixtime(event_time) / 600), client_ip
)
SELECT
    w.first_time AS event_time,
    w.account_id,
    w.region,
    CAST(NULL AS varchar) AS principal,
    t.client_ip AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'refused sign-ins' AS event_name,
    w.first_trace AS event_id,
    concat(CAST(w.failures AS varchar), ' sign-ins to ', w.path, ' refused in ten minutes from ',
           CAST(w.clients AS varchar), ' addresses, ', CAST(w.successes AS varchar), ' succeeded (',
           CAST(w.busy_spans AS varchar), ' such span(s) that day)') AS detail
FROM worst AS w
JOIN top_client AS t
    ON t.account_id = w.account_id AND t.elb = w.elb AND t.day = w.day AND t.path = w.path AND t.span = w.span
    AND t.rank = 1
WHERE w.nth = 1
ORDER BY event_time, event_id
