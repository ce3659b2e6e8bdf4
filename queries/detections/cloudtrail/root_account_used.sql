-- name: root_account_used
-- source: cloudtrail
-- id: WB-CT-052
-- title: The root user acted
-- severity: high
-- tactics: TA0004, TA0001
-- techniques: T1078.004
-- description: Any sign-in or call of the root user, its own console actions included (CIS 3.3); AWS
--   services acting on root's behalf are left out.
-- false_positives: The rare tasks only root can do.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    coalesce(useridentity.arn, useridentity.username, useridentity.principalid) AS principal,
    sourceipaddress AS source_ip,
    useridentity.accesskeyid AS access_key_id,
    eventname AS event_name,
    eventid AS event_id,
    concat(eventsource, ':', eventname, ': ', coalesce(json_extract_scalar(responseelements, '$.ConsoleLogin'), coalesce(errorcode, 'succeeded'))) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (useridentity.type = 'Root' AND (useridentity.invokedby IS NULL OR useridentity.invokedby IN ('signin.amazonaws.com', 'console.amazonaws.com')) AND coalesce(lower(eventtype), '') <> 'awsserviceevent')
ORDER BY event_time, event_id
