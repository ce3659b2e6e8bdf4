-- name: first_seen_region_for_a_principal
-- source: cloudtrail
-- id: WB-CT-102
-- title: A region new to a principal, used in earnest
-- severity: low
-- tactics: TA0005, TA0040
-- techniques: T1535, T1496
-- description: A principal made at least min_calls calls in one day in a region it had never called before:
--   not in its own baseline (the baseline_days before the window) nor on the window's earlier days. A stolen
--   key starting instances in a region nobody watches (to mine coins, or to hide) looks like this. A region's
--   first call or two (a console page, a describe from a script that loops over regions) stays below the bar.
--   A principal first seen fewer than history_days before that day is not judged. One hit per principal,
--   region and day, at the first call there.
-- false_positives: A team expanding into a region; a disaster-recovery test.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
--   history_days   int           = 2   fewest days a principal must have been seen before a day to be judged
--   min_calls      int           = 10  fewest calls in the new region that day
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
    SELECT account_id, principal, region, day, grouping(region, day) AS kind, min(day) AS first_day,
        count(*) AS calls, min(event_time) AS event_time, min_by(event_id, event_time) AS event_id,
        min_by(event_name, event_time) AS event_name, min_by(source_ip, event_time) AS source_ip,
        min_by(access_key_id, event_time) AS access_key_id, count(DISTINCT event_name) AS apis
    FROM calls
    WHERE principal IS NOT NULL AND region IS NOT NULL
    GROUP BY GROUPING SETS ((account_id, principal), (account_id, principal, region), (account_id, principal, region, day))
)
SELECT d.event_time, d.account_id, d.region, d.principal, d.source_ip, d.access_key_id, d.event_name, d.event_id,
    concat('first calls in ', d.region, ': ', CAST(d.calls AS varchar), ' that day, to ', CAST(d.apis AS varchar),
           ' APIs') AS detail
FROM firsts AS f
JOIN firsts AS p ON p.account_id = f.account_id AND p.principal = f.principal AND p.kind = 3
JOIN firsts AS d ON d.account_id = f.account_id AND d.principal = f.principal AND d.region = f.region
    AND d.kind = 0 AND d.day = f.first_day
WHERE f.kind = 1 AND f.first_day >= replace(:start, '-', '/')
    AND date(replace(p.first_day, '/', '-')) <= date_add('day', -:history_days, date(replace(f.first_day, '/', '-')))
    AND d.calls >= :min_calls
ORDER BY event_time, event_id
