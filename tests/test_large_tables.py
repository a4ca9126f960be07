"""Large tables are checked another way (per distinct value, keys grouped by hash, rows looked up
afterwards); both ways must find the same errors, so these tests run the small fixtures both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import BAD, CASES, FIXTURES, edit


@pytest.fixture
def everything_large(monkeypatch):
    """Treat every table as large: the per-value checks run on the fixtures, every file is
    scanned while DuckDB loads it, and the session keeps its tables in a database file."""

    def use() -> None:
        from toolkit.checks import cells, csvread
        from toolkit.db import sandbox

        monkeypatch.setattr(cells, "SMALL", 0)  # the one switch (cells.is_large)
        monkeypatch.setattr(csvread, "OVERLAP", 0)
        monkeypatch.setattr(sandbox, "ON_DISK_ABOVE", 0)

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


def test_a_session_on_disk_leaves_no_database_file_behind(pkg, everything_large):
    from toolkit.checks.session import File, Session
    from toolkit.package.tableschema import load_package

    everything_large()
    package = load_package(pkg)
    votes = package.resource("un_votes")
    path = pkg / votes.path
    session = Session(package, read=[path])
    assert session.database != ":memory:"  # files above ON_DISK_ABOVE: a database file
    session.load([File(votes, path, "package", votes.path)])
    assert session.con.execute("SELECT count(*) FROM un_votes").fetchone()[0] > 0
    database = Path(session.database)
    assert database.is_file()
    session.close()
    assert not database.exists() and not Path(f"{database}.wal").exists()


def test_private_folders_of_processes_that_were_killed_are_removed(tmp_path, monkeypatch):
    """A process killed mid-check leaves its private folder (a database file of large tables may be
    in it); the next process removes those whose process no longer runs, and no other."""
    import os
    import subprocess
    import sys
    import tempfile

    from toolkit.db import sandbox

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f"{sandbox.PREFIX}{gone.stdout.strip()}-abc"
    alive = tmp_path / f"{sandbox.PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{sandbox.PREFIX}oldstyle"
    outside = tmp_path / "elsewhere"
    for folder in (dead, alive, other, outside):
        folder.mkdir()
        (folder / "scratch.duckdb").write_bytes(b"x")
    link = tmp_path / f"{sandbox.PREFIX}{gone.stdout.strip()}-link"
    link.symlink_to(outside)
    sandbox._remove_orphans()
    assert not dead.exists()
    assert alive.exists() and other.exists() and (outside / "scratch.duckdb").exists()
    assert link.is_symlink()
