-- name: recon_then_persistence
-- source: cloudtrail
-- id: WB-CT-110
-- title: Discovery burst, then persistence, by one access key within an hour
-- severity: high
-- tactics: TA0007, TA0003
-- techniques: T1087.004, T1526, T1098.001, T1136.003
-- description: An access key made an IAM persistence call (a new user, access key, console password, group
--   membership or user policy) after calling at least 10 different List, Describe or Get APIs of at least 3
--   services in the hour before it: the order of a stolen key that looks around, then makes itself a way
--   back in. One hit per key and day, at its first persistence call after such a burst.
-- false_positives: An administrator's script or an infrastructure-as-code run that reads the account and
--   then creates users (its key is usually the same every day: allow-list it).
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
        eventsource AS service,
        eventname AS event_name,
        eventid AS event_id,
        eventsource = 'iam.amazonaws.com' AND eventname IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile',
            'UpdateLoginProfile', 'AddUserToGroup', 'AttachUserPolicy', 'PutUserPolicy') AS persists
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND useridentity.accesskeyid IS NOT NULL
        AND (regexp_like(eventname, '^(List|Describe|Get)')
             OR (eventsource = 'iam.amazonaws.com' AND eventname IN ('CreateUser', 'CreateAccessKey',
                 'CreateLoginProfile', 'UpdateLoginProfile', 'AddUserToGroup', 'AttachUserPolicy', 'PutUserPolicy')))
),
bursts AS (
    SELECT p.event_time, p.account_id, p.region, p.principal, p.source_ip, p.access_key_id, p.event_name, p.event_id,
        count(DISTINCT concat(r.service, ' ', r.event_name)) AS apis, count(DISTINCT r.service) AS services
    FROM calls AS p
    JOIN calls AS r ON r.access_key_id = p.access_key_id AND NOT r.persists
        AND r.event_time BETWEEN p.event_time - INTERVAL '1' HOUR AND p.event_time
    WHERE p.persists
    GROUP BY p.event_time, p.account_id, p.region, p.principal, p.source_ip, p.access_key_id, p.event_name, p.event_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY access_key_id, date_trunc('day', event_time)
                                 ORDER BY event_time, event_id) AS nth
    FROM bursts
    WHERE apis >= 10 AND services >= 3
)
SELECT event_time, account_id, region, principal, source_ip, access_key_id, event_name, event_id,
    concat(event_name, ' after ', CAST(apis AS varchar), ' discovery APIs of ', CAST(services AS varchar),
           ' services in the hour before') AS detail
FROM ranked
WHERE nth = 1
ORDER BY event_time, event_id
