"""State names as the UN and the press write them -> ISO 3166-1 alpha-3 codes, through country_converter.

country_converter (coco) matches names with one maintained regular expression per country; on the
UN's official names ("Bolivia (Plurinational State of)", "Türkiye", "Netherlands (Kingdom of the)")
it was measured right on all of them, where pycountry's lookup missed several (see the project's
stack notes). A regular expression also accepts a typo or a fragment ("Guinea Bisau" matches
Guinea), so a match is only accepted when every word of the name is a word of one of the matched
state's known names (coco's and pycountry's): nothing is matched by similarity. A refused name gets
the closest known name of a member state as a suggestion, never as an answer.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

NOT_FOUND = "\x00not-found"  # coco's fill-in for names no regular expression matches
# No state's name comes near this length (the longest UN name is 52 characters): a longer name is
# refused before any regular expression reads it, so a pasted megabyte costs nothing.
MAX_NAME = 120


@dataclass(frozen=True)
class Match:
    """What a name resolves to: a code, or None with a reason and the closest known name."""

    code: str | None
    reason: str = ""
    suggestion: str = ""
    suggestion_code: str = ""


def words(name: str) -> list[str]:
    """The words of a name, without accents or case: 'Côte d’Ivoire' -> ['cote', 'd', 'ivoire']."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.findall(r"[a-z0-9]+", plain)


@cache
def _converter() -> Any:
    """coco's converter, built from its own data file read as text.

    country_converter 1.3.2 fails at construction under pandas 3 (its ISO2 column is read as a
    non-string dtype); handing it the same file with dtype=str avoids that. Its per-miss warnings
    are silenced: misses are read from the result instead.
    """
    import country_converter as coco
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    logging.getLogger("country_converter.country_converter").setLevel(logging.ERROR)
    data = pd.read_csv(
        COUNTRY_DATA_FILE,
        sep="\t",
        encoding="utf-8",
        keep_default_na=False,
        na_values=[""],
        dtype=str,
    )
    return coco.CountryConverter(country_data=data)


def _coco_names() -> dict[str, list[str]]:
    """{ISO3: [short name, official name]} from coco's data."""
    data = _converter().data
    names: dict[str, list[str]] = {}
    for code, short, official in zip(
        data["ISO3"], data["name_short"], data["name_official"], strict=True
    ):
        names.setdefault(str(code), []).extend(str(n) for n in (short, official) if n)
    return names


def _coco_regexes() -> dict[str, re.Pattern[str]]:
    """{ISO3: coco's regular expression}: the names it knows for a country beyond the official ones."""
    data = _converter().data
    return {
        str(code): re.compile(str(rx), re.IGNORECASE)
        for code, rx in zip(data["ISO3"], data["regex"], strict=True)
    }


def _pycountry_names(code: str) -> list[str]:
    import pycountry

    entry = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    if entry is None:
        return []
    return [
        getattr(entry, a) for a in ("name", "official_name", "common_name") if hasattr(entry, a)
    ]


class StateNames:
    """Resolves names to ISO 3166 alpha-3 codes; `states` ({code: name in actors}) adds the
    package's own names and is what exact matches and suggestions are drawn from."""

    def __init__(self, states: dict[str, str]) -> None:
        self.states = states
        self._coco = _coco_names()
        self._regex = _coco_regexes()
        self._known: dict[str, list[str]] = {}
        # Every known name of every state, for exact matches and for suggestions.
        self._exact: dict[tuple[str, ...], set[str]] = {}
        self._suggest: dict[str, tuple[str, str]] = {}
        self._word_owners: dict[str, set[str]] = {}
        for code in states:
            for n in self.names_of(code):
                self._exact.setdefault(tuple(words(n)), set()).add(code)
                self._suggest.setdefault(n.casefold(), (n, code))
                for w in words(n):
                    self._word_owners.setdefault(w, set()).add(code)

    def names_of(self, code: str) -> list[str]:
        """Every known name of a code: the package's, coco's and pycountry's."""
        if code not in self._known:
            own = [self.states[code]] if code in self.states else []
            self._known[code] = [*own, *self._coco.get(code, []), *_pycountry_names(code)]
        return self._known[code]

    def suggest(self, name: str) -> tuple[str, str]:
        """(closest known name of a state, its code), or ('', '') when nothing is close."""
        close = difflib.get_close_matches(name.casefold(), list(self._suggest), n=1, cutoff=0.6)
        return self._suggest[close[0]] if close else ("", "")

    def resolve(self, name: str) -> Match:
        """The code of `name`: a known name of exactly one state, word for word; else coco's single
        match, if every word of the name is in that country's names or its own regular expression
        (and in no other state's names). Otherwise None, with the reason and a suggestion."""
        if len(name) > MAX_NAME:
            return Match(
                None, f"is {len(name):,} characters long; no state's name is longer than {MAX_NAME}"
            )
        exact = self._exact.get(tuple(words(name)), set())
        if len(exact) == 1:
            return Match(next(iter(exact)))
        match = self._coco_match(name)
        if match.code is None and name.casefold().startswith("the "):
            # 'the Republic of Congo': coco's patterns expect the name without its article.
            retry = self._coco_match(name[4:])
            if retry.code is not None:
                return retry
        return match

    def _coco_match(self, name: str) -> Match:
        # One name in, a list of lists out: every code whose regular expression matched it.
        found = _converter().convert([name], to="ISO3", enforce_list=True, not_found=NOT_FOUND)[0]
        codes = sorted({str(c) for c in found if c != NOT_FOUND})
        if len(codes) != 1:
            reason = "matches no country" if not codes else "matches several countries"
            return Match(None, reason, *self.suggest(name))
        code = codes[0]
        known = {w for n in self.names_of(code) for w in words(n)}
        pattern = self._regex.get(code)
        stray = [w for w in words(name) if w not in known and not self._coco_word(w, code, pattern)]
        if stray:
            label = self.names_of(code)[0] if self.names_of(code) else code
            return Match(
                None,
                f"looks like {label} ({code}), but {', '.join(repr(w) for w in stray)} "
                "is in none of its names",
                *self.suggest(name),
            )
        return Match(code)

    def _coco_word(self, word: str, code: str, pattern: re.Pattern[str] | None) -> bool:
        """Whether coco's pattern for `code` knows `word` as a name of it ('turkey', 'swaziland',
        'cape'), and no other state's names hold the word ('czechoslovakia' is not Czechia)."""
        if pattern is None or self._word_owners.get(word, set()) - {code}:
            return False
        # The pattern's literal words, outside its look-aheads (which list what it must NOT match).
        positive = re.sub(r"\(\?<?[!=][^)]*\)", "", pattern.pattern).lower()
        return bool(pattern.search(word)) or word in re.findall(r"[a-z]{3,}", positive)
