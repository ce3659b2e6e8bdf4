-- name: credentials_issued
-- source: cloudtrail
-- description: Every successful call in the window that issued temporary credentials, with the
--   key it issued and the credentials that made the call: STS AssumeRole, AssumeRoleWithSAML,
--   AssumeRoleWithWebIdentity, GetSessionToken and GetFederationToken, and IAM Identity
--   Center's GetRoleCredentials (which records no key: sso_account_id, sso_role_name and the
--   caller's user name say which session it opened). A cross-account AssumeRole is written in
--   the caller's account and in the role's account, both rows with one shared_event_id; the
--   role's account names only the caller's account and principal id. What `workbench.lineage`
--   walks. With `access_key_ids` or `principals`, only the calls that issued one of the keys or
--   were made with one, or were made by or for one of the principals (an ARN, a user, role or
--   session name, a source identity); both empty keep every call.
-- params:
--   start           date          first day (inclusive, UTC)
--   end             date          last day (inclusive, UTC)
--   accounts        list<string>  = []  account ids to keep; empty keeps all
--   regions         list<string>  = []  regions to keep; empty keeps all
--   access_key_ids  list<string>  = []  keys the call issued or was made with (AKIA... or ASIA...)
--   principals      list<string>  = []  ARNs, user, role or session names, source identities
-- returns: event_time, account_id, region, event_id, shared_event_id, event_source, event_name,
--   issued_access_key_id, role_arn, role_session_name, source_identity, issued_arn, caller_type,
--   caller_arn, caller_account_id, caller_principal_id, caller_user_name, caller_access_key_id,
--   caller_invoked_by, caller_issuer_arn, sso_account_id, sso_role_name, source_ip, user_agent
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    eventid AS event_id,
    sharedeventid AS shared_event_id,
    eventsource AS event_source,
    eventname AS event_name,
    json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS issued_access_key_id,
    json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,
    json_extract_scalar(requestparameters, '$.roleSessionName') AS role_session_name,
    coalesce(json_extract_scalar(responseelements, '$.sourceIdentity'),
             json_extract_scalar(requestparameters, '$.sourceIdentity')) AS source_identity,
    coalesce(json_extract_scalar(responseelements, '$.assumedRoleUser.arn'),
             json_extract_scalar(responseelements, '$.federatedUser.arn')) AS issued_arn,
    useridentity.type AS caller_type,
    useridentity.arn AS caller_arn,
    useridentity.accountid AS caller_account_id,
    useridentity.principalid AS caller_principal_id,
    useridentity.username AS caller_user_name,
    nullif(useridentity.accesskeyid, '') AS caller_access_key_id,
    useridentity.invokedby AS caller_invoked_by,
    useridentity.sessioncontext.sessionissuer.arn AS caller_issuer_arn,
    json_extract_scalar(requestparameters, '$.accountId') AS sso_account_id,
    json_extract_scalar(requestparameters, '$.roleName') AS sso_role_name,
    sourceipaddress AS source_ip,
    useragent AS user_agent
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND errorcode IS NULL
    AND (
        (eventsource = 'sts.amazonaws.com'
         AND eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken',
                           'GetFederationToken'))
        OR (eventsource = 'sso.amazonaws.com' AND eventname = 'GetRoleCredentials')
    )
    AND (
        (cardinality(:access_key_ids) = 0 AND cardinality(:principals) = 0)
        OR contains(:access_key_ids, json_extract_scalar(responseelements, '$.credentials.accessKeyId'))
        OR contains(:access_key_ids, useridentity.accesskeyid)
        OR contains(:principals, useridentity.arn)
        OR contains(:principals, useridentity.username)
        OR contains(:principals, useridentity.sessioncontext.sessionissuer.arn)
        OR contains(:principals, json_extract_scalar(requestparameters, '$.roleArn'))
        OR contains(:principals, json_extract_scalar(requestparameters, '$.roleSessionName'))
        OR contains(:principals, json_extract_scalar(responseelements, '$.assumedRoleUser.arn'))
        OR contains(:principals, json_extract_scalar(responseelements, '$.federatedUser.arn'))
        OR contains(:principals, json_extract_scalar(responseelements, '$.sourceIdentity'))
        OR contains(:principals, json_extract_scalar(requestparameters, '$.sourceIdentity'))
    )
ORDER BY event_time, event_id
