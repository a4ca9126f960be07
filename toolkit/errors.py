"""The error catalogue and the exceptions the toolkit raises: one place for every code and exit code.

Each code is a public contract (like frictionless-py's error catalogue): tools and CI match on it.
An entry holds the stage that finds it (its place in a report), a title, the default hint and, for
the cell checks, the template of its message. Add codes; never rename or reuse one.

Exceptions carry the exit code the command line ends with; the click group handles them all in
one place (cli.Group).
"""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes: a public contract (see the command-line contract in docs/reference.md).
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a process ended by SIGINT

# The stages that find issues, in the order a resource's findings are reported.
STAGES = ("file", "structure", "cell", "key", "reference", "rule", "integrity")


@dataclass(frozen=True)
class ErrorType:
    code: str
    stage: str  # one of STAGES
    title: str
    hint: str  # the default fix; a finding may carry a more precise one
    message: str = ""  # for cell checks: a template over the names cells.cell_context gives
    warning: bool = False  # reported as a warning: the data may still be valid


def _E(  # noqa: N802 - reads as a table row
    code: str, stage: str, title: str, hint: str, message: str = "", warning: bool = False
) -> ErrorType:
    assert stage in STAGES, stage
    return ErrorType(code, stage, title, hint, message, warning)


CATALOGUE: dict[str, ErrorType] = {
    e.code: e
    for e in (
        _E("file-not-found", "file", "File not found", "Check the path."),
        _E(
            "usage-error",
            "file",
            "The command cannot be run as given",
            "See the command's --help; nothing was checked or written.",
        ),
        _E(
            "unsafe-name",
            "file",
            "Name not allowed",
            "Names reach SQL, file names and web pages: a package or resource name is lowercase "
            "letters, digits, '.', '_' or '-' (starting with a letter or digit), a field name "
            "letters, digits and '_' (starting with a letter); at most 64 characters.",
        ),
        _E(
            "binary-file",
            "file",
            "Not a text file",
            "Export the sheet as 'CSV UTF-8 (Comma delimited)'.",
        ),
        _E(
            "encoding-error",
            "file",
            "Not UTF-8",
            "Save the file as 'CSV UTF-8 (Comma delimited)' in Excel, or re-encode it to UTF-8.",
        ),
        _E(
            "empty-file",
            "file",
            "Empty file",
            "The file must start with the header row; see `csto-alignment template NAME`.",
        ),
        _E("no-rows", "file", "Header but no rows", "Add at least one data row below the header."),
        _E(
            "wrong-separator",
            "structure",
            "Wrong separator",
            "Save as comma-separated CSV; semicolons and tabs are not accepted.",
        ),
        _E(
            "missing-header",
            "structure",
            "Missing column",
            "Add the column to the header; `csto-alignment template NAME` prints the right one.",
        ),
        _E(
            "extra-header",
            "structure",
            "Unknown column",
            "Remove the column or rename it to an expected one.",
        ),
        _E(
            "duplicate-header",
            "structure",
            "Duplicated column",
            "Each column may appear once in the header.",
        ),
        _E(
            "blank-header",
            "structure",
            "Blank column name",
            "Give every column a name, or delete the empty column.",
        ),
        _E(
            "extra-cell",
            "structure",
            "Too many cells",
            "The row has more cells than the header: look for an unquoted comma.",
        ),
        _E(
            "missing-cell",
            "structure",
            "Too few cells",
            "The row has fewer cells than the header: add the missing separators.",
        ),
        _E("blank-row", "structure", "Blank row", "Delete the empty row."),
        _E(
            "cell-too-large",
            "cell",
            "Cell too large",
            "A cell may hold at most 10,000 characters; shorten it.",
            "{field} holds {length} characters; a cell may hold at most {max_cell:,}",
        ),
        _E(
            "required",
            "cell",
            "Missing value",
            "This column must have a value.",
            "{field} is required but empty",
        ),
        _E(
            "type-error",
            "cell",
            "Wrong type",
            "Write the value in the column's type.",
            "{field} must be {allowed}, not {shown!r}",
        ),
        _E(
            "enum-error",
            "cell",
            "Value not allowed",
            "Use one of the allowed values.",
            "{field} must be {allowed}; got {shown!r}",
        ),
        _E(
            "pattern-error",
            "cell",
            "Value does not match the pattern",
            "Follow the column's pattern.",
            "{field} {shown!r} is not {pattern}",
        ),
        _E(
            "length-error",
            "cell",
            "Wrong length",
            "Shorten or lengthen the value.",
            "{field} has {length} characters; allowed: {min_length} to {max_length}",
        ),
        _E(
            "range-error",
            "cell",
            "Out of range",
            "Use a value within the column's bounds.",
            "{field} {shown!r} is outside the allowed range ({allowed})",
        ),
        _E(
            "formula-injection",
            "cell",
            "Looks like a spreadsheet formula",
            "Text may not start with =, +, - or @ (even after spaces or tabs), which spreadsheets run as a formula; reword it so it starts with a letter, digit or quote mark.",
            "{field} {shown!r} starts with {first!r}, which a spreadsheet would run as a formula",
        ),
        _E(
            "unsafe-url",
            "cell",
            "Not a web address",
            "A link must be an http:// or https:// address without spaces or control characters "
            "(other schemes, such as javascript:, run code when clicked).",
            "{field} {shown!r} is not an http(s) address",
        ),
        _E("unique-error", "key", "Duplicate value", "This column's values must be unique."),
        _E(
            "primary-key",
            "key",
            "Duplicate primary key",
            "Another row already has this key: change the id, or edit the existing row instead.",
        ),
        _E(
            "foreign-key",
            "reference",
            "Reference to nothing",
            "Add the referenced row first (or in the same file), or fix the id.",
        ),
        _E(
            "date-order",
            "rule",
            "date_end before date_start",
            "Swap the dates or correct one of them.",
        ),
        _E(
            "date-precision",
            "rule",
            "Dates do not fit date_precision",
            "See the codebook: day means date_start = date_end; month means the first and last day of one month; unknown means both empty.",
        ),
        _E(
            "statement-outside-meeting",
            "rule",
            "Statement outside its meeting's dates",
            "A statement made at a meeting must fall within the meeting's dates.",
        ),
        _E(
            "response-before-statement",
            "rule",
            "Response earlier than what it answers",
            "Check in_response_to and both statements' dates.",
        ),
        _E(
            "response-type",
            "rule",
            "response_type without in_response_to (or the reverse)",
            "Fill both or neither.",
        ),
        _E(
            "exercise-before-meeting",
            "rule",
            "Exercise starts before the meeting that triggered it",
            "Check triggered_by_meeting_id and both dates.",
        ),
        _E(
            "tally-exceeded",
            "rule",
            "More votes than the official tally",
            "Check the votes and the resolution's yes/no/abstain/non_voting tallies.",
        ),
        _E(
            "tally-mismatch",
            "rule",
            "Votes do not match the official tally",
            "Every member's vote is present, so the counts must equal the tallies.",
        ),
        _E(
            "membership-overlap",
            "rule",
            "Membership periods overlap",
            "A state's periods in one organisation must be ordered: each ends on or before the next starts.",
        ),
        _E(
            "not-a-state",
            "rule",
            "Not a state",
            "This column must reference an actor whose actor_type is state.",
        ),
        _E(
            "not-an-organisation",
            "rule",
            "Not an organisation",
            "This column must reference an actor whose actor_type is organisation.",
        ),
        _E(
            "excerpt-required",
            "rule",
            "Missing source excerpt",
            "Every row must quote the source it cites: add the words of that source that state the row's fact, verbatim, at most 300 characters. Only rows generated from a registry (source_type registry) go without.",
        ),
        _E(
            "excerpt-not-in-source",
            "rule",
            "Excerpt not found in its source",
            "Copy the excerpt from the source verbatim, with its own quote marks, apostrophes and dashes.",
        ),
        _E(
            "accessed-required",
            "rule",
            "Source read on the web without the day it was read",
            "Fill `accessed` with the day you read the page at `url` (YYYY-MM-DD): pages change, and the date says when the quoted words were there.",
        ),
        _E(
            "likely-duplicate",
            "rule",
            "Likely duplicate statement",
            "Same speaker, same day and (nearly) the same words as another row: check it is not entered twice.",
            warning=True,
        ),
        _E(
            "rule-skipped",
            "rule",
            "Rule could not run",
            "The columns the rule reads are missing or of another type in the schema; check the schema or the rule.",
            warning=True,
        ),
        _E(
            "hash-mismatch",
            "integrity",
            "Data file differs from the release",
            "The file's size or sha256 differs from the one this descriptor records: only a published release's datapackage.json records them (the repository's does not), so the file was changed or damaged after the release. Take it from the release again; a correction belongs in the repository, where the next release publishes it.",
        ),
        _E(
            "state-file-tracked",
            "integrity",
            "The toolkit's state file is committed",
            "The lock, the journal of a change and staged files (.NAME.XXXXXXXX.tmp) are the "
            "toolkit's own and never part of the package: `git rm --cached FILE`, keep them in "
            ".gitignore, and check that the branch did not plant it.",
        ),
        # `rollcall`: a published roll call read into un_votes rows.
        _E(
            "empty-roll-call",
            "file",
            "No state names in the roll call",
            "Paste the roll call's lists, each under its heading (In favour, Against, Abstaining, Absent).",
        ),
        _E(
            "bad-option",
            "file",
            "Bad option",
            "See `csto-alignment rollcall --help`.",
        ),
        _E(
            "no-heading",
            "structure",
            "Names without a category heading",
            "Put each list under its heading, e.g. 'Against: Belarus, Russian Federation'.",
        ),
        _E(
            "unknown-heading",
            "structure",
            "Not a category heading",
            "Use In favour, Against, Abstaining, or Absent / Non-voting / Did not vote, followed by a colon.",
        ),
        _E(
            "name-joined",
            "structure",
            "Two pieces read as one name",
            "A name with a comma inside was split; check that the source lists one state here.",
            warning=True,
        ),
        _E(
            "listed-twice",
            "key",
            "State listed twice",
            "A state casts one vote: check the source against a second report and keep it in one list.",
        ),
        _E(
            "unknown-state-name",
            "reference",
            "Unknown state name",
            "Write the state's name as the UN lists it, e.g. 'Bolivia (Plurinational State of)'.",
        ),
        _E(
            "unknown-resolution",
            "reference",
            "Resolution not in un_resolutions",
            "Add the resolution to un_resolutions first, or give its date and official tallies as options.",
        ),
        _E(
            "not-a-un-member",
            "rule",
            "Not a UN member state on the vote's date",
            "Only member states vote: check the name and the vote's date.",
        ),
        _E(
            "unknown-vote",
            "cell",
            "Vote value not in the vocabulary",
            "Name the table's vote codes with --vote-codes (letters Y/N/A/X, words yes/no/abstain/"
            "absent, voeten 1/2/3/8/9), or correct the value.",
        ),
        _E(
            "no-such-column",
            "structure",
            "Column or member not in the table",
            "Name the table's state and vote columns with --state-field and --vote-field (and, in "
            "JSON, the member holding the records with --records).",
        ),
        _E(
            "vote-disagrees",
            "rule",
            "The roll call disagrees with a recorded vote",
            "Read both sources again: the package's row and the roll call state different votes. "
            "Correct the wrong one (add --replace for the package's row); never average two lists.",
        ),
        _E(
            "excerpt-too-long",
            "cell",
            "No verbatim fragment of the input fits in an excerpt",
            "Quote a shorter record: source_excerpt holds at most 300 characters.",
        ),
        _E(
            "intended-vote-unsourced",
            "rule",
            "Intended vote without its source, or the same as the recorded vote",
            "intended_vote records a state's later statement that it meant another vote: give the "
            "statement's source and words (intended_vote_source_id, intended_vote_source_excerpt), "
            "and a value unlike the recorded vote.",
        ),
    )
}

# The cell checks, in the order a cell's findings are reported.
CELL_CODES = tuple(code for code, e in CATALOGUE.items() if e.stage == "cell")


class ToolkitError(Exception):
    """A failure the command line reports in one line and ends with `exit_code`."""

    exit_code = EXIT_INTERNAL


class UsageError(ToolkitError):
    """The command was given something it cannot use: an unknown resource, a path it cannot read,
    SQL it refuses. Nothing was judged or written."""

    exit_code = EXIT_USAGE


class InvalidDataError(ToolkitError):
    """The data is not valid, and the command cannot go on (a report lists findings instead)."""

    exit_code = EXIT_INVALID
