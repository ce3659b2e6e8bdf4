-- name: port_pairs
-- source: vpcflow
-- description: Flows aggregated by interface, addresses, ports, protocol and action: the
--   data behind the source-port vs destination-port scatter. NODATA and SKIPDATA rows are left out.
-- params:
--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all
-- returns: account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action,
--   flows, packets, bytes, first_seen, last_seen
SELECT
    account_id,
    interface_id,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    protocol,
    action,
    count(*) AS flows,
    sum(packets) AS packets,
    sum(bytes) AS bytes,
    from_unixtime(min(start)) AS first_seen,
    from_unixtime(max("end")) AS last_seen
FROM vpcflow
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND log_status = 'OK'
GROUP BY account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action
ORDER BY flows DESC, account_id, interface_id, srcaddr, dstaddr, srcport, dstport
