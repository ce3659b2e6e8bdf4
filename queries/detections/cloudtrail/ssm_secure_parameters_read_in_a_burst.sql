-- name: ssm_secure_parameters_read_in_a_burst
-- source: cloudtrail
-- id: WB-CT-005
-- title: SecureString parameters decrypted in a burst
-- severity: medium
-- tactics: TA0006
-- techniques: T1552
-- description: One principal read at least 5 different sets of SSM parameters with decryption in a day
--   (applications read their own few again and again).
-- false_positives: Configuration loaders that read decrypted parameters at each start.
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
        coalesce(json_format(json_extract(requestparameters, '$.names')), json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.path')) AS target,
        errorcode AS error_code
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND (eventsource = 'ssm.amazonaws.com' AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath') AND lower(coalesce(json_extract_scalar(requestparameters, '$.withDecryption'), '')) = 'true')
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
WHERE r.nth = 1 AND d.targets >= 5
ORDER BY r.event_time, r.event_id
