-- name: principal_hourly_sources
-- source: cloudtrail
-- description: Calls and errors of each principal per day, hour of day (UTC) and source IP.
--   Anomaly detection learns from it which hours and addresses are usual for a principal, and
--   which of a day's calls came at other hours or from addresses the principal never used on
--   another day. Same principals as principal_day_features.
--   Counted once: network activity events (a second record of a call that passed a VPC
--   endpoint) and Insights events (not calls) are left out; management and data events
--   count. Calls a principal made in the console, which CloudTrail marks as invoked by
--   signin.amazonaws.com or console.amazonaws.com, are the principal's own and count.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: principal, event_day, event_hour, source_ip, calls, errors, first_call, last_call
SELECT
    coalesce(useridentity.arn, useridentity.username) AS principal,
    substr(eventtime, 1, 10) AS event_day,
    CAST(substr(eventtime, 12, 2) AS integer) AS event_hour,
    sourceipaddress AS source_ip,
    count(*) AS calls,
    sum(CASE WHEN errorcode IS NOT NULL OR errormessage IS NOT NULL THEN 1 ELSE 0 END) AS errors,
    min(eventtime) AS first_call,
    max(eventtime) AS last_call
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount', '')
    AND coalesce(useridentity.username, '') <> 'HIDDEN_DUE_TO_SECURITY_REASONS'
    AND coalesce(useridentity.arn, useridentity.username) IS NOT NULL
    AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com'))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
GROUP BY coalesce(useridentity.arn, useridentity.username), substr(eventtime, 1, 10),
    CAST(substr(eventtime, 12, 2) AS integer), sourceipaddress
ORDER BY principal, event_day, event_hour, source_ip
