"""Report objects: what a check found, with stable error codes and hints.

The codes are a public contract (like frictionless' error catalogue): tools and CI match on them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# code -> (title, default hint). Add codes; never rename or reuse one.
CODES: dict[str, tuple[str, str]] = {
    "file-not-found": ("File not found", "Check the path."),
    "binary-file": ("Not a text file", "Export the sheet as 'CSV UTF-8 (Comma delimited)'."),
    "encoding-error": (
        "Not UTF-8",
        "Save the file as 'CSV UTF-8 (Comma delimited)' in Excel, or re-encode it to UTF-8.",
    ),
    "empty-file": (
        "Empty file",
        "The file must start with the header row; see `csto-alignment template NAME`.",
    ),
    "no-rows": ("Header but no rows", "Add at least one data row below the header."),
    "wrong-separator": (
        "Wrong separator",
        "Save as comma-separated CSV; semicolons and tabs are not accepted.",
    ),
    "missing-header": (
        "Missing column",
        "Add the column to the header; `csto-alignment template NAME` prints the right one.",
    ),
    "extra-header": ("Unknown column", "Remove the column or rename it to an expected one."),
    "duplicate-header": ("Duplicated column", "Each column may appear once in the header."),
    "blank-header": ("Blank column name", "Give every column a name, or delete the empty column."),
    "extra-cell": (
        "Too many cells",
        "The row has more cells than the header: look for an unquoted comma.",
    ),
    "missing-cell": (
        "Too few cells",
        "The row has fewer cells than the header: add the missing separators.",
    ),
    "blank-row": ("Blank row", "Delete the empty row."),
    "cell-too-large": ("Cell too large", "A cell may hold at most 10,000 characters; shorten it."),
    "formula-injection": (
        "Looks like a spreadsheet formula",
        "Text may not start with =, +, - or @, which spreadsheets run as a formula; reword it so it starts with a letter, digit or quote mark.",
    ),
    "required": ("Missing value", "This column must have a value."),
    "type-error": ("Wrong type", "Write the value in the column's type."),
    "enum-error": ("Value not allowed", "Use one of the allowed values."),
    "pattern-error": ("Value does not match the pattern", "Follow the column's pattern."),
    "length-error": ("Wrong length", "Shorten or lengthen the value."),
    "range-error": ("Out of range", "Use a value within the column's bounds."),
    "unique-error": ("Duplicate value", "This column's values must be unique."),
    "primary-key": (
        "Duplicate primary key",
        "Another row already has this key: change the id, or edit the existing row instead.",
    ),
    "foreign-key": (
        "Reference to nothing",
        "Add the referenced row first (or in the same file), or fix the id.",
    ),
    "date-order": ("date_end before date_start", "Swap the dates or correct one of them."),
    "date-precision": (
        "Dates do not fit date_precision",
        "See the codebook: day means date_start = date_end; month means the first and last day of one month; unknown means both empty.",
    ),
    "statement-outside-meeting": (
        "Statement outside its meeting's dates",
        "A statement made at a meeting must fall within the meeting's dates.",
    ),
    "response-before-statement": (
        "Response earlier than what it answers",
        "Check in_response_to and both statements' dates.",
    ),
    "response-type": (
        "response_type without in_response_to (or the reverse)",
        "Fill both or neither.",
    ),
    "exercise-before-meeting": (
        "Exercise starts before the meeting that triggered it",
        "Check triggered_by_meeting_id and both dates.",
    ),
    "tally-exceeded": (
        "More votes than the official tally",
        "Check the votes and the resolution's yes/no/abstain/non_voting tallies.",
    ),
    "tally-mismatch": (
        "Votes do not match the official tally",
        "Every member's vote is present, so the counts must equal the tallies.",
    ),
    "membership-overlap": (
        "Membership periods overlap",
        "A state's periods in one organisation must be ordered: each ends on or before the next starts.",
    ),
    "not-a-state": (
        "Not a state",
        "This column must reference an actor whose actor_type is state.",
    ),
    "not-an-organisation": (
        "Not an organisation",
        "This column must reference an actor whose actor_type is organisation.",
    ),
    "excerpt-required": (
        "Missing source excerpt",
        "Every row must quote the source it cites: add the words of that source that state the row's fact, verbatim, at most 300 characters. Only rows generated from a registry (source_type registry) go without.",
    ),
    "likely-duplicate": (
        "Likely duplicate statement",
        "Same speaker, same day and (nearly) the same words as another row: check it is not entered twice.",
    ),
    "rule-skipped": (
        "Rule could not run",
        "The columns the rule reads are missing or of another type in the schema; check the schema or the rule.",
    ),
    # `rollcall`: reading a published roll call into un_votes rows.
    "empty-roll-call": (
        "No state names in the roll call",
        "Paste the roll call's lists, each under its heading (In favour, Against, Abstaining, Absent).",
    ),
    "no-heading": (
        "Names without a category heading",
        "Put each list under its heading, e.g. 'Against: Belarus, Russian Federation'.",
    ),
    "unknown-heading": (
        "Not a category heading",
        "Use In favour, Against, Abstaining, or Absent / Non-voting / Did not vote, followed by a colon.",
    ),
    "unknown-state-name": (
        "Unknown state name",
        "Write the state's name as the UN lists it, e.g. 'Bolivia (Plurinational State of)'.",
    ),
    "not-a-un-member": (
        "Not a UN member state on the vote's date",
        "Only member states vote: check the name and the vote's date.",
    ),
    "listed-twice": (
        "State listed twice",
        "A state casts one vote: check the source against a second report and keep it in one list.",
    ),
    "name-joined": (
        "Two pieces read as one name",
        "A name with a comma inside was split; check that the source lists one state here.",
    ),
    "unknown-resolution": (
        "Resolution not in un_resolutions",
        "Add the resolution to un_resolutions first, or give its date and official tallies as options.",
    ),
    "bad-option": ("Bad option", "See `csto-alignment rollcall --help`."),
    "hash-mismatch": (
        "Data file differs from the release",
        "The file's size or sha256 differs from the one recorded in datapackage.json: restore it or, if the edit is a correction, release it (`csto-alignment release patch`), which records the new hashes and lists every changed cell in CHANGELOG.md.",
    ),
}


@dataclass
class Issue:
    code: str
    message: str
    resource: str = ""
    row: int | None = None
    field: str = ""
    value: Any = None
    hint: str = ""
    file: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")
        if not self.hint:
            self.hint = CODES[self.code][1]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("file")
        return d


@dataclass
class Report:
    """What a check found. `summary` maps a resource name to its counts."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def extend(self, other: Report) -> None:
        self.errors += other.errors
        self.warnings += other.warnings
        for name, s in other.summary.items():
            self.summary.setdefault(name, {}).update(s)

    def count_by_resource(self) -> None:
        """Fill each resource's summary with its error and warning counts."""
        for name, s in self.summary.items():
            s["errors"] = sum(1 for e in self.errors if e.resource == name)
            s["warnings"] = sum(1 for w in self.warnings if w.resource == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
            "summary": self.summary,
        }
