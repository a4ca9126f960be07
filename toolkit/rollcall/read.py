"""A roll call as the UN and the press publish it -> checked `un_votes` rows for one resolution.

The input is plain text: one section per category, each a heading ("In favour:", "Against:",
"Abstaining:", "Absent:", "Did not vote:", or a sentence ending in a colon that names one category,
such as "The following countries voted against the resolution:") followed by state names separated
by commas, semicolons or line breaks. Lines starting with '#' are comments (a fixture's source URL).
Names become ISO 3166-1 alpha-3 codes through toolkit/rollcall/statenames.py (or an alias the
caller confirms, for an abbreviation it refuses); every name must be a UN member on the vote's date
(toolkit/rollcall/membership.py), listed once; each category's count must equal the official tally.
A state whose vote the package already records must be listed with that vote: a disagreement is an
error, an agreement confirms the row, which stays as it is (its row is not returned again). Each
row quotes the input: the heading and the name, or, when that passage is longer than an excerpt
may be, the heading and the name with " […] " for the names between. On any error no row is
returned. Nothing here prints, exits or writes. Tables (CSV, JSON) are read by
toolkit/rollcall/tables.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.checks.excerpts import ELISION
from toolkit.checks.report import Issue, Report
from toolkit.package.tableschema import Package, PackageError
from toolkit.rollcall.membership import read_rows, un_members_on

if TYPE_CHECKING:
    from toolkit.rollcall.statenames import Match, StateNames

RESOURCE = "un_votes"
CATEGORIES = ("yes", "no", "abstain", "non_voting")  # the vote values a heading can name
EXCERPT_MAX = 300  # when the schema sets no maxLength on source_excerpt

# Heading phrases per category, matched as whole words in the text before a colon (or on a line of
# their own); the longest phrase wins where two overlap ("no vote" is not "no").
PHRASES: dict[str, tuple[str, ...]] = {
    "yes": ("in favour", "in favor", "for", "yes", "ayes", "voted yes", "voting yes"),
    "no": ("against", "no", "noes", "voted no", "voting no", "opposed"),
    "abstain": ("abstain", "abstains", "abstained", "abstaining", "abstention", "abstentions"),
    "non_voting": (
        "absent",
        "non-voting",
        "non voting",
        "nonvoting",
        "not voting",
        "did not vote",
        "didn't vote",
        "no vote",
        "did not participate",
        "did not take part",
        "not participating",
    ),
}
_PHRASES = sorted(
    ((p, c) for c, ps in PHRASES.items() for p in ps), key=lambda pc: len(pc[0]), reverse=True
)
NONE_LISTED = {"none", "nil", "-", "—", "–"}  # a heading with no state under it
# Codes that mean the command was called wrongly (exit 2), not that the roll call is bad (exit 1).
USAGE_CODES = frozenset({"unknown-resolution", "bad-option", "excerpt-required"})
_BULLET = r"[\s\-–—•*·]*"


@dataclass
class Section:
    category: str
    label: str
    start: int  # offset of the heading in the text: excerpts start here
    line: int
    count: int | None  # a count printed in the heading, "For (141):"
    head_end: int = -1  # offset just past the heading's colon (-1: a table's value, no heading)


@dataclass
class Entry:
    name: str  # as listed, spaces collapsed
    start: int  # the name's span in the text
    end: int
    line: int
    section: Section
    sep: str = ""  # the separator before it in its section ("," ";" "\n"; "" for the first)


@dataclass
class RollCall:
    """The result: a report, and the rows (empty unless the report is valid)."""

    report: Report
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)
    official: dict[str, int | None] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)  # rows of the package the roll call confirms


def heading_category(label: str) -> list[str]:
    """The categories a heading's words name (one for a real heading)."""
    text = " " + re.sub(r"\s+", " ", label.replace("’", "'")).casefold() + " "
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for phrase, category in _PHRASES:
        for m in re.finditer(r"(?<![\w'-])" + re.escape(phrase) + r"(?![\w'-])", text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            if category not in found:
                found.append(category)
    return found


class _Issues:
    """Builds issues about one input file, worded like `check`'s: 'file: line N: ...'."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def add(
        self,
        code: str,
        message: str,
        line: int | None = None,
        field: str = "",
        value: object = None,
        hint: str = "",
        warning: bool = False,
    ) -> None:
        where = f"{self.label}: line {line}: " if line else f"{self.label}: "
        issue = Issue(
            code=code,
            message=where + message,
            resource=RESOURCE,
            row=line,
            field=field,
            value=value,
            hint=hint,
            file=self.label,
        )
        (self.warnings if warning else self.errors).append(issue)


def _heading(line: str) -> tuple[str, str, int] | None:
    """(label, rest, offset of rest) when the line starts with a heading-like 'label:'; also for a
    line that is a heading on its own (no colon, no separator, naming a category)."""
    m = re.match(_BULLET + r"(?:\*\*)?([^:,;]{1,120}?)(?:\*\*)?\s*:(?:\*\*)?", line)
    if m:
        return m.group(1), line[m.end() :], m.end()
    bare = line.strip().strip("*").rstrip(".:").strip()
    if bare and not re.search(r"[,;]", bare) and heading_category(bare):
        return bare, "", len(line)
    return None


def _count_in(label: str) -> int | None:
    numbers = re.findall(r"\d+", label)
    return int(numbers[0]) if len(numbers) == 1 else None


def parse(text: str, issues: _Issues) -> tuple[list[Section], list[Entry]]:
    """Sections and the names listed under them, with their spans; bad headings become issues."""
    sections: list[Section] = []
    entries: list[Entry] = []
    stray: tuple[int, str] | None = None  # the first text before any heading
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        start, offset = offset, offset + len(line) + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rest, rest_at = line, 0
        head = _heading(line)
        if head is not None:
            label, rest, rest_at = head
            found = heading_category(label)
            if re.fullmatch(r"\s*[A-Z]\s*", label):
                pass  # an alphabetical index ("A: Afghanistan, Albania"): names follow
            elif len(found) == 1:
                lead = len(line) - len(line.lstrip())
                sections.append(
                    Section(found[0], label.strip(), start + lead, number, _count_in(label),
                            start + rest_at)
                )  # fmt: skip
            else:
                names = " and ".join(repr(c) for c in found)
                issues.add(
                    "unknown-heading",
                    f"{label.strip()!r} is not a category heading"
                    + (f" (it names {names})" if found else ""),
                    number,
                    "vote",
                    label.strip(),
                    _heading_hint(label, found),
                )
                continue
        if not sections:
            stray = stray or (number, line.strip())
            continue
        entries += _entries(rest, start + rest_at, number, sections[-1], entries)
    if stray is not None and sections:
        issues.add(
            "no-heading",
            f"text before the first category heading: {stray[1][:80]!r}",
            stray[0],
            "vote",
            stray[1][:80],
            "Delete it, or start the line with '#' to keep it as a comment; each list of names "
            "must follow its heading.",
        )
    return sections, entries


def _heading_hint(label: str, found: list[str]) -> str:
    if found:  # "adopted by 141 in favour to 5 against, with 35 abstentions, as follows:"
        return (
            "A sentence naming several categories is not a heading: delete it or make it a "
            "comment by starting the line with '#'."
        )
    import difflib

    phrases = [p for ps in PHRASES.values() for p in ps]
    close = difflib.get_close_matches(label.strip().casefold(), phrases, n=1, cutoff=0.6)
    did_you_mean = f"Did you mean {close[0]!r}? " if close else ""
    return did_you_mean + (
        "Start each list with one of: In favour, Against, Abstaining, Absent / Non-voting / "
        "Did not vote (a colon after it)."
    )


def _entries(rest: str, at: int, number: int, section: Section, before: list[Entry]) -> list[Entry]:
    """The names in `rest` (the part of line `number` after any heading; `at` is its offset)."""
    out: list[Entry] = []
    for m in re.finditer(r"[^,;]+", rest):
        piece = _trimmed(m.group(0))
        if piece is None:
            continue
        begin, end = piece
        name = re.sub(r"\s+", " ", m.group(0)[begin:end])
        if name.casefold() in NONE_LISTED:
            continue
        if out or m.start() > 0:
            sep = rest[m.start() - 1] if m.start() > 0 else ","
        else:  # the first name on its line continues the section's list after a line break
            sep = "\n" if before and before[-1].section is section else ""
        start = at + m.start() + begin
        out.append(Entry(name, start, at + m.start() + end, number, section, sep))
    return out


def _trimmed(piece: str) -> tuple[int, int] | None:
    r"""Where the name in `piece` starts and ends: past any bullet and a leading 'and', before
    trailing blanks and full stops; None if nothing is left. Linear in the piece's length (a
    regular expression with a lazy name and a trailing `[\s.]*$` was quadratic)."""
    start = re.match(_BULLET, piece).end()  # type: ignore[union-attr]
    if (lead := re.match(r"and\s+", piece[start : start + 64], re.I)) is not None:
        start += lead.end()
    end = len(piece)
    while end > start and (piece[end - 1].isspace() or piece[end - 1] == "."):
        end -= 1
    return (start, end) if end > start else None


def _read_text(file: Path, issues: _Issues) -> str | None:
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.add(
            "encoding-error",
            f"byte 0x{data[exc.start]:02x} is not UTF-8",
            data.count(b"\n", 0, exc.start) + 1,
            hint="Save the roll call as UTF-8 plain text.",
        )
        return None
    if bad := re.search(r"[\x00-\x08\x0e-\x1f\x7f]", text):
        issues.add(
            "binary-file",
            f"character U+{ord(bad.group()):04X} (a control character) is not roll-call text",
            text.count("\n", 0, bad.start()) + 1,
            hint="Paste the roll call as plain text; remove NUL bytes and other control characters.",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _official(
    package: Package, resolution_id: str, day: date | None, tallies: dict[str, int | None]
) -> tuple[date | None, dict[str, int | None], bool]:
    """(date, tallies, found): the options given, else un_resolutions' row."""
    row = next(
        (
            r
            for r in read_rows(package.data_path("un_resolutions"))
            if r.get("resolution_id") == resolution_id
        ),
        None,
    )
    merged: dict[str, int | None] = {}
    for c in CATEGORIES:
        given = tallies.get(c)
        cell = (row or {}).get(c, "")
        merged[c] = given if given is not None else int(cell) if cell.strip().isdigit() else None
    if day is None and row is not None:
        try:
            day = date.fromisoformat(row.get("date", ""))
        except ValueError:
            day = None
    return day, merged, row is not None


def _columns(package: Package) -> tuple[list[str], int | None]:
    """un_votes' columns in schema order, and source_excerpt's maxLength (None: no such column)."""
    resource = package.resource(RESOURCE)
    names = resource.field_names
    for needed in ("resolution_id", "country_iso3", "vote", "source_id"):
        if needed not in names:
            raise PackageError(f"{RESOURCE} has no column {needed!r}; rollcall cannot fill it")
    vote = resource.field("vote")
    missing = [c for c in CATEGORIES if vote.enum is not None and c not in vote.enum]
    if missing:
        raise PackageError(f"{RESOURCE}.vote does not allow {', '.join(missing)}")
    for f in resource.fields:
        if f.required and f.name not in ("resolution_id", "country_iso3", "vote", "source_id"):
            raise PackageError(f"{RESOURCE} requires {f.name!r}, which rollcall cannot fill")
    if "source_excerpt" not in names:
        return names, None
    return names, resource.field("source_excerpt").max_length or EXCERPT_MAX


def _check_options(
    package: Package,
    issues: _Issues,
    source_id: str,
    remainder: str | None,
    remainder_excerpt: str | None,
    excerpt_max: int | None,
) -> None:
    pattern = package.resource(RESOURCE).field("source_id").pattern
    if pattern and not re.fullmatch(pattern, source_id):
        issues.add(
            "bad-option",
            f"--source-id {source_id!r} is not a source_id ({pattern})",
            field="source_id",
            value=source_id,
            hint="Give the source_id of the row in sources that cites the roll call.",
        )
    elif source_id not in {r.get("source_id") for r in read_rows(package.data_path("sources"))}:
        issues.add(
            "foreign-key",
            f"--source-id {source_id!r} is not in sources yet",
            field="source_id",
            value=source_id,
            hint="Add the source to sources before `check` and `add` (they refuse rows citing nothing).",
            warning=True,
        )
    if remainder is not None and remainder not in CATEGORIES:
        issues.add(
            "bad-option",
            f"--remainder {remainder!r} is not a vote",
            value=remainder,
            hint=f"Use one of: {', '.join(CATEGORIES)}.",
        )
    if remainder is not None and excerpt_max is not None:
        if not remainder_excerpt:
            issues.add(
                "excerpt-required",
                f"--remainder {remainder} needs --remainder-excerpt: every {RESOURCE} row quotes its source",
                field="source_excerpt",
                hint="Give the source's sentence with the tally, e.g. --remainder-excerpt "
                "'adopted by a recorded vote of 141 in favour to 5 against, with 35 abstentions'.",
            )
        elif len(remainder_excerpt) > excerpt_max:
            issues.add(
                "bad-option",
                f"--remainder-excerpt has {len(remainder_excerpt)} characters; "
                f"source_excerpt holds at most {excerpt_max}",
                field="source_excerpt",
                hint="Quote a shorter verbatim passage.",
            )


@dataclass
class Options:
    """What the caller says about a roll call beyond its file (the command line's options)."""

    resolution_id: str
    source_id: str
    day: date | None = None
    tallies: dict[str, int | None] = field(default_factory=dict)
    remainder: str | None = None
    remainder_excerpt: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # a name as listed -> its ISO3 code
    include_existing: bool = False  # also return the rows the package already holds, unchanged


@dataclass
class Start:
    """A roll call read so far: its result, issues, columns and the official tallies' date."""

    result: RollCall
    issues: _Issues
    excerpt_max: int | None
    day: date | None


def begin(package: Package, file: Path, opts: Options) -> Start:
    """The checks every input takes before it is read: the resolution, the options, the columns."""
    columns, excerpt_max = _columns(package)
    issues = _Issues(str(file))
    day, official, found = _official(package, opts.resolution_id, opts.day, opts.tallies)
    result = RollCall(Report(), columns, official=official)
    if day is None or (not found and any(official[c] is None for c in CATEGORIES[:3])):
        why = "has no readable date" if found else "is not in un_resolutions"
        issues.add(
            "unknown-resolution",
            f"{opts.resolution_id} {why}, and its date and tallies were not all given",
            field="resolution_id",
            value=opts.resolution_id,
            hint="Add the resolution to un_resolutions first, or give --date, --yes, --no and "
            "--abstain (and --non-voting when known).",
        )
    _check_options(
        package, issues, opts.source_id, opts.remainder, opts.remainder_excerpt, excerpt_max
    )
    for name, code in opts.aliases.items():
        if not re.fullmatch(r"[A-Z]{3}", code):
            issues.add(
                "bad-option",
                f"--alias {name}={code}: {code!r} is not an ISO 3166-1 alpha-3 code",
                value=code,
                hint="Write --alias 'Dem. Rep. Congo=COD': the name as listed, '=', the code.",
            )
    return Start(result, issues, excerpt_max, day)


def read_roll_call(
    package: Package,
    file: Path,
    resolution_id: str,
    source_id: str,
    *,
    day: date | None = None,
    tallies: dict[str, int | None] | None = None,
    remainder: str | None = None,
    remainder_excerpt: str | None = None,
    aliases: dict[str, str] | None = None,
    include_existing: bool = False,
) -> RollCall:
    """Read the roll call in `file` (plain text) for `resolution_id`; return its un_votes rows, checked.

    `tallies` and `day` override un_resolutions' row; without that row, both must be given
    (non_voting may stay None). `remainder` puts every member on that day not listed into that
    category (usually 'yes'), quoting `remainder_excerpt`. `aliases` maps names as listed to codes.
    """
    opts = Options(
        resolution_id, source_id, day, tallies or {}, remainder, remainder_excerpt,
        aliases or {}, include_existing,
    )  # fmt: skip
    start = begin(package, file, opts)
    issues = start.issues
    text = _read_text(file, issues) if not issues.errors else None
    if text is None or issues.errors:
        return _finish(start.result, issues)

    sections, entries = parse(text, issues)
    if not sections and not issues.errors:
        has_text = any(ln.strip() and not ln.lstrip().startswith("#") for ln in text.split("\n"))
        if has_text:
            issues.add(
                "no-heading",
                "no category heading found (In favour, Against, Abstaining, Absent...)",
                hint="Put each list under its heading, e.g. 'Against: Belarus, Russian Federation'.",
            )
    if not entries and remainder is None and not issues.errors:
        issues.add("empty-roll-call", "no state names found")
    if remainder is not None and any(s.category == remainder for s in sections):
        s = next(s for s in sections if s.category == remainder)
        issues.add(
            "bad-option",
            f"--remainder {remainder}, but the input lists {s.label!r}",
            s.line,
            hint="Drop --remainder, or remove that list from the input.",
        )
    if issues.errors:
        return _finish(start.result, issues)
    limit = start.excerpt_max or EXCERPT_MAX
    return conclude(
        package, start, opts, text, sections, entries, lambda e: excerpt(text, e, limit)
    )


def conclude(
    package: Package,
    start: Start,
    opts: Options,
    text: str,
    sections: list[Section],
    entries: list[Entry],
    quote: Callable[[Entry], str],
    join: bool = True,
) -> RollCall:
    """Resolve the names, count them against the tallies and the package's rows, and make the rows.
    `quote` gives each entry's excerpt (a verbatim fragment of the input); `join` allows a name cut
    at a comma to be joined again (prose; never in a table, whose cells hold whole names)."""
    issues, result, day = start.issues, start.result, start.day
    assert day is not None  # begin() reported an unknown-resolution error otherwise
    members = un_members_on(package, day)
    listed = _resolve(package, text, entries, members, day, issues, opts.aliases, join)
    # Counted per category the input lists (or the remainder fills); others are not claimed.
    remainder = opts.remainder
    present = {s.category for s in sections} | ({remainder} if remainder else set())
    counted = {
        c: sum(1 for _, e in listed if e.section.category == c) for c in CATEGORIES if c in present
    }
    if remainder is not None:
        counted[remainder] = len(set(members) - {code for code, _ in listed})
    result.counted = counted
    _compare(sections, listed, counted, result.official, opts.resolution_id, issues)
    if issues.errors:
        return _finish(result, issues)
    votes = {code: e.section.category for code, e in listed}
    if remainder is not None:
        votes.update({code: remainder for code in set(members) - votes.keys()})
    where = {code: e for code, e in listed}
    result.confirmed = _against_package(package, opts.resolution_id, votes, where, issues)
    if issues.errors:
        return _finish(result, issues)
    quotes: dict[str, str] = {}
    for code, e in listed:
        q = quote(e)
        if start.excerpt_max is not None and len(q) > start.excerpt_max:
            issues.add(
                "excerpt-too-long",
                f"{e.name!r}: the shortest fragment that states its vote has {len(q)} characters; "
                f"source_excerpt holds at most {start.excerpt_max}",
                e.line,
                "source_excerpt",
                q[:80],
            )
        quotes[code] = q
    if issues.errors:
        return _finish(result, issues)
    skip = set() if opts.include_existing else set(result.confirmed)
    result.rows = _rows(result.columns, quotes, votes, skip, opts)
    return _finish(result, issues)


def _against_package(
    package: Package,
    resolution_id: str,
    votes: dict[str, str],
    where: dict[str, Entry],
    issues: _Issues,
) -> list[str]:
    """The codes whose vote the package already records as the roll call lists it; a different
    recorded vote is a `vote-disagrees` error (the two sources must be read again, not averaged)."""
    confirmed = []
    for row in read_rows(package.data_path(RESOURCE)):
        code = row.get("country_iso3", "")
        if row.get("resolution_id") != resolution_id or code not in votes:
            continue
        if row.get("vote") == votes[code]:
            confirmed.append(code)
            continue
        e = where.get(code)
        issues.add(
            "vote-disagrees",
            f"{code}: the package records {row.get('vote')!r} (source {row.get('source_id')}), "
            f"the roll call lists {votes[code]!r}"
            + (f" ({e.name!r} under {e.section.label!r})" if e else " (the remainder)"),
            e.line if e else None,
            "vote",
            votes[code],
        )
    return sorted(confirmed)


def _finish(result: RollCall, issues: _Issues) -> RollCall:
    report = result.report
    report.errors, report.warnings = issues.errors, issues.warnings
    report.summary[RESOURCE] = {
        "rows": len(result.rows),
        "counted": result.counted,
        "official": result.official,
        "confirmed": result.confirmed,
    }
    report.count_by_resource()
    return result


def _resolve(
    package: Package,
    text: str,
    entries: list[Entry],
    members: dict[str, str],
    day: date,
    issues: _Issues,
    aliases: dict[str, str] | None = None,
    join: bool = True,
) -> list[tuple[str, Entry]]:
    """(code, entry) for each listed state; unknown names, non-members and repeats are issues."""
    from toolkit.rollcall.statenames import Match, StateNames

    states = state_actors(package)
    names = StateNames(states)
    given = {re.sub(r"\s+", " ", k).strip(): v for k, v in (aliases or {}).items()}

    def resolve(name: str) -> Match:
        if name in given:
            return Match(given[name])
        if re.fullmatch(r"[A-Z]{3}", name) and name in states:  # an ISO 3166-1 alpha-3 code
            return Match(name)
        return names.resolve(name)

    matched = [(e, resolve(e.name)) for e in entries]
    joined = _join_split_names(text, matched, names, issues) if join else matched
    listed: list[tuple[str, Entry]] = []
    seen: dict[str, Entry] = {}
    for entry, match in joined:
        if match.code is None:
            suggestion = (
                f"Did you mean {match.suggestion!r} ({match.suggestion_code})? "
                if match.suggestion
                else ""
            )
            issues.add(
                "unknown-state-name",
                f"{entry.name!r} {match.reason}",
                entry.line,
                "country_iso3",
                entry.name,
                suggestion + "Write the state's name as the UN lists it, e.g. "
                "'Bolivia (Plurinational State of)', or, for an abbreviation you have checked, "
                f"give its code: --alias '{entry.name}=ISO3'.",
            )
            continue
        if match.code not in members:
            what = states.get(match.code) or (names.names_of(match.code) or [match.code])[0]
            issues.add(
                "not-a-un-member",
                f"{entry.name!r} is {what} ({match.code}), not a UN member state on {day.isoformat()}",
                entry.line,
                "country_iso3",
                entry.name,
                "Only member states vote. Check the name and the vote's date; observers such as "
                "the Holy See and the State of Palestine are not listed in roll calls.",
            )
            continue
        if match.code in seen:
            first = seen[match.code]
            issues.add(
                "listed-twice",
                f"{entry.name!r} ({match.code}) is listed under {entry.section.label!r}, and "
                f"already as {first.name!r} under {first.section.label!r} at line {first.line}",
                entry.line,
                "country_iso3",
                entry.name,
                "A state casts one vote: check the source against a second report and keep the "
                "state in one list.",
            )
            continue
        seen[match.code] = entry
        listed.append((match.code, entry))
    return listed


def state_actors(package: Package) -> dict[str, str]:
    """{actor_id: name} of the package's state actors."""
    return {
        r["actor_id"]: r.get("name", "")
        for r in read_rows(package.data_path("actors"))
        if r.get("actor_type") == "state"
    }


def _join_split_names(
    text: str, matched: list[tuple[Entry, Match]], names: StateNames, issues: _Issues
) -> list[tuple[Entry, Match]]:
    """Undo splits inside a name: 'Congo, Democratic Republic of the' was cut at its comma, and
    'Eritrea and Ethiopia' holds two. A name is joined to the one before it (same heading, no other
    name between) only when it is unknown on its own and the join is a known name, and this is
    reported as a warning; a name is cut at its last 'and' only when it is unknown whole and both
    parts are known names."""
    out: list[tuple[Entry, Match]] = []
    for entry, match in matched:
        prev = out[-1][0] if out else None
        if match.code is None and prev is not None and prev.section is entry.section and entry.sep:
            name = re.sub(r"\s+", " ", text[prev.start : entry.end])
            joined = names.resolve(name)
            if joined.code is not None:
                both = Entry(name, prev.start, entry.end, prev.line, entry.section, prev.sep)
                out[-1] = (both, joined)
                issues.add(
                    "name-joined",
                    f"{prev.name!r} and {entry.name!r} read as one name, {name!r} ({joined.code})",
                    prev.line,
                    "country_iso3",
                    name,
                    "Check that the source lists one state here, not two.",
                    warning=True,
                )
                continue
        cut = list(re.finditer(r"\s+and\s+", text[entry.start : entry.end]))
        if match.code is None and cut:
            left_end, right_start = entry.start + cut[-1].start(), entry.start + cut[-1].end()
            left = Entry(text[entry.start : left_end], entry.start, left_end, entry.line,
                         entry.section, entry.sep)  # fmt: skip
            right = Entry(text[right_start : entry.end], right_start, entry.end, entry.line,
                          entry.section, ",")  # fmt: skip
            a, b = names.resolve(left.name), names.resolve(right.name)
            if a.code is not None and b.code is not None:
                out += [(left, a), (right, b)]
                continue
        out.append((entry, match))
    return out


def _compare(
    sections: list[Section],
    listed: list[tuple[str, Entry]],
    counted: dict[str, int],
    official: dict[str, int | None],
    resolution_id: str,
    issues: _Issues,
) -> None:
    """Each listed category (and the remainder) against its official tally; heading counts too.
    Skipped after a bad name: counts of a list with unread names prove nothing."""
    if issues.errors:
        return
    for s in sections:
        n = sum(1 for _, e in listed if e.section is s)
        if s.count is not None and n != s.count:
            issues.add(
                "tally-mismatch",
                f"{s.label!r} announces {s.count} states but lists {n}",
                s.line,
                "vote",
                s.category,
                "Count the names under the heading against its number; a name may be missing.",
            )
    compared = [c for c in counted if official[c] is not None]
    if any(counted[c] != official[c] for c in compared):
        side = ", ".join(f"{c} {counted[c]} vs {official[c]}" for c in compared)
        line = next((s.line for s in sections if counted[s.category] != official[s.category]), None)
        issues.add(
            "tally-mismatch",
            f"the roll call's counts differ from the official tallies of {resolution_id} "
            f"(counted vs official: {side})",
            line,
            "vote",
            resolution_id,
            "Compare each list with the official record: a state may be missing, misplaced or "
            "called absent where it abstained. With --remainder, every member not listed is "
            "counted in that category.",
        )


def _rows(
    columns: list[str],
    quotes: dict[str, str],
    votes: dict[str, str],
    skip: set[str],
    opts: Options,
) -> list[list[str]]:
    """One row per state in `votes` not in `skip`: listed states quote their fragment, the
    remainder's quote the remainder excerpt."""
    values = [
        {
            "resolution_id": opts.resolution_id,
            "country_iso3": code,
            "vote": vote,
            "source_id": opts.source_id,
            "source_excerpt": quotes.get(code, opts.remainder_excerpt or ""),
        }
        for code, vote in sorted(votes.items())
        if code not in skip
    ]
    return [[v.get(c, "") for c in columns] for v in values]


def excerpt(text: str, entry: Entry, limit: int) -> str:
    """The shortest verbatim window holding the heading and the name, if it fits in `limit`
    characters; else the same from a later word of the heading that still names the category
    ("voted against the resolution: ... Zimbabwe"); else the heading, " […] " and the name. Each
    passage is a substring of the input, in order."""
    s = entry.section
    if entry.end - s.start <= limit:
        return text[s.start : entry.end]
    head_end = s.head_end if s.head_end >= 0 else s.start
    for m in re.finditer(r"(?<!\S)\S", text[s.start : head_end]):
        at = s.start + m.start()
        if entry.end - at > limit:
            continue
        if heading_category(text[at:head_end].rstrip(" :*")) == [s.category]:
            return text[at : entry.end]
        break
    return text[s.start : head_end].rstrip() + ELISION + text[entry.start : entry.end]
