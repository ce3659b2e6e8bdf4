-- name: tls_versions
-- source: nlb
-- description: Which TLS protocol versions and cipher suites clients negotiated with the TLS
--   listeners, and who still uses each: TLS 1.0 and 1.1 are the clients to upgrade before the
--   security policy drops them.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: tls_protocol_version, tls_cipher_suite, connections, clients, sample_clients, last_seen
SELECT
    tls_protocol_version,
    tls_cipher_suite,
    count(*) AS connections,
    count(DISTINCT client_ip) AS clients,
    array_join(slice(array_sort(array_agg(DISTINCT client_ip)), 1, 5), ', ') AS sample_clients,
    max(from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z'))) AS last_seen
FROM nlb
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND tls_handshake_time_ms IS NOT NULL
GROUP BY tls_protocol_version, tls_cipher_suite
ORDER BY tls_protocol_version, connections DESC, tls_cipher_suite
