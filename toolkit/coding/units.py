"""The units to code and a coding taken from the package's data, both as plain rows.

`units(...)` lists, per kind of unit, the keys and the pointers to the sources a coder reads (never
a coded value, an excerpt or a summary); `coding_from_data(...)` takes the coded columns of the
package's rows as they stand (the first coding). Both return rows; writing them is the caller's.
The tables are small (about a hundred rows), so they are read with the csv module.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from toolkit.coding.fields import Unit


def _read(package: Path, resource: str) -> list[dict[str, str]]:
    with (Path(package) / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _rows(package: Path, unit: Unit) -> list[dict[str, str]]:
    rows = _read(package, unit.resource)
    if unit.key_pattern:  # actors: only those that are not states
        rows = [r for r in rows if re.fullmatch(unit.key_pattern, r[unit.key[0]])]
    return rows


def _grouped(rows: list[dict[str, str]], unit: Unit) -> dict[tuple[str, ...], list[dict[str, str]]]:
    """Rows by unit key: one row each, except where the key is coarser than the primary key
    (a participant's roles at one meeting)."""
    out: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in unit.key), []).append(r)
    return dict(sorted(out.items()))


def _join(values: list[str]) -> str:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return ";".join(seen)


UNIT_SOURCE_COLUMNS = [
    "source_id",
    "source_title",
    "source_url",
    "other_source_ids",
    "other_source_urls",
]


def units(
    package: Path, spec: dict[str, Unit]
) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Per kind of unit: (header, rows) listing the keys, the pointers a unit needs to be found
    (a piece of evidence's claim and resolution) and the sources to read."""
    sources = {r["source_id"]: r for r in _read(package, "sources")}
    out = {}
    for name, unit in spec.items():
        header = list(unit.key) + list(unit.pointers) + UNIT_SOURCE_COLUMNS
        rows = []
        for key, group in _grouped(_rows(package, unit), unit).items():
            main = _join([r["source_id"] for r in group])
            other = _join([r.get(c, "") for r in group for c in unit.other_sources])
            other = _join([s for s in other.split(";") if s and s not in main.split(";")])
            row = dict(zip(unit.key, key, strict=True))
            for p in unit.pointers:
                row[p] = group[0].get(p, "")
            row |= {
                "source_id": main,
                "source_title": " | ".join(sources[s]["title"] for s in main.split(";") if s),
                "source_url": " ".join(sources[s]["url"] for s in main.split(";") if s),
                "other_source_ids": other,
                "other_source_urls": " ".join(sources[s]["url"] for s in other.split(";") if s),
            }
            rows.append(row)
        have = {tuple(r[k] for k in unit.key) for r in rows}
        for plan in unit.planned:  # units found missing, whose rows are not in data/ yet
            if tuple(plan[k] for k in unit.key) not in have:
                src = sources[plan["source_id"]]
                rows.append(
                    {k: plan.get(k, "") for k in unit.key + unit.pointers}
                    | {
                        "source_id": src["source_id"],
                        "source_title": src["title"],
                        "source_url": src["url"],
                        "other_source_ids": "",
                        "other_source_urls": "",
                    }
                )
        rows.sort(key=lambda r: tuple(r[k] for k in unit.key))
        out[name] = (header, rows)
    return out


def coding_from_data(
    package: Path, spec: dict[str, Unit]
) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Per kind of unit: (header, rows) of the key and the coded columns of the package's data."""
    out = {}
    for name, unit in spec.items():
        header = list(unit.key) + unit.coded
        rows = []
        for key, group in _grouped(_rows(package, unit), unit).items():
            row = dict(zip(unit.key, key, strict=True))
            for f in unit.fields:
                if len(group) == 1:
                    row[f.name] = group[0].get(f.name, "")
                else:  # several rows for one unit: a set of their values
                    row[f.name] = f.separator.join(sorted({r[f.name] for r in group if r[f.name]}))
            rows.append(row)
        out[name] = (header, rows)
    return out


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
