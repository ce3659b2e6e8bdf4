-- name: tls_versions
-- source: alb_connections
-- description: Which TLS protocol versions and ciphers clients used to connect to the Application
--   Load Balancers (a dash: plain HTTP), per listener port, and who still uses each.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: listener_port, tls_protocol, tls_cipher, connections, clients, sample_clients, last_seen
SELECT
    listener_port,
    tls_protocol,
    tls_cipher,
    count(*) AS connections,
    count(DISTINCT client_ip) AS clients,
    array_join(slice(array_sort(array_agg(DISTINCT client_ip)), 1, 5), ', ') AS sample_clients,
    max(from_iso8601_timestamp("time")) AS last_seen
FROM alb_connections
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND "time" IS NOT NULL
GROUP BY listener_port, tls_protocol, tls_cipher
ORDER BY listener_port, connections DESC, tls_protocol, tls_cipher
