-- name: first_seen_network_for_a_principal
-- source: cloudtrail
-- id: WB-CT-103
-- title: A network new to a principal
-- severity: low
-- tactics: TA0001, TA0005
-- techniques: T1078.004
-- judge: first_seen_network
-- description: A principal called AWS from a network (the country and autonomous system of a public source
--   address, from the shipped context data) it had never used: not in its own baseline (the baseline_days
--   before the window) nor on the window's earlier days. A leaked key used from a hosting provider abroad looks
--   like this; a new address in the principal's usual ISP does not. Private and documentation addresses and
--   AWS's own (AWS Internal, service names, AWS's ranges) have no network. A principal first seen fewer than
--   history_days before that day is not judged. The query counts calls per principal, day, address and user
--   agent; the judge looks the addresses up. One hit per principal and network, at its first call.
-- false_positives: Travel, a new home or mobile ISP, a VPN or a CI runner in a new cloud.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
--   history_days   int           = 2   fewest days a principal must have been seen before a day to be judged
--   min_calls      int           = 1   fewest calls from the new network that day
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
