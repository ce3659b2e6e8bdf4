-- name: principal_day_features
-- source: cloudtrail
-- description: The activity of each principal on each day, counted the ways anomaly detection
--   compares it with the principal's other days: calls, distinct APIs, errors (a failed console
--   sign-in counts as one), write calls (sign-ins are not writes), IAM, STS and KMS calls, console
--   sign-ins and console calls,
--   regions, user agents and source IPs, first and last call. AWS services (acting on their own
--   or on a principal's behalf) and unknown (HIDDEN) user names are left out, as in
--   principal_daily_activity.
--   Counted once: network activity events (a second record of a call that passed a VPC
--   endpoint) and Insights events (not calls) are left out; management and data events
--   count. Calls a principal made in the console, which CloudTrail marks as invoked by
--   signin.amazonaws.com or console.amazonaws.com, are the principal's own and count.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: principal, event_day, principal_type, account_id, user_name, role_arn, calls,
--   distinct_apis, errors, failed_logins, console_logins, console_calls, write_calls, iam_calls,
--   sts_calls, kms_calls, aws_regions, user_agents, source_ips, first_call, last_call
SELECT
    coalesce(useridentity.arn, useridentity.username) AS principal,
    substr(eventtime, 1, 10) AS event_day,
    arbitrary(useridentity.type) AS principal_type,
    arbitrary(coalesce(recipientaccountid, useridentity.accountid, account)) AS account_id,
    arbitrary(coalesce(useridentity.username, element_at(split(useridentity.arn, '/'), -1))) AS user_name,
    arbitrary(useridentity.sessioncontext.sessionissuer.arn) AS role_arn,
    count(*) AS calls,
    count(DISTINCT eventsource || ':' || eventname) AS distinct_apis,
    sum(CASE WHEN errorcode IS NOT NULL OR errormessage IS NOT NULL THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN eventname = 'ConsoleLogin' AND errormessage IS NOT NULL THEN 1 ELSE 0 END) AS failed_logins,
    sum(CASE WHEN eventname = 'ConsoleLogin' THEN 1 ELSE 0 END) AS console_logins,
    sum(CASE WHEN eventname = 'ConsoleLogin' OR sessioncredentialfromconsole = 'true' THEN 1 ELSE 0 END)
        AS console_calls,
    sum(CASE WHEN lower(readonly) = 'false' AND eventname <> 'ConsoleLogin' THEN 1 ELSE 0 END) AS write_calls,
    sum(CASE WHEN eventsource = 'iam.amazonaws.com' THEN 1 ELSE 0 END) AS iam_calls,
    sum(CASE WHEN eventsource = 'sts.amazonaws.com' THEN 1 ELSE 0 END) AS sts_calls,
    sum(CASE WHEN eventsource = 'kms.amazonaws.com' THEN 1 ELSE 0 END) AS kms_calls,
    count(DISTINCT awsregion) AS aws_regions,
    count(DISTINCT useragent) AS user_agents,
    count(DISTINCT sourceipaddress) AS source_ips,
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
GROUP BY coalesce(useridentity.arn, useridentity.username), substr(eventtime, 1, 10)
ORDER BY principal, event_day
