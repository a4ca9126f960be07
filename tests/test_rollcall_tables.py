"""`rollcall` on tables: CSV and JSON records, lists per category; the prose reader's refusals.

Fixtures are in fixtures/rollcall/ (origins in their comment lines, and for JSON in ORIGINS.md):
es11_3_quak1_votes.json is the UN Digital Library's voting record of A/RES/ES-11/3 as a GitHub
file keeps it, es11_1_ukraine_viz_voting.js a GitHub file's lists for A/RES/ES-11/1; the
handmade_* files hold one failure each. The package is a copy whose votes on the resolution are
dropped first, so the counts are the fixtures', not the data's.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from helpers import FIXTURES, codes, report
from test_rollcall import drop_votes_of

from toolkit.checks.excerpts import occurs

ROLLCALLS = FIXTURES / "rollcall"
ES11_3 = ("--resolution", "A/RES/ES-11/3", "--source-id", "quak1-un-votes-es-11-3")
ES11_1 = ("--resolution", "A/RES/ES-11/1", "--source-id", "ukraine-viz-voting-es-11-1")
ALIASES = (
    "--alias", "Dem. Rep. Congo=COD", "--alias", "Dominican Rep.=DOM",
    "--alias", "Eq. Guinea=GNQ", "--alias", "S. Sudan=SSD",
)  # fmt: skip
TEST_VOTE = (
    "--resolution", "A/RES/TEST/9", "--source-id", "tass-es-11-3", "--date", "2022-03-02",
    "--yes", "1", "--no", "1", "--abstain", "1", "--non-voting", "1",
)  # fmt: skip


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def counts(rows: list[dict[str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r["vote"]] = out.get(r["vote"], 0) + 1
    return out


def refused(run, pkg: Path, fixture: str, *args: str) -> dict:
    result = run("rollcall", ROLLCALLS / fixture, *args, "--package", pkg, "--format", "json")
    assert result.exit_code == 1, result.output
    doc = report(result)
    assert "rows" not in doc
    return doc


def test_json_voting_record_becomes_a_complete_roll_call(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    fixture = ROLLCALLS / "es11_3_quak1_votes.json"
    result = run("rollcall", fixture, *ES11_3, "--package", pkg)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert len(rows) == 193
    assert counts(rows) == {"yes": 93, "no": 24, "abstain": 58, "non_voting": 18}
    by = {r["country_iso3"]: r for r in rows}
    # The record, with its member name, as the file writes it.
    assert by["BLR"]["source_excerpt"] == '"112":{"country":"BELARUS","vote":"N","code":"112"}'
    assert by["ARM"]["vote"] == "non_voting" and by["COD"]["vote"] == "yes"  # "DR CONGO"
    text = fixture.read_text(encoding="utf-8")
    assert all(r["source_excerpt"] in text for r in rows)
    assert "official: yes 93, no 24, abstain 58, non_voting 18" in result.stderr


def test_rows_the_package_holds_are_confirmed_and_a_different_vote_refused(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    path = pkg / "data" / "un_votes.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")

    def add_row(code: str, vote: str) -> None:
        row = dict.fromkeys(header, "")
        row.update(resolution_id="A/RES/ES-11/3", country_iso3=code, vote=vote,
                   source_id="tass-es-11-3", source_excerpt="x")  # fmt: skip
        with path.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerow([row[h] for h in header])

    add_row("KAZ", "no")
    fixture = ROLLCALLS / "es11_3_quak1_votes.json"
    result = run("rollcall", fixture, *ES11_3, "--package", pkg)
    assert result.exit_code == 0, result.stderr
    assert "KAZ" not in {r["country_iso3"] for r in rows_of(result.stdout)}
    assert (
        len(rows_of(result.stdout)) == 192 and "1 row(s) of the package confirmed" in result.stderr
    )
    both = run("rollcall", fixture, *ES11_3, "--package", pkg, "--include-existing")
    assert len(rows_of(both.stdout)) == 193

    add_row("BLR", "yes")  # the file says N
    doc = refused(run, pkg, "es11_3_quak1_votes.json", *ES11_3)
    [error] = doc["errors"]
    assert error["code"] == "vote-disagrees" and error["row"] == 1
    assert "BLR: the package records 'yes' (source tass-es-11-3)" in error["message"]


def test_javascript_lists_per_category_with_aliases(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/1")
    fixture = ROLLCALLS / "es11_1_ukraine_viz_voting.js"
    result = run("rollcall", fixture, *ES11_1, *ALIASES, "--package", pkg)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert counts(rows) == {"yes": 141, "no": 5, "abstain": 35, "non_voting": 12}
    by = {r["country_iso3"]: r["source_excerpt"] for r in rows}
    # Near the key: key and name verbatim; far from it: the key, [...] and the name.
    assert by["BLR"] == 'against: [\n      "Belarus"'
    assert by["ZMB"] == 'approve: [ […] "Zambia"' and by["SSD"] == 'abstain: [ […] "S. Sudan"'
    text = fixture.read_text(encoding="utf-8")
    assert all(occurs(e, text) and len(e) <= 300 for e in by.values())


def test_abbreviations_are_refused_until_confirmed(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/1")
    doc = refused(run, pkg, "es11_1_ukraine_viz_voting.js", *ES11_1)
    assert codes_of(doc) == ["unknown-state-name"] * 4
    assert {e["value"] for e in doc["errors"]} == {
        "Dem. Rep. Congo", "Dominican Rep.", "Eq. Guinea", "S. Sudan",
    }  # fmt: skip
    assert "--alias 'S. Sudan=ISO3'" in doc["errors"][-1]["hint"]


def codes_of(doc: dict) -> list[str]:
    return [e["code"] for e in doc["errors"]]


def test_csv_records_quote_their_line(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    result = run("rollcall", ROLLCALLS / "es11_3_against_quak1.csv", *ES11_3, "--package", pkg)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert counts(rows) == {"no": 24}
    by = {r["country_iso3"]: r["source_excerpt"] for r in rows}
    assert by["BLR"] == "BELARUS,N" and by["LAO"] == "LAO PEOPLE'S DEMOCRATIC REPUBLIC,N"


def test_voeten_codes_and_iso_codes(run, pkg_ro):
    fixture = ROLLCALLS / "handmade_voeten_codes.csv"
    result = run("rollcall", fixture, *TEST_VOTE, "--state-field", "Country", "--package", pkg_ro,
                 "--vote-codes", "voeten")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    votes = {r["country_iso3"]: r["vote"] for r in rows_of(result.stdout)}
    # Yugoslavia's 9 (not a member) is skipped: it was no member on the date.
    assert votes == {"USA": "yes", "RUS": "no", "IND": "abstain", "TKM": "non_voting"}
    # The vocabulary is found without the flag: only voeten reads 1, 2, 3, 8 and 9.
    auto = run("rollcall", fixture, *TEST_VOTE, "--state-field", "Country", "--package", pkg_ro)
    assert auto.stdout == result.stdout


def test_a_member_coded_not_a_member_is_refused(run, pkg_ro):
    doc = refused(run, pkg_ro, "handmade_voeten_member_coded_9.csv", *TEST_VOTE)
    [error] = doc["errors"]
    assert error["code"] == "unknown-vote" and "'UKR' (UKR) is coded '9'" in error["message"]


def test_a_state_listed_twice_is_refused(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    doc = refused(run, pkg, "handmade_listed_twice.json", *ES11_3)
    [error] = doc["errors"]
    assert error["code"] == "listed-twice" and "'BELARUS' (BLR)" in error["message"]


def test_counts_unlike_the_official_tally_are_refused(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    doc = refused(run, pkg, "handmade_one_record_short.json", *ES11_3)
    [error] = doc["errors"]
    assert error["code"] == "tally-mismatch" and "no 23 vs 24" in error["message"]


def test_an_observer_and_a_misspelt_name_are_refused(run, pkg_ro):
    doc = refused(run, pkg_ro, "handmade_observer_and_typo.csv", *TEST_VOTE)
    assert codes_of(doc) == ["not-a-un-member", "unknown-state-name"]
    assert [e["row"] for e in doc["errors"]] == [3, 4]  # the file's lines


def test_an_unknown_vote_value_is_refused_with_its_line(run, pkg_ro):
    doc = refused(run, pkg_ro, "handmade_unknown_vote.csv", *TEST_VOTE)
    [error] = doc["errors"]
    assert error["code"] == "unknown-vote" and error["row"] == 4 and error["value"] == "maybe"


def test_a_table_without_a_vote_column_names_the_option(run, pkg_ro):
    doc = refused(run, pkg_ro, "handmade_no_vote_column.csv", *TEST_VOTE)
    [error] = doc["errors"]
    assert error["code"] == "no-such-column" and "--vote-field" in error["hint"]
    named = run("rollcall", ROLLCALLS / "handmade_no_vote_column.csv", *TEST_VOTE,
                "--vote-field", "position", "--yes", "0", "--abstain", "0", "--non-voting", "0",
                "--package", pkg_ro)  # fmt: skip
    assert named.exit_code == 0, named.stderr
    assert [r["country_iso3"] for r in rows_of(named.stdout)] == ["BLR"]


def test_json_output_holds_the_rows(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    result = run("rollcall", ROLLCALLS / "es11_3_against_quak1.csv", *ES11_3, "--package", pkg,
                 "--format", "json")  # fmt: skip
    doc = json.loads(result.stdout)
    assert doc["valid"] and len(doc["rows"]) == 24
    assert doc["summary"]["un_votes"]["counted"] == {"no": 24}


def test_a_bad_alias_is_a_usage_error(run, pkg_ro):
    result = run("rollcall", ROLLCALLS / "es11_3_against_quak1.csv", *ES11_3, "--package", pkg_ro,
                 "--alias", "Belarus")  # fmt: skip
    assert result.exit_code == 2 and "NAME=ISO3" in result.stderr
    result = run("rollcall", ROLLCALLS / "es11_3_against_quak1.csv", *ES11_3, "--package", pkg_ro,
                 "--alias", "Belarus=by", "--format", "json")  # fmt: skip
    assert result.exit_code == 2 and codes(result) == ["bad-option"]
