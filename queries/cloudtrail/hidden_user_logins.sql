-- name: hidden_user_logins
-- source: cloudtrail
-- description: Failed console sign-ins with an unknown user name, which CloudTrail records as
--   HIDDEN_DUE_TO_SECURITY_REASONS, grouped into bursts per account and source IP: attempts
--   less than `gap_minutes` apart belong to one burst. A single attempt is usually a typo
--   or a stale bookmark; dozens in minutes from one IP are someone guessing names.
--   A sign-in through a console VPC endpoint is counted once: its network activity event
--   (and any Insights event) is left out.
-- params:
--   start        date          first day (inclusive, UTC)
--   end          date          last day (inclusive, UTC)
--   accounts     list<string>  = []  account ids to keep; empty keeps all
--   regions      list<string>  = []  regions (delivery prefixes) to keep; empty keeps all
--   gap_minutes  int           = 30  longest pause between two attempts of one burst
-- returns: account_id, source_ip, first_seen, last_seen, attempts, user_agents, event_ids
WITH hidden AS (
    SELECT
        from_iso8601_timestamp(eventtime) AS event_time,
        coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
        sourceipaddress AS source_ip,
        useragent AS user_agent,
        eventid AS event_id
    FROM cloudtrail
    WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
        AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
        AND (cardinality(:regions) = 0 OR contains(:regions, region))
        AND eventname = 'ConsoleLogin'
        AND coalesce(eventcategory, '') NOT IN ('NetworkActivity', 'Insight')
        AND useridentity.username = 'HIDDEN_DUE_TO_SECURITY_REASONS'
),
gaps AS (
    SELECT
        *,
        date_diff('second',
            lag(event_time) OVER (PARTITION BY account_id, source_ip ORDER BY event_time, event_id),
            event_time) AS gap_seconds
    FROM hidden
),
burst_starts AS (
    SELECT event_id
    FROM gaps
    WHERE gap_seconds IS NULL OR gap_seconds > :gap_minutes * 60
),
numbered AS (
    SELECT
        gaps.*,
        count(burst_starts.event_id) OVER (
            PARTITION BY account_id, source_ip ORDER BY event_time, gaps.event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS burst
    FROM gaps
    LEFT JOIN burst_starts ON burst_starts.event_id = gaps.event_id
)
SELECT
    account_id,
    source_ip,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen,
    count(*) AS attempts,
    array_sort(array_agg(DISTINCT user_agent)) AS user_agents,
    array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM numbered
GROUP BY account_id, source_ip, burst
ORDER BY attempts DESC, first_seen
