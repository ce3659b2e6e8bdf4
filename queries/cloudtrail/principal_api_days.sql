-- name: principal_api_days
-- source: cloudtrail
-- description: Calls of each principal per day and API (event source and name). Anomaly
--   detection uses it to find the APIs a principal called on one day and on no other day of
--   the window. Same principals as principal_day_features.
--   Counted once: network activity events (a second record of a call that passed a VPC
--   endpoint) and Insights events (not calls) are left out; management and data events
--   count. Calls a principal made in the console, which CloudTrail marks as invoked by
--   signin.amazonaws.com or console.amazonaws.com, are the principal's own and count.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: principal, event_day, event_source, event_name, calls, errors
SELECT
    coalesce(useridentity.arn, useridentity.username) AS principal,
    substr(eventtime, 1, 10) AS event_day,
    eventsource AS event_source,
    eventname AS event_name,
    count(*) AS calls,
    sum(CASE WHEN errorcode IS NOT NULL OR errormessage IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount', '')
    AND coalesce(useridentity.username, '') <> 'HIDDEN_DUE_TO_SECURITY_REASONS'
    AND coalesce(useridentity.arn, useridentity.username) IS NOT NULL
    AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com'))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
GROUP BY coalesce(useridentity.arn, useridentity.username), substr(eventtime, 1, 10), eventsource, eventname
ORDER BY principal, event_day, event_source, event_name
