"""Packages built to break the toolkit: paths leading out of the package, git revisions that look
like options, malformed descriptors and Table Schemas. Each is refused with what is wrong and
where (exit 1), before anything is read or written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES


def edit_descriptor(pkg: Path, change) -> None:
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    change(d)
    p.write_text(json.dumps(d, indent=2), encoding="utf-8")


def edit_schema(pkg: Path, name: str, change) -> None:
    p = pkg / "schemas" / f"{name}.json"
    s = json.loads(p.read_text(encoding="utf-8"))
    change(s)
    p.write_text(json.dumps(s, indent=2), encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def set_path(name: str, path: str):
    return lambda d: resource(d, name).update(path=path)


def test_a_resource_path_outside_the_package_is_refused_and_never_written(run, pkg, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.csv"
    victim.write_bytes((pkg / "data/statements.csv").read_bytes())
    before = victim.read_bytes()
    edit_descriptor(pkg, set_path("statements", "../outside/victim.csv"))
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg)
    assert result.exit_code == 1
    assert "resources[" in result.stderr and "(statements): path '../outside/victim.csv'" in (
        result.stderr
    )
    assert "outside the package folder" in result.stderr
    assert victim.read_bytes() == before


@pytest.mark.parametrize("command", ["validate", "query", "diff"])
def test_an_absolute_path_is_never_read(run, pkg, command):
    edit_descriptor(pkg, set_path("sources", "/etc/passwd"))
    args = {
        "validate": ["validate", pkg],
        "query": ["query", "SELECT 1", "--package", pkg],
        "diff": ["diff", pkg, pkg, "--format", "json"],
    }[command]
    result = run(*args)
    assert result.exit_code == 1
    assert "root:" not in result.stdout + result.stderr
    assert "path '/etc/passwd' is outside the package folder" in result.stderr


def test_a_symlink_leading_out_of_the_package_is_refused(run, pkg, tmp_path):
    target = tmp_path / "elsewhere.csv"
    target.write_bytes((pkg / "data/sources.csv").read_bytes())
    (pkg / "data/sources.csv").unlink()
    (pkg / "data/sources.csv").symlink_to(target)
    result = run("validate", pkg)
    assert result.exit_code == 1
    assert "path 'data/sources.csv' leads outside the package folder" in result.stderr


def test_a_symlink_inside_the_package_is_followed(run, pkg):
    (pkg / "data/sources-copy.csv").write_bytes((pkg / "data/sources.csv").read_bytes())
    (pkg / "data/sources.csv").unlink()
    (pkg / "data/sources.csv").symlink_to("sources-copy.csv")
    assert run("validate", pkg).exit_code == 0


def test_a_revision_is_never_taken_as_an_option(run, pkg, tmp_path, monkeypatch):
    git = ["git", "-C", str(pkg), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    monkeypatch.chdir(tmp_path)
    result = run("diff", "--repo", pkg, "--", "--output=pwned.txt", "HEAD")
    assert result.exit_code == 2
    assert "neither a package folder nor a git revision" in result.stderr
    assert list(tmp_path.rglob("pwned*")) == []


# (change to the package, words of the message)
BROKEN = {
    "unknown-type": (
        lambda pkg: edit_schema(
            pkg, "statements", lambda s: s["fields"][1].update(type="quaternion")
        ),
        "schemas/statements.json: fields[1] (speaker_id): unknown type 'quaternion'",
    ),
    "foreign-key-to-nothing": (
        lambda pkg: edit_schema(
            pkg,
            "statements",
            lambda s: s["foreignKeys"][0]["reference"].update(resource="speakers"),
        ),
        "refers to resource 'speakers', which does not exist",
    ),
    "foreign-key-missing-field": (
        lambda pkg: edit_schema(
            pkg, "statements", lambda s: s["foreignKeys"][0].update(fields="speaker")
        ),
        "names 'speaker', which is not a field of statements",
    ),
    "primary-key-missing-field": (
        lambda pkg: edit_schema(pkg, "statements", lambda s: s.update(primaryKey=["id"])),
        "schemas/statements.json: primaryKey names 'id', which is not a field",
    ),
    "no-resources": (
        lambda pkg: edit_descriptor(pkg, lambda d: d.pop("resources")),
        "'resources' must be a non-empty list",
    ),
    "empty-resources": (
        lambda pkg: edit_descriptor(pkg, lambda d: d.update(resources=[])),
        "'resources' must be a non-empty list",
    ),
    "resource-without-name": (
        lambda pkg: edit_descriptor(pkg, lambda d: d["resources"][0].pop("name")),
        "datapackage.json: resources[0] has no 'name'",
    ),
    "resource-without-path": (
        lambda pkg: edit_descriptor(pkg, lambda d: d["resources"][0].pop("path")),
        "has no 'path'",
    ),
    "bad-pattern": (
        lambda pkg: edit_schema(
            pkg, "statements", lambda s: s["fields"][0]["constraints"].update(pattern="[a-z")
        ),
        "pattern '[a-z' does not compile",
    ),
    "empty-version": (
        lambda pkg: edit_descriptor(pkg, lambda d: d.update(version="")),
        "version '' is not MAJOR.MINOR.PATCH",
    ),
    "two-part-version": (
        lambda pkg: edit_descriptor(pkg, lambda d: d.update(version="1.2")),
        "version '1.2' is not MAJOR.MINOR.PATCH",
    ),
    "version-with-a-command": (
        lambda pkg: edit_descriptor(pkg, lambda d: d.update(version="0.3.1; touch pwned")),
        "version '0.3.1; touch pwned' is not MAJOR.MINOR.PATCH",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
@pytest.mark.parametrize("command", ["validate", "check", "query"])
def test_a_broken_descriptor_or_schema_is_refused_saying_where(run, pkg, case, command):
    change, words = BROKEN[case]
    change(pkg)
    args = {
        "validate": ["validate", pkg],
        "check": ["check", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg],
        "query": ["query", "SELECT 1", "--package", pkg],
    }[command]
    result = run(*args)
    assert result.exit_code == 1, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr and "Error: KeyError" not in result.stderr


def test_a_long_value_in_the_descriptor_is_cut_with_its_length(run, pkg):
    edit_descriptor(pkg, lambda d: d.update(version="9" * 20_000))
    result = run("validate", pkg)
    assert result.exit_code == 1
    assert "... (20,000 characters)" in result.stderr
    assert len(result.stderr) < 1000


@pytest.mark.parametrize("version", ["0.3.1; touch pwned", "1.2"])
def test_release_refuses_a_version_that_is_not_semver_and_writes_nothing(run, pkg, version):
    edit_descriptor(pkg, lambda d: d.update(version=version))
    before = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
    result = run("release", "--no-dist", "--package", pkg)
    assert result.exit_code == 1
    assert "is not MAJOR.MINOR.PATCH" in result.stderr and "git tag" not in result.stderr
    after = {
        p: p.read_bytes()
        for p in pkg.rglob("*")
        if p.is_file() and p.name != ".csto-alignment.lock"
    }
    assert after == before
