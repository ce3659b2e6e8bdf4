-- name: cis_unauthorized_api_calls
-- source: cloudtrail
-- id: WB-CT-120
-- title: A burst of refused calls to many APIs (CIS unauthorized API calls)
-- severity: medium
-- tactics: TA0007
-- techniques: T1580, T1526
-- description: At least 10 calls refused with AccessDenied, AccessDeniedException, UnauthorizedOperation or
--   Client.UnauthorizedOperation by one principal within one clock hour, over at least 5 different APIs: a
--   credential trying what it may do (the CIS benchmark alarm on unauthorized calls, counted for a burst and
--   for breadth rather than per call: people and applications are refused now and then all day, and an
--   application refused the same call again and again is a bug, not a probe). One hit per principal and day,
--   at the first refused call of its first such hour. The codes are matched whole, so the rule shares the one
--   pass over the files.
-- false_positives: A misconfigured application or a policy change that broke one; a scanner of the organisation's own.
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
        errorcode AS error_code
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND (errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation'))
),
ranked AS (
    SELECT
        *,
        date_trunc('hour', event_time) AS event_hour,
        row_number() OVER (PARTITION BY coalesce(principal, ''), account_id, date_trunc('hour', event_time)
                           ORDER BY event_time, event_id) AS nth
    FROM calls
),
hours AS (
    SELECT coalesce(principal, '') AS who, account_id, event_hour, count(*) AS calls,
        count(DISTINCT event_name) AS apis,
        array_join(slice(array_sort(array_agg(DISTINCT event_name)), 1, 5), ', ') AS names
    FROM ranked
    GROUP BY coalesce(principal, ''), account_id, event_hour
),
bursts AS (
    SELECT *, row_number() OVER (PARTITION BY who, account_id, date_trunc('day', event_hour) ORDER BY event_hour) AS nth_hour
    FROM hours
    WHERE calls >= 10 AND apis >= 5
)
SELECT r.event_time, r.account_id, r.region, r.principal, r.source_ip, r.access_key_id, r.event_name, r.event_id,
    concat(CAST(b.calls AS varchar), ' calls refused within the hour, of ', CAST(b.apis AS varchar), ' APIs: ',
           b.names) AS detail
FROM ranked AS r
JOIN bursts AS b ON b.who = coalesce(r.principal, '') AND b.account_id = r.account_id AND b.event_hour = r.event_hour
WHERE r.nth = 1 AND b.nth_hour = 1
ORDER BY r.event_time, r.event_id
