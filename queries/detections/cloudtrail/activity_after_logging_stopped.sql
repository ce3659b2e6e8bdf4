-- name: activity_after_logging_stopped
-- source: cloudtrail
-- id: WB-CT-111
-- title: Logging stopped, then the same principal kept working
-- severity: critical
-- tactics: TA0005
-- techniques: T1562.008
-- description: A principal stopped or deleted a trail, or narrowed what it records, and then made further
--   calls within the hour, recorded by another trail (an organisation trail, another region's): someone
--   blinding the account before acting, caught by the logging they missed. One hit per change that has
--   later calls, with how many and what the first were.
-- false_positives: An administrator replacing a trail and checking the account afterwards.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
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
        eventsource = 'cloudtrail.amazonaws.com' AND errorcode IS NULL
            AND eventname IN ('StopLogging', 'DeleteTrail', 'PutEventSelectors', 'UpdateTrail') AS blinds
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND useridentity.invokedby IS NULL
),
after AS (
    SELECT s.event_time, s.account_id, s.region, s.principal, s.source_ip, s.access_key_id, s.event_name, s.event_id,
        count(*) AS calls, array_join(slice(array_sort(array_agg(DISTINCT c.event_name)), 1, 5), ', ') AS names
    FROM calls AS s
    JOIN calls AS c ON c.principal = s.principal AND c.account_id = s.account_id AND NOT c.blinds
        AND c.event_time > s.event_time AND c.event_time <= s.event_time + INTERVAL '1' HOUR
    WHERE s.blinds
    GROUP BY s.event_time, s.account_id, s.region, s.principal, s.source_ip, s.access_key_id, s.event_name, s.event_id
)
SELECT event_time, account_id, region, principal, source_ip, access_key_id, event_name, event_id,
    concat(event_name, ', then ', CAST(calls AS varchar), ' calls in the hour after: ', names) AS detail
FROM after
ORDER BY event_time, event_id
