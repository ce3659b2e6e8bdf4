-- name: requests_by_client
-- source: cloudfront
-- description: Every request from any of `addresses` to the distributions in the window, in time
--   order: the pivot from an address (a leaked key's, a scanner's) to what it fetched at the edge.
-- params:
--   start          date          first day (inclusive, UTC)
--   end            date          last day (inclusive, UTC)
--   addresses      list<string>  client IP addresses
--   accounts       list<string>  = []  account ids to keep; empty keeps all
--   distributions  list<string>  = []  distribution ids to keep; empty keeps all
-- returns: request_time, account_id, distribution, client_ip, x_edge_location, cs_method, x_host_header,
--   cs_uri_stem, cs_uri_query, sc_status, x_edge_result_type, x_edge_detailed_result_type, sc_bytes,
--   user_agent, x_edge_request_id
SELECT
    from_iso8601_timestamp(concat("date", 'T', "time", 'Z')) AS request_time,
    account AS account_id,
    distribution,
    c_ip AS client_ip,
    x_edge_location,
    cs_method,
    x_host_header,
    cs_uri_stem,
    cs_uri_query,
    sc_status,
    x_edge_result_type,
    x_edge_detailed_result_type,
    sc_bytes,
    url_decode(cs_user_agent) AS user_agent,
    x_edge_request_id
FROM cloudfront
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:distributions) = 0 OR contains(:distributions, distribution))
    AND "date" IS NOT NULL
    AND contains(:addresses, c_ip)
ORDER BY request_time, x_edge_request_id
