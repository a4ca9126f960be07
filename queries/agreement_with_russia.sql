-- title: Agreement with Russia's vote
-- answers: How often did each UN member vote as Russia did? Only resolutions on which Russia's side of the vote is recorded in full (as many votes as the official tally) count: there, a member not listed with Russia did not vote with it, so every member gets a rate, on the same resolutions. Ranked by agreement; the first $top rows.
-- param: top = 20
WITH russia AS (
    SELECT v.resolution_id, v.vote
    FROM un_votes v WHERE v.country_iso3 = 'RUS'
), complete AS (
    SELECT r.resolution_id, russia.vote
    FROM un_resolutions r JOIN russia USING (resolution_id)
    WHERE (SELECT count(*) FROM un_votes v
           WHERE v.resolution_id = r.resolution_id AND v.vote = russia.vote)
          = CASE CAST(russia.vote AS TEXT) WHEN 'yes' THEN r.yes WHEN 'no' THEN r.no
                WHEN 'abstain' THEN r.abstain WHEN 'non_voting' THEN r.non_voting END
), members AS (
    -- The state actors that are UN members (the former states of ISO 3166-3 are not).
    SELECT actor_id, name FROM actors
    WHERE actor_type = 'state' AND coalesce(role, '') NOT LIKE 'Former%' AND actor_id <> 'RUS'
)
SELECT m.actor_id AS country_iso3, m.name AS state,
       count(*) AS resolutions,
       count(*) FILTER (WHERE v.vote = c.vote) AS with_russia,
       round(100.0 * count(*) FILTER (WHERE v.vote = c.vote) / count(*), 1) AS agreement_pct
FROM members m CROSS JOIN complete c
LEFT JOIN un_votes v ON v.resolution_id = c.resolution_id AND v.country_iso3 = m.actor_id
GROUP BY m.actor_id, m.name
ORDER BY agreement_pct DESC, country_iso3
LIMIT $top
