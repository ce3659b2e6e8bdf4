-- name: console_login_without_mfa
-- source: cloudtrail
-- id: WB-CT-050
-- title: Console sign-in without MFA (IAM user or root)
-- severity: medium
-- tactics: TA0001
-- techniques: T1078.004
-- description: A successful console sign-in of an IAM user or root with MFAUsed No (CIS 3.2). Federated
--   (SSO/SAML) sessions are left out: their MFA happens at the identity provider.
-- false_positives: IAM users without MFA by design (break-glass users).
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
    concat(useridentity.type, ' sign-in without MFA') AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
    AND (eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success' AND lower(coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), '')) = 'no' AND useridentity.type IN ('IAMUser', 'Root'))
ORDER BY event_time, event_id
