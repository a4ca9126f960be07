"""The toolkit's state files (journal, lock, query cache) are its own: a branch that plants one
moves, truncates or changes nothing outside the package, and `validate` names a tracked one.
A canary file outside the package must stay as it was."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES

from toolkit.store.journal import JOURNAL
from toolkit.store.lock import LOCK_FILE


def git(pkg: Path, *args: str) -> None:
    base = ["git", "-C", str(pkg), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*base, *args], check=True, capture_output=True)


def commit_all(pkg: Path) -> None:
    """A clone of a branch that committed every file, ignored ones too (`git add -f`)."""
    git(pkg, "init", "-q")
    git(pkg, "add", "-f", "-A")
    git(pkg, "commit", "-qm", "branch")


# 2. A committed journal overwrites any file; relative entries cross the package's boundary
@pytest.mark.parametrize(
    "entries",
    [
        [["payload.txt", "{canary}"]],
        [["payload.txt", "../outside/canary.txt"]],
        [["../outside/canary.txt", "payload.txt"]],
        [[".datapackage.json.abcdefgh.tmp", "../outside/canary.txt"]],
        [["data/.sources.csv.abcdefgh.tmp", "data/sources.csv"], ["payload.txt", "{canary}"]],
    ],
)
@pytest.mark.parametrize("command", ["validate", "query", "add"])
def test_a_planted_journal_moves_nothing(run, pkg, canary, entries, command):
    (pkg / "payload.txt").write_text("pwned\n", encoding="utf-8")
    (pkg / "data/.sources.csv.abcdefgh.tmp").write_text("pwned\n", encoding="utf-8")
    text = json.dumps(entries).replace("{canary}", str(canary.file))
    (pkg / JOURNAL).write_text(text, encoding="utf-8")
    args = {
        "validate": ["validate", pkg],
        "query": ["query", "SELECT count(*) FROM sources", "--package", pkg],
        "add": ["add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg],
    }[command]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert f"warning: ignored {JOURNAL}, which the toolkit did not write" in result.stderr
    assert "nothing was moved" in result.stderr
    assert canary.unchanged()
    assert (pkg / "payload.txt").read_text(encoding="utf-8") == "pwned\n"
    assert "pwned" not in (pkg / "data/sources.csv").read_text(encoding="utf-8")


def test_a_committed_journal_is_an_error_of_validate(run, pkg, canary):
    (pkg / "payload.txt").write_text("pwned\n", encoding="utf-8")
    (pkg / JOURNAL).write_text(json.dumps([["payload.txt", str(canary.file)]]), encoding="utf-8")
    commit_all(pkg)
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [e["code"] for e in errors] == ["state-file-tracked"]
    assert JOURNAL in errors[0]["message"]
    assert canary.unchanged()


def test_a_journal_that_is_a_symlink_is_never_read(run, pkg, canary):
    canary.file.write_text(json.dumps([["payload.txt", "datapackage.json"]]), encoding="utf-8")
    before = canary.file.read_text(encoding="utf-8")
    (pkg / "payload.txt").write_text("pwned\n", encoding="utf-8")
    (pkg / JOURNAL).symlink_to(canary.file)
    result = run("validate", pkg)
    assert result.exit_code == 0
    assert "symbolic link" in result.stderr
    assert canary.file.read_text(encoding="utf-8") == before
    assert json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def test_a_pending_journal_that_is_a_symlink_is_not_written_through(run, pkg, canary):
    (pkg / f"{JOURNAL}.tmp").symlink_to(canary.file)
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    assert canary.unchanged()


def test_recovery_never_looks_into_a_folder_that_leads_out(run, pkg, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".precious.tmp").write_text("keep\n", encoding="utf-8")
    (pkg / "stash").symlink_to(elsewhere)
    (pkg / "data/.statements.csv.abcdefgh.tmp").write_text("left by a crash\n", encoding="utf-8")
    result = run("validate", pkg)
    assert result.exit_code == 0
    assert "rolled back an interrupted change (removed 1 staged file(s))" in result.stderr
    assert (elsewhere / ".precious.tmp").read_text(encoding="utf-8") == "keep\n"


# 7. `.csto-alignment.lock` as a symlink: `add` truncated the file it points to
@pytest.mark.parametrize("command", ["add", "validate", "query"])
def test_a_lock_file_that_is_a_symlink_is_refused(run, pkg, canary, command):
    (pkg / LOCK_FILE).symlink_to(canary.file)
    args = {
        "add": ["add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg],
        "validate": ["validate", pkg],
        "query": ["query", "SELECT 1", "--package", pkg],
    }[command]
    result = run(*args)
    assert result.exit_code == 1
    assert f"{LOCK_FILE} is a symbolic link" in result.stderr
    assert canary.unchanged()


def test_a_committed_lock_file_is_an_error_of_validate(run, pkg):
    (pkg / LOCK_FILE).write_text("{}\n", encoding="utf-8")
    commit_all(pkg)
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["state-file-tracked"]


def test_state_files_are_ignored_by_git():
    from helpers import ROOT

    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for name in (LOCK_FILE, JOURNAL, f"{JOURNAL}.tmp", ".*.tmp"):
        assert name in ignored


# 6. The query cache and DuckDB's temporary folder are reachable from the package
def test_a_cache_planted_in_the_package_is_never_trusted(run, pkg):
    import duckdb

    from toolkit.db.query import content_key
    from toolkit.package.tableschema import load_package

    (pkg / ".cache").mkdir()
    planted = pkg / ".cache" / f"query-{content_key(load_package(pkg))}.duckdb"
    con = duckdb.connect(str(planted))
    con.execute("CREATE TABLE sources AS SELECT 'planted' AS source_id")
    con.close()
    result = run("query", "SELECT count(*) AS n FROM sources", "--package", pkg, "--format", "json")
    assert result.exit_code == 0
    rows = len((pkg / "data/sources.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert json.loads(result.stdout) == [{"n": rows}]


def test_duckdb_spills_to_a_private_folder_outside_the_package(run, pkg, monkeypatch, tmp_path):
    from toolkit.checks.session import Session
    from toolkit.package.tableschema import load_package

    result = run(
        "query",
        "SELECT current_setting('temp_directory') AS t",
        "--package",
        pkg,
        "--format",
        "csv",
    )
    assert result.exit_code == 0
    spill = Path(result.stdout.splitlines()[1])
    monkeypatch.chdir(pkg)  # DuckDB's default for a connection in memory: .tmp in this folder
    session = Session(load_package(pkg))
    (other,) = session.con.execute("SELECT current_setting('temp_directory')").fetchone()
    for folder in (spill, Path(other)):
        assert folder.is_absolute() and "csto-alignment-duckdb-" in folder.name
        assert not folder.resolve().is_relative_to(pkg.resolve())
        assert not folder.resolve().is_relative_to(tmp_path.resolve())


# 13. validate/query during adds reported false hash-mismatch: readers saw a new data file beside
#     the old descriptor
@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "query"])
def test_a_reader_waits_for_a_running_add_and_sees_its_result_whole(run, pkg, command):
    from test_concurrency import (
        FIRST_ID,
        start_add,
        statement_ids,
        wait_for_lock_holder,
        with_recorded_hashes,
    )

    with_recorded_hashes(pkg)
    writer = start_add(
        pkg, FIXTURES / "good_statement.csv", CSTO_ALIGNMENT_TEST_PAUSE_BEFORE_WRITE="1.5"
    )
    wait_for_lock_holder(pkg, writer.pid)
    if command == "validate":
        result = run("validate", pkg, "--format", "json")
    else:
        sql = f"SELECT count(*) AS n FROM statements WHERE statement_id = '{FIRST_ID}'"
        result = run("query", sql, "--package", pkg, "--format", "json")
    writer.communicate(timeout=120)
    assert writer.returncode == 0
    assert f"waiting for pid {writer.pid} (add)" in result.stderr
    assert result.exit_code == 0, result.stdout + result.stderr
    if command == "validate":
        assert json.loads(result.stdout)["errors"] == []
    else:
        assert json.loads(result.stdout) == [{"n": 1}]  # the added row, read after the add
    assert FIRST_ID in statement_ids(pkg)


# 18. A malformed journal made every command exit 3
@pytest.mark.parametrize("text", ["{", "[1]", '[["a"]]', '{"a": 1}', "\x00\xff"])
def test_a_malformed_journal_is_ignored_with_a_warning(run, pkg, text):
    (pkg / JOURNAL).write_bytes(text.encode("latin-1"))
    for args in (["validate", pkg], ["query", "SELECT 1", "--package", pkg]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert f"warning: ignored {JOURNAL}" in result.stderr


# 22. CSTO_ALIGNMENT_LOCK_TIMEOUT=nan waited forever
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "1e400", "soon"])
def test_a_lock_timeout_that_is_not_a_finite_number_falls_back_to_the_default(monkeypatch, value):
    from toolkit.store.lock import DEFAULT_TIMEOUT, TIMEOUT_ENV, lock_timeout

    monkeypatch.setenv(TIMEOUT_ENV, value)
    assert lock_timeout() == DEFAULT_TIMEOUT


def test_a_journal_the_toolkit_wrote_for_a_release_is_completed(run, pkg):
    (pkg / "releases").mkdir(exist_ok=True)
    (pkg / "releases/.9.9.9.json.abcdefgh.tmp").write_text("{}\n", encoding="utf-8")
    (pkg / "..zenodo.json.abcdefgh.tmp").write_text("{}\n", encoding="utf-8")
    entries = [
        ["releases/.9.9.9.json.abcdefgh.tmp", "releases/9.9.9.json"],
        ["..zenodo.json.abcdefgh.tmp", ".zenodo.json"],
    ]
    (pkg / JOURNAL).write_text(json.dumps(entries), encoding="utf-8")
    result = run("validate", pkg)
    assert "completed a change that was interrupted" in result.stderr, result.stderr
    assert (pkg / "releases/9.9.9.json").read_text(encoding="utf-8") == "{}\n"
    assert (pkg / ".zenodo.json").exists() and not (pkg / JOURNAL).exists()
