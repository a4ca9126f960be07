"""The exit-code contract, one test per code: 0 valid / done, 1 invalid data, 2 usage error, 3 an
internal failure (a bug or the machine). Every failure ends in one line on stderr, no traceback."""

from __future__ import annotations

import json

import pytest
from helpers import FIXTURES, edit

from toolkit.errors import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE


def test_0_valid_data(run, pkg_ro):
    result = run("validate", pkg_ro)
    assert result.exit_code == EXIT_OK == 0


@pytest.mark.parametrize(
    "args",
    [
        ("check", FIXTURES / "bad_date.csv", "-r", "statements"),
        ("add", FIXTURES / "bad_date.csv", "-r", "statements"),
        ("query", "SELECT count(*) FROM statements"),  # the typed cache refuses a bad cell
        ("export", "--format", "sqlite", "--out", "OUT"),
    ],
)
def test_1_invalid_data(run, pkg, tmp_path, args):
    edit(pkg, "un_resolutions", ",141,5,35,12,", ",many,5,35,12,")  # not a whole number
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run(*args, "--package", pkg)
    assert result.exit_code == EXIT_INVALID == 1
    assert "Traceback" not in result.stderr


def test_1_invalid_package_for_validate(run, pkg):
    edit(pkg, "un_resolutions", ",141,5,35,12,", ",many,5,35,12,")
    assert run("validate", pkg).exit_code == EXIT_INVALID


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("check", FIXTURES / "good_statement.csv", "-r", "speeches"), "unknown resource"),
        (("template", "speeches"), "unknown resource"),
        (("check", "MISSING", "-r", "statements"), "does not exist"),
        (("validate", "--no-such-option"), "No such option"),
        (("query", "SELECT * FROM votes"), "Tables and columns"),
        (("query", "--file", "LATIN1"), "cannot read the SQL"),
        (("export", "--format", "sqlite", "--out", "UNDER_A_FILE"), "cannot create the folder"),
    ],
)
def test_2_usage_error(run, pkg_ro, tmp_path, args, says):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "latin1.sql").write_bytes("SELECT 'Gen\xe8ve'".encode("latin-1"))
    where = {
        "MISSING": str(tmp_path / "missing.csv"),
        "LATIN1": str(tmp_path / "latin1.sql"),
        "UNDER_A_FILE": str(tmp_path / "a-file" / "out"),
    }
    args = [where.get(a, a) if isinstance(a, str) else a for a in args]
    extra = () if args[0] == "validate" else ("--package", pkg_ro)
    result = run(*args, *extra)
    assert result.exit_code == EXIT_USAGE == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_2_a_package_path_that_cannot_be_read(run, tmp_path):
    (tmp_path / "datapackage.json").mkdir()  # a folder where the descriptor should be
    result = run("validate", tmp_path)
    assert result.exit_code == EXIT_USAGE
    assert "cannot read" in result.stderr


def test_3_internal_failure_is_neither_bad_data_nor_usage(run, pkg_ro, monkeypatch):
    from toolkit.checks import validate

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(validate, "validate_package", bug)
    result = run("validate", pkg_ro)
    assert result.exit_code == EXIT_INTERNAL == 3
    assert result.stderr.strip() == (
        "Error: ZeroDivisionError: division by zero (run with --debug for details)"
    )
    debug = run("--debug", "validate", pkg_ro)
    assert debug.exit_code == EXIT_INTERNAL
    assert "Traceback" in debug.stderr


def test_validate_takes_the_package_as_every_command_does(run, pkg):
    edit(pkg, "un_resolutions", ",141,5,35,12,", ",many,5,35,12,")
    assert run("validate", "--package", pkg).exit_code == EXIT_INVALID
    assert run("validate", pkg).exit_code == EXIT_INVALID  # the positional PATH still works


@pytest.mark.parametrize(
    "args",
    [
        ("check", FIXTURES / "good_statement.csv", "-r", "speeches", "--format", "json"),
        ("check", "missing.csv", "-r", "statements", "--format=json"),
        ("validate", "--no-such-option", "--format", "json"),
    ],
)
def test_a_usage_error_answers_in_json_when_json_is_asked_for(run, pkg_ro, args):
    extra = () if args[0] == "validate" else ("--package", str(pkg_ro))
    result = run(*args, *extra)
    assert result.exit_code == EXIT_USAGE
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    assert [e["code"] for e in doc["errors"]] == ["usage-error"]
    assert doc["errors"][0]["message"] and doc["errors"][0]["message"] in result.stderr
