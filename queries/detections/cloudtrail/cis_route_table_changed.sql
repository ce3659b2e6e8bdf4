-- name: cis_route_table_changed
-- source: cloudtrail
-- id: WB-CT-129
-- title: Route tables changed (CIS)
-- severity: info
-- tactics: TA0005
-- techniques: T1599
-- description: Routes or route tables created, replaced, disassociated or deleted (the CIS benchmark's list): where a
--   subnet's traffic goes. One hit per principal and day.
-- false_positives: Network changes made on purpose.
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
        AND (eventsource = 'ec2.amazonaws.com' AND eventname IN ('CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'))
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
