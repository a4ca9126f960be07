"""An excerpt looked for in a text: found verbatim, found once quotes, dashes or whitespace are
folded (and which), or not found (with the text's nearest passage).

Used for the texts the project holds (review) and for pages fetched from the web (verify-sources),
so that both say the same thing about the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.checks.excerpts import _FOLD, _NAMES, nearest

FOUND, FOLDED, NOT_FOUND = "found", "found-folded", "not-found"

QUOTES = "'\"‘’‚“”„"
DASHES = "-–—‑−"
KINDS = {"quotes": QUOTES, "dashes": DASHES}


@dataclass
class Match:
    status: str  # FOUND, FOLDED or NOT_FOUND
    passage: str = ""  # the text's words: where found, or the nearest passage
    folded: list[str] = field(default_factory=list)  # kinds folded: quotes, dashes, whitespace
    differences: list[str] = field(default_factory=list)  # "a curly apostrophe (’) where ..."

    @property
    def found(self) -> bool:
        return self.status != NOT_FOUND

    def describe(self) -> str:
        """One line: found, found after folding what (and how the text differs), or not found
        with the nearest passage."""
        if self.status == FOUND:
            return "found"
        if self.status == FOLDED:
            return f"found after folding {', '.join(self.folded)}: the text has " + "; ".join(
                self.differences
            )
        return f"not found; nearest passage: {self.passage!r}"


def _name(c: str) -> str:
    return _NAMES.get(c, repr(c))


def _pattern(excerpt: str) -> re.Pattern[str]:
    """The excerpt as a pattern in which any quote matches any quote, any dash any dash, and any
    run of whitespace (no-break spaces included) any other."""
    parts = []
    for token in re.split(r"(\s+)", excerpt.strip()):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
            continue
        for c in token:
            kind = next((chars for chars in KINDS.values() if c in chars), None)
            parts.append(f"[{re.escape(kind)}]" if kind else re.escape(c))
    return re.compile("".join(parts))


def _differences(excerpt: str, passage: str) -> tuple[list[str], list[str]]:
    kinds: list[str] = []
    pairs: list[tuple[str, str]] = []
    ex_tokens, pa_tokens = re.split(r"(\s+)", excerpt.strip()), re.split(r"(\s+)", passage)
    for a, b in zip(ex_tokens, pa_tokens, strict=False):
        if a == b:
            continue
        if a.isspace():
            kinds.append("whitespace")
            pairs.append((a, b))
            continue
        for x, y in zip(a, b, strict=False):
            if x != y:
                kinds.append(next(k for k, chars in KINDS.items() if x in chars))
                pairs.append((x, y))
    ordered: list[str] = [k for k in ("quotes", "dashes", "whitespace") if k in kinds]
    described = []
    for x, y in dict.fromkeys(pairs):
        if x.isspace():
            described.append(f"{_describe_space(y)} where the excerpt has {_describe_space(x)}")
        else:
            described.append(f"{_name(y)} where the excerpt has {_name(x)}")
    return ordered, list(dict.fromkeys(described))


def _describe_space(s: str) -> str:
    if "\u00a0" in s:
        return "a no-break space"
    if "\n" in s or "\r" in s:
        return "a line break"
    if set(s) == {" "}:
        return "a space" if len(s) == 1 else f"{len(s)} spaces"
    return repr(s)


def find_excerpt(excerpt: str, text: str) -> Match:
    """Where `excerpt` is in `text`: verbatim, after folding quotes/dashes/whitespace, or not."""
    if excerpt in text:
        return Match(FOUND, excerpt)
    excerpt = excerpt.strip()
    m = _pattern(excerpt).search(text)
    if m is not None:
        kinds, described = _differences(excerpt, m.group(0))
        return Match(FOLDED, m.group(0), kinds, described)
    folded_text, folded = text.translate(_FOLD), excerpt.translate(_FOLD)
    passage = " ".join(nearest(folded_text, folded, text).split()) if text else ""
    return Match(NOT_FOUND, passage)
