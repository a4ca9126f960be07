-- title: CSTO members' votes, resolution by resolution
-- answers: How did each CSTO member vote on each UN resolution in the data? One row per resolution, one column per member state (members on the day of the vote).
-- engine: duckdb (PIVOT makes one column per member state found in the data; SQLite has no PIVOT)
WITH members AS (
    SELECT m.country_iso3, r.resolution_id
    FROM memberships m
    JOIN un_resolutions r
      ON m.organisation_id = 'csto' AND m.status = 'member'
     AND m.date_start <= r.date AND (m.date_end IS NULL OR m.date_end > r.date)
)
SELECT * FROM (
    PIVOT (
        SELECT r.resolution_id, r.date, r.title, mem.country_iso3, CAST(v.vote AS TEXT) AS vote
        FROM members mem
        JOIN un_resolutions r USING (resolution_id)
        LEFT JOIN un_votes v ON v.resolution_id = mem.resolution_id AND v.country_iso3 = mem.country_iso3
    ) ON country_iso3 USING first(vote) GROUP BY resolution_id, date, title
)
ORDER BY date, resolution_id
