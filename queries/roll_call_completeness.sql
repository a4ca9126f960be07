-- title: Completeness of each resolution's roll call
-- answers: Which resolutions have a complete roll call in un_votes: a recorded vote for every UN member on the day of the vote, each category equal to the official tally? Per resolution, the votes recorded in each category against the official tally, the members on the day and how many have no recorded vote. Derived from the rows, never typed by hand: a resolution is complete when every count matches.
WITH members AS (
    -- The UN members on each resolution's day, as `rollcall` counts them: a state with `un` rows
    -- in memberships is a member on the days one of its member rows covers; any other state
    -- unless its role marks it a former state.
    SELECT r.resolution_id, a.actor_id
    FROM un_resolutions r CROSS JOIN actors a
    WHERE a.actor_type = 'state'
      AND CASE WHEN EXISTS (SELECT 1 FROM memberships m
                            WHERE m.organisation_id = 'un' AND m.country_iso3 = a.actor_id)
               THEN EXISTS (SELECT 1 FROM memberships m
                            WHERE m.organisation_id = 'un' AND m.country_iso3 = a.actor_id
                              AND CAST(m.status AS TEXT) = 'member' AND m.date_start <= r.date
                              AND (m.date_end IS NULL OR m.date_end > r.date))
               ELSE lower(coalesce(a.role, '')) NOT LIKE 'former%' END
), counted AS (
    SELECT r.resolution_id,
           (SELECT count(*) FROM members m WHERE m.resolution_id = r.resolution_id) AS members,
           sum(CASE WHEN CAST(v.vote AS TEXT) = 'yes' THEN 1 ELSE 0 END) AS yes,
           sum(CASE WHEN CAST(v.vote AS TEXT) = 'no' THEN 1 ELSE 0 END) AS no,
           sum(CASE WHEN CAST(v.vote AS TEXT) = 'abstain' THEN 1 ELSE 0 END) AS abstain,
           sum(CASE WHEN CAST(v.vote AS TEXT) = 'non_voting' THEN 1 ELSE 0 END) AS non_voting,
           sum(CASE WHEN m.actor_id IS NOT NULL THEN 1 ELSE 0 END) AS recorded_members
    FROM un_resolutions r
    LEFT JOIN un_votes v ON v.resolution_id = r.resolution_id
    LEFT JOIN members m ON m.resolution_id = v.resolution_id AND m.actor_id = v.country_iso3
    GROUP BY r.resolution_id
)
SELECT r.resolution_id, CAST(r.date AS TEXT) AS date,
       CASE WHEN c.yes = r.yes AND c.no = r.no AND c.abstain = r.abstain
                 AND c.non_voting = r.non_voting AND c.recorded_members = c.members
            THEN 'complete' ELSE 'partial' END AS roll_call,
       c.yes, r.yes AS yes_official, c.no, r.no AS no_official,
       c.abstain, r.abstain AS abstain_official, c.non_voting, r.non_voting AS non_voting_official,
       c.members, c.members - c.recorded_members AS members_without_vote
FROM un_resolutions r JOIN counted c ON c.resolution_id = r.resolution_id
ORDER BY r.date, r.resolution_id
