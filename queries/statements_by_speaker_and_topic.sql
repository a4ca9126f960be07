-- title: Statements by speaker and topic
-- answers: Who spoke on which topics, and how often? One row per speaker and topic, with the number of statements and the span of time they fall in: first_from is the earliest day any of them can have been made, last_by the latest; either is empty when a statement has no such bound (an open or unknown date is never read as a day).
SELECT a.name AS speaker, s.speaker_id, a.actor_type, t.topic, count(*) AS statements,
       CASE WHEN max(CASE WHEN s.date_start IS NULL THEN 1 ELSE 0 END) = 1 THEN NULL
            ELSE min(s.date_start) END AS first_from,
       CASE WHEN max(CASE WHEN s.date_end IS NULL THEN 1 ELSE 0 END) = 1 THEN NULL
            ELSE max(s.date_end) END AS last_by
FROM statements s
JOIN actors a ON a.actor_id = s.speaker_id
JOIN statements_topics t ON t.statement_id = s.statement_id
GROUP BY a.name, s.speaker_id, a.actor_type, t.topic
ORDER BY speaker, statements DESC, t.topic
