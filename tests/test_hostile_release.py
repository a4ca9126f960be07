"""Releases and the changelog against a hostile or broken package: no version, a crash while dist/
is written, a changelog quoting its own headings in a code block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import FIXTURES, ROOT
from test_release import repo  # noqa: F401 - the fixture: a git repository before its first release


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {
        p.relative_to(folder): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".csto-alignment.lock"
    }


# 15. With no version, release published "" and left a package its own validate refuses
def test_release_refuses_a_package_without_a_version(run, pkg):
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d.pop("version", None)
    p.write_text(json.dumps(d, indent=2), encoding="utf-8")
    before = snapshot(pkg)
    result = run("release", "--package", pkg)
    assert result.exit_code == 1
    assert "datapackage.json has no version" in result.stderr
    assert snapshot(pkg) == before


# 16. A release killed while writing dist/: the next add said "rolled back" though the release was
#     applied, and dist/ lacked the .duckdb
def test_a_release_killed_while_writing_dist_leaves_no_half_dist(run, repo):  # noqa: F811
    killed = subprocess.run(
        [sys.executable, "-m", "toolkit", "release", "--package", str(repo)],
        capture_output=True,
        text=True,
        env={**os.environ, "CSTO_ALIGNMENT_TEST_KILL_AT": "dist"},
        cwd=ROOT,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr
    assert (repo / "releases" / "0.1.0.json").exists()  # the release was written
    assert not (repo / "dist").exists()  # never half written: built beside, then put in place
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", repo)
    assert result.exit_code == 0, result.stderr
    assert "rolled back" not in result.stderr and "completed" not in result.stderr
    assert run("validate", repo).exit_code == 0


# 21. `## [Unreleased]` inside a code fence in CHANGELOG.md captured new entries
def test_a_changelog_heading_quoted_in_a_code_block_is_text(run, repo):  # noqa: F811
    log = repo / "CHANGELOG.md"
    quoted = "```markdown\n## [Unreleased]\n\n### Added\n\n- an example entry\n```\n"
    text = log.read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    log.write_text(f"{head}\n\nEntries look like this:\n\n{quoted}\n{rest}", encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "notes", "--author", "t <t@e.x>"],
                   check=True, capture_output=True, env={**os.environ, "GIT_COMMITTER_NAME": "t",
                   "GIT_COMMITTER_EMAIL": "t@e.x"})  # fmt: skip
    result = run("release", "--no-dist", "--package", repo)
    assert result.exit_code == 0, result.stderr
    after = log.read_text(encoding="utf-8")
    assert quoted in after  # the example is as it was
    released = after.index("## [0.1.0]", after.index(quoted) + len(quoted))
    assert after.index("The data package with nine resources.") > released
