-- name: console_logins
-- source: cloudtrail
-- description: One row per console sign-in (ConsoleLogin), successful or not: who signed in,
--   to which account, from where, with or without MFA, and the error AWS gave. IAM users,
--   federated/SSO sessions (AssumedRole) and root alike. Sign-ins are delivered under the
--   us-east-1 prefix: a region filter that leaves it out hides them.
--   A sign-in through a console VPC endpoint is counted once: its network activity event
--   (and any Insights event) is left out.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions (delivery prefixes) to keep; empty keeps all
-- returns: event_time, account_id, region, event_id, principal_type, principal, user_name,
--   outcome, mfa_used, source_ip, user_agent, error_message
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    eventid AS event_id,
    useridentity.type AS principal_type,
    coalesce(useridentity.arn, useridentity.username) AS principal,
    CASE
        WHEN useridentity.type = 'Root' THEN 'root'
        WHEN useridentity.type = 'AssumedRole' THEN element_at(split(useridentity.arn, '/'), -1)
        ELSE useridentity.username
    END AS user_name,
    json_extract_scalar(responseelements, '$.ConsoleLogin') AS outcome,
    lower(json_extract_scalar(additionaleventdata, '$.MFAUsed')) = 'yes' AS mfa_used,
    sourceipaddress AS source_ip,
    useragent AS user_agent,
    errormessage AS error_message
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND eventname = 'ConsoleLogin'
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
ORDER BY event_time, event_id
