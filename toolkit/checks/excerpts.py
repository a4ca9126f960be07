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


def excerpt_issues(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[Resource, str]],
    origin: str,
    sources: Path,
) -> list[Issue]:
    """An `excerpt-not-in-source` error for each excerpt of the rows of `origin` that does not occur
    in its source's text (sources with no text in `sources` are skipped)."""
    texts: dict[str, str | None] = {}

    def text_of(source_id: str) -> str | None:
        if source_id not in texts:
            path = source_text(sources, source_id)
            texts[source_id] = path.read_text(encoding="utf-8") if path is not None else None
        return texts[source_id]

    issues = []
    for resource, label in targets:
        for prefix in CITATIONS:
            sid, ex = f"{prefix}source_id", f"{prefix}source_excerpt"
            if sid not in resource.field_names or ex not in resource.field_names:
                continue
            rows = con.execute(
                f"SELECT __line, {q(sid)}, {q(ex)} FROM {q(resource.name)} WHERE __origin = $o "
                f"AND {q(sid)} IS NOT NULL AND {q(ex)} IS NOT NULL ORDER BY __line",
                {"o": origin},
            ).fetchall()
            for line, source_id, excerpt in rows:
                text = text_of(source_id)
                if text is None or occurs(excerpt, text):
                    continue
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
                        hint=hint_for(excerpt, text),
                    )
                )
    return issues
