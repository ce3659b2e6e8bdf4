-- name: first_seen_client_for_a_principal
-- source: cloudtrail
-- id: WB-CT-104
-- title: A client program new to a principal
-- severity: low
-- tactics: TA0002, TA0007
-- techniques: T1059.009, T1078.004
-- judge: first_seen_client
-- description: A principal made calls with a client program it had never used (the tool its user agent
--   names, read by the shipped user-agent parser: AWS CLI, Boto3, an SDK, Terraform, a browser, curl): not in
--   its own baseline nor on the window's earlier days. A person whose key always came from the AWS CLI,
--   suddenly scripted with Boto3, or a role always driven by Terraform, suddenly called from a browser, looks
--   like this. AWS's own agents and the console's are not judged. A principal first seen fewer than
--   history_days before that day is not judged; min_calls calls with the new client that day make a hit (a
--   person trying the CLI makes tens of calls, a script hundreds).
-- false_positives: A new tool adopted by a team; an SDK upgrade that renames the client (rare: versions are
--   ignored).
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   baseline_days  int           = 30  days before the window that make each principal's baseline
--   history_days   int           = 2   fewest days a principal must have been seen before a day to be judged
--   min_calls      int           = 100 fewest calls with the new client that day (a script's volume, not a person trying a command)
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
