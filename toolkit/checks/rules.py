"""Rules that a Table Schema cannot express: across the fields of a row and across resources.

Each rule is SQL over the typed views (`typed_<resource>`) and selects the rows that break it, with
their origin and line, a value and a message. A rule runs only when every resource it reads is loaded.
Where SQL cannot word the message (the tallies), the rule's SQL selects the facts and a Python step
(`word`) turns each row into findings.

Which resources a rule applies to is read from the Table Schemas, by their fields: the date rules
apply to every resource with date_start and date_end (and date_precision), the excerpt rule to every
resource with source_id and source_excerpt (and date_ or location_source_id with its excerpt), the state rule to every country_iso3 that references
actors from another resource; the tallies count the values of un_votes.vote's enum that un_resolutions has a column for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.db.sql import lit, q
from toolkit.errors import CATALOGUE
from toolkit.package.tableschema import Package, Resource

# A finding a rule's Python step words: (code, resource, line, value, message).
Finding = tuple[str, str, int, str, str]


def excerpt_demanded(source_type: str) -> str:
    """SQL condition on a cited source's `source_type`: true when the citing row must carry a
    verbatim excerpt of it. The one place that says which sources demand one: every row quotes the
    document it cites, so a reader can check it; only rows generated from a code list (ISO 3166
    read through pycountry, a `registry`) have no words to quote."""
    return f"{source_type} <> 'registry'"


@dataclass(frozen=True)
class Rule:
    code: str
    resource: str  # where a violation is reported
    field: str
    needs: tuple[str, ...]
    sql: str  # selects __origin, __line, value, message; with `word`, whatever `word` reads
    # The Python step, where SQL cannot word the message: one row of `sql` -> its findings.
    word: Callable[[tuple], list[Finding]] | None = None
    codes: tuple[str, ...] = ()  # every code the rule reports, when more than `code`

    @property
    def warning(self) -> bool:
        return CATALOGUE[self.code].warning

    @property
    def all_codes(self) -> tuple[str, ...]:
        return self.codes or (self.code,)


# What each date_precision value demands of date_start and date_end. An event's precision (its
# vocabulary has `span`) says how exactly the source pins when it happened; a period's (day or
# month only, as in memberships) how exactly its bounds are known, the end being empty while it lasts.
EVENT_PRECISION = {
    "day": "date_start IS NULL OR date_end IS NULL OR date_start <> date_end",
    "span": "date_start IS NULL OR date_end IS NULL OR date_end <= date_start",
    "within": "date_start IS NULL AND date_end IS NULL",
    "month": "date_start IS NULL OR date_end IS NULL OR date_start <> date_trunc('month', date_start) "
    "OR date_end <> last_day(date_start)",
    "unknown": "date_start IS NOT NULL OR date_end IS NOT NULL",
}
PERIOD_PRECISION = {
    "month": "date_start <> date_trunc('month', date_start) OR date_end <> last_day(date_end)",
}


def _has(resource: Resource, *names: str) -> bool:
    return all(n in resource.field_names for n in names)


def _date_rules(r: Resource) -> list[Rule]:
    t = f"typed_{r.name}"
    order = f"""
        SELECT __origin, __line, date_start || ' > ' || date_end AS value,
               'date_end ' || date_end || ' is before date_start ' || date_start AS message
        FROM {t} WHERE date_end < date_start"""
    rules = [Rule("date-order", r.name, "date_end", (r.name,), order)]
    if not _has(r, "date_precision"):
        return rules
    vocabulary = r.field("date_precision").enum or ()
    demands = EVENT_PRECISION if "span" in vocabulary else PERIOD_PRECISION
    cases = " ".join(f"WHEN {lit(v)} THEN {demands[v]}" for v in vocabulary if v in demands)
    precision = f"""
        SELECT __origin, __line, date_precision || ': ' || coalesce(date_start::VARCHAR, '') || ' to '
               || coalesce(date_end::VARCHAR, '') AS value,
               'date_precision ' || date_precision || ' does not fit date_start '
               || coalesce(date_start::VARCHAR, '(empty)') || ' and date_end '
               || coalesce(date_end::VARCHAR, '(empty)') AS message
        FROM {t} WHERE CASE date_precision {cases} ELSE false END"""
    return rules + [Rule("date-precision", r.name, "date_precision", (r.name,), precision)]


def _state_rule(r: str) -> Rule:
    return Rule(
        "not-a-state",
        r,
        "country_iso3",
        (r, "actors"),
        f"""
        SELECT t.__origin, t.__line, t.country_iso3 AS value,
               t.country_iso3 || ' is an actor of type ' || a.actor_type || ', not a state' AS message
        FROM typed_{r} t JOIN typed_actors a ON a.actor_id = t.country_iso3
        WHERE a.actor_type <> 'state'""",
    )


# The citing columns a row may carry: its source, and the record of a date or place taken from
# another document than its source (`date_source_id`, `location_source_id`), or of a vote a state
# said it meant to cast (`intended_vote_source_id`), each with its excerpt.
CITATIONS = ("", "date_", "location_", "intended_vote_")

# A recorded vote's correction by the state that cast it: the intended vote, its source and words
# go together, and the intended vote differs from the recorded one.
INTENDED_VOTE = Rule(
    "intended-vote-unsourced",
    "un_votes",
    "intended_vote",
    ("un_votes",),
    """
    SELECT t.__origin, t.__line, coalesce(t.intended_vote::VARCHAR, t.intended_vote_source_id) AS value,
           CASE WHEN t.intended_vote IS NULL
                THEN 'intended_vote_source_id ' || t.intended_vote_source_id || ' is set but intended_vote is empty'
                WHEN t.intended_vote_source_id IS NULL
                THEN 'intended_vote ' || t.intended_vote::VARCHAR || ' has no intended_vote_source_id'
                ELSE 'intended_vote ' || t.intended_vote::VARCHAR || ' is the recorded vote itself' END AS message
    FROM typed_un_votes t
    WHERE (t.intended_vote IS NULL) <> (t.intended_vote_source_id IS NULL)
       OR t.intended_vote::VARCHAR = t.vote::VARCHAR""",
)


def _excerpt_rule(r: str, prefix: str) -> Rule:
    source, excerpt = f"{prefix}source_id", f"{prefix}source_excerpt"
    return Rule(
        "excerpt-required",
        r,
        excerpt,
        (r, "sources"),
        f"""
        SELECT t.__origin, t.__line, t.{source} AS value,
               'the row cites ' || t.{source} || ' (a ' || s.source_type
               || ') in {source} but {excerpt} is empty' AS message
        FROM typed_{r} t JOIN typed_sources s ON s.source_id = t.{source}
        WHERE {excerpt_demanded("s.source_type")} AND t.{excerpt} IS NULL""",
    )


def _references(r: Resource, field: str, target: str) -> bool:
    """Whether `field` of `r` references another resource, `target` (not `r` itself)."""
    return r.name != target and any(
        fk.fields == (field,) and fk.resource == target for fk in r.foreign_keys
    )


def rules_for(package: Package) -> list[Rule]:
    """Every rule, for the resources of `package` its schemas make it apply to, in report order."""
    resources = list(package.resources.values())
    rules = [
        rule for r in resources if _has(r, "date_start", "date_end") for rule in _date_rules(r)
    ]
    rules += FIXED
    rules += [
        _state_rule(r.name)
        for r in resources
        if _has(r, "country_iso3") and _references(r, "country_iso3", "actors")
    ]
    rules.append(ORGANISATION)
    rules += [
        _excerpt_rule(r.name, p)
        for r in resources
        for p in CITATIONS
        if _has(r, f"{p}source_id", f"{p}source_excerpt")
    ]
    rules += [
        INTENDED_VOTE
        for r in resources
        if r.name == "un_votes" and _has(r, "vote", "intended_vote", "intended_vote_source_id")
    ]
    rules.append(LIKELY_DUPLICATE)
    if "sources" in package.resources and _has(package.resource("sources"), "url", "accessed"):
        rules.append(ACCESSED)
    rules += tally_rules(package)
    # A rule runs only on a package that has every resource it reads.
    return [rule for rule in rules if set(rule.needs) <= package.resources.keys()]


FIXED: list[Rule] = [
    Rule(
        "statement-outside-meeting",
        "statements",
        "meeting_id",
        ("statements", "meetings"),
        """
        SELECT s.__origin, s.__line, s.meeting_id AS value,
               'statement ' || s.statement_id || ' (' || coalesce(s.date_start::VARCHAR, '?') || ' to '
               || coalesce(s.date_end::VARCHAR, '?') || ') falls outside meeting ' || m.meeting_id
               || ' (' || coalesce(m.date_start::VARCHAR, '?') || ' to ' || coalesce(m.date_end::VARCHAR, '?')
               || ')' AS message
        FROM typed_statements s JOIN typed_meetings m ON s.meeting_id = m.meeting_id
        WHERE s.date_end < m.date_start OR s.date_start > m.date_end""",
    ),
    Rule(
        "response-before-statement",
        "statements",
        "in_response_to",
        ("statements",),
        """
        SELECT r.__origin, r.__line, r.in_response_to AS value,
               CASE WHEN r.statement_id = a.statement_id THEN 'statement ' || r.statement_id || ' answers itself'
               ELSE 'statement ' || r.statement_id || ' (by ' || coalesce(r.date_end::VARCHAR, '?')
               || ') answers ' || a.statement_id || ', made no earlier than ' || a.date_start END AS message
        FROM typed_statements r JOIN typed_statements a ON r.in_response_to = a.statement_id
        WHERE r.date_end < a.date_start OR r.statement_id = a.statement_id""",
    ),
    Rule(
        "response-type",
        "statements",
        "response_type",
        ("statements",),
        """
        SELECT __origin, __line, coalesce(response_type, in_response_to) AS value,
               CASE WHEN response_type IS NULL THEN 'in_response_to is set but response_type is empty'
               ELSE 'response_type is set but in_response_to is empty' END AS message
        FROM typed_statements WHERE (in_response_to IS NULL) <> (response_type IS NULL)""",
    ),
    Rule(
        "exercise-before-meeting",
        "military_exercises",
        "triggered_by_meeting_id",
        ("military_exercises", "meetings"),
        """
        SELECT e.__origin, e.__line, e.triggered_by_meeting_id AS value,
               'exercise ' || e.exercise_id || ' starts by ' || latest_start || ', before meeting '
               || m.meeting_id || ' (from ' || m.date_start || ') that triggered it' AS message
        FROM (SELECT *, CASE WHEN date_precision IN ('day', 'span') THEN date_start
                             ELSE date_end END AS latest_start FROM typed_military_exercises) e
        JOIN typed_meetings m ON e.triggered_by_meeting_id = m.meeting_id
        WHERE e.latest_start < m.date_start""",
    ),
    Rule(
        "membership-overlap",
        "memberships",
        "date_start",
        ("memberships",),
        """
        SELECT __origin, __line, status || ' from ' || date_start AS value,
               country_iso3 || ' in ' || organisation_id || ': ' || status || ' from ' || date_start
               || ' overlaps the period ' || prev_status || ' from ' || prev_start || ' to '
               || coalesce(prev_end::VARCHAR, 'now') AS message
        FROM (SELECT *, lag(status) OVER w AS prev_status, lag(date_start) OVER w AS prev_start,
                     lag(date_end) OVER w AS prev_end, row_number() OVER w AS rn
              FROM typed_memberships
              WINDOW w AS (PARTITION BY country_iso3, organisation_id ORDER BY date_start, __line))
        WHERE rn > 1 AND (prev_end IS NULL OR date_start < prev_end)""",
    ),
]

ORGANISATION = Rule(
    "not-an-organisation",
    "memberships",
    "organisation_id",
    ("memberships", "actors"),
    """
    SELECT t.__origin, t.__line, t.organisation_id AS value,
           t.organisation_id || ' is an actor of type ' || a.actor_type || ', not an organisation' AS message
    FROM typed_memberships t JOIN typed_actors a ON a.actor_id = t.organisation_id
    WHERE a.actor_type <> 'organisation'""",
)

# A page changes and moves: a source read on the web says on which day its words were there.
ACCESSED = Rule(
    "accessed-required",
    "sources",
    "accessed",
    ("sources",),
    """
    SELECT __origin, __line, url AS value,
           'source ' || source_id || ' has a url but no accessed date' AS message
    FROM typed_sources WHERE url IS NOT NULL AND accessed IS NULL""",
)

LIKELY_DUPLICATE = Rule(
    "likely-duplicate",
    "statements",
    "quote",
    ("statements",),
    """
    SELECT a.__origin, a.__line, coalesce(a.quote, a.summary) AS value,
           'statement ' || a.statement_id || ' has the same speaker, day and (nearly) the same words as '
           || b.statement_id AS message
    FROM typed_statements a JOIN typed_statements b
      ON a.speaker_id = b.speaker_id AND a.date_start = b.date_start AND a.date_end = b.date_end
     AND a.statement_id <> b.statement_id
     AND ((b.__origin = 'package' AND a.__origin <> 'package')
          OR (b.__origin = a.__origin AND b.__line < a.__line))
    WHERE jaro_winkler_similarity(lower(coalesce(a.quote, a.summary)),
                                  lower(coalesce(b.quote, b.summary))) >= 0.95""",
)

# A resolution's roll call is complete when its count of non-voting members is known: then every
# member's vote is expected, and the recorded counts must equal the tallies.
ROSTER = "non_voting"


def tally_rules(package: Package) -> list[Rule]:
    """Per resolution: recorded votes never exceed the official tallies, and equal them when every
    member's vote is recorded. The votes counted are the values of un_votes.vote's enum that
    un_resolutions has an integer column (the official tally) for."""
    if not {"un_votes", "un_resolutions"} <= package.resources.keys():
        return []
    votes, resolutions = package.resource("un_votes"), package.resource("un_resolutions")
    if "vote" not in votes.field_names:
        return []
    values = [
        v
        for v in votes.field("vote").enum or ()
        if v in resolutions.field_names and resolutions.field(v).type == "integer"
    ]
    if not values:
        return []
    enum = ", ".join(lit(v) for v in votes.field("vote").enum or ())
    counts = ", ".join(f"count(*) FILTER (vote = {lit(v)}) AS {q(v)}" for v in values)
    over = " OR ".join(f"c.{q(v)} > r.{q(v)}" for v in values)
    under = " OR ".join(f"c.{q(v)} < r.{q(v)}" for v in values)
    complete = "false"
    if ROSTER in values:
        total = " + ".join(f"coalesce(r.{q(v)}, 0)" for v in values)
        complete = (
            f"r.{q(ROSTER)} IS NOT NULL AND c.invalid = 0 AND c.total = {total} AND ({under})"
        )
    sql = f"""
    WITH counts AS (
        SELECT resolution_id, count(*) AS total, {counts},
               count(*) FILTER (vote IS NULL OR vote NOT IN ({enum})) AS invalid,
               max(__line) FILTER (__origin = $origin) AS line
        FROM typed_un_votes GROUP BY resolution_id)
    SELECT c.resolution_id, c.total, c.invalid, c.line, r.__line,
           [{", ".join(f"c.{q(v)}" for v in values)}], [{", ".join(f"r.{q(v)}" for v in values)}]
    FROM counts c JOIN typed_un_resolutions r USING (resolution_id)
    WHERE (c.line IS NOT NULL OR r.__origin = $origin)
      -- Only resolutions that break the rule come back: a count over its tally, or every vote
      -- recorded (none unreadable) and a count under its tally.
      AND (({over}) OR ({complete}))
    ORDER BY resolution_id"""

    def word(row: tuple) -> list[Finding]:
        res_id, total, invalid, line, r_line, counted, tallies = row
        official = dict(zip(values, tallies, strict=True))
        recorded = dict(zip(values, counted, strict=True))
        where = ("un_votes", line) if line is not None else ("un_resolutions", r_line)
        known = {k: v for k, v in official.items() if v is not None}
        found: list[Finding] = [
            (
                "tally-exceeded",
                *where,
                k,
                f"{recorded[k]} {k!r} votes recorded for {res_id}; the official tally is {v}",
            )
            for k, v in known.items()
            if recorded[k] > v
        ]
        # With every vote present the counts must equal the tallies: a count over its tally is
        # reported above; one under it (the other side of the same discrepancy) is reported here.
        complete = official.get(ROSTER) is not None and not invalid
        if complete and total == sum(known.values()):
            if any(recorded[k] < v for k, v in known.items()):
                diff = ", ".join(
                    f"{k} {recorded[k]} vs {v}" for k, v in known.items() if recorded[k] != v
                )
                found.append(
                    (
                        "tally-mismatch",
                        *where,
                        res_id,
                        f"every member's vote on {res_id} is recorded "
                        f"but the counts differ from the official tallies ({diff})",
                    )
                )
        return found

    return [
        Rule(
            "tally-exceeded",
            "un_votes",
            "vote",
            ("un_votes", "un_resolutions"),
            sql,
            word=word,
            codes=("tally-exceeded", "tally-mismatch"),
        )
    ]
