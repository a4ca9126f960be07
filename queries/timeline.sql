-- title: Timeline of meetings, statements and exercises
-- answers: What happened when? Every meeting, statement and military exercise in date order, with the precision of its date.
SELECT date_start, date_end, date_precision::VARCHAR AS date_precision, kind, id, what
FROM (
    SELECT date_start, date_end, date_precision::VARCHAR AS date_precision, 'meeting' AS kind,
           meeting_id AS id, name || coalesce(' (' || location || ')', '') AS what
    FROM meetings
    UNION ALL
    SELECT s.date_start, s.date_end, s.date_precision::VARCHAR, 'statement', s.statement_id,
           a.name || ': ' || s.summary
    FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
    UNION ALL
    SELECT date_start, date_end, date_precision::VARCHAR, 'exercise', exercise_id, name
    FROM military_exercises
)
ORDER BY coalesce(date_start, date_end), coalesce(date_end, date_start), kind, id
