-- name: top_clients
-- source: cloudfront
-- description: The clients that sent the distributions the most requests in the window, with their
--   errors, distinct paths, bytes and user agents (decoded): a scraper or a prober asks for many
--   paths, a browser for the same few assets.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   distributions  list<string>  = []  distribution ids to keep; empty keeps all
--   top            int           = 25  how many clients
-- returns: c_ip, requests, client_errors, paths, sent_bytes, edges, user_agents, first_seen,
--   last_seen, rank
SELECT *
FROM (
    SELECT
        c_ip,
        count(*) AS requests,
        sum(CASE WHEN sc_status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
        count(DISTINCT cs_uri_stem) AS paths,
        sum(sc_bytes) AS sent_bytes,
        array_join(array_sort(array_agg(DISTINCT x_edge_location)), ', ') AS edges,
        array_join(slice(array_sort(array_agg(DISTINCT url_decode(cs_user_agent))), 1, 3), ' | ') AS user_agents,
        min(from_iso8601_timestamp(concat("date", 'T', "time", 'Z'))) AS first_seen,
        max(from_iso8601_timestamp(concat("date", 'T', "time", 'Z'))) AS last_seen,
        row_number() OVER (ORDER BY count(*) DESC, c_ip) AS rank
    FROM cloudfront
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:distributions) = 0 OR contains(:distributions, distribution))
        AND "date" IS NOT NULL
    GROUP BY c_ip
) AS ranked
WHERE rank <= :top
ORDER BY rank
