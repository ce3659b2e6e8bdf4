-- name: events_by_id
-- source: cloudtrail
-- description: The whole record of each CloudTrail event named by its id, to open it: every
--   column of the table (the record's fields as the table holds them) and its partition.
--   An id may appear once per account that received the event (organisation trails,
--   sharedEventID); every copy is returned.
-- params:
--   start      date          first day (inclusive, UTC)
--   end        date          last day (inclusive, UTC)
--   event_ids  list<string>  the eventID values to open
--   accounts   list<string>  = []  account ids to keep; empty keeps all
--   regions    list<string>  = []  regions to keep; empty keeps all
-- returns: *
SELECT *
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND contains(:event_ids, eventid)
ORDER BY eventtime, eventid, account
