-- name: first_seen_services_for_a_principal
-- source: cloudtrail
-- id: WB-CT-101
-- title: Several services new to a principal in one day
-- severity: medium
-- tactics: TA0007, TA0001
-- techniques: T1526, T1078.004
-- description: A principal called at least three AWS services in one day that it had never called before:
--   not in its own baseline (the baseline_days before the window) nor on the window's earlier days. The
--   breadth of a stolen credential finding out what it can reach, or a person doing what they never do.
--   Each principal is compared with itself only, so a busy administrator and a quiet build job are both
--   judged fairly. A principal first seen fewer than history_days before that day is not judged (everything
--   would be new); its first days are for the other rules. One hit per principal and day, at the first call
--   of the first new service.
-- false_positives: A new project or duty for a person, a deployment that adds services to an application,
--   a window that starts where the logs start (no baseline).
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
--   history_days   int           = 2   fewest days a principal must have been seen before a day to be judged
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
        eventsource AS service,
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
    SELECT account_id, principal, service, grouping(service) AS whole, min(day) AS first_day,
        min(event_time) AS event_time, min_by(event_id, event_time) AS event_id,
        min_by(event_name, event_time) AS event_name, min_by(region, event_time) AS region,
        min_by(source_ip, event_time) AS source_ip, min_by(access_key_id, event_time) AS access_key_id
    FROM calls
    WHERE principal IS NOT NULL
    GROUP BY GROUPING SETS ((account_id, principal), (account_id, principal, service))
),
new_services AS (
    SELECT f.*
    FROM firsts AS f
    JOIN firsts AS p ON p.account_id = f.account_id AND p.principal = f.principal AND p.whole = 1
    WHERE f.whole = 0 AND f.first_day >= replace(:start, '-', '/')
        AND date(replace(p.first_day, '/', '-')) <= date_add('day', -:history_days, date(replace(f.first_day, '/', '-')))
),
days AS (
    SELECT account_id, principal, first_day, count(*) AS services, min(event_time) AS event_time,
        min_by(event_id, event_time) AS event_id, min_by(event_name, event_time) AS event_name,
        min_by(region, event_time) AS region, min_by(source_ip, event_time) AS source_ip,
        min_by(access_key_id, event_time) AS access_key_id,
        array_join(array_sort(array_agg(replace(service, '.amazonaws.com', ''))), ', ') AS names
    FROM new_services
    GROUP BY account_id, principal, first_day
)
SELECT event_time, account_id, region, principal, source_ip, access_key_id, event_name, event_id,
    concat(CAST(services AS varchar), ' services new to this principal that day: ', names) AS detail
FROM days
WHERE services >= 3
ORDER BY event_time, event_id
