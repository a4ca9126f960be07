-- title: Statements by speaker and topic
-- answers: Who spoke on which topics, and how often? One row per speaker and topic, with the number of statements and the span of time they fall in: first_from is the earliest day any of them can have been made, last_by the latest; either is empty when a statement has no such bound (an open or unknown date is never read as a day).
SELECT a.name AS speaker, a.actor_type, topic, count(*) AS statements,
       CASE WHEN bool_or(s.date_start IS NULL) THEN NULL ELSE min(s.date_start) END AS first_from,
       CASE WHEN bool_or(s.date_end IS NULL) THEN NULL ELSE max(s.date_end) END AS last_by
FROM statements s
JOIN actors a ON a.actor_id = s.speaker_id,
     unnest(string_split(s.topics, ';')) AS t(topic)
GROUP BY ALL
ORDER BY speaker, statements DESC, topic
