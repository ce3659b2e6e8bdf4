-- name: events_by_entity
-- source: cloudtrail
-- description: Every event in the window that involves any of the given entities: made from
--   one of `source_ips`, with one of `access_key_ids`, by one of `principals` (an ARN, a role
--   ARN for all its sessions, an IAM user name or a session name), or by or on one of
--   `instance_ids` (calls with the instance's role credentials, EC2 calls naming the
--   instance). One scan for all entities: what `workbench.pivot` reads. Empty lists match
--   nothing.
--   Every kind of event is kept, event_category says which: Management, Data,
--   NetworkActivity (a call through a VPC endpoint; a denied one, VpceAccessDenied, has no
--   other record) or Insight.
-- params:
--   start           date          first day (inclusive, UTC)
--   end             date          last day (inclusive, UTC)
--   accounts        list<string>  = []  account ids to keep; empty keeps all
--   regions         list<string>  = []  regions to keep; empty keeps all
--   source_ips      list<string>  = []  source IP addresses, as CloudTrail records them
--   access_key_ids  list<string>  = []  access key ids (AKIA... or ASIA...)
--   principals      list<string>  = []  ARNs or user/session names
--   instance_ids    list<string>  = []  EC2 instance ids (i-...)
-- returns: event_time, account_id, region, event_id, event_source, event_name, error_code,
--   source_ip, principal, principal_type, access_key_id, user_agent, event_category
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
    useridentity.type AS principal_type,
    useridentity.accesskeyid AS access_key_id,
    useragent AS user_agent,
    coalesce(eventcategory, 'Management') AS event_category
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND (
        contains(:source_ips, sourceipaddress)
        OR contains(:access_key_ids, useridentity.accesskeyid)
        OR contains(:principals, useridentity.arn)
        OR contains(:principals, useridentity.sessioncontext.sessionissuer.arn)
        OR (contains(:principals, useridentity.username)
            AND useridentity.username <> 'HIDDEN_DUE_TO_SECURITY_REASONS')
        OR (useridentity.type = 'AssumedRole'
            AND contains(:principals, element_at(split(useridentity.arn, '/'), -1)))
        OR (useridentity.type = 'AssumedRole'
            AND contains(:instance_ids, element_at(split(useridentity.arn, '/'), -1)))
        OR contains(:instance_ids, json_extract_scalar(requestparameters, '$.instanceId'))
        OR contains(:instance_ids, json_extract_scalar(requestparameters, '$.instancesSet.items[0].instanceId'))
    )
ORDER BY event_time, event_id
