"""A package is untrusted input: names that are SQL, and DuckDB's reach beyond the package.

Names are refused where the descriptor is read ([unsafe-name]); identifiers are quoted by one
function (db/sql.q) even where a name slipped past; every DuckDB connection that reads the package
reaches only its files (db/sandbox). A canary file outside the package must stay as it was.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from helpers import FIXTURES

from toolkit.package.tableschema import load_package


def edit_json(path: Path, change) -> None:
    d = json.loads(path.read_text(encoding="utf-8"))
    change(d)
    path.write_text(json.dumps(d, indent=2), encoding="utf-8")


def rename_column(pkg: Path, resource: str, old: str, new: str) -> None:
    """Rename a field in the resource's schema and its column in the data file."""

    def change(s: dict) -> None:
        next(f for f in s["fields"] if f["name"] == old)["name"] = new

    edit_json(pkg / "schemas" / f"{resource}.json", change)
    path = pkg / "data" / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[0] = [new if h == old else h for h in rows[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def injection(target: Path) -> str:
    """A field name that, pasted into SQL between double quotes, writes `target`."""
    return (
        f"notes\" FROM (SELECT 1 AS \"notes\"); COPY (SELECT 'x') TO '{target}' "
        f'(HEADER false); SELECT "notes'
    )


COMMANDS = {
    "validate": lambda pkg: ["validate", pkg],
    "check": lambda pkg: [
        "check",
        FIXTURES / "good_statement.csv",
        "-r",
        "statements",
        "--package",
        pkg,
    ],
    "query": lambda pkg: ["query", "SELECT 1", "--package", pkg],
    "site": lambda pkg: ["site", "--out", pkg.parent / "site", "--package", pkg],
}


# 1. SQL injection through a Table Schema field name or a resource name
@pytest.mark.parametrize("command", COMMANDS)
def test_a_field_name_that_is_sql_is_refused_and_runs_nothing(run, pkg, canary, command):
    target = canary.path("pwned.txt")
    rename_column(pkg, "sources", "notes", injection(target))
    result = run(*COMMANDS[command](pkg))
    assert result.exit_code == 1, result.output
    assert "[unsafe-name]" in result.stderr and "the field's name" in result.stderr
    schema = json.loads((pkg / "schemas/sources.json").read_text(encoding="utf-8"))
    at = [f["name"] for f in schema["fields"]].index(injection(target))
    assert f"schemas/sources.json: fields[{at}]" in result.stderr
    assert canary.unchanged()


def test_a_resource_name_that_is_sql_is_refused(run, pkg, canary):
    target = canary.path("pwned.txt")
    name = f"sources\"; COPY (SELECT 1) TO '{target}'; --"

    def change(d: dict) -> None:
        d["resources"][0]["name"] = name

    edit_json(pkg / "datapackage.json", change)
    result = run("validate", pkg)
    assert result.exit_code == 1
    assert "datapackage.json: resources[0]: the resource's name" in result.stderr
    assert "[unsafe-name]" in result.stderr
    assert canary.unchanged()


def test_load_refuses_a_field_name_that_is_sql(pkg, canary):
    import toolkit
    from toolkit.package.descriptor import DescriptorError

    rename_column(pkg, "sources", "notes", injection(canary.path("pwned.txt")))
    with pytest.raises(DescriptorError, match=r"\[unsafe-name\]"):
        toolkit.load(package=pkg)
    assert canary.unchanged()


def hostile_package(pkg: Path, name: str):
    """The package with the field `notes` of sources renamed `name` past the descriptor's checks
    (as a library caller could build it): quoting alone must hold."""
    rename_column(pkg, "sources", "notes", name)
    rename_column(pkg, "sources", name, "notes")  # the files as they were...
    package = load_package(pkg)
    res = package.resources["sources"]
    fields = tuple(
        dataclasses.replace(f, name=name) if f.name == "notes" else f for f in res.fields
    )
    package.resources["sources"] = dataclasses.replace(res, fields=fields)
    rename_column(pkg, "sources", "notes", name)  # ...and the data file's header renamed
    return package


def test_quoting_holds_where_a_name_slipped_past_the_checks(pkg, canary):
    from toolkit.checks.validate import validate_package
    from toolkit.db import typed_db

    target = canary.path("pwned.txt")
    package = hostile_package(pkg, injection(target))
    report = validate_package(pkg, package)
    assert report.summary["sources"]["rows"] > 0  # read as a column of that odd name
    con = typed_db.connect(package)
    typed_db.build(con, package)
    (n,) = con.execute('SELECT count(*) FROM "sources"').fetchone()
    assert n == report.summary["sources"]["rows"]
    assert canary.unchanged()


def test_a_locked_down_connection_reads_only_the_files_it_was_given(tmp_path, canary):
    import duckdb

    from toolkit.db import sandbox

    mine = tmp_path / "mine.csv"
    mine.write_text("a\n1\n", encoding="utf-8")
    con = sandbox.connect(read=[mine])
    assert con.execute(f"SELECT * FROM read_csv('{mine}')").fetchall() == [(1,)]
    for sql in (
        f"SELECT * FROM read_text('{canary.file}')",
        f"COPY (SELECT 1) TO '{canary.path('pwned.csv')}'",
        "SET enable_external_access = true",
        f"ATTACH '{canary.path('x.duckdb')}' AS x",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert canary.unchanged()
