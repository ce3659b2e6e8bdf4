-- name: first_seen_apis_for_a_principal
-- source: cloudtrail
-- id: WB-CT-106
-- title: Many APIs new to a principal in one day
-- severity: low
-- tactics: TA0007, TA0001
-- techniques: T1526, T1580, T1078.004
-- description: A principal called at least min_apis APIs in one day that it had never called before: not in its
--   own baseline (the baseline_days before the window) nor on the window's earlier days. WB-CT-101 counts new
--   services; this counts new APIs, so a credential that explores the services its owner already uses (every
--   Describe of EC2 for a key that only ever started instances) is caught too. One new API is everyday work
--   (a new script, a console page), so the bar is breadth: min_apis (20) in a day. A principal first seen
--   fewer than history_days before that day is not judged. One hit per principal and day, at the first call
--   of the first new API.
-- false_positives: A person's first day of work in an account or a new duty; a new deployment tool; a window
--   that starts where the logs start (no baseline).
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
--   history_days   int           = 2   fewest days a principal must have been seen before a day to be judged
--   min_apis       int           = 20  fewest new APIs in one day
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH calls AS (
    SELECT
        from_iso8601_timestamp(eventtime) AS event_time,
        coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
        awsregion AS region,
        coalesce(useridentity.arn, useridentity.username, useridentity.principalid) AS principal,
        sourceipaddress AS source_ip,
        useridentity.accesskeyid AS access_key_id,
        concat(replace(eventsource, '.amazonaws.com', ''), ':', eventname) AS api,
        eventname AS event_name,
        eventid AS event_id,
        day
    FROM cloudtrail
    WHERE day BETWEEN date_format(date_add('day', -:baseline_days, date(:start)), '%Y/%m/%d') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND useridentity.invokedby IS NULL
        AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
),
firsts AS (
    SELECT account_id, principal, api, grouping(api) AS whole, min(day) AS first_day,
        min(event_time) AS event_time, min_by(event_id, event_time) AS event_id,
        min_by(event_name, event_time) AS event_name, min_by(region, event_time) AS region,
        min_by(source_ip, event_time) AS source_ip, min_by(access_key_id, event_time) AS access_key_id
    FROM calls
    WHERE principal IS NOT NULL
    GROUP BY GROUPING SETS ((account_id, principal), (account_id, principal, api))
),
new_apis AS (
    SELECT f.*
    FROM firsts AS f
    JOIN firsts AS p ON p.account_id = f.account_id AND p.principal = f.principal AND p.whole = 1
    WHERE f.whole = 0 AND f.first_day >= replace(:start, '-', '/')
        AND date(replace(p.first_day, '/', '-')) <= date_add('day', -:history_days, date(replace(f.first_day, '/', '-')))
),
days AS (
    SELECT account_id, principal, first_day, count(*) AS apis, min(event_time) AS event_time,
        min_by(event_id, event_time) AS event_id, min_by(event_name, event_time) AS event_name,
        min_by(region, event_time) AS region, min_by(source_ip, event_time) AS source_ip,
        min_by(access_key_id, event_time) AS access_key_id,
        array_join(array_sort(array_agg(api)), ', ') AS names
    FROM new_apis
    GROUP BY account_id, principal, first_day
)
SELECT event_time, account_id, region, principal, source_ip, access_key_id, event_name, event_id,
    concat(CAST(apis AS varchar), ' APIs new to this principal that day: ', names) AS detail
FROM days
WHERE apis >= :min_apis
ORDER BY event_time, event_id
