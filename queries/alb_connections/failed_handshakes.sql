-- name: failed_handshakes
-- source: alb_connections
-- description: Connections to an Application Load Balancer that failed, per client and reason
--   (tls_verify_status Failed:<code>): a TLS handshake that never completed, or a mutual-TLS client
--   certificate that is expired, untrusted or revoked. They never became requests, so the access
--   log does not have them.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: client_ip, tls_verify_status, connections, certificate_subjects, first_seen, last_seen
SELECT
    client_ip,
    tls_verify_status,
    count(*) AS connections,
    array_join(slice(array_sort(array_agg(DISTINCT leaf_client_cert_subject)), 1, 3), ' | ') AS certificate_subjects,
    min(from_iso8601_timestamp("time")) AS first_seen,
    max(from_iso8601_timestamp("time")) AS last_seen
FROM alb_connections
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND tls_verify_status LIKE 'Failed%'
GROUP BY client_ip, tls_verify_status
ORDER BY connections DESC, client_ip, tls_verify_status
