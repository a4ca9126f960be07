-- title: What a speaker said at which meeting
-- answers: What did a speaker (by default Lukashenko) say at each meeting? Pass --param speaker=ACTOR_ID for another.
-- param: speaker = alexander-lukashenko
SELECT m.date_start AS meeting_date, m.meeting_id, m.name AS meeting, m.location, s.statement_id,
       s.quote, s.summary
FROM statements s
JOIN meetings m ON m.meeting_id = s.meeting_id
WHERE s.speaker_id = $speaker
ORDER BY m.date_start NULLS LAST, m.meeting_id, s.statement_id
