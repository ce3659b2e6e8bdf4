-- name: findings_by_id
-- source: guardduty
-- description: The whole record of each GuardDuty finding named by its id, to open it: every
--   export of it in the window (each update is exported again), newest first, with every
--   column of the table (resource and service as their JSON text).
-- params:
--   start        date          first day (inclusive, UTC)
--   end          date          last day (inclusive, UTC)
--   finding_ids  list<string>  the finding ids to open
--   accounts     list<string>  = []  account ids to keep (exporting account); empty keeps all
--   regions      list<string>  = []  regions to keep; empty keeps all
-- returns: *
SELECT *
FROM guardduty
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND contains(:finding_ids, id)
ORDER BY id, updatedat DESC
