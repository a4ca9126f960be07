-- title: CSTO members' votes that diverged from Russia's
-- answers: On which resolutions did a CSTO member (on the day of the vote) vote differently from Russia, and how?
SELECT r.resolution_id, r.date, v.country_iso3, a.name AS member,
       CAST(v.vote AS TEXT) AS member_vote, CAST(rus.vote AS TEXT) AS russia_vote
FROM un_votes v
JOIN un_resolutions r USING (resolution_id)
JOIN un_votes rus ON rus.resolution_id = v.resolution_id AND rus.country_iso3 = 'RUS'
JOIN memberships m
  ON m.country_iso3 = v.country_iso3 AND m.organisation_id = 'csto' AND m.status = 'member'
 AND m.date_start <= r.date AND (m.date_end IS NULL OR m.date_end > r.date)
JOIN actors a ON a.actor_id = v.country_iso3
WHERE v.country_iso3 <> 'RUS' AND v.vote <> rus.vote
ORDER BY r.date, r.resolution_id, v.country_iso3
