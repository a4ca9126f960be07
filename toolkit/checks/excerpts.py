"""Excerpts against the texts of their sources: a row's `source_excerpt` must occur, verbatim, in
the text of the source it cites, where the project holds that text. An excerpt may leave words out
where it says so: " […] " between two verbatim passages that occur in that order (a list's heading
and a name far below it, when the whole passage is longer than an excerpt may be).

Texts are plain UTF-8 files named `<source_id>.txt` in a folder (by default `../shared/sources`
beside the package; `--sources DIR` names another). A source without a text there is not checked:
most sources are web pages the project does not keep.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.checks.report import Issue
from toolkit.checks.rules import CITATIONS
from toolkit.db.sql import q
from toolkit.package.tableschema import Package, Resource

if TYPE_CHECKING:
    import duckdb

# Characters a keyboard types in place of the typographic ones a published text uses. The
# replacement is one character for one, so a position in the folded text is one in the original.
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                       "–": "-", "—": "-", "‑": "-", "−": "-", "\u00a0": " "})  # fmt: skip
_NAMES = {
    "'": "a straight apostrophe or quote (')",
    '"': 'a straight double quote (")',
    "-": "a hyphen (-)",
    " ": "a space",
    "‘": "an opening curly quote (‘)",
    "’": "a curly apostrophe (’)",
    "“": "an opening curly double quote (“)",
    "”": "a closing curly double quote (”)",
    "–": "an en dash (–)",
    "—": "an em dash (—)",
    "\u00a0": "a no-break space",
}


SOURCE_ID = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")  # a slug: never a path


def source_text(sources: Path, source_id: str) -> Path | None:
    """The text file of `source_id` in the folder `sources`, or None: the id is data a branch can
    write, so it must be a slug, and the file a regular file in that very folder (a symbolic link
    leading elsewhere is not read)."""
    if not isinstance(source_id, str) or not SOURCE_ID.fullmatch(source_id):
        return None
    path = sources / f"{source_id}.txt"
    try:
        inside = path.resolve().parent == sources.resolve()
    except OSError:
        return None
    return path if inside and path.is_file() else None


ELISION = " […] "  # marks words of the source left out between two verbatim passages


def occurs(excerpt: str, text: str) -> bool:
    """Whether `excerpt` is in `text` verbatim: each passage between elision marks, in order."""
    at = 0
    for part in excerpt.split(ELISION):
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def default_sources(package: Package) -> Path:
    """`../shared/sources` beside the package's folder, from its absolute location: the package
    given as `.` (the default) must find the same texts as the package given by its full path."""
    return package.root.resolve().parent / "shared" / "sources"


def _name(c: str) -> str:
    return _NAMES.get(c, repr(c))


def nearest(folded_text: str, folded: str, text: str) -> str:
    """The passage of `text` most like the excerpt: around the longest run they share, the span
    between word boundaries whose words best match the excerpt's."""
    m = difflib.SequenceMatcher(None, folded_text, folded, autojunk=False).find_longest_match(
        0, len(folded_text), 0, len(folded)
    )
    n, guess = len(folded), m.a - m.b
    bounds = [i for i in range(len(text) + 1) if i in (0, len(text)) or text[i - 1].isspace()]
    starts = [i for i in bounds if guess - n // 3 <= i <= m.a]
    best, best_ratio = text[max(0, guess) : guess + n], -1.0
    # One matcher indexes the excerpt once; a span is compared in full only when difflib's
    # cheap upper bounds of its ratio could beat the best so far (the answer is the same).
    matcher = difflib.SequenceMatcher(None, "", folded)
    for start in starts or [max(0, guess)]:
        for end in (i for i in bounds if start + n * 2 // 3 <= i <= start + n * 4 // 3 + 1):
            matcher.set_seq1(folded_text[start:end])
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = text[start:end], ratio
    return best


def hint_for(excerpt: str, text: str) -> str:
    """How to make `excerpt` verbatim: the quote marks or dashes to change, else the nearest
    passage of the source."""
    folded_text, folded = text.translate(_FOLD), excerpt.translate(_FOLD)
    at = folded_text.find(folded)
    if at >= 0:
        passage = text[at : at + len(excerpt)]
        pairs = sorted({(a, b) for a, b in zip(excerpt, passage, strict=True) if a != b})
        changes = "; ".join(f"{_name(b)} where the excerpt has {_name(a)}" for a, b in pairs)
        return f"The source writes {changes}: copy its characters exactly: {passage!r}."
    passage = " ".join(nearest(folded_text, folded, text).split())
    return (
        f"Copy the words from the source, verbatim; its nearest passage reads: {passage!r}. "
        "Mind straight vs curly quotes and apostrophes (' vs ’) and dashes (- vs –)."
    )


def _texts(sources: Path) -> dict[str, Path]:
    """The source texts the folder may hold, by source id (only ids `source_text` accepts): the
    names alone; source_text checks each file when a row cites it."""
    try:
        names = sorted(sources.glob("*.txt")) if sources.is_dir() else []
    except OSError:
        return {}
    return {path.stem: path for path in names if SOURCE_ID.fullmatch(path.stem)}


def excerpt_issues(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[Resource, str]],
    origin: str,
    sources: Path,
) -> list[Issue]:
    """An `excerpt-not-in-source` error for each excerpt of the rows of `origin` that does not occur
    in its source's text (sources with no text in `sources` are skipped).

    The work is set-based, proportional to the distinct (source, excerpt) pairs that cite a text
    the project holds and to the findings, never to the rows: the pairs are compared with the texts
    in SQL; only a pair SQL does not find whole (an excerpt with elisions, or a misquote) comes back
    to Python, and only the rows holding a pair that is not found are read, with their lines.
    """
    available = _texts(sources)
    wanted = [
        (resource, label, f"{prefix}source_id", f"{prefix}source_excerpt")
        for resource, label in targets
        for prefix in CITATIONS
        if f"{prefix}source_id" in resource.field_names
        and f"{prefix}source_excerpt" in resource.field_names
    ]
    if not available or not wanted:
        return []
    texts: dict[str, str] = {}
    cur = con.cursor()  # the temporary tables below are this cursor's own
    try:
        cur.execute("CREATE OR REPLACE TEMP TABLE __source_texts (source_id VARCHAR, text VARCHAR)")
        cur.execute("CREATE OR REPLACE TEMP TABLE __missing (s VARCHAR, e VARCHAR)")
        issues = []
        for resource, label, sid, ex in wanted:
            # One pass over the rows: the distinct pairs citing a text the project holds.
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE __pairs AS SELECT DISTINCT {q(sid)} AS s, "
                f"{q(ex)} AS e FROM {q(resource.name)} WHERE __origin = $o "
                f"AND {q(ex)} IS NOT NULL AND {q(sid)} IN (SELECT unnest($ids::VARCHAR[]))",
                {"o": origin, "ids": list(available)},
            )
            cited = [s for (s,) in cur.execute("SELECT DISTINCT s FROM __pairs").fetchall()]
            read = {}
            for s in sorted(set(cited) - set(texts)):
                kept = source_text(sources, s)  # checked only now, for the texts cited
                if kept is not None:
                    read[s] = texts[s] = kept.read_text(encoding="utf-8")
            if read:  # one statement for all the texts: a statement each costs more than reading
                cur.execute(
                    "INSERT INTO __source_texts SELECT unnest($s), unnest($t)",
                    {"s": list(read), "t": list(read.values())},
                )
            if not cited:
                continue
            unsure = cur.execute(
                "SELECT p.s, p.e FROM __pairs p JOIN __source_texts t ON t.source_id = p.s "
                "WHERE NOT contains(t.text, p.e)"
            ).fetchall()
            missing = [(s, e) for s, e in unsure if not occurs(e, texts[s])]
            if not missing:
                continue
            cur.execute("DELETE FROM __missing")
            cur.executemany("INSERT INTO __missing VALUES (?, ?)", missing)
            rows = cur.execute(
                f"SELECT r.__line, r.{q(sid)}, r.{q(ex)} FROM {q(resource.name)} r "
                f"JOIN __missing m ON r.{q(sid)} = m.s AND r.{q(ex)} = m.e "
                "WHERE r.__origin = $o ORDER BY r.__line",
                {"o": origin},
            ).fetchall()
            hints: dict[tuple[str, str], str] = {}  # one hint per distinct pair
            for line, source_id, excerpt in rows:
                if (source_id, excerpt) not in hints:
                    hints[source_id, excerpt] = hint_for(excerpt, texts[source_id])
                issues.append(
                    Issue.at(
                        "excerpt-not-in-source",
                        label,
                        line,
                        f"{ex} {excerpt[:80] + ('...' if len(excerpt) > 80 else '')!r} does not "
                        f"occur in the text of {source_id}",
                        resource=resource.name,
                        field=ex,
                        value=excerpt,
                        hint=hints[source_id, excerpt],
                    )
                )
        return issues
    finally:
        cur.close()
