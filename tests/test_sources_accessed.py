"""Sources say when they were read: `accessed` for every source with a url, `archive_url` http(s)."""

from __future__ import annotations

import csv

from helpers import codes, edit, report


def test_a_source_with_a_url_needs_the_day_it_was_read(check_json):
    result = check_json("source_without_accessed.csv", "sources")
    assert result.exit_code == 1
    errors = report(result)["errors"]
    assert [(e["code"], e["row"], e["field"]) for e in errors] == [
        ("pattern-error", 3, "archive_url"),
        ("accessed-required", 2, "accessed"),
    ]
    assert "a-page-read-on-no-day has a url but no accessed date" in errors[1]["message"]
    assert "YYYY-MM-DD" in errors[1]["hint"]


def test_validate_finds_a_source_whose_accessed_date_was_removed(run, pkg):
    lines = (pkg / "data/sources.csv").read_text(encoding="utf-8").splitlines()
    line = next(
        i for i, x in enumerate(lines, 1) if x.startswith("lukashenko-says-what-putin-thinks,")
    )
    row = lines[line - 1]
    edit(pkg, "sources", row, row.replace(",2026-11-28,", ",,", 1))
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1 and codes(result) == ["accessed-required"]
    assert report(result)["errors"][0]["row"] == line


def test_a_source_without_a_url_needs_no_accessed_date(run, pkg):
    path = pkg / "data/sources.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["source_type"] == "registry")
    assert row["url"] and row["accessed"]
    row["url"] = row["accessed"] = ""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    assert run("validate", pkg).exit_code == 0
