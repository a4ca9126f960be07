"""Roll-call tallies: the votes recorded for a resolution against its official yes/no/abstain counts.

Counted and compared per resolution in SQL over the typed relations of un_votes and un_resolutions;
only the resolutions that break a rule come back, and tally_issues words each finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.report import Issue

if TYPE_CHECKING:
    import duckdb

TALLIED = ("un_votes", "un_resolutions")  # the resources the tallies read

TALLY_SQL = """
    WITH counts AS (
        SELECT resolution_id, count(*) AS total,
               count(*) FILTER (vote = 'yes') AS yes, count(*) FILTER (vote = 'no') AS no,
               count(*) FILTER (vote = 'abstain') AS abstain,
               count(*) FILTER (vote = 'non_voting') AS non_voting,
               count(*) FILTER (vote IS NULL OR vote NOT IN ('yes', 'no', 'abstain', 'non_voting'))
                   AS invalid,
               max(__line) FILTER (__origin = $origin) AS line
        FROM typed_un_votes GROUP BY resolution_id)
    SELECT c.*, r.yes, r.no, r.abstain, r.non_voting, r.__origin, r.__line
    FROM counts c JOIN typed_un_resolutions r USING (resolution_id)
    WHERE (c.line IS NOT NULL OR r.__origin = $origin)
      -- Only resolutions that break a rule come back (tally_issues words them): a count
      -- over its tally, or every vote recorded (none unreadable) and a count under its tally.
      AND (c.yes > r.yes OR c.no > r.no OR c.abstain > r.abstain OR c.non_voting > r.non_voting
           OR (r.non_voting IS NOT NULL AND c.invalid = 0
               AND c.total = coalesce(r.yes, 0) + coalesce(r.no, 0) + coalesce(r.abstain, 0)
                             + r.non_voting
               AND (c.yes < r.yes OR c.no < r.no OR c.abstain < r.abstain
                    OR c.non_voting < r.non_voting)))
    ORDER BY resolution_id"""


def _tally_issue(where: tuple[str, int], label: str, code: str, value: str, message: str) -> Issue:
    resource, line = where
    return Issue(
        code=code,
        resource=resource,
        row=line,
        field="vote",
        value=value,
        file=label,
        message=f"{label}: line {line}: {message}",
    )


def tally_issues(
    con: duckdb.DuckDBPyConnection, origin: str, labels: dict[str, str]
) -> list[Issue]:
    """Per resolution: recorded votes never exceed the official tallies, and equal them when complete."""
    issues = []
    for row in con.execute(TALLY_SQL, {"origin": origin}).fetchall():
        res_id, total, *counted, invalid, line, yes, no, abstain, non_voting, r_origin, r_line = row
        official = {"yes": yes, "no": no, "abstain": abstain, "non_voting": non_voting}
        recorded = dict(zip(official, counted, strict=True))
        where = ("un_votes", line) if line is not None else ("un_resolutions", r_line)
        label = labels.get(where[0], where[0])
        known = {k: v for k, v in official.items() if v is not None}
        over = [k for k, v in known.items() if recorded[k] > v]
        # Complete: every member's vote is there, none of them unreadable (those have errors).
        complete = non_voting is not None and not invalid and total == sum(known.values())

        for k in over:
            issues.append(
                _tally_issue(
                    where,
                    label,
                    "tally-exceeded",
                    k,
                    f"{recorded[k]} {k!r} votes recorded for {res_id}; "
                    f"the official tally is {official[k]}",
                )
            )
        # With every vote present the counts must equal the tallies: a count over its tally is
        # reported above; one under it (the other side of the same discrepancy) is reported here.
        if complete and any(recorded[k] < v for k, v in known.items()):
            diff = ", ".join(
                f"{k} {recorded[k]} vs {v}" for k, v in known.items() if recorded[k] != v
            )
            issues.append(
                _tally_issue(
                    where,
                    label,
                    "tally-mismatch",
                    res_id,
                    f"every member's vote on {res_id} is recorded "
                    f"but the counts differ from the official tallies ({diff})",
                )
            )
    return issues
