"""Tables in the terminal fit its width ($COLUMNS): long cells wrap in their column, columns that
cannot fit are left out with a note on stderr; csv, json and markdown are data and never change."""

from __future__ import annotations

import json

from click.testing import CliRunner

from toolkit.cli.commands import main
from toolkit.cli.render import fit_table


def query(pkg, *args: str, columns: str | None):
    return CliRunner().invoke(
        main, ["query", *args, "--package", str(pkg)], env={"COLUMNS": columns}
    )


def test_a_wide_result_fits_columns_and_keeps_the_verdict_on_screen(pkg_ro):
    result = query(pkg_ro, "claims_vs_record", columns="100")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "verdict" in lines[0] and "contradicte" in result.stdout  # wrapped, on screen
    assert "column(s) left out to fit 100 characters (COLUMNS)" in result.stderr
    assert "evidence_excerpt" in result.stderr  # named, and where to see it


def test_without_columns_a_table_for_a_file_is_not_fitted(pkg_ro):
    result = query(pkg_ro, "claims_vs_record", columns=None)
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) > 200
    assert "left out" not in result.stderr


def test_data_formats_ignore_columns(pkg_ro):
    for fmt in ("csv", "json", "markdown"):
        narrow = query(pkg_ro, "claims_vs_record", "--format", fmt, columns="40")
        wide = query(pkg_ro, "claims_vs_record", "--format", fmt, columns=None)
        assert narrow.stdout == wide.stdout, fmt
    rows = json.loads(query(pkg_ro, "claims_vs_record", "--format", "json", columns="40").stdout)
    assert rows and "evidence_excerpt" in rows[0]


def test_fit_table_wraps_cells_and_leaves_out_what_cannot_fit():
    fitted = fit_table(
        ["id", "text", "verdict"],
        [["a", "one two three four five six seven eight nine ten", "contradicted"]],
        36,
    )
    lines = fitted.text.splitlines()
    assert fitted.left_out == [] and max(len(line) for line in lines) <= 36
    assert lines[2].split()[-1] == "contradicted" and len(lines) > 3  # the long cell wrapped
    words = " ".join(line[3:22].strip() for line in lines[2:])
    assert words.split() == "one two three four five six seven eight nine ten".split()
    fitted = fit_table(["a", "b", "c"], [["x" * 12, "y" * 12, "z" * 12]], 24)
    assert fitted.left_out == ["c"]
    assert fit_table(["a"], [["x" * 50]], None).text.splitlines()[2] == "x" * 50
