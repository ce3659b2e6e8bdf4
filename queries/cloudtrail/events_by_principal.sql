-- name: events_by_principal
-- source: cloudtrail
-- description: Every event of one principal in the window. `principal` may be an ARN (user,
--   root, assumed-role session, or the role itself to get all its sessions) or a name (IAM
--   user name, or an SSO/assumed-role session name such as an e-mail address).
--   Every kind of event is kept, event_category says which: Management, Data,
--   NetworkActivity (a call through a VPC endpoint; a denied one, VpceAccessDenied, has no
--   other record) or Insight.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   principal  string        an ARN or a user/session name
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: event_time, account_id, region, event_id, event_source, event_name, error_code,
--   source_ip, principal, access_key_id, user_agent, event_category
SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    eventid AS event_id,
    eventsource AS event_source,
    eventname AS event_name,
    errorcode AS error_code,
    sourceipaddress AS source_ip,
    coalesce(useridentity.arn, useridentity.username) AS principal,
    useridentity.accesskeyid AS access_key_id,
    useragent AS user_agent,
    coalesce(eventcategory, 'Management') AS event_category
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (
        useridentity.arn = :principal
        OR useridentity.sessioncontext.sessionissuer.arn = :principal
        OR (useridentity.username = :principal AND useridentity.username <> 'HIDDEN_DUE_TO_SECURITY_REASONS')
        OR (useridentity.type = 'AssumedRole' AND element_at(split(useridentity.arn, '/'), -1) = :principal)
    )
ORDER BY event_time, event_id
