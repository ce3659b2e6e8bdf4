-- name: scan_candidates
-- source: vpcflow
-- description: Sources that reached at least `min_ports` distinct destination ports of one
--   host (address on one interface) in the window: port-scan candidates, with how much of
--   it was rejected.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   min_ports  int           = 20  fewest distinct destination ports to count as a scan
-- returns: account_id, interface_id, source_ip, dst_addr, distinct_ports, flows, rejected,
--   rejected_share, dst_ports, first_seen, last_seen
SELECT *
FROM (
    SELECT
        account_id,
        interface_id,
        srcaddr AS source_ip,
        dstaddr AS dst_addr,
        count(DISTINCT dstport) AS distinct_ports,
        count(*) AS flows,
        sum(CASE WHEN action = 'REJECT' THEN 1 ELSE 0 END) AS rejected,
        CAST(sum(CASE WHEN action = 'REJECT' THEN 1 ELSE 0 END) AS double) / count(*) AS rejected_share,
        array_sort(array_agg(DISTINCT dstport)) AS dst_ports,
        from_unixtime(min(start)) AS first_seen,
        from_unixtime(max("end")) AS last_seen
    FROM vpcflow
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND log_status = 'OK'
        AND dstport IS NOT NULL
    GROUP BY account_id, interface_id, srcaddr, dstaddr
) AS per_host
WHERE distinct_ports >= :min_ports
ORDER BY distinct_ports DESC, source_ip
