-- title: What a speaker said at which meeting
-- answers: What did a speaker (by default Lukashenko) say at each meeting? Pass --param speaker=ACTOR_ID for another.
-- param: speaker = alexander-lukashenko
SELECT m.date_start AS meeting_date, m.name AS meeting, m.location, s.statement_id,
       s.quote, s.summary
FROM statements s
JOIN meetings m USING (meeting_id)
WHERE s.speaker_id = $speaker
ORDER BY m.date_start, s.statement_id
