-- name: port_scan
-- source: vpcflow
-- id: WB-VPC-001
-- title: Port scan: one source probes many ports of one host
-- severity: medium
-- tactics: TA0007, TA0043
-- techniques: T1046, T1595.001
-- description: One source address reached at least min_ports distinct destination ports of one host (an
--   address on one interface) in one day, and the host or its security groups refused most of them. Replies
--   go back to many ephemeral ports but are accepted, so the share refused tells a probe from a busy client.
--   One hit per source, host and day, at the first probe.
-- false_positives: A vulnerability scanner of the organisation's own (allow-list its addresses), a
--   misconfigured client retrying through a port range.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   min_ports  int           = 20  fewest distinct destination ports to count as a scan
-- returns: event_time, account_id, region, principal, source_ip, access_key_id, event_name,
--   event_id, detail
WITH probes AS (
    SELECT
        account_id,
        region,
        interface_id,
        srcaddr,
        dstaddr,
        day,
        count(DISTINCT dstport) AS ports,
        count(*) AS flows,
        sum(CASE WHEN action = 'REJECT' THEN 1 ELSE 0 END) AS refused,
        min(start) AS first_start
    FROM vpcflow
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND log_status = 'OK'
        AND dstport IS NOT NULL
    GROUP BY account_id, region, interface_id, srcaddr, dstaddr, day
)
SELECT
    from_unixtime(first_start) AS event_time,
    account_id,
    region,
    CAST(NULL AS varchar) AS principal,
    srcaddr AS source_ip,
    CAST(NULL AS varchar) AS access_key_id,
    'port scan' AS event_name,
    concat(interface_id, '/', srcaddr, '/', dstaddr, '/', day) AS event_id,
    concat(CAST(ports AS varchar), ' ports of ', dstaddr, ' on ', interface_id, ' probed that day, ',
           CAST(refused AS varchar), ' of ', CAST(flows AS varchar), ' flows refused') AS detail
FROM probes
WHERE ports >= :min_ports AND refused * 2 >= flows
ORDER BY event_time, event_id
