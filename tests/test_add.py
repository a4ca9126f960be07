"""`add`: merges only clean contributions, atomically, in canonical order, and logs them."""

from __future__ import annotations

import csv
import os

import pytest
from helpers import FIXTURES, report

from toolkit.lock import LOCK_FILE


def snapshot(pkg):
    """Every file of the package but the lock file, which holds no data (and is ignored by git)."""
    return {
        p.relative_to(pkg): p.read_bytes()
        for p in pkg.rglob("*")
        if p.is_file() and p.name != LOCK_FILE
    }


def test_add_merges_rows_in_primary_key_order_and_logs_them(run, pkg):
    result = run("add", FIXTURES / "bom_crlf.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    data = (pkg / "data/statements.csv").read_bytes()
    assert b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf")
    ids = [r["statement_id"] for r in csv.DictReader(data.decode().splitlines())]
    assert "kazakhstan-neutral-stance" in ids
    assert ids == sorted(ids)
    log = (pkg / "CHANGELOG.md").read_text()
    unreleased = log.split("## [Unreleased]")[1].split("## [0.1.0]")[0]
    assert "1 row(s) to `statements`: kazakhstan-neutral-stance" in unreleased
    assert run("validate", pkg).exit_code == 0


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
