"""Writes stay where the user said: `site --out` and `export --out` never replace the package, its
folders or anything above it, nor a folder of files the toolkit did not write; file names never
come from the package's names unchecked. A canary file outside the package must stay as it was."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_release import repo  # noqa: F401 - the fixture: a git repository before its first release

MARKER = ".csto-alignment-output"  # toolkit.store.outdir.MARKER


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {
        p.relative_to(folder): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".csto-alignment.lock"
    }


def git_init(pkg: Path) -> None:
    base = ["git", "-C", str(pkg), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*base, "init", "-q"], check=True)
    subprocess.run([*base, "add", "-A"], check=True)
    subprocess.run([*base, "commit", "-qm", "data"], check=True)


def out_args(command: str, out: Path | str, pkg: Path) -> list:
    if command == "site":
        return ["site", "--out", out, "--package", pkg]
    return ["export", "--format", "sqlite", "--out", out, "--package", pkg]


# 3. `site --out "$PWD"` from the package root deleted the whole clone; `--out data` every CSV
@pytest.mark.parametrize("command", ["site", "export"])
@pytest.mark.parametrize(
    ("where", "words"),
    [
        (".", "is the package's own folder"),
        ("root", "is the package's own folder"),
        ("data", "is a folder of the package's own files"),
        ("schemas", "is a folder of the package's own files"),
        (".git", "is a folder of the package's own files"),
        (".git/objects", "is a folder of the package's own files"),
        ("..", "holds the package"),
        ("/", "holds the package"),
    ],
)
def test_an_output_folder_that_is_the_package_or_holds_it_is_refused(
    run, pkg, monkeypatch, command, where, words
):
    git_init(pkg)
    monkeypatch.chdir(pkg)
    before = snapshot(pkg)
    out = {"root": pkg}.get(where, where)
    result = run(*out_args(command, out, pkg))
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "nothing was written" in result.stderr
    assert snapshot(pkg) == before


@pytest.mark.parametrize("command", ["site", "export"])
def test_a_folder_of_other_files_is_refused(run, pkg_ro, tmp_path, canary, command):
    result = run(*out_args(command, canary.folder, pkg_ro))
    assert result.exit_code == 2
    assert f"holds files the toolkit did not write (it has no {MARKER})" in result.stderr
    assert canary.unchanged()


@pytest.mark.parametrize("command", ["site", "export"])
def test_an_output_folder_that_is_a_symlink_is_refused(run, pkg, tmp_path, canary, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    (pkg / "_site").symlink_to(empty)
    result = run(*out_args(command, pkg / "_site", pkg))
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert list(empty.iterdir()) == [] and canary.unchanged()


@pytest.mark.parametrize("command", [pytest.param("site", marks=pytest.mark.slow), "export"])
def test_a_new_an_empty_or_an_own_folder_is_written(run, pkg, tmp_path, command):
    for out in (tmp_path / "new", pkg / "_out"):
        first = run(*out_args(command, out, pkg))
        assert first.exit_code == 0, first.stderr
        assert (out / MARKER).is_file()
        again = run(*out_args(command, out, pkg))  # the toolkit's own folder: written again
        assert again.exit_code == 0, again.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(*out_args(command, empty, pkg)).exit_code == 0


# 8. A descriptor name of ../../x or /srv/x sends the exports and the release zip outside --out;
#    a resource name of ../../x does the same for parquet
@pytest.mark.parametrize("name", ["../../x", "/srv/x", "..", "x/../../y"])
@pytest.mark.parametrize("where", ["package", "resource"])
def test_a_name_that_is_a_path_is_refused(run, pkg, tmp_path, canary, name, where):
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    if where == "package":
        d["name"] = name
    else:
        d["resources"][0]["name"] = name
    p.write_text(json.dumps(d), encoding="utf-8")
    for args in (
        ["export", "--format", "duckdb", "--out", tmp_path / "out", "--package", pkg],
        ["export", "--format", "parquet", "--out", tmp_path / "out", "--package", pkg],
        ["release", "--package", pkg],
    ):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert "[unsafe-name]" in result.stderr
    assert not (tmp_path / "out").exists() and not (pkg / "dist").exists()
    assert canary.unchanged()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../x", "x"),
        ("/srv/x", "srv-x"),
        ("a b\0c", "a-b-c"),
        ("..", "package"),
        ("ok_1.2", "ok_1.2"),
    ],
)
def test_file_names_never_come_from_names_unchecked(name, safe):
    from toolkit.store.outdir import file_name

    assert file_name(name) == safe


def test_release_never_writes_dist_through_a_symlink(run, repo, canary):  # noqa: F811
    pkg = repo
    (pkg / "dist").symlink_to(canary.folder)
    before = snapshot(pkg)
    result = run("release", "--package", pkg)
    assert result.exit_code == 2
    assert "dist/" in result.stderr and "is a symbolic link" in result.stderr
    assert canary.unchanged()
    assert snapshot(pkg) == before  # refused before the release was written


# 17. `rollcall --out data/un_votes.csv` overwrote a package file without the lock or a check
@pytest.mark.parametrize(
    "target", ["data/un_votes.csv", "datapackage.json", "CHANGELOG.md", "schemas/un_votes.json"]
)
def test_rollcall_never_writes_over_a_file_of_the_package(run, pkg_ro, target):
    from helpers import FIXTURES

    before = snapshot(pkg_ro)
    result = run(
        "rollcall",
        FIXTURES / "rollcall" / "es11_1_against_abstained_thelondoneconomic.txt",
        "--resolution", "A/RES/ES-11/1", "--source-id", "un-media-5th-es-11-1",
        "--out", pkg_ro / target, "--package", pkg_ro,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is a file of the package itself" in result.stderr
    assert snapshot(pkg_ro) == before


# 18. Usage problems exited 3 ("internal") instead of 2
@pytest.mark.parametrize("where", ["afile/site", "/proc/no/such/folder"])
def test_an_output_folder_that_cannot_be_made_is_a_usage_error(run, pkg_ro, tmp_path, where):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = tmp_path / where if not where.startswith("/") else Path(where)
    result = run("site", "--out", out, "--package", pkg_ro)
    assert result.exit_code == 2, result.stderr
    assert "cannot create the folder" in result.stderr and "Traceback" not in result.stderr
