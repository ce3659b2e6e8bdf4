-- name: principal_ip_events
-- source: cloudtrail
-- description: One row per call: the principal and the IPv4 address it called from, the
--   training data of SageMaker's IP Insights algorithm (which learns which principals use
--   which addresses). Calls from AWS service names, "AWS Internal" and IPv6 addresses are left
--   out; same principals as principal_day_features.
--   Counted once: network activity events (a second record of a call that passed a VPC
--   endpoint) and Insights events (not calls) are left out; management and data events
--   count. Calls a principal made in the console, which CloudTrail marks as invoked by
--   signin.amazonaws.com or console.amazonaws.com, are the principal's own and count.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: principal, source_ip
SELECT
    coalesce(useridentity.arn, useridentity.username) AS principal,
    sourceipaddress AS source_ip
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount', '')
    AND coalesce(useridentity.username, '') <> 'HIDDEN_DUE_TO_SECURITY_REASONS'
    AND coalesce(useridentity.arn, useridentity.username) IS NOT NULL
    AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com'))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND regexp_like(sourceipaddress, '^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$')
