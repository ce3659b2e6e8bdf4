-- name: root_activity
-- source: cloudtrail
-- description: Every action of the root user (sign-ins, failed sign-ins and API calls), not
--   the calls AWS services make on root's behalf. Root's own actions are those with no
--   userIdentity.invokedBy or with invokedBy signin.amazonaws.com or console.amazonaws.com
--   (what root does in the console, creating an access key for root for example); left out
--   are calls with any other invokedBy (an AWS service, or AWS Internal, acting on its own)
--   and AwsServiceEvent events. Root's calls through a VPC endpoint are kept as their network
--   activity events too (event_category NetworkActivity): a denied one has no other record.
--   Root sign-ins are delivered under the us-east-1 prefix whatever region was used, so
--   us-east-1 is always read, even when `regions` names other regions: a region filter
--   never hides a root sign-in.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep besides us-east-1; empty keeps all
-- returns: event_time, account_id, region, event_source, event_name, source_ip, outcome,
--   mfa_used, user_agent, error_message, event_id, invoked_by, event_category
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    eventsource AS event_source,
    eventname AS event_name,
    sourceipaddress AS source_ip,
    CASE
        WHEN eventname = 'ConsoleLogin' THEN json_extract_scalar(responseelements, '$.ConsoleLogin')
        WHEN errorcode IS NULL THEN 'Success'
        ELSE errorcode
    END AS outcome,
    CASE
        WHEN eventname = 'ConsoleLogin'
            THEN lower(json_extract_scalar(additionaleventdata, '$.MFAUsed')) = 'yes'
        ELSE lower(useridentity.sessioncontext.attributes.mfaauthenticated) = 'true'
    END AS mfa_used,
    useragent AS user_agent,
    errormessage AS error_message,
    eventid AS event_id,
    useridentity.invokedby AS invoked_by,
    coalesce(eventcategory, 'Management') AS event_category
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region) OR region = 'us-east-1')
    AND useridentity.type = 'Root'
    AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com'))
    AND coalesce(eventcategory, '') <> 'Insight'
    AND coalesce(lower(eventtype), '') <> 'awsserviceevent'
ORDER BY event_time, event_id
