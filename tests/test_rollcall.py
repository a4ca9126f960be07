"""`rollcall`: published roll calls become checked un_votes rows; every bad case is refused.

The fixtures in fixtures/rollcall/ named after a vote (es11_1_..., es11_3_..., iran_...) hold lists
copied verbatim from the page named in their first comment line; the others are hand-made, named by
what they hold.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, codes, report

from toolkit.checks.excerpts import occurs
from toolkit.package.tableschema import load_package
from toolkit.rollcall.membership import un_members_on
from toolkit.rollcall.statenames import StateNames

ROLLCALLS = FIXTURES / "rollcall"
ES11_1 = ("--resolution", "A/RES/ES-11/1", "--source-id", "un-media-5th-es-11-1")
ES11_3 = ("--resolution", "A/RES/ES-11/3", "--source-id", "tass-es-11-3")
# The UN Watch page gives the vote's tallies and "Dec. 19" but no year or symbol: the symbol and
# date here are placeholders (the package's 193 members count on any date without memberships rows).
IRAN = (
    "--resolution", "A/RES/TEST/1", "--source-id", "un-media-5th-es-11-1",
    "--date", "2022-12-19", "--yes", "89", "--no", "30", "--abstain", "64",
)  # fmt: skip
IRAN_EXCERPT = "89 in favour, 30 against, 64 abstentions"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def votes(text: str) -> dict[str, str]:
    return {r["country_iso3"]: r["vote"] for r in rows_of(text)}


def add_source_excerpt_column(pkg: Path) -> None:
    """Give the package copy's un_votes a source_excerpt column (schema and data), as main plans."""
    schema_path = pkg / "schemas" / "un_votes.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    if any(f["name"] == "source_excerpt" for f in schema["fields"]):
        return  # the package already has it
    schema["fields"].append(
        {
            "name": "source_excerpt",
            "type": "string",
            "description": "A short verbatim excerpt of the source that supports the row.",
            "constraints": {"maxLength": 300},
        }
    )
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    data = pkg / "data" / "un_votes.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    data.write_text(
        "\n".join([lines[0] + ",source_excerpt"] + [ln + "," for ln in lines[1:]]) + "\n",
        encoding="utf-8",
    )


def drop_votes_of(pkg: Path, resolution_id: str) -> None:
    """Remove a resolution's votes from the package copy, so that contributed rows do not collide."""
    data = pkg / "data" / "un_votes.csv"
    with data.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))  # excerpts may hold line breaks: read as CSV, not lines
    kept = [rows[0]] + [r for r in rows[1:] if r[0] != resolution_id]
    with data.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(kept)


def add_resolution(pkg: Path, row: str) -> None:
    """Append a resolution row, its cells after the given ones left empty."""
    path = pkg / "data" / "un_resolutions.csv"
    columns = path.read_text(encoding="utf-8").splitlines()[0].count(",")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(row + "," * (columns - row.count(",")) + "\n")


# --- real published roll calls ------------------------------------------------------------------


def test_es11_1_against_and_abstained_lists_become_rows(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/1")
    result = run("rollcall", ROLLCALLS / "es11_1_against_abstained_thelondoneconomic.txt", *ES11_1,
                 "--package", pkg)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    v = votes(result.stdout)
    assert len(v) == 40
    assert sorted(c for c, x in v.items() if x == "no") == ["BLR", "ERI", "PRK", "RUS", "SYR"]
    assert sum(1 for x in v.values() if x == "abstain") == 35
    # The page's short names: Laos, Vietnam, Tanzania, Bolivia, Iran, Congo (the Republic).
    assert {v[c] for c in ("LAO", "VNM", "TZA", "BOL", "IRN", "COG")} == {"abstain"}
    assert "COD" not in v
    assert "official: yes 141, no 5, abstain 35, non_voting 12" in result.stderr


def test_es11_3_sentence_listing_the_votes_against(run, pkg):
    drop_votes_of(pkg, "A/RES/ES-11/3")
    result = run("rollcall", ROLLCALLS / "es11_3_against_tass.txt", *ES11_3, "--package", pkg)
    assert result.exit_code == 0, result.stderr
    v = votes(result.stdout)
    assert len(v) == 24 and set(v.values()) == {"no"}
    # "the Republic of Congo" (its article dropped), "North Korea", and "Eritrea and Ethiopia" cut
    # at its "and" into two states.
    assert {"COG", "PRK", "ERI", "ETH", "VNM", "LAO"} <= set(v)
    assert {"BLR", "KAZ", "KGZ", "RUS", "TJK"} <= set(v) and "ARM" not in v


def test_remainder_completes_a_published_roll_call(run, pkg):
    add_source_excerpt_column(pkg)
    result = run(
        "rollcall", ROLLCALLS / "iran_human_rights_unwatch.txt", *IRAN, "--package", pkg,
        "--remainder", "yes", "--remainder-excerpt", IRAN_EXCERPT,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert len(rows) == 193
    counts = {k: sum(1 for r in rows if r["vote"] == k) for k in ("yes", "no", "abstain")}
    assert counts == {"yes": 89, "no": 30, "abstain": 64}
    assert sum(1 for r in rows if r["vote"] == "non_voting") == 10
    by_code = {r["country_iso3"]: r for r in rows}
    # Old names ("Swaziland", "Turkey") and curly apostrophes resolve.
    assert by_code["SWZ"]["vote"] == "abstain" and by_code["TUR"]["vote"] == "non_voting"
    assert by_code["PRK"]["vote"] == "no" and by_code["CIV"]["vote"] == "abstain"
    assert by_code["USA"]["vote"] == "yes" and by_code["USA"]["source_excerpt"] == IRAN_EXCERPT


def test_listed_rows_quote_the_input_verbatim(run, pkg):
    add_source_excerpt_column(pkg)
    fixture = ROLLCALLS / "iran_human_rights_unwatch.txt"
    result = run("rollcall", fixture, *IRAN, "--package", pkg, "--remainder", "yes",
                 "--remainder-excerpt", IRAN_EXCERPT)  # fmt: skip
    text = fixture.read_text(encoding="utf-8")
    by_code = {r["country_iso3"]: r["source_excerpt"] for r in rows_of(result.stdout)}
    listed = [e for c, e in by_code.items() if e != IRAN_EXCERPT]
    assert len(listed) == 104
    assert all(occurs(e, text) and 0 < len(e) <= 300 for e in listed)
    # Near its heading: the shortest window from the heading to the name.
    assert by_code["DZA"] == "Against: Afghanistan, Algeria"
    assert by_code["PRK"].startswith("Against: ") and by_code["PRK"].endswith(
        "People’s Republic of Korea"
    )
    # Too far from it to fit in 300 characters: the heading and the name, the names between left
    # out and marked so.
    assert text.index("Zambia") - text.index("Abstain:") > 300
    assert by_code["ZMB"] == "Abstain: […] Zambia"


def test_without_source_excerpt_in_the_schema_rows_have_its_columns(run):
    result = run("rollcall", ROLLCALLS / "es11_3_against_tass.txt", *ES11_3)
    header = result.stdout.splitlines()[0]
    schema = json.loads((ROOT / "schemas" / "un_votes.json").read_text(encoding="utf-8"))
    assert header == ",".join(f["name"] for f in schema["fields"])


def test_written_rows_pass_check_as_a_complete_roll_call(run, pkg, tmp_path):
    add_source_excerpt_column(pkg)
    add_resolution(
        pkg,
        "A/RES/TEST/1,General Assembly,77,Situation of human rights in Iran,2022-12-19,"
        "89,30,64,10,un-media-5th-es-11-1,89 in favour",
    )
    out = tmp_path / "votes.csv"
    made = run(
        "rollcall", ROLLCALLS / "iran_human_rights_unwatch.txt", *IRAN, "--package", pkg,
        "--remainder", "yes", "--remainder-excerpt", IRAN_EXCERPT, "--out", out,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert made.stdout == "" and "193 row(s)" in made.stderr
    checked = run("check", out, "-r", "un_votes", "--package", pkg, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
    assert report(checked)["summary"]["un_votes"]["rows"] == 193


def test_tally_rules_of_check_agree_with_rollcall(run, pkg, tmp_path):
    """The same complete roll call against a resolution row with other tallies fails check too."""
    add_source_excerpt_column(pkg)
    add_resolution(
        pkg,
        "A/RES/TEST/1,General Assembly,77,Situation of human rights in Iran,2022-12-19,"
        "90,29,64,10,un-media-5th-es-11-1,90 in favour",
    )
    out = tmp_path / "votes.csv"
    args = (*IRAN, "--package", pkg, "--remainder", "yes", "--remainder-excerpt", IRAN_EXCERPT)
    assert (
        run("rollcall", ROLLCALLS / "iran_human_rights_unwatch.txt", *args, "--out", out).exit_code
        == 0
    )
    checked = run("check", out, "-r", "un_votes", "--package", pkg, "--format", "json")
    assert checked.exit_code == 1
    assert "tally-exceeded" in codes(checked)


def test_partial_rows_pass_check(run, pkg, tmp_path):
    drop_votes_of(pkg, "A/RES/ES-11/1")
    out = tmp_path / "votes.csv"
    made = run(
        "rollcall", ROLLCALLS / "es11_1_against_abstained_thelondoneconomic.txt", *ES11_1,
        "--package", pkg, "--out", out,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    checked = run("check", out, "-r", "un_votes", "--package", pkg, "--format", "json")
    assert checked.exit_code == 0, checked.stdout


def test_un_official_names_and_a_name_with_a_comma_inside(run):
    result = run(
        "rollcall", ROLLCALLS / "un_official_names_comma_inside.txt", "--resolution",
        "A/RES/TEST/2", "--source-id", "un-media-5th-es-11-1", "--date", "2022-03-02",
        "--yes", "3", "--no", "3", "--abstain", "2", "--non-voting", "2", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    doc = report(result)
    v = {r["country_iso3"]: r["vote"] for r in doc["rows"]}
    assert v == {
        "BOL": "yes", "CIV": "yes", "NLD": "yes",
        "PRK": "no", "IRN": "no", "VEN": "no",
        "COD": "abstain", "LAO": "abstain",
        "TUR": "non_voting", "TZA": "non_voting",
    }  # fmt: skip
    assert [w["code"] for w in doc["warnings"]] == ["name-joined"]
    assert "Congo, Democratic Republic of the" in doc["warnings"][0]["message"]


# --- refusals ------------------------------------------------------------------------------------


def refused(run, fixture: str, *args: str, exit_code: int = 1) -> dict:
    result = run("rollcall", ROLLCALLS / fixture, *(args or ES11_1), "--format", "json")
    assert result.exit_code == exit_code, result.stdout
    doc = report(result)
    assert doc["valid"] is False and "rows" not in doc
    assert "Traceback" not in result.stdout + result.stderr
    return doc


def test_a_state_listed_in_two_categories_is_refused(run):
    doc = refused(run, "es11_1_listed_twice_thelondoneconomic.txt")
    [error] = doc["errors"]
    assert error["code"] == "listed-twice" and error["row"] == 50
    assert error["value"] == "Equatorial Guinea" and "line 22" in error["message"]
    assert "'Abstained'" in error["message"] and "'No vote recorded'" in error["message"]


def test_an_unknown_name_is_refused_with_the_closest_member(run):
    doc = refused(run, "unknown_name_typo.txt")
    [error] = doc["errors"]
    assert error["code"] == "unknown-state-name" and error["row"] == 2
    assert error["value"] == "Guinea Bisau"
    assert "'Guinea-Bissau' (GNB)" in error["hint"]
    assert "unknown_name_typo.txt: line 2:" in error["message"]


def test_a_non_member_is_refused(run):
    doc = refused(run, "observer_not_a_member.txt")
    [error] = doc["errors"]
    assert error["code"] == "not-a-un-member" and error["row"] == 2
    assert "VAT" in error["message"] and "2022-03-02" in error["message"]


def test_a_member_admitted_after_the_vote_is_refused(run, pkg):
    # Hypothetical dates: the rule, not the history, is under test.
    with (pkg / "data" / "memberships.csv").open("a", encoding="utf-8") as fh:
        fh.write("IND,un,member,2023-01-01,,day,,,iso-3166-pycountry,\n")
    doc = refused(run, "observer_not_a_member.txt", *ES11_1, "--package", str(pkg))
    assert [e["code"] for e in doc["errors"]] == ["not-a-un-member", "not-a-un-member"]
    assert doc["errors"][1]["value"] == "India"


def test_counts_differing_from_the_tallies_are_refused_side_by_side(run):
    doc = refused(run, "against_one_short.txt")
    [error] = doc["errors"]
    assert error["code"] == "tally-mismatch" and error["row"] == 2
    assert "no 4 vs 5" in error["message"]


def test_remainder_counts_are_compared_too(run):
    doc = refused(run, "iran_human_rights_unwatch.txt", *IRAN[:-1], "91", "--remainder", "yes",
                  "--remainder-excerpt", IRAN_EXCERPT)  # fmt: skip
    [error] = doc["errors"]
    assert error["code"] == "tally-mismatch"
    assert "yes 89 vs 89" in error["message"] and "abstain 64 vs 91" in error["message"]


def test_a_heading_count_differing_from_its_list_is_refused(run):
    doc = refused(run, "heading_count_short.txt")
    assert doc["errors"][0]["code"] == "tally-mismatch"
    assert "announces 5 states but lists 4" in doc["errors"][0]["message"]


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("empty_file.txt", "empty-roll-call"),
        ("comments_only.txt", "empty-roll-call"),
        ("names_without_heading.txt", "no-heading"),
    ],
)
def test_input_without_a_roll_call_is_refused(run, fixture, code):
    doc = refused(run, fixture)
    assert [e["code"] for e in doc["errors"]] == [code]


def test_a_misspelt_heading_is_refused_with_a_suggestion(run):
    doc = refused(run, "misspelt_heading.txt")
    [error] = doc["errors"]
    assert error["code"] == "unknown-heading" and error["row"] == 3
    assert "'abstention'" in error["hint"]


def test_nothing_is_written_on_refusal(run, tmp_path):
    out = tmp_path / "votes.csv"
    out.write_text("old\n", encoding="utf-8")
    result = run("rollcall", ROLLCALLS / "against_one_short.txt", *ES11_1, "--out", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert "nothing was written" in result.stderr
    assert out.read_text(encoding="utf-8") == "old\n"


# --- usage errors (exit 2) -----------------------------------------------------------------------


def test_unknown_resolution_without_tallies_is_a_usage_error(run):
    doc = refused(
        run, "es11_3_against_tass.txt", "--resolution", "A/RES/ES-11/99", "--source-id",
        "tass-es-11-3", exit_code=2,
    )  # fmt: skip
    assert [e["code"] for e in doc["errors"]] == ["unknown-resolution"]


def test_remainder_needs_an_excerpt_when_the_schema_has_one(run, pkg):
    add_source_excerpt_column(pkg)
    doc = refused(
        run, "iran_human_rights_unwatch.txt", *IRAN, "--package", str(pkg), "--remainder", "yes",
        exit_code=2,
    )  # fmt: skip
    assert [e["code"] for e in doc["errors"]] == ["excerpt-required"]


def test_remainder_of_a_listed_category_is_a_usage_error(run):
    doc = refused(run, "un_official_names_comma_inside.txt", *ES11_1, "--remainder", "yes",
                  "--remainder-excerpt", IRAN_EXCERPT, exit_code=2)  # fmt: skip
    assert [e["code"] for e in doc["errors"]] == ["bad-option"]


@pytest.mark.parametrize(
    "args",
    [
        ("rollcall", "missing.txt", *ES11_1),
        ("rollcall", ROLLCALLS / "es11_3_against_tass.txt", "--source-id", "x"),
        ("rollcall", ROLLCALLS / "es11_3_against_tass.txt", *ES11_3, "--date", "7 April 2022"),
        ("rollcall", ROLLCALLS / "es11_3_against_tass.txt", *ES11_3, "--remainder", "maybe"),
    ],
)
def test_bad_invocations_exit_2(run, args):
    assert run(*args).exit_code == 2


def test_json_report_has_checks_shape(run):
    doc = refused(run, "unknown_name_typo.txt")
    assert set(doc) == {"valid", "errors", "warnings", "summary"}
    assert set(doc["errors"][0]) == {
        "resource", "row", "field", "value", "code", "message", "hint",
    }  # fmt: skip
    assert doc["summary"]["un_votes"]["errors"] == 1


# --- the pieces ----------------------------------------------------------------------------------

UN_NAMES = {
    "Bolivia (Plurinational State of)": "BOL",
    "Democratic People's Republic of Korea": "PRK",
    "Republic of Korea": "KOR",
    "Türkiye": "TUR",
    "Côte d'Ivoire": "CIV",
    "Netherlands (Kingdom of the)": "NLD",
    "Iran (Islamic Republic of)": "IRN",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "United Republic of Tanzania": "TZA",
    "Lao People's Democratic Republic": "LAO",
    "Micronesia (Federated States of)": "FSM",
    "Niger": "NER",
    "Nigeria": "NGA",
    "Congo": "COG",
    "Democratic Republic of the Congo": "COD",
    "Guinea": "GIN",
    "Guinea-Bissau": "GNB",
    "Equatorial Guinea": "GNQ",
    "Dominica": "DMA",
    "Dominican Republic": "DOM",
    "Sudan": "SDN",
    "South Sudan": "SSD",
    "Syrian Arab Republic": "SYR",
    "Republic of Moldova": "MDA",
    "Viet Nam": "VNM",
    "Eswatini": "SWZ",
    "Cabo Verde": "CPV",
    "Czechia": "CZE",
    "North Macedonia": "MKD",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "United States of America": "USA",
    "Saint Vincent and the Grenadines": "VCT",
}


@pytest.fixture(scope="module")
def names() -> StateNames:
    package = load_package(ROOT)
    from toolkit.rollcall.membership import read_rows

    states = {
        r["actor_id"]: r["name"]
        for r in read_rows(package.data_path("actors"))
        if r["actor_type"] == "state"
    }
    return StateNames(states)


def test_un_official_names_resolve(names):
    assert {n: names.resolve(n).code for n in UN_NAMES} == UN_NAMES


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Guinea Bisau", "GNB"), ("Isreal", "ISR"), ("Czechoslovakia", None), ("Narnia", None)],
)
def test_near_misses_are_never_accepted(names, name, suggestion):
    match = names.resolve(name)
    assert match.code is None
    if suggestion:
        assert match.suggestion_code == suggestion


def test_every_state_actor_name_resolves_to_itself(names):
    assert all(names.resolve(n).code == c for c, n in names.states.items())


def test_members_on_a_day(pkg):
    package = load_package(pkg)
    members = un_members_on(package, date(2022, 3, 2))
    assert len(members) == 193 and not {"CSK", "DDR", "YMD", "YUG"} & set(members)
    # Hypothetical dates: memberships rows for 'un' decide wherever a state has any.
    with (pkg / "data" / "memberships.csv").open("a", encoding="utf-8") as fh:
        fh.write("SSD,un,member,2020-01-01,,day,,,iso-3166-pycountry,\n")
        fh.write("YUG,un,member,1945-10-24,1992-01-01,day,,,iso-3166-pycountry,\n")
    assert "SSD" not in un_members_on(package, date(2019, 12, 31))
    assert "SSD" in un_members_on(package, date(2020, 1, 1))
    assert "YUG" in un_members_on(package, date(1991, 12, 31))
    assert "YUG" not in un_members_on(package, date(1992, 1, 1))


def test_the_installed_console_script_runs_it(pkg):
    import subprocess
    import sys

    drop_votes_of(pkg, "A/RES/ES-11/3")
    script = Path(sys.executable).parent / "csto-alignment"
    fixture = ROLLCALLS / "es11_3_against_tass.txt"
    out = subprocess.run(
        [script, "rollcall", fixture, *ES11_3, "--package", pkg],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 25 and "24 row(s)" in out.stderr


def test_counts_in_headings_and_index_letters(run):
    result = run(
        "rollcall", ROLLCALLS / "counts_and_index_letters.txt", "--resolution", "A/RES/TEST/3",
        "--source-id", "iso-3166-pycountry", "--date", "2022-03-02", "--yes", "3", "--no", "1",
        "--abstain", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert votes(result.stdout) == {"AFG": "yes", "ALB": "yes", "GMB": "yes", "BLR": "no"}


def test_a_file_that_is_not_utf8_is_refused_with_its_line(run):
    doc = refused(run, "latin1_not_utf8.txt")
    [error] = doc["errors"]
    assert error["code"] == "encoding-error" and error["row"] == 3
    assert "0xf4" in error["message"]


def test_out_in_a_missing_folder_is_a_usage_error(run, tmp_path):
    result = run(
        "rollcall", ROLLCALLS / "es11_3_against_tass.txt", *ES11_3,
        "--out", tmp_path / "no" / "such" / "votes.csv",
    )  # fmt: skip
    assert result.exit_code == 2 and "--out" in result.stderr


def test_excerpts_spanning_lines_pass_check(run, pkg, tmp_path):
    add_source_excerpt_column(pkg)
    drop_votes_of(pkg, "A/RES/ES-11/1")
    out = tmp_path / "votes.csv"
    made = run(
        "rollcall", ROLLCALLS / "es11_1_against_abstained_thelondoneconomic.txt", *ES11_1,
        "--package", pkg, "--out", out,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    excerpts = {r["country_iso3"]: r["source_excerpt"] for r in rows_of(out.read_text("utf-8"))}
    assert excerpts["BLR"] == "Against the motion:\n- Russia\n- Belarus"
    checked = run("check", out, "-r", "un_votes", "--package", pkg, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
