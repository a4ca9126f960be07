-- title: Agreement with Russia's vote
-- answers: How often did each state vote as Russia did on the recorded resolutions, and on how many votes does that rest? Ranked by agreement; a state whose vote is not recorded on a resolution is left out of that resolution, never counted as disagreeing.
SELECT v.country_iso3, a.name AS state,
       count(*) AS votes_compared,
       count(*) FILTER (WHERE v.vote = rus.vote) AS same_as_russia,
       round(100.0 * count(*) FILTER (WHERE v.vote = rus.vote) / count(*), 1) AS agreement_pct,
       count(*) FILTER (WHERE v.vote = 'abstain') AS abstained,
       count(*) FILTER (WHERE v.vote = 'non_voting') AS did_not_vote
FROM un_votes v
JOIN un_votes rus ON rus.resolution_id = v.resolution_id AND rus.country_iso3 = 'RUS'
JOIN actors a ON a.actor_id = v.country_iso3
WHERE v.country_iso3 <> 'RUS'
GROUP BY ALL
ORDER BY agreement_pct DESC, votes_compared DESC, v.country_iso3
