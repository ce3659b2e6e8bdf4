-- name: top_user_agents
-- source: alb
-- description: The user agents seen most in the window, with how many clients gave each and their
--   error share. Attack tools (sqlmap, Nuclei) and scripts stand out beside browsers and apps.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
--   top        int           = 25  how many user agents
-- returns: user_agent, requests, clients, client_errors, waf_blocked, rank
SELECT *
FROM (
    SELECT
        user_agent,
        count(*) AS requests,
        count(DISTINCT client_ip) AS clients,
        sum(CASE WHEN elb_status_code BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
        sum(CASE WHEN actions_executed = 'waf' AND elb_status_code = 403 THEN 1 ELSE 0 END) AS waf_blocked,
        row_number() OVER (ORDER BY count(*) DESC, user_agent) AS rank
    FROM alb
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND type IS NOT NULL  -- the other load balancers' lines in the folder are nulls on Athena
    GROUP BY user_agent
) AS ranked
WHERE rank <= :top
ORDER BY rank
