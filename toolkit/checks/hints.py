"""Hints that tell a contributor how to fix a bad cell, with the corrected value where one is clear."""

from __future__ import annotations

import difflib
import re
from datetime import datetime

from toolkit.checks.report import quoted
from toolkit.errors import CATALOGUE
from toolkit.package.tableschema import Field

# Formats seen in spreadsheets, tried in order to suggest the ISO 8601 form of a date.
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


def iso_candidates(value: str) -> list[str]:
    """ISO dates that `value` may mean, most likely first (day/month before month/day)."""
    found: list[str] = []
    for fmt in _DATE_FORMATS:
        try:
            iso = datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
        if iso not in found:
            found.append(iso)
    return found


def suggest_enum(value: str, allowed: tuple[str, ...]) -> str | None:
    norm = value.strip().lower().replace(" ", "_").replace("-", "_")
    for a in allowed:
        if a.lower().replace("-", "_") == norm:
            return a
    close = difflib.get_close_matches(value.strip().lower(), list(allowed), n=1, cutoff=0.7)
    return close[0] if close else None


SLUG = "[a-z0-9]+(-[a-z0-9]+)*"
_LIST = re.compile(r"\^\(([^()]*)\)\((.)\(\1\)\)\*\$")  # ^(a|b)(;(a|b))*$
_SEPARATORS = {";": "semicolon", ",": "comma", "|": "vertical-bar"}


def delimited_list(pattern: str | None) -> tuple[str, list[str]] | None:
    """(separator, allowed values) of a pattern that says 'a list of these values', else None."""
    m = _LIST.fullmatch(pattern or "")
    if m is None or not re.fullmatch(r"[a-z0-9_|-]+", m.group(1)):
        return None
    return m.group(2), m.group(1).split("|")


def slug(value: str) -> str:
    """Lowercase letters and digits joined by single hyphens: 'Emily Ferris' -> 'emily-ferris',
    A/RES/ES-11/1 -> a-res-es-11-1; a slug stays as it is. The id a name suggests, and the file or
    anchor name of a key on the site (site/data.py)."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def pattern_words(pattern: str | None) -> str:
    """A pattern as a reader can follow it: the list or slug it describes, else the pattern
    itself when it is short."""
    listed = delimited_list(pattern)
    if listed:
        sep, values = listed
        name = _SEPARATORS.get(sep, repr(sep))
        return f"{name}-separated values from: {', '.join(values)}, no spaces ({sep!r} between)"
    if pattern in (f"^{SLUG}$", f"^({SLUG})$"):
        return "a lowercase slug: letters, digits and single hyphens (e.g. emily-ferris)"
    if pattern == f"^([A-Z]{{3}}|{SLUG})$":
        return "a state's ISO 3166-1 alpha-3 code (BLR) or a lowercase slug (emily-ferris)"
    if pattern and len(pattern) <= 80:
        return f"the pattern {pattern}"
    return "the column's pattern (see the codebook)"


def _list_hint(value: str, sep: str, allowed: list[str]) -> str:
    items = value.split(sep)
    stripped = [i.strip() for i in items]
    fixed = sep.join(stripped)
    if all(i in allowed for i in stripped):
        return f"Remove the spaces: {fixed!r}."
    wrong = [i for i in stripped if i not in allowed]
    said = []
    for w in wrong:
        close = difflib.get_close_matches(w.lower(), allowed, n=1, cutoff=0.6)
        said.append(f"{w!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (
        f"Not allowed: {', '.join(said)}. Write values from the list, separated by {sep!r} "
        "with no spaces."
    )


def hint_for(code: str, f: Field, value: str | None) -> str:
    """A fix for a bad cell: the corrected value where it is clear, else the rule to follow."""
    v = value or ""
    if code == "type-error" and f.type == "date":
        if v.startswith("0000-"):
            return "There is no year 0000 (the official validator refuses it too); check the year."
        options = iso_candidates(v)
        if options:
            return (
                "Write dates in ISO 8601 (YYYY-MM-DD): "
                + " or ".join(repr(o) for o in options)
                + "."
            )
        return "Write dates in ISO 8601 (YYYY-MM-DD), e.g. 2022-05-16. For a vaguer date, set date_precision."
    if code == "type-error" and f.type == "integer":
        if re.fullmatch(r"\s*[+-]?[0-9]+(\.0+)?\s*", v):
            whole = int(v.strip().split(".")[0])
            if not -(2**63) <= whole < 2**63:
                return (
                    "The number is beyond the 64-bit range the toolkit's typed tables hold "
                    f"({-(2**63):,} to {2**63 - 1:,}); no count or year comes near it: check it."
                )
            return f"Write a whole number without spaces or decimals: {str(whole)!r}."
        return "Write a whole number, digits only."
    if code == "type-error" and f.type == "boolean":
        return (
            f"Write {f.true_values[0]!r} or {f.false_values[0]!r} (lower case), or leave it empty."
        )
    if code == "enum-error" and f.enum is not None:
        best = suggest_enum(v, f.enum)
        if best:
            return (
                f"Did you mean {best!r}? Values are case-sensitive and take no spaces around them."
            )
        return f"Allowed values: {', '.join(f.enum)}."
    if code == "pattern-error":
        cleaned = v.strip()
        if f.pattern and re.fullmatch(f.pattern, cleaned):
            return f"Remove the spaces around it: {quoted(cleaned)}."
        if f.pattern and re.fullmatch(f.pattern, cleaned.lower()):
            return f"Write it in lower case: {quoted(cleaned.lower())}."
        if f.pattern and re.fullmatch(f.pattern, cleaned.upper()):
            return f"Write it in upper case: {quoted(cleaned.upper())}."
        listed = delimited_list(f.pattern)
        if listed:
            return _list_hint(v, *listed)
        if f.pattern and slug(v) and re.fullmatch(f.pattern, slug(v)):
            return f"Ids are slugs: write {quoted(slug(v))}."
        return f"The value must be {pattern_words(f.pattern)}; example: {f.example!r}."
    if code == "required":
        return f"Fill in {f.name}: {f.description}"
    return CATALOGUE[code].hint
