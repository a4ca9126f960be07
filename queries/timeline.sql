-- title: Timeline of meetings, statements and exercises
-- answers: What happened when? Every meeting, statement and military exercise in date order, with the precision of its date; its key is in meeting_id, statement_id or exercise_id.
SELECT date_start, date_end, date_precision, kind, id, what, meeting_id, statement_id, exercise_id
FROM (
    SELECT date_start, date_end, CAST(date_precision AS TEXT) AS date_precision, 'meeting' AS kind,
           meeting_id AS id, name || coalesce(' (' || location || ')', '') AS what,
           meeting_id, CAST(NULL AS TEXT) AS statement_id, CAST(NULL AS TEXT) AS exercise_id
    FROM meetings
    UNION ALL
    SELECT s.date_start, s.date_end, CAST(s.date_precision AS TEXT), 'statement', s.statement_id,
           a.name || ': ' || s.summary, NULL, s.statement_id, NULL
    FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
    UNION ALL
    SELECT date_start, date_end, CAST(date_precision AS TEXT), 'exercise', exercise_id, name,
           NULL, NULL, exercise_id
    FROM military_exercises
) AS items
ORDER BY coalesce(date_start, date_end) NULLS LAST, coalesce(date_end, date_start) NULLS LAST, kind, id
