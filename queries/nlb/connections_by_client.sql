-- name: connections_by_client
-- source: nlb
-- description: Every TLS connection from any of `addresses` in the window, in time order: the pivot
--   from an address (a scan, a finding) to what it did at the Network Load Balancers' TLS listeners.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   addresses  list<string>  client IP addresses
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: connection_time, account_id, region, load_balancer, client_ip, target_port, handshake,
--   tls_protocol_version, domain_name, received_bytes, sent_bytes, tcp_connection_time_ms
SELECT
    from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z')) AS connection_time,
    account AS account_id,
    region,
    elb AS load_balancer,
    client_ip,
    target_port,
    CASE WHEN tls_handshake_time_ms IS NULL THEN 'never completed' ELSE 'completed' END AS handshake,
    tls_protocol_version,
    domain_name,
    received_bytes,
    sent_bytes,
    tcp_connection_time_ms
FROM nlb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND type IS NOT NULL
    AND contains(:addresses, client_ip)
ORDER BY connection_time, load_balancer, target_port, received_bytes, sent_bytes, tcp_connection_time_ms
