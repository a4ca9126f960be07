-- title: Agreement with Russia's vote
-- answers: How often did each UN member vote as Russia did? Counted on every resolution where that can be told for every member: those whose roll call is complete (roll_call_completeness: every member's recorded vote, yes and abstain as well as no), and those where Russia's side of the vote is recorded in full (as many votes as the official tally), where a member not listed with Russia did not vote with it. `partial` says on how many of a member's resolutions the roll call is partial: there its own vote may be unknown, only that it was not Russia's. `abstained` counts its abstentions on complete roll calls. Recorded votes, not intended ones. Ranked by agreement; the first $top rows.
-- param: top = 20
WITH members AS (
    -- The state actors that are UN members (the former states of ISO 3166-3 are not).
    SELECT actor_id, name FROM actors
    WHERE actor_type = 'state' AND coalesce(role, '') NOT LIKE 'Former%' AND actor_id <> 'RUS'
), tally AS (
    SELECT r.resolution_id, CAST(rus.vote AS TEXT) AS russia,
           CASE CAST(rus.vote AS TEXT) WHEN 'yes' THEN r.yes WHEN 'no' THEN r.no
                WHEN 'abstain' THEN r.abstain WHEN 'non_voting' THEN r.non_voting END AS russia_side,
           r.yes + r.no + r.abstain + r.non_voting AS official_total,
           (SELECT count(*) FROM un_votes v WHERE v.resolution_id = r.resolution_id) AS recorded,
           (SELECT count(*) FROM un_votes v WHERE v.resolution_id = r.resolution_id
              AND v.vote = rus.vote) AS with_russia_recorded,
           r.yes = (SELECT count(*) FROM un_votes v WHERE v.resolution_id = r.resolution_id
                      AND CAST(v.vote AS TEXT) = 'yes')
           AND r.no = (SELECT count(*) FROM un_votes v WHERE v.resolution_id = r.resolution_id
                         AND CAST(v.vote AS TEXT) = 'no')
           AND r.abstain = (SELECT count(*) FROM un_votes v WHERE v.resolution_id = r.resolution_id
                              AND CAST(v.vote AS TEXT) = 'abstain')
           AND r.non_voting = (SELECT count(*) FROM un_votes v
                               WHERE v.resolution_id = r.resolution_id
                                 AND CAST(v.vote AS TEXT) = 'non_voting') AS complete
    FROM un_resolutions r
    JOIN un_votes rus ON rus.resolution_id = r.resolution_id AND rus.country_iso3 = 'RUS'
), counted AS (
    -- Complete roll calls, and those whose list on Russia's side is as long as its tally.
    SELECT resolution_id, russia, CASE WHEN complete THEN 1 ELSE 0 END AS complete
    FROM tally
    WHERE complete OR with_russia_recorded = russia_side
)
SELECT m.actor_id AS country_iso3, m.name AS state,
       count(*) AS resolutions,
       sum(CASE WHEN CAST(v.vote AS TEXT) = c.russia THEN 1 ELSE 0 END) AS with_russia,
       round(100.0 * sum(CASE WHEN CAST(v.vote AS TEXT) = c.russia THEN 1 ELSE 0 END) / count(*), 1)
           AS agreement_pct,
       sum(CASE WHEN c.complete = 1 AND CAST(v.vote AS TEXT) = 'abstain' THEN 1 ELSE 0 END)
           AS abstained,
       sum(1 - c.complete) AS partial
FROM members m CROSS JOIN counted c
LEFT JOIN un_votes v ON v.resolution_id = c.resolution_id AND v.country_iso3 = m.actor_id
GROUP BY m.actor_id, m.name
ORDER BY agreement_pct DESC, country_iso3
LIMIT $top
