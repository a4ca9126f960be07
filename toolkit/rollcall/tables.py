"""Roll calls published as tables -> checked `un_votes` rows for one resolution.

Three layouts are read, each with the refusals of the prose reader (toolkit/rollcall/read.py):
unknown names, states listed twice or not UN members on the date, counts unlike the official
tallies, votes unlike the package's rows.

- **csv / tsv**: a header row, then one record per state; `#` lines before the header are comments
  (a fixture's origin). The record's line is its excerpt (`Belarus,N`).
- **json**: records, as an array of objects or as an object whose members are objects (the UN
  Digital Library's voting records as scrapers keep them: `"112":{"country":"BELARUS","vote":"N"}`);
  `records` names the member that holds them when the document holds more. The record, with its
  member name, is its excerpt, verbatim.
- **lists**: one list of names per category, `against: ["Belarus", "Eritrea"]`, in JSON or in a
  JavaScript object literal (unquoted keys, tabs, trailing commas). The key and the name are the
  excerpt; when the passage between them is longer than an excerpt may be, the key, " […] " and
  the name.

The state is a name (the UN's, a common one) or an ISO 3166-1 alpha-3 code; the vote is read
through a vocabulary (VOCABULARIES): `letters` (Y, N, A, X; "Non-Voting"), `words` (yes, no,
abstain, absent, in favour, against, ...) or `voeten` (Erik Voeten's UN voting data: 1 yes,
2 abstain, 3 no, 8 absent, 9 not a member; a 9 is skipped for a state that was no member on the
date and refused for one that was). `auto` takes the one vocabulary that reads every value.
Nothing here prints, exits or writes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.package.tableschema import Package
from toolkit.rollcall.membership import un_members_on
from toolkit.rollcall.read import (
    EXCERPT_MAX,
    Entry,
    Options,
    RollCall,
    Section,
    _finish,
    _Issues,
    _read_text,
    begin,
    conclude,
    excerpt,
    state_actors,
)

NOT_MEMBER = "not_a_member"  # Voeten's 9: the state was no UN member on the date

VOCABULARIES: dict[str, dict[str, str]] = {
    "letters": {
        "y": "yes",
        "n": "no",
        "a": "abstain",
        "x": "non_voting",
        "non-voting": "non_voting",
        "non voting": "non_voting",
    },
    "words": {
        **{w: "yes" for w in ("yes", "in favour", "in favor", "for", "favour", "approve")},
        **{w: "no" for w in ("no", "against", "reject", "opposed")},
        **{
            w: "abstain"
            for w in ("abstain", "abstained", "abstaining", "abstention", "abstentions")
        },
        **{
            w: "non_voting"
            for w in (
                "absent",
                "non-voting",
                "non voting",
                "nonvoting",
                "not voting",
                "did not vote",
                "no vote",
                "non_voting",
            )
        },
    },
    "voeten": {"1": "yes", "2": "abstain", "3": "no", "8": "non_voting", "9": NOT_MEMBER},
}
LAYOUTS = ("csv", "tsv", "json", "lists")
STATE_FIELDS = (
    "country_iso3", "iso3", "state", "country", "country_name", "member_state", "ms_name", "name",
)  # fmt: skip
VOTE_FIELDS = ("vote", "ms_vote", "vote_value", "result")


@dataclass
class Record:
    """One state's entry in a table: its cells as written and the span its excerpt quotes."""

    name: str
    vote: str
    start: int
    end: int
    line: int


def layout_of(file: Path, given: str | None) -> str:
    """The layout to read `file` as: the one given, else by its suffix ('text' for prose)."""
    if given:
        return given
    return {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".js": "lists"}.get(
        file.suffix.casefold(), "text"
    )


def read_table(
    package: Package,
    file: Path,
    opts: Options,
    layout: str,
    *,
    state_field: str | None = None,
    vote_field: str | None = None,
    records: str | None = None,
    vote_codes: str = "auto",
) -> RollCall:
    """Read the roll call in the table `file` (layout csv, tsv, json or lists) for
    `opts.resolution_id`; return its un_votes rows, checked as the prose reader checks them."""
    start = begin(package, file, opts)
    issues = start.issues
    if layout not in LAYOUTS:
        issues.add("bad-option", f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if vote_codes != "auto" and vote_codes not in VOCABULARIES:
        issues.add(
            "bad-option",
            f"--vote-codes {vote_codes!r} is not a vocabulary",
            value=vote_codes,
            hint=f"Use one of: auto, {', '.join(VOCABULARIES)}.",
        )
    text = _read_text(file, issues) if not issues.errors else None
    if text is None or issues.errors:
        return _finish(start.result, issues)
    limit = start.excerpt_max or EXCERPT_MAX
    if layout == "lists":
        sections, entries = _lists(text, issues)
        quote = lambda e: excerpt(text, e, limit)  # noqa: E731 - one line
    else:
        found = (
            _csv_records(text, "\t" if layout == "tsv" else ",", state_field, vote_field, issues)
            if layout in ("csv", "tsv")
            else _json_records(text, records, state_field, vote_field, issues)
        )
        sections, entries = _categorise(found, vote_codes, issues)
        entries = _skip_non_members(package, start.day, entries, opts, issues)
        quote = lambda e: text[e.start : e.end].rstrip("\r\n")  # noqa: E731 - the record
    if not entries and opts.remainder is None and not issues.errors:
        issues.add("empty-roll-call", "no state names found")
    if issues.errors:
        return _finish(start.result, issues)
    return conclude(package, start, opts, text, sections, entries, quote, join=False)


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _pick(fields: list[str], given: str | None, known: tuple[str, ...], what: str,
          issues: _Issues) -> str | None:  # fmt: skip
    """The field that holds `what`: the one given (exactly or but for case), else a known name."""
    folded = {f.casefold(): f for f in fields}
    if given is not None:
        if given in fields or given.casefold() in folded:
            return given if given in fields else folded[given.casefold()]
        issues.add(
            "no-such-column",
            f"no field {given!r} in the table (it has: {', '.join(fields)})",
            field=what,
            value=given,
        )
        return None
    for name in known:
        if name in folded:
            return folded[name]
    option = "--state-field" if what == "country_iso3" else "--vote-field"
    issues.add(
        "no-such-column",
        f"which field holds the {'state' if what == 'country_iso3' else 'vote'}? None of "
        f"{', '.join(fields)} is one of {', '.join(known)}",
        field=what,
        hint=f"Name it with {option}.",
    )
    return None


# --- csv / tsv -----------------------------------------------------------------------------------


def _csv_records(
    text: str, delimiter: str, state_field: str | None, vote_field: str | None, issues: _Issues
) -> list[Record]:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    first = 0
    while first < len(lines) and (not lines[first].strip() or lines[first].startswith("#")):
        first += 1
    reader = csv.reader(io.StringIO("".join(lines[first:]), newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return []
    header_end = reader.line_num
    fields = [h.strip() for h in header]
    state = _pick(fields, state_field, STATE_FIELDS, "country_iso3", issues)
    vote = _pick(fields, vote_field, VOTE_FIELDS, "vote", issues)
    if state is None or vote is None:
        return []
    si, vi = fields.index(state), fields.index(vote)
    out, before = [], header_end
    for cells in reader:
        a, b = first + before, first + reader.line_num  # the record's physical lines
        before = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if max(si, vi) >= len(cells):
            issues.add(
                "no-such-column",
                f"the record has {len(cells)} cells; {state!r} and {vote!r} are columns "
                f"{si + 1} and {vi + 1}",
                a + 1,
                value=lines[a].rstrip("\r\n")[:80],
            )
            continue
        out.append(Record(cells[si].strip(), cells[vi].strip(), starts[a], starts[b], a + 1))
    return out


# --- json ----------------------------------------------------------------------------------------


@dataclass
class Node:
    """A JSON value with its span: objects hold {name: (offset of the name, Node)}, arrays Nodes."""

    value: Any
    start: int
    end: int


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def parse_json(text: str, at: int = 0) -> Node:
    """The JSON value at `at`, with the span of every value (the text was checked by json.loads)."""
    i = _WS.match(text, at).end()  # type: ignore[union-attr]
    opening = text[i : i + 1]
    if opening not in ("{", "["):
        value, end = _DECODER.raw_decode(text, i)
        return Node(value, i, end)
    closing = "}" if opening == "{" else "]"
    members: dict[str, tuple[int, Node]] = {}
    items: list[Node] = []
    j = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    while text[j : j + 1] != closing:
        if opening == "{":
            key, after = _DECODER.raw_decode(text, j)
            colon = _WS.match(text, after).end()  # type: ignore[union-attr]
            node = parse_json(text, colon + 1)
            members[key] = (j, node)
        else:
            node = parse_json(text, j)
            items.append(node)
        j = _WS.match(text, node.end).end()  # type: ignore[union-attr]
        if text[j : j + 1] == ",":
            j = _WS.match(text, j + 1).end()  # type: ignore[union-attr]
    return Node(members if opening == "{" else items, i, j + 1)


def _records_in(node: Node) -> Iterator[tuple[int, Node]]:
    """(excerpt start, record) for each record of an array or object of objects."""
    if isinstance(node.value, list):
        yield from ((n.start, n) for n in node.value)
    else:
        yield from node.value.values()


def _is_records(node: Node) -> bool:
    """Whether `node` holds records: objects whose members include a name or value (a scalar)."""
    kids = list(_records_in(node)) if isinstance(node.value, (list, dict)) else []
    return bool(kids) and all(
        isinstance(n.value, dict)
        and any(not isinstance(c.value, (dict, list)) for _, c in n.value.values())
        for _, n in kids
    )


def _json_records(
    text: str, records: str | None, state_field: str | None, vote_field: str | None,
    issues: _Issues,
) -> list[Record]:  # fmt: skip
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        issues.add(
            "encoding-error",
            f"not JSON: {exc.msg} (column {exc.colno})",
            exc.lineno,
            hint="Save the table as JSON, or name its layout with --input-format.",
        )
        return []
    root = parse_json(text)
    node = root
    if records:
        for part in records.split("."):
            members = node.value if isinstance(node.value, dict) else {}
            if part not in members:
                issues.add(
                    "no-such-column",
                    f"--records {records!r}: no member {part!r} (there are: "
                    f"{', '.join(list(members)[:10]) or 'none'})",
                    field="records",
                    value=records,
                )
                return []
            node = members[part][1]
    elif not _is_records(root) and isinstance(root.value, dict):
        candidates = [k for k, (_, n) in root.value.items() if _is_records(n)]
        if len(candidates) != 1:
            issues.add(
                "no-such-column",
                "which member holds the records? "
                + (f"Several do: {', '.join(candidates)}" if candidates else "None does"),
                field="records",
                hint="Name it with --records (a dotted path of member names, e.g. vote).",
            )
            return []
        node = root.value[candidates[0]][1]
    if not _is_records(node):
        issues.add(
            "no-such-column",
            "the records are not objects (one per state, with its name and vote)",
            _line(text, node.start),
            field="records",
            hint="A table of lists per category is read with --input-format lists.",
        )
        return []
    found = list(_records_in(node))
    fields = list(found[0][1].value)
    state = _pick(fields, state_field, STATE_FIELDS, "country_iso3", issues)
    vote = _pick(fields, vote_field, VOTE_FIELDS, "vote", issues)
    if state is None or vote is None:
        return []
    out = []
    for at, record in found:
        cells = record.value
        if state not in cells or vote not in cells:
            issues.add(
                "no-such-column",
                f"a record without {state!r} or {vote!r}",
                _line(text, record.start),
                value=text[at : record.end][:80],
            )
            continue
        name, value = cells[state][1].value, cells[vote][1].value
        out.append(Record(str(name).strip(), str(value).strip(), at, record.end, _line(text, at)))
    return out


# --- lists ---------------------------------------------------------------------------------------

_LIST = re.compile(r"""(?P<key>"[^"\n]{1,60}"|[A-Za-z_][\w ]{0,59}?)\s*:\s*\[(?P<body>[^\]]*)\]""")
_NAME = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def _lists(text: str, issues: _Issues) -> tuple[list[Section], list[Entry]]:
    """One section per `key: [names]` whose key names a category; other keys are refused."""
    sections: list[Section] = []
    entries: list[Entry] = []
    words = VOCABULARIES["words"]
    for m in _LIST.finditer(text):
        key = m.group("key").strip('"').strip()
        category = words.get(key.casefold().replace("_", " "), "")
        if not category and key.casefold() in words:
            category = words[key.casefold()]
        if not category:
            issues.add(
                "unknown-heading",
                f"{key!r} is not a category (a list under it holds names)",
                _line(text, m.start()),
                "vote",
                key,
            )
            continue
        body_at = m.start("body")
        section = Section(category, key, m.start(), _line(text, m.start()), None, body_at)
        sections.append(section)
        for n in _NAME.finditer(m.group("body")):
            name = json.loads(n.group(0))
            s, e = body_at + n.start(), body_at + n.end()
            entries.append(Entry(re.sub(r"\s+", " ", name).strip(), s, e, _line(text, s), section))
    if not sections and not issues.errors:
        issues.add(
            "no-heading",
            "no list of names under a category key (approve, against, abstain, absent...)",
            hint='Write each category\'s names as a list: against: ["Belarus", "Eritrea"].',
        )
    return sections, entries


# --- votes ---------------------------------------------------------------------------------------


def _vocabulary(values: list[str], given: str) -> tuple[str, list[str]]:
    """(the vocabulary to read `values` with, the values it cannot read)."""
    folded = {v.casefold() for v in values}
    if given != "auto":
        return given, sorted(v for v in folded if v not in VOCABULARIES[given])
    misses = {n: sorted(v for v in folded if v not in voc) for n, voc in VOCABULARIES.items()}
    best = min(misses, key=lambda n: len(misses[n]))
    return best, misses[best]


def _categorise(
    found: list[Record], vote_codes: str, issues: _Issues
) -> tuple[list[Section], list[Entry]]:
    """One section per vote value as written; each record an entry under it."""
    name, misses = _vocabulary([r.vote for r in found], vote_codes)
    vocabulary = VOCABULARIES[name]
    if misses:
        for value in misses:
            r = next(r for r in found if r.vote.casefold() == value)
            issues.add(
                "unknown-vote",
                f"{r.name!r}: vote {r.vote!r} is not in the {name} vocabulary "
                f"({', '.join(sorted(vocabulary))})",
                r.line,
                "vote",
                r.vote,
            )
        return [], []
    sections: dict[str, Section] = {}
    entries = []
    for r in found:
        label = r.vote
        if label not in sections:
            sections[label] = Section(vocabulary[label.casefold()], label, -1, r.line, None)
        entries.append(Entry(r.name, r.start, r.end, r.line, sections[label]))
    return list(sections.values()), entries


def _skip_non_members(
    package: Package, day: Any, entries: list[Entry], opts: Options, issues: _Issues
) -> list[Entry]:
    """Drop the entries coded 'not a member' (Voeten's 9) whose state was no member on the date;
    one that was a member is an error: its vote is missing from the table."""
    coded = [e for e in entries if e.section.category == NOT_MEMBER]
    if not coded or day is None:
        return entries
    from toolkit.rollcall.statenames import StateNames

    states = state_actors(package)
    names = StateNames(states)
    members = un_members_on(package, day)
    for e in coded:
        code = opts.aliases.get(e.name) or (
            e.name if e.name in states else names.resolve(e.name).code
        )
        if code in members:
            issues.add(
                "unknown-vote",
                f"{e.name!r} ({code}) is coded {e.section.label!r}, not a member, but was a UN "
                f"member on {day.isoformat()}: its vote is missing from the table",
                e.line,
                "vote",
                e.section.label,
                "Check the table against the official record of the vote.",
            )
    return [e for e in entries if e.section.category != NOT_MEMBER]
