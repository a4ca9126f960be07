"""`validate`: the whole package, every error with file and line, exit codes as documented."""

from __future__ import annotations

import json

import pytest
from helpers import CASES, FIXTURES, codes, edit, report


def test_valid_package_prints_a_summary_per_resource(run, pkg_ro):
    result = run("validate", pkg_ro)
    assert result.exit_code == 0
    for name in ("sources", "actors", "statements", "un_votes", "military_exercises"):
        assert name in result.stdout
    assert "\nvalid, 0 warning(s)\n" in result.stdout
    # Then, as information, the release the data is or what changed since it.
    version = json.loads((pkg_ro / "datapackage.json").read_text())["version"]
    assert f"release {version}" in result.stdout.split("warning(s)\n")[1]


def test_json_report_shape(run, pkg_ro):
    data = report(run("validate", pkg_ro, "--format", "json"))
    assert data["valid"] is True and data["errors"] == [] and isinstance(data["warnings"], list)
    rows = len((pkg_ro / "data/statements.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert data["summary"]["statements"]["rows"] == rows


@pytest.mark.parametrize(("resource", "old", "new", "expected"), CASES)
def test_each_broken_rule_is_reported_with_its_file_and_line(
    run, pkg, resource, old, new, expected
):
    edit(pkg, resource, old, new)
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == expected
    err = report(result)["errors"][0]
    assert err["row"] >= 2
    # Where the rule reports it, which is the edited file except for the tallies (un_votes).
    assert err["message"].startswith(f"data/{err['resource']}.csv: line {err['row']}: ")


def test_a_membership_known_to_the_month_must_start_on_a_first_day(run, pkg):
    # memberships has date_precision: the rule applies by its fields, not by a list of names.
    edit(
        pkg,
        "memberships",
        "FIN,nato,applicant,2022-05-18,2023-04-04,day",
        "FIN,nato,applicant,2022-05-18,2023-04-04,month",
    )
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == ["date-precision"]
    assert report(result)["errors"][0]["resource"] == "memberships"


def test_a_membership_known_to_the_month_spans_whole_months(run, pkg):
    edit(
        pkg,
        "memberships",
        "SWE,nato,applicant,2022-05-18,2024-03-07,day",
        "SWE,nato,applicant,2022-05-01,2024-02-29,month",
    )
    assert run("validate", pkg).exit_code == 0


def test_reports_every_error_without_a_cap(run, pkg):
    p = pkg / "data/un_votes.csv"
    lines = p.read_text().splitlines()
    extra = [f"A/RES/ES-11/1,ZZ{i % 10},maybe,a-source,an excerpt,,," for i in range(1500)]
    p.write_text("\n".join(lines + extra) + "\n")
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    assert sum(1 for c in codes(result) if c == "enum-error") == 1500


def test_no_package_is_a_usage_error(run, tmp_path):
    result = run("validate", tmp_path)
    assert result.exit_code == 2
    assert "no data package" in result.stderr


def test_broken_descriptor_is_a_usage_error(run, pkg):
    (pkg / "datapackage.json").write_text("{not json")
    result = run("validate", pkg)
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


def test_recorded_hash_catches_a_hand_edited_file(run, pkg):
    d = json.loads((pkg / "datapackage.json").read_text())
    from toolkit.store.fileio import file_digest

    for r in d["resources"]:
        size, digest = file_digest(pkg / r["path"])
        r["bytes"], r["hash"] = size, f"sha256:{digest}"
    (pkg / "datapackage.json").write_text(json.dumps(d))
    assert run("validate", pkg).exit_code == 0
    edit(
        pkg, "statements", "Putin also did not mention", "Putin also did not mention"
    )  # same bytes
    assert run("validate", pkg).exit_code == 0
    edit(pkg, "un_votes", "A/RES/ES-11/3,KAZ,no", "A/RES/ES-11/3,KAZ,yes")
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    err = [e for e in report(result)["errors"] if e["code"] == "hash-mismatch"]
    assert len(err) == 1 and "data/un_votes.csv" in err[0]["message"]


def _roll_call(pkg, tallies, votes):
    """A resolution whose roll call lists exactly the six CSTO members (so it is complete)."""
    source = "un-media-5th-es-11-1"
    with (pkg / "data/un_resolutions.csv").open("a") as fh:
        y, n, a, nv = tallies
        fh.write(f"A/RES/99/1,General Assembly,99,Test,2022-01-01,{y},{n},{a},{nv},{source},x,,,\n")
    with (pkg / "data/un_votes.csv").open("a") as fh:
        for country, vote in zip(["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"], votes, strict=True):
            fh.write(f"A/RES/99/1,{country},{vote},{source},x,,,\n")


def test_complete_roll_call_matching_its_tallies_is_valid(run, pkg):
    _roll_call(pkg, (4, 1, 0, 1), ["yes", "yes", "yes", "yes", "no", "non_voting"])
    assert run("validate", pkg).exit_code == 0


def test_complete_roll_call_that_differs_from_its_tallies(run, pkg):
    _roll_call(pkg, (4, 1, 0, 1), ["yes", "yes", "yes", "no", "no", "non_voting"])
    result = run("validate", pkg, "--format", "json")
    assert codes(result) == ["tally-exceeded", "tally-mismatch"]
    assert "yes 3 vs 4" in report(result)["errors"][1]["message"]


def test_an_unreadable_vote_gives_one_error_not_a_tally_error(run, pkg):
    _roll_call(pkg, (4, 1, 0, 1), ["yes", "Yes", "yes", "yes", "no", "non_voting"])
    result = run("validate", pkg, "--format", "json")
    assert codes(result) == ["enum-error"]


def test_a_rule_that_no_longer_fits_the_schema_is_skipped_and_the_rest_still_run(
    run, pkg, monkeypatch
):
    from toolkit.checks import session
    from toolkit.checks.rules import Rule, rules_for

    unfit = Rule(
        "date-order",
        "statements",
        "date_end",
        ("statements",),
        "SELECT __origin, __line, no_such_column AS value, 'x' AS message FROM typed_statements",
    )
    monkeypatch.setattr(session, "rules_for", lambda package: [unfit, *rules_for(package)])
    edit(pkg, *CASES[0][:3])
    result = run("validate", pkg, "--format", "json")
    assert codes(result) == CASES[0][3]
    warnings = report(result)["warnings"]
    assert [w["code"] for w in warnings] == ["rule-skipped"]
    assert "no_such_column" in warnings[0]["message"]


@pytest.mark.slow
def test_the_report_is_the_same_on_every_run_though_checks_run_in_parallel(run, pkg):
    for resource, old, new, _ in CASES[:2] + CASES[3:]:  # CASES[2] edits the row CASES[1] does
        edit(pkg, resource, old, new)
    outputs = {run("validate", pkg, "--format", "json").stdout for _ in range(5)}
    assert len(outputs) == 1
    found = [(e["resource"], e["code"]) for e in json.loads(outputs.pop())["errors"]]
    # Per resource in package order by stage (cells, keys, references), then the rules' findings
    # (those worded in SQL in rule order, then the tallies).
    assert found == [
        ("actors", "pattern-error"),
        ("actors", "foreign-key"),
        ("un_votes", "foreign-key"),
        ("statements", "date-order"),
        ("statements", "date-precision"),
        ("statements", "statement-outside-meeting"),
        ("military_exercises", "exercise-before-meeting"),
        ("memberships", "membership-overlap"),
        ("un_votes", "tally-exceeded"),
    ]


def test_the_schemas_missing_values_read_as_missing(run, pkg):
    schema = pkg / "schemas/un_votes.json"
    d = json.loads(schema.read_text(encoding="utf-8"))
    d["missingValues"] = ["", "n/a"]
    schema.write_text(json.dumps(d), encoding="utf-8")
    edit(pkg, "un_votes", "A/RES/ES-11/1,ARM,abstain", "A/RES/ES-11/1,ARM,n/a")
    result = run("validate", pkg, "--format", "json")
    assert codes(result) == ["required"]  # not enum-error: 'n/a' is a missing value here


def test_github_format_annotates_the_file_and_line(run, pkg):
    edit(pkg, "un_resolutions", ",141,5,35,12,", ",many,5,35,12,")
    result = run("validate", "--package", pkg, "--format", "github")
    assert result.exit_code == 1
    [line] = [x for x in result.stdout.splitlines() if x.startswith("::error ")]
    props, message = line[len("::error ") :].split("::", 1)
    assert f"file={pkg}/data/un_resolutions.csv".replace(":", "%3A") in props
    assert ",line=2,col=6," in props and "title=type-error (yes)" in props  # yes: 6th column
    assert "many" in message and "%0Afix: " in message and "\n" not in message
    assert "invalid: 1 error(s)" in result.stderr


def test_github_format_for_a_contribution(run, pkg_ro):
    result = run(
        "check", FIXTURES / "bad_date.csv", "-r", "statements", "--package", pkg_ro,
        "--format", "github",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"::error file={FIXTURES / 'bad_date.csv'},line=2,col=3,title=type-error (date_start)::"
    )
