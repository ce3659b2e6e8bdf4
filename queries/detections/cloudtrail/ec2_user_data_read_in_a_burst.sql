-- name: ec2_user_data_read_in_a_burst
-- source: cloudtrail
-- id: WB-CT-020
-- title: Instance user data read across instances
-- severity: medium
-- tactics: TA0007
-- techniques: T1580
-- description: One principal read the userData attribute of instances at least 5 times in a day: user data
--   often holds bootstrap secrets.
-- false_positives: Inventory tools.
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
        json_extract_scalar(requestparameters, '$.instanceId') AS target,
        errorcode AS error_code
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND (eventsource = 'ec2.amazonaws.com' AND eventname = 'DescribeInstanceAttribute' AND json_extract_scalar(requestparameters, '$.attribute') = 'userData')
),
ranked AS (
    SELECT
        *,
        date_trunc('day', event_time) AS event_day,
        row_number() OVER (PARTITION BY coalesce(principal, ''), account_id, date_trunc('day', event_time)
                           ORDER BY event_time, event_id) AS nth
    FROM calls
),
days AS (
    SELECT coalesce(principal, '') AS who, account_id, event_day, count(*) AS calls, count(DISTINCT target) AS targets,
        count(error_code) AS denied
    FROM ranked
    GROUP BY coalesce(principal, ''), account_id, event_day
)
SELECT r.event_time, r.account_id, r.region, r.principal, r.source_ip, r.access_key_id, r.event_name, r.event_id,
    concat(CAST(d.calls AS varchar), ' calls on ', CAST(d.targets AS varchar), ' targets that day, ',
           CAST(d.denied AS varchar), ' denied') AS detail
FROM ranked AS r
JOIN days AS d ON d.who = coalesce(r.principal, '') AND d.account_id = r.account_id AND d.event_day = r.event_day
WHERE r.nth = 1 AND d.calls >= 5
ORDER BY r.event_time, r.event_id
