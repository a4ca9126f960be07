-- title: Response chains
-- answers: Which statements answer which? Each chain from a statement that answers nothing, through every response to it, with speakers and how each answers.
WITH RECURSIVE chain AS (
    SELECT statement_id AS root_id, statement_id, speaker_id, CAST(NULL AS TEXT) AS response_type,
           0 AS depth, statement_id AS path
    FROM statements
    WHERE in_response_to IS NULL
      AND statement_id IN (SELECT in_response_to FROM statements WHERE in_response_to IS NOT NULL)
    UNION ALL
    SELECT c.root_id, s.statement_id, s.speaker_id, CAST(s.response_type AS TEXT), c.depth + 1,
           c.path || ' -> ' || s.statement_id
    FROM statements s JOIN chain c ON s.in_response_to = c.statement_id
    WHERE c.depth < 50
)
SELECT c.root_id, c.depth, c.statement_id, a.name AS speaker, c.response_type, s.summary
FROM chain c
JOIN statements s USING (statement_id)
JOIN actors a ON a.actor_id = c.speaker_id
ORDER BY c.root_id, c.path
