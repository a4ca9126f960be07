"""Contributions that merge: two branches that each add a valid row to the same table merge with
`git merge` without a conflict (whether the rows were added with `add` or typed in by hand), the
merged tree is valid for the toolkit and for the official validator, and one release lists both."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, ROOT, copy_package

from toolkit.cli.commands import main

FIRST_ID = "kazakhstan-neutral-stance"
SECOND_ID = "kazakhstan-neutral-stance-restated"  # sorts right after the first: same place


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture(scope="module")
def released_once(tmp_path_factory) -> Path:
    """A repository holding the package after its first release (0.1.0, tagged), with the
    project's own .gitattributes and .gitignore: made once, copied by each test (main_repo)."""
    pkg = copy_package(tmp_path_factory.mktemp("merge") / "pkg")
    for name in ("README.md", "LICENSE", "CITATION.cff", ".gitattributes", ".gitignore"):
        shutil.copy(ROOT / name, pkg / name)
    shutil.rmtree(pkg / "releases")
    d = json.loads((pkg / "datapackage.json").read_text())
    d["version"] = "0.1.0"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2))
    (pkg / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- The first rows.\n")
    git(pkg, "init", "-q", "-b", "main")
    git(pkg, "add", "-A")
    git(pkg, "commit", "-qm", "The package")
    released = CliRunner().invoke(main, ["release", "--no-dist", "--package", str(pkg)])
    assert released.exit_code == 0, released.stderr
    git(pkg, "add", "-A")
    git(pkg, "commit", "-qm", "Release 0.1.0")
    git(pkg, "tag", "v0.1.0")
    return pkg


@pytest.fixture
def main_repo(released_once, tmp_path) -> Path:
    """A copy of the released repository (released_once) for the test to change."""
    return Path(shutil.copytree(released_once, tmp_path / "pkg", symlinks=True))


def statement_row(statement_id: str) -> str:
    """The data line of good_statement.csv, under another key."""
    line = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8").splitlines()[1]
    return line.replace(FIRST_ID, statement_id, 1)


def contribute(run, repo: Path, branch: str, statement_id: str, how: str, tmp: Path) -> None:
    """On a new branch from main, one statement added with `add` or typed into the CSV by hand
    (appended, as an editor or GitHub's web editor does), committed."""
    git(repo, "checkout", "-q", "-b", branch, "main")
    if how == "add":
        file = tmp / f"{statement_id}.csv"
        header = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8").splitlines()[0]
        file.write_text(f"{header}\n{statement_row(statement_id)}\n", encoding="utf-8")
        result = run("add", file, "-r", "statements", "--package", repo)
        assert result.exit_code == 0, result.stderr
    else:
        data = repo / "data" / "statements.csv"
        data.write_text(data.read_text(encoding="utf-8") + statement_row(statement_id) + "\n")
    changed = git(repo, "status", "--porcelain").stdout.split("\n")
    assert [c for c in changed if c] == [" M data/statements.csv"]  # nothing but the data
    git(repo, "commit", "-qam", f"Add {statement_id}")
    git(repo, "checkout", "-q", "main")


@pytest.mark.slow
@pytest.mark.parametrize(("first", "second"), [("add", "add"), ("add", "hand"), ("hand", "hand")])
def test_two_branches_adding_rows_to_one_table_merge_and_release_once(
    run, main_repo, tmp_path, first, second
):
    repo = main_repo
    contribute(run, repo, "first", FIRST_ID, first, tmp_path)
    contribute(run, repo, "second", SECOND_ID, second, tmp_path)
    for branch in ("first", "second"):
        merged = git(repo, "merge", "--no-edit", branch, check=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (repo / "data" / "statements.csv").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and text.count(f"\n{FIRST_ID},") == 1
    assert text.count(f"\n{SECOND_ID},") == 1

    valid = run("validate", repo, "--format", "json")
    assert valid.exit_code == 0, valid.stdout
    since = json.loads(valid.stdout)["since_release"]
    assert since["resources"] == {"statements": {"added": 2, "removed": 0, "changed": 0}}
    official = subprocess.run(
        [str(Path(sys.executable).with_name("frictionless")), "validate", "--json",
         str(repo / "datapackage.json")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert official.returncode == 0, official.stdout[-2000:]

    result = run("release", "--no-dist", "--package", repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "released 0.2.0"
    log = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log.count("## [0.2.0]") == 1 and log.count("\n## [") == 3  # Unreleased, 0.2.0, 0.1.0
    entry = log.split("## [0.2.0]")[1].split("## [0.1.0]")[0]
    assert f"`statements` added: `{FIRST_ID}`, `{SECOND_ID}`" in entry
    record = json.loads((repo / "releases" / "0.2.0.json").read_text())
    digest = record["files"]["data/statements.csv"]
    assert digest["hash"].startswith("sha256:") and digest["bytes"] == len(text.encode())
    assert not any(
        "hash" in r for r in json.loads((repo / "datapackage.json").read_text())["resources"]
    )

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Release 0.2.0")
    again = run("release", "--no-dist", "--package", repo)
    assert again.exit_code == 1 and "nothing to release" in again.stderr
