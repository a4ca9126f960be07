"""`add`: merges only clean contributions, atomically, in canonical order, and writes nothing but
the data file (the release does the bookkeeping)."""

from __future__ import annotations

import csv
import heapq
import os
from pathlib import Path

import pytest
from helpers import FIXTURES, report

from toolkit.store.lock import LOCK_FILE


def snapshot(pkg):
    """Every file of the package but the lock file, which holds no data (and is ignored by git)."""
    return {
        p.relative_to(pkg): p.read_bytes()
        for p in pkg.rglob("*")
        if p.is_file() and p.name != LOCK_FILE
    }


def statement_ids(pkg):
    with (pkg / "data/statements.csv").open(encoding="utf-8", newline="") as fh:
        return [r["statement_id"] for r in csv.DictReader(fh)]


def test_add_merges_rows_in_primary_key_order_and_writes_only_the_data_file(run, pkg):
    before, ids_before = snapshot(pkg), statement_ids(pkg)
    result = run("add", FIXTURES / "bom_crlf.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    data = (pkg / "data/statements.csv").read_bytes()
    assert b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf")
    # The new row goes before the first row whose key is greater; no existing row moves (a row
    # appended by hand stays where it is), so a file in key order stays in key order.
    assert statement_ids(pkg) == list(heapq.merge(ids_before, ["kazakhstan-neutral-stance"]))
    after = snapshot(pkg)
    # No hash into datapackage.json, no line into CHANGELOG.md: lines two branches would both touch.
    assert [p for p in after if after[p] != before.get(p)] == [Path("data/statements.csv")]
    valid = run("validate", pkg, "--format", "json")
    assert valid.exit_code == 0
    # Information, not an error: the copy has no git history to count rows against, but the
    # record of release 0.4.0 says which files changed.
    assert "data/statements.csv" in report(valid)["since_release"]["changed_files"]


def test_added_rows_are_then_part_of_the_package(run, check_json, pkg):
    assert (
        run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg).exit_code
        == 0
    )
    again = check_json("good_statement.csv")
    assert again.exit_code == 1
    assert [e["code"] for e in report(again)["errors"]] == ["primary-key"]


@pytest.mark.parametrize(
    "name", ["bad_date.csv", "primary_key_collision.csv", "ragged_rows.csv", "latin1.csv"]
)
def test_any_error_writes_nothing(run, pkg, name):
    before = snapshot(pkg)
    result = run("add", FIXTURES / name, "-r", "statements", "--package", pkg)
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert snapshot(pkg) == before


def test_a_failed_write_leaves_the_old_files_whole(run, pkg, monkeypatch):
    before = snapshot(pkg)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 3  # a failure of the machine, neither bad data nor bad usage
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(pkg) == before  # no temporary files left behind either


def test_rows_of_the_same_file_may_reference_each_other(run, pkg):
    result = run(
        "add", FIXTURES / "reference_in_same_file.csv", "-r", "statements", "--package", pkg
    )
    assert result.exit_code == 0, result.stderr
    assert run("validate", pkg).exit_code == 0


def test_a_contribution_with_its_columns_in_another_order_is_merged_in_schema_order(
    run, pkg, tmp_path
):
    rows = list(csv.reader((FIXTURES / "good_statement.csv").read_text().splitlines()))
    order = list(reversed(range(len(rows[0]))))
    shuffled = tmp_path / "columns_reversed.csv"
    with shuffled.open("w", newline="") as fh:
        csv.writer(fh).writerows([[r[i] for i in order] for r in rows])
    before = (pkg / "data/statements.csv").read_text().splitlines()
    result = run("add", shuffled, "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    after = (pkg / "data/statements.csv").read_text().splitlines()
    assert after[0] == before[0]  # the schema's column order
    added = next(csv.reader([line for line in after if line.startswith(rows[1][0] + ",")]))
    assert added == rows[1]


def test_a_correction_of_an_existing_key_is_refused_without_replace(run, pkg):
    before = snapshot(pkg)
    result = run(
        "add", FIXTURES / "correction_of_existing_key.csv", "-r", "actors", "--package", pkg
    )
    assert result.exit_code == 1 and "[primary-key]" in result.stderr
    assert snapshot(pkg) == before


def test_replace_corrects_the_row_and_prints_each_changed_cell(run, pkg):
    result = run(
        "add",
        FIXTURES / "correction_of_existing_key.csv",
        "-r",
        "actors",
        "--replace",
        "--package",
        pkg,
    )
    assert result.exit_code == 0, result.stderr
    assert "added 0 row(s)" in result.stderr and "replaced 1 row(s)" in result.stderr
    rows = list(csv.DictReader((pkg / "data/actors.csv").open(encoding="utf-8")))
    ferris = [r for r in rows if r["actor_id"] == "emily-ferris"]
    assert [r["role"] for r in ferris] == [
        "Senior Research Fellow, Russian and Eurasian Security, RUSI"
    ]
    assert (
        "changed emily-ferris: role: 'Senior Research Fellow, Russian and "
        "Eurasian Security, RUSI; author of the commentary' -> 'Senior Research Fellow, Russian "
        "and Eurasian Security, RUSI'" in result.stderr
    )
    assert run("validate", pkg).exit_code == 0


def test_replace_checks_the_corrected_row_like_add(run, pkg, tmp_path):
    bad = tmp_path / "correction_with_bad_enum.csv"
    text = (FIXTURES / "correction_of_existing_key.csv").read_text()
    bad.write_text(text.replace(",person,", ",Person,"))
    before = snapshot(pkg)
    result = run("add", bad, "-r", "actors", "--replace", "--package", pkg, "--format", "json")
    assert result.exit_code == 1
    assert [e["code"] for e in report(result)["errors"]] == ["enum-error"]
    assert snapshot(pkg) == before


def test_rows_padded_with_empty_cells_by_a_spreadsheet_are_merged(run, pkg, tmp_path):
    lines = (FIXTURES / "good_statement.csv").read_text().splitlines()
    padded = tmp_path / "padded_to_the_widest_row.csv"
    padded.write_text("# a note,typed,in,cells\n" + "\n".join(x + ",,," for x in lines) + "\n")
    result = run("add", padded, "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader((pkg / "data/statements.csv").open(encoding="utf-8")))
    assert {len(r) for r in rows} == {18}
    assert run("validate", pkg).exit_code == 0


def test_a_merge_that_needs_more_memory_than_allowed_says_so_and_writes_nothing(
    run, pkg, monkeypatch
):
    from toolkit.checks.engine import engine
    from toolkit.store import merge

    def out_of_memory(self, to):
        raise engine().OutOfMemoryException("could not allocate block of size 256.0 KiB")

    monkeypatch.setattr(merge.Merge, "write", out_of_memory)
    before = snapshot(pkg)
    result = run("add", FIXTURES / "bom_crlf.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 3
    assert "need more memory than DuckDB may use" in result.stderr
    assert "CSTO_ALIGNMENT_MEMORY_LIMIT" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(pkg) == before  # nor any staged file left beside the data file


def test_a_quoted_cell_after_a_space_is_added_as_check_judged_it(run, pkg, tmp_path):
    """`, "A, B"` (a space before the quote, as typed by hand): check and add both read one cell
    `A, B`, and the package stays valid (add once wrote the two cells the csv module reads)."""
    lines = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8").splitlines()
    spaced = tmp_path / "spaced.csv"
    spaced.write_text(lines[0] + "\n" + lines[1].replace(',"', ', "', 1) + "\n", encoding="utf-8")
    assert ', "' in spaced.read_text(encoding="utf-8")
    checked = run("check", spaced, "-r", "statements", "--package", pkg, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
    assert run("add", spaced, "-r", "statements", "--package", pkg).exit_code == 0
    with (pkg / "data/statements.csv").open(encoding="utf-8", newline="") as fh:
        added = {r["statement_id"]: r for r in csv.DictReader(fh)}["kazakhstan-neutral-stance"]
    assert added["summary"] == "A new statement, used by the tests."
    assert run("validate", pkg).exit_code == 0
