-- name: cis_iam_policy_changed
-- source: cloudtrail
-- id: WB-CT-121
-- title: IAM policies changed (CIS IAM policy changes)
-- severity: info
-- tactics: TA0003, TA0004
-- techniques: T1098
-- description: Inline or managed IAM policies created, changed, attached, detached or deleted (the CIS benchmark's list of
--   calls). One hit per principal and day, at the first change, with how many and which.
-- false_positives: Infrastructure as code and administrators at work: the volume and the principal tell them apart.
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
        AND (eventsource = 'iam.amazonaws.com' AND eventname IN ('DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy'))
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
    SELECT coalesce(principal, '') AS who, account_id, event_day, count(*) AS calls, count(error_code) AS denied,
        array_join(slice(array_sort(array_agg(DISTINCT event_name)), 1, 5), ', ') AS names
    FROM ranked
    GROUP BY coalesce(principal, ''), account_id, event_day
)
SELECT r.event_time, r.account_id, r.region, r.principal, r.source_ip, r.access_key_id, r.event_name, r.event_id,
    concat(CAST(d.calls AS varchar), ' changes by this principal that day (', CAST(d.denied AS varchar), ' refused): ', d.names) AS detail
FROM ranked AS r
JOIN days AS d ON d.who = coalesce(r.principal, '') AND d.account_id = r.account_id AND d.event_day = r.event_day
WHERE r.nth = 1 AND d.calls >= 1
ORDER BY r.event_time, r.event_id
