-- name: failed_handshakes
-- source: nlb
-- description: Clients that opened a TLS listener's port and never completed a handshake: port
--   scanners and probes touch the port, send nothing or something that is not a TLS hello, and
--   leave. Per client, how many such connections, how many completed, what it sent, and when.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many clients
-- returns: client_ip, failed, completed, received_bytes, load_balancers, first_seen, last_seen, rank
SELECT *
FROM (
    SELECT
        client_ip,
        sum(CASE WHEN tls_handshake_time_ms IS NULL THEN 1 ELSE 0 END) AS failed,
        sum(CASE WHEN tls_handshake_time_ms IS NULL THEN 0 ELSE 1 END) AS completed,
        sum(CASE WHEN tls_handshake_time_ms IS NULL THEN received_bytes ELSE 0 END) AS received_bytes,
        array_join(array_sort(array_agg(DISTINCT elb)), ', ') AS load_balancers,
        min(from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z'))) AS first_seen,
        max(from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z'))) AS last_seen,
        row_number() OVER (ORDER BY sum(CASE WHEN tls_handshake_time_ms IS NULL THEN 1 ELSE 0 END) DESC,
                           client_ip) AS rank
    FROM nlb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL
    GROUP BY client_ip
    HAVING sum(CASE WHEN tls_handshake_time_ms IS NULL THEN 1 ELSE 0 END) > 0
) AS ranked
WHERE rank <= :top
ORDER BY rank
