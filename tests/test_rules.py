"""Which resources the rules apply to is read from the Table Schemas, by their fields."""

from __future__ import annotations

import json

from toolkit.rules import rules_for
from toolkit.tableschema import load_package


def _add_field(pkg, resource: str, field: dict) -> None:
    p = pkg / "schemas" / f"{resource}.json"
    schema = json.loads(p.read_text(encoding="utf-8"))
    schema["fields"].append(field)
    p.write_text(json.dumps(schema), encoding="utf-8")


def applies_to(pkg, code: str) -> set[str]:
    return {r.resource for r in rules_for(load_package(pkg)) if r.code == code}


def test_the_excerpt_rule_follows_the_source_excerpt_field(pkg):
    assert "un_votes" not in applies_to(pkg, "excerpt-required")
    _add_field(pkg, "un_votes", {"name": "source_excerpt", "type": "string"})
    assert "un_votes" in applies_to(pkg, "excerpt-required")


def test_the_date_rules_cover_every_resource_with_dates_and_a_precision(pkg):
    assert applies_to(pkg, "date-precision") == {
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
