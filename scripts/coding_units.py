"""Write the units to code (coding/units/) or a snapshot of the data's coding (coding/first/).

    python scripts/coding_units.py units    # coding/units/<unit>.csv and coding/units/sources.csv
    python scripts/coding_units.py first    # coding/first/<unit>.csv: the coded columns of data/
    python scripts/coding_units.py readme   # the table of coded columns in coding/README.md

Both read coding/fields.json, the one list of coded units and columns. `units` adds the units of
rows added since and keeps every unit already listed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from toolkit.coding.fields import FIELDS_FILE, load_fields
from toolkit.coding.units import coding_from_data, units, write_csv

ROOT = Path(__file__).resolve().parent.parent


def main(what: str) -> None:
    spec = load_fields(ROOT / FIELDS_FILE)
    if what == "units":
        made = units(ROOT, spec)
        cited: set[str] = set()
        for name, (header, rows) in made.items():
            path = ROOT / "coding" / "units" / f"{name}.csv"
            rows = keep_listed(path, spec[name].key, rows)
            write_csv(path, header, rows)
            for r in rows:
                cited |= {
                    s for c in ("source_id", "other_source_ids") for s in r[c].split(";") if s
                }
        for name in made:  # the sources of the units kept as listed, too
            with (ROOT / "coding" / "units" / f"{name}.csv").open(encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    cited |= {
                        s for c in ("source_id", "other_source_ids") for s in r[c].split(";") if s
                    }
        with (ROOT / "data" / "sources.csv").open(encoding="utf-8", newline="") as f:
            srcs = [r for r in csv.DictReader(f) if r["source_id"] in cited]
        cols = ["source_id", "title", "publisher", "published", "url"]
        write_csv(
            ROOT / "coding" / "units" / "sources.csv", cols, [{c: r[c] for c in cols} for r in srcs]
        )
    elif what == "first":
        for name, (header, rows) in coding_from_data(ROOT, spec).items():
            write_csv(ROOT / "coding" / "first" / f"{name}.csv", header, rows)
    elif what == "readme":
        path = ROOT / "coding" / "README.md"
        text = path.read_text(encoding="utf-8")
        start = text.index("<!-- fields:start")
        start = text.index("\n", start) + 1
        end = text.index("<!-- fields:end -->")
        path.write_text(text[:start] + fields_table(spec) + text[end:], encoding="utf-8")
    else:
        raise SystemExit("usage: python scripts/coding_units.py units|first|readme")


def keep_listed(path: Path, key: tuple[str, ...], rows: list[dict]) -> list[dict]:
    """Every unit the file already lists, as listed (a unit once given to the coders stays, with
    the sources it was given, even if its row was corrected or removed since), plus the units of
    rows added to data/ since."""
    if not path.is_file():
        return rows
    with path.open(encoding="utf-8", newline="") as f:
        old = list(csv.DictReader(f))
    have = {tuple(r[k] for k in key) for r in old}
    new = [r for r in rows if tuple(r[k] for k in key) not in have]
    return sorted(old + new, key=lambda r: tuple(r[k] for k in key))


def fields_table(spec) -> str:
    """The coded columns per unit, as a Markdown table."""
    lines = [
        "| unit | key | coded columns (kind; * = with __source and __excerpt) |",
        "|---|---|---|",
    ]
    for name, unit in spec.items():
        cols = ", ".join(f"`{f.name}` ({f.kind}{'*' if f.excerpt else ''})" for f in unit.fields)
        lines.append(f"| `{name}` | {', '.join(f'`{k}`' for k in unit.key)} | {cols} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
