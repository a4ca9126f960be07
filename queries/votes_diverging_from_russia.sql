-- title: CSTO members' votes that diverged from Russia's
-- answers: On which resolutions did a CSTO member (on the day of the vote) vote differently from Russia, and how? Recorded votes, not intended ones; a member whose vote no page read states is not listed. `roll_call` says whether the resolution's roll call is complete (roll_call_completeness) or partial.
WITH counts AS (
    SELECT resolution_id,
           sum(CASE WHEN CAST(vote AS TEXT) = 'yes' THEN 1 ELSE 0 END) AS yes,
           sum(CASE WHEN CAST(vote AS TEXT) = 'no' THEN 1 ELSE 0 END) AS no,
           sum(CASE WHEN CAST(vote AS TEXT) = 'abstain' THEN 1 ELSE 0 END) AS abstain,
           sum(CASE WHEN CAST(vote AS TEXT) = 'non_voting' THEN 1 ELSE 0 END) AS non_voting
    FROM un_votes GROUP BY resolution_id
)
SELECT r.resolution_id, CAST(r.date AS TEXT) AS date, v.country_iso3, a.name AS member,
       CAST(v.vote AS TEXT) AS member_vote, CAST(rus.vote AS TEXT) AS russia_vote,
       CASE WHEN c.yes = r.yes AND c.no = r.no AND c.abstain = r.abstain
                 AND c.non_voting = r.non_voting THEN 'complete' ELSE 'partial' END AS roll_call
FROM un_votes v
JOIN un_resolutions r ON r.resolution_id = v.resolution_id
JOIN counts c ON c.resolution_id = r.resolution_id
JOIN un_votes rus ON rus.resolution_id = v.resolution_id AND rus.country_iso3 = 'RUS'
JOIN memberships m
  ON m.country_iso3 = v.country_iso3 AND m.organisation_id = 'csto'
 AND CAST(m.status AS TEXT) = 'member'
 AND m.date_start <= r.date AND (m.date_end IS NULL OR m.date_end > r.date)
JOIN actors a ON a.actor_id = v.country_iso3
WHERE v.country_iso3 <> 'RUS' AND CAST(v.vote AS TEXT) <> CAST(rus.vote AS TEXT)
ORDER BY r.date, r.resolution_id, v.country_iso3
