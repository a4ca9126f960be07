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
import os
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
    return package.root.parent / "shared" / "sources"


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
    for start in starts or [max(0, guess)]:
        for end in (i for i in bounds if start + n * 2 // 3 <= i <= start + n * 4 // 3 + 1):
            ratio = difflib.SequenceMatcher(None, folded_text[start:end], folded).ratio()
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
    """source_id -> its text file, for every `<source_id>.txt` in `sources` (one listing, however
    many rows cite sources)."""
    try:
        names = [entry.name for entry in os.scandir(sources)]
    except OSError:  # no such folder (or unreadable): no source has a text
        return {}
    return {
        name[: -len(".txt")]: sources / name
        for name in names
        if name.endswith(".txt") and (sources / name).is_file()
    }


def excerpt_issues(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[Resource, str]],
    origin: str,
    sources: Path,
) -> list[Issue]:
    """An `excerpt-not-in-source` error for each excerpt of the rows of `origin` that does not occur
    in its source's text (sources with no text in `sources` are skipped).

    The work is set-based: only rows citing a source with a text are read, each distinct
    (source, excerpt) pair is compared once, in SQL, and only the rows holding a pair that is not
    found come back to Python, with their lines. A million votes citing web pages cost one scan.
    """
    available = _texts(sources)
    if not available:
        return []
    wanted: list[tuple[Resource, str, str, str]] = []
    for resource, label in targets:
        for prefix in CITATIONS:
            sid, ex = f"{prefix}source_id", f"{prefix}source_excerpt"
            if sid in resource.field_names and ex in resource.field_names:
                wanted.append((resource, label, sid, ex))
    if not wanted:
        return []
    cur = con.cursor()  # the scratch tables are this cursor's own
    try:
        # One scan per citing column: the rows citing a source whose text is kept.
        for k, (resource, _, sid, ex) in enumerate(wanted):
            cur.execute(
                f"CREATE TEMP TABLE __cites_{k} AS SELECT __line, {q(sid)} AS s, {q(ex)} AS e "
                f"FROM {q(resource.name)} WHERE __origin = $o AND {q(ex)} IS NOT NULL "
                f"AND {q(sid)} IN (SELECT unnest($ids::VARCHAR[]))",
                {"o": origin, "ids": list(available)},
            )
        cited = sorted(
            {
                s
                for k in range(len(wanted))
                for (s,) in cur.execute(f"SELECT DISTINCT s FROM __cites_{k}").fetchall()
            }
        )
        if not cited:
            return []
        texts = {sid: available[sid].read_text(encoding="utf-8") for sid in cited}
        cur.execute("CREATE TEMP TABLE __source_texts (source_id VARCHAR, text VARCHAR)")
        cur.executemany("INSERT INTO __source_texts VALUES (?, ?)", list(texts.items()))
        issues = []
        for k, (resource, label, _, ex) in enumerate(wanted):
            # The pairs not found in one piece; an excerpt with elisions may still occur, each of
            # its passages in order (`occurs`): those few are judged in Python.
            unfound = cur.execute(
                f"SELECT p.s, p.e FROM (SELECT DISTINCT s, e FROM __cites_{k}) p "
                "JOIN __source_texts t ON t.source_id = p.s WHERE NOT contains(t.text, p.e)"
            ).fetchall()
            missing = [(s, e) for s, e in unfound if not occurs(e, texts[s])]
            if not missing:
                continue
            cur.execute(f"CREATE TEMP TABLE __missing_{k} (s VARCHAR, e VARCHAR)")
            cur.executemany(f"INSERT INTO __missing_{k} VALUES (?, ?)", missing)
            rows = cur.execute(
                f"SELECT c.__line, c.s, c.e FROM __cites_{k} c JOIN __missing_{k} m "
                "ON c.s = m.s AND c.e = m.e ORDER BY c.__line"
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
