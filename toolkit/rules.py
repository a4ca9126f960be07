"""Rules that a Table Schema cannot express: across the fields of a row and across resources.

Each rule is SQL over the typed views (`typed_<resource>`) and selects the rows that break it, with
their origin and line, a value and a message. A rule runs only when every resource it reads is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_RESOURCES = ("meetings", "statements", "military_exercises")
EXCERPTED = (
    "actors",
    "memberships",
    "meetings",
    "meeting_participants",
    "statements",
    "un_resolutions",
    "un_votes",
    "military_exercises",
    "claims",
    "claim_evidence",
)
# Every row quotes the document it cites, so a reader can check it; only rows generated from a code
# list (ISO 3166 read through pycountry) have no words to quote.
EXCERPT_EXEMPT_SOURCE_TYPES = ("registry",)


@dataclass(frozen=True)
class Rule:
    code: str
    resource: str  # where a violation is reported
    field: str
    needs: tuple[str, ...]
    sql: str  # selects __origin, __line, value, message
    warning: bool = False


def _date_rules(r: str) -> list[Rule]:
    t = f"typed_{r}"
    precision = f"""
        SELECT __origin, __line, date_precision || ': ' || coalesce(date_start::VARCHAR, '') || ' to '
               || coalesce(date_end::VARCHAR, '') AS value,
               'date_precision ' || date_precision || ' does not fit date_start '
               || coalesce(date_start::VARCHAR, '(empty)') || ' and date_end '
               || coalesce(date_end::VARCHAR, '(empty)') AS message
        FROM {t} WHERE CASE date_precision
            WHEN 'day' THEN date_start IS NULL OR date_end IS NULL OR date_start <> date_end
            WHEN 'span' THEN date_start IS NULL OR date_end IS NULL OR date_end <= date_start
            WHEN 'within' THEN date_start IS NULL AND date_end IS NULL
            WHEN 'month' THEN date_start IS NULL OR date_end IS NULL
                 OR date_start <> date_trunc('month', date_start) OR date_end <> last_day(date_start)
            WHEN 'unknown' THEN date_start IS NOT NULL OR date_end IS NOT NULL
            ELSE false END"""
    order = f"""
        SELECT __origin, __line, date_start || ' > ' || date_end AS value,
               'date_end ' || date_end || ' is before date_start ' || date_start AS message
        FROM {t} WHERE date_end < date_start"""
    rules = [Rule("date-order", r, "date_end", (r,), order)]
    if r in EVENT_RESOURCES:
        rules.append(Rule("date-precision", r, "date_precision", (r,), precision))
    return rules


RULES: list[Rule] = [
    *[rule for r in (*EVENT_RESOURCES, "memberships") for rule in _date_rules(r)],
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
    *[
        Rule(
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
        for r in ("un_votes", "memberships")
    ],
    Rule(
        "not-an-organisation",
        "memberships",
        "organisation_id",
        ("memberships", "actors"),
        """
        SELECT t.__origin, t.__line, t.organisation_id AS value,
               t.organisation_id || ' is an actor of type ' || a.actor_type || ', not an organisation' AS message
        FROM typed_memberships t JOIN typed_actors a ON a.actor_id = t.organisation_id
        WHERE a.actor_type <> 'organisation'""",
    ),
    *[
        Rule(
            "excerpt-required",
            r,
            "source_excerpt",
            (r, "sources"),
            f"""
        SELECT t.__origin, t.__line, t.source_id AS value,
               'the row cites ' || t.source_id || ' (a ' || s.source_type
               || ') but source_excerpt is empty' AS message
        FROM typed_{r} t JOIN typed_sources s ON s.source_id = t.source_id
        WHERE s.source_type NOT IN ({", ".join(f"'{t}'" for t in EXCERPT_EXEMPT_SOURCE_TYPES)})
          AND t.source_excerpt IS NULL""",
        )
        for r in EXCERPTED
    ],
    # A date or place taken from another record than the row's source quotes that record too.
    *[
        Rule(
            "excerpt-required",
            r,
            f"{what}_source_excerpt",
            (r, "sources"),
            f"""
        SELECT t.__origin, t.__line, t.{what}_source_id AS value,
               'the {what} comes from ' || t.{what}_source_id || ' (a ' || s.source_type
               || ') but {what}_source_excerpt is empty' AS message
        FROM typed_{r} t JOIN typed_sources s ON s.source_id = t.{what}_source_id
        WHERE s.source_type NOT IN ({", ".join(f"'{t}'" for t in EXCERPT_EXEMPT_SOURCE_TYPES)})
          AND t.{what}_source_excerpt IS NULL""",
        )
        for r, what in (("meetings", "date"), ("meetings", "location"), ("statements", "date"))
    ],
    Rule(
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
        warning=True,
    ),
]
