"""Writers of the package under concurrency and crashes, as real processes: two `add`s at once keep
every row (the package lock), and a writer killed at any step of its commit leaves a change that the
next command completes or rolls back (the journal)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT

from toolkit.store.fileio import file_digest
from toolkit.store.journal import JOURNAL
from toolkit.store.lock import LOCK_FILE

FIRST_ID = "kazakhstan-neutral-stance"
SECOND_ID = "kazakhstan-neutral-stance-restated"


def contributions(tmp_path: Path) -> tuple[Path, Path]:
    """Two contributions to statements with different keys."""
    first = FIXTURES / "good_statement.csv"
    second = tmp_path / "second.csv"
    second.write_text(
        first.read_text(encoding="utf-8").replace(FIRST_ID, SECOND_ID), encoding="utf-8"
    )
    return first, second


def start_add(pkg: Path, file: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "toolkit", "add", str(file), "-r", "statements", "--package", pkg],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
    )


def wait_for_lock_holder(pkg: Path, pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The lock file may be missing or half written while the writer starts: read it again.
        with contextlib.suppress(OSError, ValueError, KeyError):
            if json.loads((pkg / LOCK_FILE).read_text())["pid"] == pid:
                return
        time.sleep(0.05)
    pytest.fail("the first writer never took the package lock")


def statement_ids(pkg: Path) -> list[str]:
    lines = (pkg / "data/statements.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",", 1)[0] for line in lines]


def test_two_adds_at_once_keep_every_row_of_both(pkg, tmp_path, run):
    first, second = contributions(tmp_path)
    # The first reads the data, then dawdles before writing: without a lock the second's write
    # would be lost under the first's (or the reverse).
    a = start_add(pkg, first, CSTO_ALIGNMENT_TEST_PAUSE_BEFORE_WRITE="2")
    wait_for_lock_holder(pkg, a.pid)
    b = start_add(pkg, second)
    out_a, out_b = a.communicate(timeout=120), b.communicate(timeout=120)
    assert a.returncode == 0, out_a[1]
    assert b.returncode == 0, out_b[1]
    assert f"waiting for pid {a.pid} (add)" in out_b[1]
    ids = statement_ids(pkg)
    assert FIRST_ID in ids and SECOND_ID in ids
    assert run("validate", pkg).exit_code == 0


def test_a_second_writer_gives_up_after_the_timeout_naming_the_holder(pkg, tmp_path):
    first, second = contributions(tmp_path)
    a = start_add(pkg, first, CSTO_ALIGNMENT_TEST_PAUSE_BEFORE_WRITE="3")
    wait_for_lock_holder(pkg, a.pid)
    b = start_add(pkg, second, CSTO_ALIGNMENT_LOCK_TIMEOUT="0.3")
    _, err_b = b.communicate(timeout=60)
    a.communicate(timeout=120)
    assert b.returncode == 1
    assert f"being changed by pid {a.pid} (add), since " in err_b
    assert "Traceback" not in err_b
    assert SECOND_ID not in statement_ids(pkg) and FIRST_ID in statement_ids(pkg)


def with_recorded_hashes(pkg: Path) -> Path:
    """Record each data file's size and sha256, as an unzipped release's descriptor does, so that
    `add` changes two files (the data, and the descriptor, which loses the resource's now stale
    hash) and a half-applied change fails validation."""
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for r in d["resources"]:
        size, digest = file_digest(pkg / r["path"])
        r["bytes"], r["hash"] = size, f"sha256:{digest}"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    return pkg


STEPS_BEFORE_COMMIT = ["staged-1", "staged-2"]
STEPS_AFTER_COMMIT = ["journal", "renamed-1", "renamed-2"]


# Every step with validate as the next command; the next writer recovers the same way (two steps).
CRASHES = [(step, "validate") for step in STEPS_BEFORE_COMMIT + STEPS_AFTER_COMMIT]
CRASHES += [("staged-2", "add"), ("renamed-1", "add")]


@pytest.mark.parametrize(("step", "next_command"), CRASHES)
def test_a_writer_killed_at_any_step_is_completed_or_rolled_back(
    pkg, tmp_path, run, step, next_command
):
    with_recorded_hashes(pkg)
    before = {p: p.read_bytes() for p in (pkg / "data/statements.csv", pkg / "datapackage.json")}
    first, second = contributions(tmp_path)
    killed = start_add(pkg, first, CSTO_ALIGNMENT_TEST_KILL_AT=step)
    killed.communicate(timeout=120)
    assert killed.returncode == -9  # SIGKILL: no cleanup ran
    if next_command == "validate":
        result = run("validate", pkg)
        assert result.exit_code == 0, result.stdout + result.stderr
    else:
        result = run("add", second, "-r", "statements", "--package", pkg)
        assert result.exit_code == 0, result.stderr
        assert SECOND_ID in statement_ids(pkg)
    if step in STEPS_BEFORE_COMMIT:
        assert "rolled back an interrupted change" in result.stderr
        if next_command == "validate":
            assert {p: p.read_bytes() for p in before} == before
        assert FIRST_ID not in statement_ids(pkg)
    else:
        assert "completed a change that was interrupted" in result.stderr
        assert FIRST_ID in statement_ids(pkg)
        statements = json.loads((pkg / "datapackage.json").read_text())["resources"]
        assert not any("hash" in r for r in statements if r["name"] == "statements")
    leftovers = [p.name for p in pkg.rglob(".*") if p.name != LOCK_FILE]
    assert leftovers == []
    assert not (pkg / JOURNAL).exists()
    assert run("validate", pkg).exit_code == 0


def test_lock_journal_and_staged_files_are_ignored_by_git():
    names = [LOCK_FILE, JOURNAL, f"{JOURNAL}.tmp", "data/.un_votes.csv.k2x9a1.tmp"]
    out = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", *names],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out == names


def test_a_rename_that_fails_midway_puts_the_old_files_back(run, pkg, monkeypatch):
    with_recorded_hashes(pkg)
    before = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
    real_replace, calls = os.replace, []

    def second_fails(src, dst):
        if str(src).endswith(".tmp") and not str(src).endswith(".journal.tmp"):
            calls.append(dst)
            if len(calls) == 2:  # the data file is replaced; the descriptor cannot be
                raise PermissionError(1, "Operation not permitted", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 3
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file() and p.name != LOCK_FILE}
    assert after == before
    monkeypatch.undo()
    assert run("validate", pkg).exit_code == 0
