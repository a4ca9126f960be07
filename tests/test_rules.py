"""Which resources the rules apply to is read from the Table Schemas, by their fields."""

from __future__ import annotations

import json

from toolkit.checks.rules import rules_for
from toolkit.package.tableschema import load_package


def _add_field(pkg, resource: str, field: dict) -> None:
    p = pkg / "schemas" / f"{resource}.json"
    schema = json.loads(p.read_text(encoding="utf-8"))
    schema["fields"].append(field)
    p.write_text(json.dumps(schema), encoding="utf-8")


def applies_to(pkg, code: str) -> set[str]:
    return {r.resource for r in rules_for(load_package(pkg)) if r.code == code}


def _drop_field(pkg, resource: str, name: str) -> None:
    p = pkg / "schemas" / f"{resource}.json"
    schema = json.loads(p.read_text(encoding="utf-8"))
    schema["fields"] = [f for f in schema["fields"] if f["name"] != name]
    p.write_text(json.dumps(schema), encoding="utf-8")


def test_the_excerpt_rule_follows_the_source_excerpt_field(pkg):
    def fields() -> set[str]:
        rules = rules_for(load_package(pkg))
        return {r.field for r in rules if r.code == "excerpt-required" and r.resource == "un_votes"}

    assert fields() == {"source_excerpt", "intended_vote_source_excerpt"}
    _drop_field(pkg, "un_votes", "source_excerpt")
    assert fields() == {"intended_vote_source_excerpt"}
    _drop_field(pkg, "un_votes", "intended_vote_source_excerpt")
    assert "un_votes" not in applies_to(pkg, "excerpt-required")


def test_a_date_or_place_from_another_record_is_quoted_too(pkg_ro):
    fields = {r.field for r in rules_for(load_package(pkg_ro)) if r.code == "excerpt-required"}
    assert {"source_excerpt", "date_source_excerpt", "location_source_excerpt"} <= fields


def test_only_a_registry_exempts_a_row_from_quoting_its_source(run, pkg):
    import csv

    from helpers import codes

    edit = pkg / "data" / "un_votes.csv"
    with edit.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))  # excerpts may hold line breaks: read as CSV, not lines

    def write() -> None:
        with edit.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)

    rows[1][4] = ""  # no excerpt
    write()
    assert codes(run("validate", pkg, "--format", "json")) == ["excerpt-required"]
    rows[1][3] = "iso-3166-pycountry"  # a registry: nothing to quote
    write()
    assert run("validate", pkg).exit_code == 0


def test_the_date_rules_cover_every_resource_with_dates_and_a_precision(pkg_ro):
    assert applies_to(pkg_ro, "date-precision") == {
        "meetings",
        "statements",
        "military_exercises",
        "memberships",
    }


def test_the_tallies_count_the_vote_enum_values_that_have_an_official_tally(pkg):
    p = pkg / "schemas/un_votes.json"
    schema = json.loads(p.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        if f["name"] == "vote":
            f["constraints"]["enum"].append("absent")
    p.write_text(json.dumps(schema), encoding="utf-8")
    (tally,) = [r for r in rules_for(load_package(pkg)) if r.code == "tally-exceeded"]
    assert "'absent'" in tally.sql and 'AS "absent"' not in tally.sql  # no tally column yet
    _add_field(pkg, "un_resolutions", {"name": "absent", "type": "integer"})
    (tally,) = [r for r in rules_for(load_package(pkg)) if r.code == "tally-exceeded"]
    assert 'AS "absent"' in tally.sql
