"""Contributed files built to break `check`: devices and pipes, huge cells, headers beyond the
first 64 KiB (many comment lines, 100,000 columns)."""

from __future__ import annotations

import os

import pytest
from helpers import FIXTURES, codes, report


@pytest.mark.parametrize("command", ["check", "add"])
def test_a_device_is_refused_at_once(run, pkg, command):
    result = run(command, "/dev/zero", "-r", "statements", "--package", pkg)
    assert result.exit_code == 2
    assert "/dev/zero is not a regular file" in result.stderr


def test_a_pipe_is_refused_at_once(run, pkg_ro, tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    result = run("check", fifo, "-r", "statements", "--package", pkg_ro)
    assert result.exit_code == 2 and "is not a regular file" in result.stderr
    sql = run("query", "--file", fifo, "--package", pkg_ro)
    assert sql.exit_code == 2 and "is not a regular file" in sql.stderr


def test_a_pipe_in_place_of_a_data_file_is_invalid_data(run, pkg):
    (pkg / "data/sources.csv").unlink()
    os.mkfifo(pkg / "data/sources.csv")
    result = run("validate", pkg)
    assert result.exit_code == 1
    assert "data/sources.csv: not a regular file" in result.stderr


def good_rows() -> tuple[str, str]:
    header, *rows = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8").splitlines()
    return header, "\n".join(rows) + "\n"


def test_a_header_after_more_than_64_kib_of_comments_is_found(check_json, pkg_ro, tmp_path):
    header, rows = good_rows()
    comments = "".join(f"# note {i}: {'x' * 60}\n" for i in range(2000))  # about 140 KB
    assert len(comments.encode()) > 2 * (1 << 16)
    f = tmp_path / "long_preamble.csv"
    f.write_text(comments + header + "\n" + rows, encoding="utf-8")
    result = check_json(f)
    assert result.exit_code == 0, result.stdout
    assert report(result)["summary"]["statements"]["rows"] == 1


@pytest.mark.slow
def test_a_header_of_100000_columns_is_read_whole(check_json, tmp_path):
    header, _ = good_rows()
    extra = [f"col{i}" for i in range(100_000)]
    f = tmp_path / "wide_header.csv"
    f.write_text(",".join([header, *extra]) + "\n" + "x" * 10 + "\n", encoding="utf-8")
    result = check_json(f)
    assert result.exit_code == 1
    found = codes(result)
    assert "duplicate-header" not in found and "missing-header" not in found
    assert set(found) == {"extra-header"}


def test_a_huge_cell_is_cut_in_every_message_with_its_length(check_json, tmp_path):
    header, rows = good_rows()
    cells = rows.rstrip("\n").split(",")
    cells[1] = "z" * 20_000  # speaker_id: too large and referencing nothing
    f = tmp_path / "huge_cell.csv"
    f.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    result = check_json(f)
    errors = report(result)["errors"]
    assert {"cell-too-large", "foreign-key"} <= {e["code"] for e in errors}
    for e in errors:
        assert len(e["message"]) < 400 and len(e["hint"]) < 400 and len(e["value"] or "") <= 80
    fk = next(e for e in errors if e["code"] == "foreign-key")
    assert "... (20,000 characters)" in fk["message"]


# 23. A CR inside a cell became LF on `add`; integers above 64 bits were refused unclearly
def test_a_carriage_return_inside_a_cell_is_kept_by_add(run, pkg, tmp_path):
    text = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8")
    header, row = text.split("\n", 1)
    summary = "first line\rsecond line"
    f = tmp_path / "cr.csv"
    import csv
    import io

    fields = next(csv.reader([header]))
    values = next(csv.reader([row]))
    values[fields.index("summary")] = summary
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([fields, values])
    f.write_bytes(out.getvalue().encode("utf-8"))
    result = run("add", f, "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    data = (pkg / "data/statements.csv").read_bytes()
    assert b'"first line\rsecond line"' in data


def test_an_integer_beyond_64_bits_is_refused_saying_why(run, pkg):
    from helpers import edit

    edit(pkg, "un_resolutions", ",141,5,35,12,", ",99999999999999999999,5,35,12,")
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    errors = report(result)["errors"]
    assert [e["code"] for e in errors][:1] == ["type-error"]
    assert "beyond the 64-bit range" in errors[0]["hint"]
