-- name: principal_daily_activity
-- source: cloudtrail
-- description: Per principal and day: calls, distinct APIs, errors, distinct source IPs and
--   the share of write calls. The baseline against which a principal's unusual day stands
--   out. AWS services (acting on their own or on a principal's behalf) and unknown (HIDDEN)
--   user names are left out.
--   Counted once: network activity events (a second record of a call that passed a VPC
--   endpoint) and Insights events (not calls) are left out; management and data events
--   count. Calls a principal made in the console, which CloudTrail marks as invoked by
--   signin.amazonaws.com or console.amazonaws.com, are the principal's own and count.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: principal, principal_type, account_id, event_day, calls, distinct_apis, errors,
--   source_ips, write_share
SELECT
    coalesce(useridentity.arn, useridentity.username) AS principal,
    arbitrary(useridentity.type) AS principal_type,
    arbitrary(coalesce(recipientaccountid, useridentity.accountid, account)) AS account_id,
    substr(eventtime, 1, 10) AS event_day,
    count(*) AS calls,
    count(DISTINCT eventsource || ':' || eventname) AS distinct_apis,
    count(errorcode) AS errors,
    count(DISTINCT sourceipaddress) AS source_ips,
    avg(CASE WHEN lower(readonly) = 'false' THEN 1e0 ELSE 0e0 END) AS write_share  -- doubles: 1.0 is a DECIMAL on Trino
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount', '')
    AND coalesce(useridentity.username, '') <> 'HIDDEN_DUE_TO_SECURITY_REASONS'
    AND coalesce(useridentity.arn, useridentity.username) IS NOT NULL
    AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com'))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
GROUP BY coalesce(useridentity.arn, useridentity.username), substr(eventtime, 1, 10)
ORDER BY principal, event_day
