-- title: Statements by speaker and topic
-- answers: Who spoke on which topics, and how often? One row per speaker and topic, with the number of statements and the first and last date.
SELECT a.name AS speaker, a.actor_type, topic, count(*) AS statements,
       min(s.date_start) AS first_from, max(coalesce(s.date_end, s.date_start)) AS last_by
FROM statements s
JOIN actors a ON a.actor_id = s.speaker_id,
     unnest(string_split(s.topics, ';')) AS t(topic)
GROUP BY ALL
ORDER BY speaker, statements DESC, topic
