"""How far two codings of the same units agree, per coded field.

A coding is a folder of CSV files, one per kind of unit (`<unit>.csv`: the unit's key columns and its
coded columns, as `coding/fields.json` lists them; other columns are ignored). For each coded field,
over the units both codings hold: the number of units, the percent on which the two values are the
same, and Krippendorff's alpha (the `krippendorff` package): nominal for single values, with the
MASI distance (Passonneau 2006) for sets of values such as `topics`. An empty cell is a value ("the
source does not say"), so empty against a value is a disagreement. Every disagreement is listed by
key.

`agreement(...)` returns an `Agreement`; a coding file that cannot be read as a coding (not UTF-8, a
missing key or coded column, a repeated or empty key, a malformed date) is reported in `issues`,
with the codes of the one catalogue, and nothing is measured.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.checks.report import Issue, quoted
from toolkit.coding.fields import CodedField, Unit
from toolkit.errors import UsageError

THRESHOLD = 0.8  # alpha below this: the field is not reliably coded (Krippendorff's own guide)
MASI_SUBSET = 0.67  # MASI's weight when one set holds the other (as NLTK's masi_distance)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


@dataclass
class FieldAgreement:
    unit: str
    field: str
    kind: str
    units: int
    agreed: int
    percent: float | None
    alpha: float | None
    note: str = ""

    @property
    def below_threshold(self) -> bool:
        return self.alpha is not None and self.alpha < THRESHOLD


@dataclass
class Disagreement:
    unit: str
    key: dict[str, str]
    field: str
    first: str
    second: str


@dataclass
class Agreement:
    fields: list[FieldAgreement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    only_first: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    only_second: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    not_compared: dict[str, str] = field(default_factory=dict)  # unit -> why
    issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": THRESHOLD,
            "fields": [asdict(f) | {"below_threshold": f.below_threshold} for f in self.fields],
            "disagreements": [asdict(d) for d in self.disagreements],
            "only_first": self.only_first,
            "only_second": self.only_second,
            "not_compared": self.not_compared,
        }


# -- values -------------------------------------------------------------------------------------


def normalise(f: CodedField, value: str) -> str:
    """The value as compared: sets sorted and without blanks, text with typographic quotes, dashes
    and runs of white space folded, every value stripped."""
    value = unicodedata.normalize("NFC", value).strip()
    if f.kind == "set":
        return f.separator.join(sorted({v.strip() for v in value.split(f.separator) if v.strip()}))
    if f.kind == "text":
        return " ".join(value.translate(_FOLD).split())
    return value


def masi_distance(a: str, b: str, separator: str = ";") -> float:
    """1 - Jaccard x M, where M is 1 for equal sets, 0.67 when one holds the other, 0.33 when they
    overlap otherwise and 0 when they are disjoint. Two empty sets are equal."""
    sa = {v for v in a.split(separator) if v}
    sb = {v for v in b.split(separator) if v}
    if sa == sb:
        return 0.0
    union = len(sa | sb)
    jaccard = len(sa & sb) / union
    if sa <= sb or sb <= sa:
        m = MASI_SUBSET
    elif sa & sb:
        m = 0.33
    else:
        m = 0.0
    return 1.0 - jaccard * m


def alpha(pairs: list[tuple[str, str]], kind: str, separator: str = ";") -> float | None:
    """Krippendorff's alpha of two coders' values on the units (one pair per unit); None when it is
    undefined (no unit, or a single value throughout: no variation to agree on)."""
    import krippendorff
    import numpy as np

    domain = sorted({v for pair in pairs for v in pair})
    if not pairs or len(domain) < 2:
        return None
    index = {v: i for i, v in enumerate(domain)}
    counts = np.zeros((len(pairs), len(domain)), dtype=int)
    for row, (a, b) in enumerate(pairs):  # about a hundred units: no large table goes through here
        counts[row, index[a]] += 1
        counts[row, index[b]] += 1
    if kind == "set":
        d = np.array([[masi_distance(x, y, separator) for y in domain] for x in domain])

        def metric(v1, v2, i1, i2, n_v, dtype=np.float64):  # noqa: ANN001 - krippendorff's protocol
            return d[i1, i2].astype(dtype)

        level: Any = metric
    else:
        level = "nominal"
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(
            krippendorff.alpha(
                value_counts=counts,
                value_domain=list(range(len(domain))),
                level_of_measurement=level,
            )
        )
    return None if np.isnan(value) else value


# -- reading a coding ----------------------------------------------------------------------------


def _read_coding(
    path: Path, unit: Unit, issues: list[Issue]
) -> dict[tuple[str, ...], dict[str, str]] | None:
    """The coding's rows by key, or None (with issues) when the file cannot be read as a coding."""
    name = str(path)
    before = len(issues)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        issues.append(
            Issue.at(
                "encoding-error", name, None, f"byte {e.start} is not UTF-8", resource=unit.name
            )
        )
        return None
    except OSError as e:
        issues.append(Issue.at("file-not-found", name, None, str(e), resource=unit.name))
        return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(c.strip() for c in rows[0]):
        issues.append(Issue.at("empty-file", name, None, "no header row", resource=unit.name))
        return None
    header = [h.strip() for h in rows[0]]
    expected = list(unit.key) + unit.coded
    for col in expected:
        if col not in header:
            issues.append(
                Issue.at(
                    "missing-header",
                    name,
                    1,
                    f"no column {col!r}",
                    resource=unit.name,
                    field=col,
                    hint=f"A coding of {unit.name} has the columns {', '.join(expected)} "
                    "(coding/fields.json); other columns are ignored.",
                )
            )
    if len(issues) > before:
        return None
    where = {h: i for i, h in enumerate(header)}
    coded: dict[tuple[str, ...], dict[str, str]] = {}
    first_line: dict[tuple[str, ...], int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line is no unit
        if len(cells) != len(header):
            code = "extra-cell" if len(cells) > len(header) else "missing-cell"
            issues.append(
                Issue.at(
                    code,
                    name,
                    line,
                    f"{len(cells)} cells where the header has {len(header)}",
                    resource=unit.name,
                )
            )
            continue
        row = {col: cells[where[col]] for col in expected}
        key = tuple(row[k].strip() for k in unit.key)
        for k, v in zip(unit.key, key, strict=True):
            if not v:
                issues.append(
                    Issue.at(
                        "required",
                        name,
                        line,
                        f"{k} is empty",
                        resource=unit.name,
                        field=k,
                        hint=f"Every unit is named by its key ({', '.join(unit.key)}), as in "
                        f"coding/units/{unit.name}.csv.",
                    )
                )
        if key in first_line:
            issues.append(
                Issue.at(
                    "primary-key",
                    name,
                    line,
                    f"the unit {', '.join(key)} is coded again (first at line {first_line[key]})",
                    resource=unit.name,
                    field=unit.key[0],
                    value=", ".join(key),
                    hint="A unit is coded once: keep one row (for a set of values, one cell "
                    "with the values separated by ';').",
                )
            )
            continue
        first_line[key] = line
        for f in unit.fields:
            value = row[f.name].strip()
            if f.kind == "date" and value and not _DATE.fullmatch(value):
                issues.append(
                    Issue.at(
                        "type-error",
                        name,
                        line,
                        f"{f.name} must be a date as YYYY-MM-DD or empty, not {quoted(value)}",
                        resource=unit.name,
                        field=f.name,
                        value=value,
                        hint="Write dates in ISO 8601 (YYYY-MM-DD); leave the cell empty when "
                        "the source gives no date.",
                    )
                )
        coded[key] = {f.name: normalise(f, row[f.name]) for f in unit.fields}
    return None if len(issues) > before else coded


def _folder(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"{what} {str(path)!r} is not a folder of coding files (<unit>.csv)")
    return path


# -- agreement -----------------------------------------------------------------------------------


def agreement(first: Path, second: Path, spec: dict[str, Unit]) -> Agreement:
    """Compare the codings in the folders `first` and `second`, unit by unit, as `spec` lists them."""
    first, second = _folder(first, "FIRST"), _folder(second, "SECOND")
    result = Agreement()
    pairs_of_files = []
    for name, unit in spec.items():
        a, b = first / f"{name}.csv", second / f"{name}.csv"
        missing = [w for w, p in (("FIRST", a), ("SECOND", b)) if not p.is_file()]
        if missing:
            result.not_compared[name] = f"no {name}.csv in {' and '.join(missing)}"
            continue
        pairs_of_files.append((name, unit, a, b))
    if not pairs_of_files:
        raise UsageError(
            f"no kind of unit is coded in both {str(first)!r} and {str(second)!r}: each needs "
            f"<unit>.csv files for the units of coding/fields.json ({', '.join(spec)})"
        )
    for name, unit, a, b in pairs_of_files:
        ca, cb = _read_coding(a, unit, result.issues), _read_coding(b, unit, result.issues)
        if ca is None or cb is None:
            continue
        keys = [k for k in ca if k in cb]
        keys.sort()

        def as_key(k: tuple[str, ...], unit: Unit = unit) -> dict[str, str]:
            return dict(zip(unit.key, k, strict=True))

        if only := sorted(k for k in ca if k not in cb):
            result.only_first[name] = [as_key(k) for k in only]
        if only := sorted(k for k in cb if k not in ca):
            result.only_second[name] = [as_key(k) for k in only]
        for f in unit.fields:
            pairs = [(ca[k][f.name], cb[k][f.name]) for k in keys]
            agreed = sum(1 for x, y in pairs if x == y)
            value = alpha(pairs, f.kind, f.separator)
            note = ""
            if not pairs:
                note = "no unit in both codings"
            elif value is None:
                note = "one value throughout: alpha is undefined"
            result.fields.append(
                FieldAgreement(
                    unit=name,
                    field=f.name,
                    kind=f.kind,
                    units=len(pairs),
                    agreed=agreed,
                    percent=round(100 * agreed / len(pairs), 1) if pairs else None,
                    alpha=round(value, 3) if value is not None else None,
                    note=note,
                )
            )
            for k, (x, y) in zip(keys, pairs, strict=True):
                if x != y:
                    result.disagreements.append(Disagreement(name, as_key(k), f.name, x, y))
    if result.issues:
        return Agreement(issues=result.issues)
    return result
