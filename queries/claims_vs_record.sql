-- title: Claims against the record
-- answers: Which claims does the public record support, partly support or contradict, and with what evidence? One row per claim and piece of evidence, contradictions first, then inconclusive and out-of-scope evidence.
SELECT c.claim_id, cl.name AS claimant, c.claim,
       c.statement_id, c.claimed_field, c.claimed_value,
       CAST(e.verdict AS TEXT) AS verdict, e.evidence_id, e.resolution_id, e.explanation,
       es.title AS evidence_title, es.url AS evidence_url, e.source_excerpt AS evidence_excerpt
FROM claims c
JOIN actors cl ON cl.actor_id = c.claimant_id
LEFT JOIN claim_evidence e ON e.claim_id = c.claim_id
LEFT JOIN sources es ON es.source_id = e.source_id
ORDER BY CASE e.verdict WHEN 'contradicted' THEN 0 WHEN 'partly_supported' THEN 1
                        WHEN 'supported' THEN 2 WHEN 'inconclusive' THEN 3
                        WHEN 'out_of_scope' THEN 4 ELSE 5 END,
         c.claim_id, e.resolution_id NULLS LAST, e.evidence_id
