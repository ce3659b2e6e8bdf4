-- name: attack_tool_user_agent
-- source: cloudtrail
-- id: WB-CT-105
-- title: An attack tool or a penetration-testing OS in the user agent
-- severity: high
-- tactics: TA0001, TA0007
-- techniques: T1078.004, T1580
-- judge: attack_tool
-- description: Calls whose user agent names an attack tool (Pacu, TruffleHog, Stratus Red Team, CloudFox...)
--   or a penetration-testing OS (Kali, Parrot, Pentoo), read by the shipped user-agent parser, as GuardDuty's
--   PenTest findings read it. One hit per principal, tool and day, at the first call.
-- false_positives: An authorised penetration test or red-team exercise; a detonation of attack techniques.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
-- returns: account_id, principal, day, source_ip, user_agent, calls, event_time, event_id, event_name,
--   access_key_id, region
WITH calls AS (
    SELECT
        from_iso8601_timestamp(eventtime) AS event_time,
        coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
        awsregion AS region,
        coalesce(useridentity.arn, useridentity.username, useridentity.principalid) AS principal,
        sourceipaddress AS source_ip,
        useragent AS user_agent,
        useridentity.accesskeyid AS access_key_id,
        eventname AS event_name,
        eventid AS event_id,
        concat(eventtime, ' ', eventid) AS call_key,
        day
    FROM cloudtrail
    WHERE day BETWEEN date_format(date_add('day', -:baseline_days, date(:start)), '%Y/%m/%d') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND useridentity.invokedby IS NULL
        AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
)
SELECT account_id, principal, day, source_ip, user_agent, count(*) AS calls, min(event_time) AS event_time,
    min_by(event_id, call_key) AS event_id, min_by(event_name, call_key) AS event_name,
    min_by(access_key_id, call_key) AS access_key_id, min_by(region, call_key) AS region
FROM calls
WHERE principal IS NOT NULL
GROUP BY account_id, principal, day, source_ip, user_agent
ORDER BY account_id, principal, day, source_ip, user_agent
