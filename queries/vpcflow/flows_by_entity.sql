-- name: flows_by_entity
-- source: vpcflow
-- description: Flows in the window to or from any of `addresses`, or on any of
--   `interface_ids` (an instance's network interfaces), aggregated per hour by interface,
--   addresses, destination port, protocol and action (source ports are mostly ephemeral and
--   left out). NODATA and SKIPDATA rows are left out. Empty lists match nothing.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   regions        list<string>  = []  regions to keep; empty keeps all
--   addresses      list<string>  = []  IP addresses (source or destination)
--   interface_ids  list<string>  = []  network interface ids (eni-...)
-- returns: account_id, interface_id, srcaddr, dstaddr, dstport, protocol, action, flows,
--   packets, bytes, first_seen, last_seen
SELECT
    account_id,
    interface_id,
    srcaddr,
    dstaddr,
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
    AND (
        contains(:addresses, srcaddr)
        OR contains(:addresses, dstaddr)
        OR contains(:interface_ids, interface_id)
    )
GROUP BY account_id, interface_id, srcaddr, dstaddr, dstport, protocol, action, start - start % 3600
ORDER BY first_seen, account_id, interface_id, srcaddr, dstaddr, dstport
