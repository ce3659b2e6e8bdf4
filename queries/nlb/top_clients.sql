-- name: top_clients
-- source: nlb
-- description: The clients with the most TLS connections in the window, with the bytes they sent
--   and received, the server names (SNI) they asked for and the protocol versions they used.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many clients
-- returns: client_ip, connections, received_bytes, sent_bytes, server_names, protocols, first_seen,
--   last_seen, rank
SELECT *
FROM (
    SELECT
        client_ip,
        count(*) AS connections,
        sum(received_bytes) AS received_bytes,
        sum(sent_bytes) AS sent_bytes,
        array_join(array_sort(array_agg(DISTINCT domain_name)), ', ') AS server_names,
        array_join(array_sort(array_agg(DISTINCT tls_protocol_version)), ', ') AS protocols,
        min(from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z'))) AS first_seen,
        max(from_iso8601_timestamp(concat(substr("time", 1, 19), 'Z'))) AS last_seen,
        row_number() OVER (ORDER BY count(*) DESC, client_ip) AS rank
    FROM nlb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL
    GROUP BY client_ip
) AS ranked
WHERE rank <= :top
ORDER BY rank
