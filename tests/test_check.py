"""`check`: bad contributions get a clear error with line, field and fix, and exit 1; never a traceback."""

from __future__ import annotations

import pytest
from helpers import BAD, FIXTURES, codes, make_room, report


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_contribution_is_rejected_with_its_line(run, pkg, name):
    resource, expected, line = BAD[name]
    if "primary-key" not in expected:  # the fixture's own failure, whatever the data holds
        make_room(pkg, resource, FIXTURES / name)
    result = run(
        "check", FIXTURES / name, "--resource", resource, "--package", pkg, "--format", "json"
    )
    assert result.exit_code == 1
    assert codes(result) == expected
    first = report(result)["errors"][0]
    assert first["row"] == line
    assert first["message"] and first["hint"]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "name", ["good_statement.csv", "bom_crlf.csv", "reference_in_same_file.csv"]
)
def test_good_contribution_passes(run, check_json, pkg_ro, name):
    result = check_json(name)
    assert result.exit_code == 0, result.stdout
    assert report(result)["valid"] is True


def test_date_hint_suggests_iso(run, check_json, pkg_ro):
    result = check_json("date_in_words.csv")
    assert "'2022-05-16'" in report(result)["errors"][0]["hint"]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("enum_wrong_case.csv", "'speech'"), ("enum_stray_spaces.csv", "'day'")],
)
def test_enum_hint_suggests_the_right_value(run, check_json, pkg_ro, name, suggestion):
    result = check_json(name)
    assert suggestion in report(result)["errors"][0]["hint"]


def test_misspelt_header_names_the_closest_column(run, check_json, pkg_ro):
    result = check_json("misspelt_and_missing_header.csv")
    extra = [e for e in report(result)["errors"] if e["code"] == "extra-header"][0]
    assert "date_start" in extra["hint"]


def test_encoding_error_names_the_byte(run, pkg_ro):
    result = run(
        "check",
        FIXTURES / "latin1.csv",
        "-r",
        "statements",
        "--package",
        pkg_ro,
        "--format",
        "json",
    )
    assert "0xe9" in report(result)["errors"][0]["message"]


def test_likely_duplicate_is_a_warning_not_an_error(run, check_json, pkg_ro):
    result = check_json("likely_duplicate.csv")
    assert result.exit_code == 0
    assert [w["code"] for w in report(result)["warnings"]] == ["likely-duplicate"]


def test_binary_file(run, pkg_ro, tmp_path):
    f = tmp_path / "image.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = run("check", f, "-r", "statements", "--package", pkg_ro, "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == ["binary-file"]


def test_field_of_megabytes(run, pkg_ro, tmp_path):
    good = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8")
    f = tmp_path / "huge_field.csv"
    f.write_text(
        good.replace("A new statement, used by the tests.", "x" * 3_000_000), encoding="utf-8"
    )
    result = run("check", f, "-r", "statements", "--package", pkg_ro, "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == ["cell-too-large"]
    assert len(report(result)["errors"][0]["value"]) <= 80


def test_unknown_resource_is_a_usage_error(run, pkg_ro):
    result = run("check", FIXTURES / "good_statement.csv", "-r", "speeches", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "statements" in result.stderr


@pytest.mark.parametrize("target", ["missing.csv", "."])
def test_missing_file_or_directory_is_a_usage_error(run, pkg_ro, target):
    result = run("check", pkg_ro / target, "-r", "statements", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_text_output_puts_findings_on_stderr_and_summary_on_stdout(run, pkg_ro):
    result = run("check", FIXTURES / "bad_date.csv", "-r", "statements", "--package", pkg_ro)
    assert "[type-error]" in result.stderr and "fix:" in result.stderr
    assert "[type-error]" not in result.stdout
    assert "statements" in result.stdout and "invalid" in result.stdout


def test_a_broken_resource_the_check_reads_stops_it(run, check_json, pkg):
    # statements refer to meetings: a meetings file DuckDB cannot read leaves nothing to judge by.
    (pkg / "data" / "meetings.csv").write_text("meeting_id;name\n", encoding="utf-8")
    result = check_json("good_statement.csv")
    assert result.exit_code == 1
    assert codes(result) == ["wrong-separator"]
    assert report(result)["errors"][0]["resource"] == "meetings"


def test_a_broken_resource_the_check_does_not_read_is_no_obstacle(run, check_json, pkg):
    (pkg / "data" / "military_exercises.csv").write_text("exercise_id;name\n", encoding="utf-8")
    result = check_json("good_statement.csv")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    ("name", "code", "python_layer"),
    [
        ("good_statement.csv", 0, False),  # DuckDB reads it: the engine alone
        ("embedded_newline.csv", 1, False),  # DuckDB too: line breaks in cells counted in SQL
        ("ragged_rows.csv", 1, True),  # Python reads it, DuckDB scans the Arrow table
    ],
)
def test_check_in_a_fresh_process_loads_only_what_it_needs(pkg_ro, name, code, python_layer):
    # Tests in this process may have imported duckdb already; a new process shows what check needs.
    import subprocess
    import sys

    script = (
        "import sys; from click.testing import CliRunner; from toolkit.cli.commands import main; "
        f"r = CliRunner().invoke(main, ['check', {str(FIXTURES / name)!r}, '-r', 'statements', "
        f"'--package', {str(pkg_ro)!r}]); "
        "print(r.exit_code, 'duckdb' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    exit_code, duckdb_package, pandas = out.stdout.split()
    assert (int(exit_code), duckdb_package) == (code, str(python_layer))
    if not python_layer:  # a well-formed file needs neither the package's Python layer nor pandas
        assert pandas == "False"


def test_a_space_in_a_topic_list_gets_a_readable_message_and_the_fixed_value(check_json):
    result = check_json("topics_space_after_semicolon.csv")
    [error] = report(result)["errors"]
    assert error["code"] == "pattern-error"
    assert "semicolon-separated values from: afghanistan, combat-readiness" in error["message"]
    assert "(afghanistan|" not in error["message"] + error["hint"]  # no regular expression
    assert error["hint"] == "Remove the spaces: 'ukraine-war;poland'."


def test_a_name_for_an_id_suggests_the_slug_that_exists(check_json):
    result = check_json("speaker_name_not_id.csv")
    errors = report(result)["errors"]
    assert [e["code"] for e in errors] == ["pattern-error", "foreign-key"]
    assert errors[0]["hint"] == "Ids are slugs: write 'emily-ferris'."
    assert "[A-Z]{3}" not in errors[0]["message"]
    assert errors[1]["hint"].startswith(
        "Did you mean 'emily-ferris' (Emily Ferris), which actors.actor_id holds?"
    )


def test_an_unknown_reference_suggests_the_closest_keys_by_name_and_id(check_json):
    """'lukashenko' is in no id, but is a word of an actor's name: following "add a row with
    actor_id 'lukashenko'" would have made a duplicate of alexander-lukashenko."""
    [error] = report(check_json("speaker_surname_only.csv"))["errors"]
    assert error["code"] == "foreign-key"
    assert error["hint"].startswith(
        "Did you mean 'alexander-lukashenko' (Alexander Lukashenko), which actors.actor_id holds?"
    )
    assert "only if it is a new entity" in error["hint"]


def test_suggestions_for_dangling_values_stop_at_the_budget_of_compared_rows(
    check_json, monkeypatch
):
    """Many dangling values cost no more than COMPARED_ROWS referenced rows of difflib: a value
    beyond the budget gets the plain hint."""
    from toolkit.checks import keys

    monkeypatch.setattr(keys, "COMPARED_ROWS", 0)
    [error] = report(check_json("speaker_surname_only.csv"))["errors"]
    assert error["code"] == "foreign-key"
    assert "Did you mean" not in error["hint"]
    assert error["hint"].startswith("Fix the id if it names something actors holds")
