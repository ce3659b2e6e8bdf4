-- name: findings
-- source: guardduty
-- description: One row per GuardDuty finding exported in the window, at its latest update
--   (an updated finding is exported again with the same id and a higher count), with the
--   pivots for drilling into CloudTrail and VPC flows: access key, principal, user,
--   instance, network interface and remote IP. Most severe first. remote_country and remote_org
--   are GuardDuty's own view of the remote IP (remoteIpDetails, or an attack sequence's first
--   endpoint: country name, AS organisation).
--   Attack sequences (Extended Threat Detection, AttackSequence:* types, Critical) come with
--   their signals: `sequence` is the JSON text of service.detection.sequence (actors,
--   endpoints, resources, signals, indicators; read it with
--   workbench.analyses.findings.signals), `signals` its signal count, and the pivots are
--   its first actor's credentials and first endpoint when the resource names none.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep (exporting account); empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: finding_id, type, severity, title, account_id, region, created_at, updated_at,
--   count, resource_type, access_key_id, principal_id, user_name, instance_id, eni,
--   remote_ip, remote_country, remote_org, first_seen, last_seen, is_sample, is_attack_sequence,
--   signals, sequence
WITH exports AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY id
            ORDER BY updatedat DESC, CAST(json_extract_scalar(service, '$.count') AS bigint) DESC
        ) AS newest
    FROM guardduty
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
)
SELECT
    id AS finding_id,
    type,
    severity,
    title,
    accountid AS account_id,
    region,
    from_iso8601_timestamp(createdat) AS created_at,
    from_iso8601_timestamp(updatedat) AS updated_at,
    CAST(json_extract_scalar(service, '$.count') AS bigint) AS count,
    json_extract_scalar(resource, '$.resourceType') AS resource_type,
    coalesce(
        json_extract_scalar(resource, '$.accessKeyDetails.accessKeyId'),
        json_extract_scalar(service, '$.detection.sequence.actors[0].user.credentialUid')
    ) AS access_key_id,
    coalesce(
        json_extract_scalar(resource, '$.accessKeyDetails.principalId'),
        json_extract_scalar(service, '$.detection.sequence.actors[0].user.uid')
    ) AS principal_id,
    coalesce(
        json_extract_scalar(resource, '$.accessKeyDetails.userName'),
        json_extract_scalar(service, '$.detection.sequence.actors[0].user.name')
    ) AS user_name,
    json_extract_scalar(resource, '$.instanceDetails.instanceId') AS instance_id,
    json_extract_scalar(resource, '$.instanceDetails.networkInterfaces[0].networkInterfaceId') AS eni,
    coalesce(
        json_extract_scalar(service, '$.action.awsApiCallAction.remoteIpDetails.ipAddressV4'),
        json_extract_scalar(service, '$.action.networkConnectionAction.remoteIpDetails.ipAddressV4'),
        json_extract_scalar(service, '$.action.portProbeAction.portProbeDetails[0].remoteIpDetails.ipAddressV4'),
        json_extract_scalar(service, '$.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4'),
        json_extract_scalar(service, '$.detection.sequence.endpoints[0].ip')
    ) AS remote_ip,
    coalesce(
        json_extract_scalar(service, '$.action.awsApiCallAction.remoteIpDetails.country.countryName'),
        json_extract_scalar(service, '$.action.networkConnectionAction.remoteIpDetails.country.countryName'),
        json_extract_scalar(service, '$.action.portProbeAction.portProbeDetails[0].remoteIpDetails.country.countryName'),
        json_extract_scalar(service, '$.action.kubernetesApiCallAction.remoteIpDetails.country.countryName'),
        json_extract_scalar(service, '$.detection.sequence.endpoints[0].location.country')
    ) AS remote_country,
    coalesce(
        json_extract_scalar(service, '$.action.awsApiCallAction.remoteIpDetails.organization.asnOrg'),
        json_extract_scalar(service, '$.action.networkConnectionAction.remoteIpDetails.organization.asnOrg'),
        json_extract_scalar(service, '$.action.portProbeAction.portProbeDetails[0].remoteIpDetails.organization.asnOrg'),
        json_extract_scalar(service, '$.action.kubernetesApiCallAction.remoteIpDetails.organization.asnOrg'),
        json_extract_scalar(service, '$.detection.sequence.endpoints[0].autonomousSystem.name')
    ) AS remote_org,
    from_iso8601_timestamp(json_extract_scalar(service, '$.eventFirstSeen')) AS first_seen,
    from_iso8601_timestamp(json_extract_scalar(service, '$.eventLastSeen')) AS last_seen,
    coalesce(json_extract_scalar(service, '$.additionalInfo.sample') = 'true', false) AS is_sample,
    type LIKE 'AttackSequence:%' AS is_attack_sequence,
    coalesce(json_array_length(json_extract(service, '$.detection.sequence.signals')), 0) AS signals,
    json_format(json_extract(service, '$.detection.sequence')) AS sequence
FROM exports
WHERE newest = 1
ORDER BY severity DESC, updated_at DESC, finding_id
