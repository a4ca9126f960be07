"""Large tables are checked another way (per distinct value, keys grouped by hash, rows looked up
afterwards); both ways must find the same errors, so these tests run the small fixtures both ways."""

from __future__ import annotations

import pytest
from helpers import BAD, CASES, FIXTURES, edit


@pytest.fixture
def everything_large(monkeypatch):
    """Treat every table as large: the per-value checks run on the fixtures, and every file is
    scanned while DuckDB loads it."""

    def use() -> None:
        from toolkit.checks import cells, csvread

        monkeypatch.setattr(cells, "SMALL", 0)  # the one switch (cells.is_large)
        monkeypatch.setattr(csvread, "OVERLAP", 0)

    return use


@pytest.mark.parametrize("name", sorted(set(BAD) | {"good_statement.csv", "bom_crlf.csv"}))
def test_a_contribution_gets_the_same_report_either_way(run, pkg_ro, everything_large, name):
    resource = BAD.get(name, ("statements",))[0]
    args = ("check", FIXTURES / name, "-r", resource, "--package", pkg_ro, "--format", "json")
    small = run(*args)
    everything_large()
    large = run(*args)
    assert (large.exit_code, large.stdout) == (small.exit_code, small.stdout)


def test_the_package_gets_the_same_report_either_way(run, pkg, everything_large):
    for resource, old, new, _ in CASES[:2] + CASES[3:]:  # CASES[2] edits the row CASES[1] does
        edit(pkg, resource, old, new)
    small = run("validate", pkg, "--format", "json")
    everything_large()
    large = run("validate", pkg, "--format", "json")
    assert small.exit_code == 1
    assert large.stdout == small.stdout
