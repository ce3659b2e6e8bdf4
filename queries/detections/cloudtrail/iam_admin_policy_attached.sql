-- name: iam_admin_policy_attached
-- source: cloudtrail
-- id: WB-CT-072
-- title: Administrator rights granted
-- severity: high
-- tactics: TA0003, TA0004
-- techniques: T1098.003
-- description: AdministratorAccess (or IAMFullAccess, PowerUserAccess) attached to a user, role or group,
--   or an inline policy allowing everything.
-- false_positives: Setting up a new administrator.
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
    concat(eventname, ' ', coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(requestparameters, '$.roleName'), json_extract_scalar(requestparameters, '$.groupName'), '?'), ' ', coalesce(json_extract_scalar(requestparameters, '$.policyArn'), json_extract_scalar(requestparameters, '$.policyName'), ''), ': ', coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventsource = 'iam.amazonaws.com' AND ((eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy') AND regexp_like(coalesce(json_extract_scalar(requestparameters, '$.policyArn'), ''), '(AdministratorAccess|IAMFullAccess|PowerUserAccess)$')) OR (eventname IN ('PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy') AND regexp_like(coalesce(requestparameters, ''), '\\\\?"Action\\\\?" ?: ?\\\\?"\\*\\\\?"'))))
ORDER BY event_time, event_id
