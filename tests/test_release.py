"""`diff` and `release`: versions graded by the Data Package version recipe, releases written whole."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, ROOT, copy_package

from toolkit.cli.commands import main


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(pkg):
    """A git repository holding the package as it stood before its first release (0.1.0)."""
    return make_repo(pkg)


def make_repo(pkg):
    """Make the package copy at `pkg` a git repository before its first release (0.1.0)."""
    for name in ("README.md", "LICENSE", "CITATION.cff", ".gitignore"):
        shutil.copy(ROOT / name, pkg / name)
    shutil.rmtree(pkg / "releases")  # no release yet
    d = descriptor(pkg)
    d["version"] = "0.1.0"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2))
    (pkg / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- The data package with nine resources.\n"
    )
    git(pkg, "init", "-q", "-b", "main")
    git(pkg, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "-A")
    git(pkg, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "data")
    return pkg


def commit(repo, message):
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message)


@pytest.fixture(scope="module")
def released_once(tmp_path_factory):
    """The repository after its first release (0.1.0), committed and tagged: made once per
    module, and copied for each test that takes `released`."""
    repo = make_repo(copy_package(tmp_path_factory.mktemp("released") / "pkg"))
    result = CliRunner().invoke(main, ["release", "--no-dist", "--package", str(repo)])
    assert result.exit_code == 0, result.stderr
    commit(repo, "Release 0.1.0")
    git(repo, "tag", "v0.1.0")
    return repo


@pytest.fixture
def released(released_once, tmp_path):
    """The repository after its first release (0.1.0), committed and tagged: the test's own copy
    of released_once, its git history included."""
    return Path(shutil.copytree(released_once, tmp_path / "pkg", symlinks=True))


def descriptor(repo):
    return json.loads((repo / "datapackage.json").read_text())


def edit_schema(repo, resource, change):
    p = repo / "schemas" / f"{resource}.json"
    s = json.loads(p.read_text())
    change(s)
    p.write_text(json.dumps(s, indent=2))


def test_first_release_records_hashes_and_dates_the_changelog(run, released):
    d = descriptor(released)
    assert d["version"] == "0.1.0"
    # The hashes are recorded in releases/0.1.0.json, never in the repository's descriptor, where
    # every later change would make them stale (and conflict between branches).
    assert not any("hash" in r or "bytes" in r for r in d["resources"])
    record = json.loads((released / "releases/0.1.0.json").read_text())
    assert set(record["files"]) == {r["path"] for r in d["resources"]} | {
        r["schema"] for r in d["resources"]
    }
    assert all(f["hash"].startswith("sha256:") and f["bytes"] > 0 for f in record["files"].values())
    log = (released / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [0.1.0] - " in log and "nine resources" in log
    assert 'version: "0.1.0"' in (released / "CITATION.cff").read_text()
    assert "(version 0.1.0) [Data set]" in (released / "README.md").read_text()
    assert run("validate", released).exit_code == 0


def test_no_change_means_no_release(run, released):
    before = (released / "datapackage.json").read_bytes()
    result = run("release", "--no-dist", "--package", released)
    assert result.exit_code == 1 and "nothing to release" in result.stderr
    assert (released / "datapackage.json").read_bytes() == before


def test_rows_added_make_a_minor_release_listing_those_rows(run, released):
    assert (
        run(
            "add",
            FIXTURES / "reference_in_same_file.csv",
            "-r",
            "statements",
            "--package",
            released,
        ).exit_code
        == 0
    )
    assert run("validate", released).exit_code == 0
    result = run("release", "--no-dist", "--package", released)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "released 0.2.0"
    section = (released / "CHANGELOG.md").read_text().split("## [0.2.0]")[1].split("## [0.1.0]")[0]
    assert "| `statements` | 2 | 0 | 0 | 0 |" in section
    assert "`statements` added: `a-first-remark`, `a-reply-in-the-same-file`" in section


def _correct_first_summary(repo):
    """Correct one cell by hand, as a maintainer would: the first statement's summary."""
    p = repo / "data/statements.csv"
    with p.open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    old = first["summary"]
    p.write_text(
        p.read_text(encoding="utf-8").replace(old, old + " (corrected)", 1), encoding="utf-8"
    )
    return first["statement_id"], old


def test_value_fixed_is_a_patch(run, released):
    key, old = _correct_first_summary(released)
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "patch"
    changed = [r for r in out["resources"] if r["name"] == "statements"][0]["changed"]
    assert changed == [
        {
            "key": {"statement_id": key},
            "cells": {"summary": {"old": old, "new": old + " (corrected)"}},
        }
    ]


def test_a_hand_correction_passes_validate_and_is_released_as_a_patch_listing_the_cell(
    run, released
):
    key, old = _correct_first_summary(released)
    # A valid hand edit is valid: what changed since the release is information, not an error.
    edited = run("validate", released, "--format", "json")
    assert edited.exit_code == 0, edited.stdout
    since = json.loads(edited.stdout)["since_release"]
    assert since["label"] == "0.1.0 + unreleased changes" and not since["released"]
    assert since["resources"] == {"statements": {"added": 0, "removed": 0, "changed": 1}}
    text = run("validate", released)
    assert "unreleased changes since release 0.1.0" in text.stdout
    assert "statements: 1 row(s) changed" in text.stdout and "error" not in text.stderr
    result = run("release", "patch", "--no-dist", "--package", released)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "released 0.1.1"
    log = (released / "CHANGELOG.md").read_text()
    assert f"- `statements` changed `{key}`: summary: {old!r} -> {old + ' (corrected)'!r}" in log
    assert run("validate", released).exit_code == 0


@pytest.mark.parametrize("kind", ["removed", "retyped"])
def test_column_removed_or_retyped_is_major(run, released, kind):
    if kind == "removed":
        edit_schema(
            released,
            "un_votes",
            lambda s: s.update(
                fields=[f for f in s["fields"] if f["name"] != "source_id"],
                foreignKeys=s["foreignKeys"][:2],
            ),
        )
        p = released / "data/un_votes.csv"
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        drop = rows[0].index("source_id")
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(
                [c for i, c in enumerate(r) if i != drop] for r in rows
            )
    else:
        edit_schema(
            released,
            "memberships",
            lambda s: [f.update(type="string") for f in s["fields"] if f["name"] == "date_end"],
        )
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "major"
    small = run("release", "minor", "--no-dist", "--package", released)
    assert small.exit_code == 1 and "too small" in small.stderr and "major" in small.stderr
    assert descriptor(released)["version"] == "0.1.0"
    forced = run("release", "minor", "--force", "--no-dist", "--package", released)
    assert forced.exit_code == 0 and "--force" in forced.stderr and "misled" in forced.stderr
    assert descriptor(released)["version"] == "0.2.0"


def test_tightened_enum_is_major_and_loosened_is_minor(run, released):
    def allow_absent(s):
        for f in s["fields"]:
            if f["name"] == "vote":
                f["constraints"]["enum"].append("absent")

    edit_schema(released, "un_votes", allow_absent)
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "minor"
    changes = {r["name"]: r["schema"] for r in out["resources"] if r["schema"]}
    assert [(c["kind"], c["field"]) for c in changes.pop("un_votes")] == [
        ("constraint-loosened", "vote")
    ]
    assert changes == {}
    edit_schema(
        released,
        "un_votes",
        lambda s: [
            f["constraints"].update(enum=["yes", "no"]) for f in s["fields"] if f["name"] == "vote"
        ],
    )
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "major"


def test_a_corrupted_file_of_an_unzipped_release_fails_validate_with_its_name(
    run, released, tmp_path
):
    """The published copy carries every file's size and sha256 (the repository's does not)."""
    assert run("dist", "--package", released).exit_code == 0
    with zipfile.ZipFile(released / "dist" / "csto-alignment-0.1.0.zip") as zf:
        zf.extractall(tmp_path)
    top = tmp_path / "csto-alignment-0.1.0"
    assert all(r["hash"].startswith("sha256:") for r in descriptor(top)["resources"])
    assert run("validate", top).exit_code == 0
    p = top / "data/un_votes.csv"
    p.write_bytes(p.read_bytes().replace(b"KAZ,no", b"KAZ,yes"))
    result = run("validate", top)
    assert result.exit_code == 1
    assert "[hash-mismatch] data/un_votes.csv" in result.stderr


def test_diff_between_git_revisions(run, released):
    assert (
        run(
            "add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", released
        ).exit_code
        == 0
    )
    commit(released, "add a statement")
    result = run("diff", "v0.1.0", "HEAD", "--repo", released)
    assert result.exit_code == 0
    assert "statements added: kazakhstan-neutral-stance" in result.stdout
    md = run("diff", "v0.1.0", "HEAD", "--repo", released, "--format", "markdown").stdout
    assert md.startswith("### Changes from v0.1.0 (0.1.0) to HEAD: minor")


def test_diff_of_an_unknown_revision_is_a_usage_error(run, released):
    result = run("diff", "v9.9.9", "HEAD", "--repo", released)
    assert result.exit_code == 2 and "neither a package folder nor a git revision" in result.stderr


def test_release_refuses_an_invalid_package(run, repo):
    p = repo / "data/un_votes.csv"
    p.write_text(p.read_text().replace("KAZ,abstain", "KAZ,maybe"))
    before = (repo / "CHANGELOG.md").read_text()
    result = run("release", "--no-dist", "--package", repo)
    assert result.exit_code == 1 and "error(s)" in result.stderr
    assert (repo / "CHANGELOG.md").read_text() == before


@pytest.fixture(scope="module")
def dist_released(tmp_path_factory):
    """A repository just after `release` (dist written, nothing committed): made once for the
    tests that only read what the release wrote; (the repository, the command's result)."""
    repo = make_repo(copy_package(tmp_path_factory.mktemp("dist-released") / "pkg"))
    result = CliRunner().invoke(main, ["release", "--package", str(repo)])
    return repo, result


def test_release_writes_dist(dist_released):
    repo, result = dist_released
    assert result.exit_code == 0, result.stderr
    dist = repo / "dist"
    with zipfile.ZipFile(dist / "csto-alignment-0.1.0.zip") as zf:
        names = zf.namelist()
    assert (
        "csto-alignment-0.1.0/datapackage.json" in names
        and "csto-alignment-0.1.0/data/un_votes.csv" in names
    )
    assert len(list((dist / "parquet").glob("*.parquet"))) == len(descriptor(repo)["resources"])
    assert (dist / "csto-alignment-0.1.0.duckdb").stat().st_size > 0
    assert "git tag -a v0.1.0" in result.stderr
    # The files it wrote in the repository, by name: never `git add -A`, which would commit dist/.
    assert (
        "git add datapackage.json CHANGELOG.md releases/0.1.0.json CITATION.cff README.md && "
        "git commit -m 'Release 0.1.0'" in result.stderr
    )


def test_release_zip_holds_the_saved_queries_and_a_readme_for_data_users(
    run, dist_released, tmp_path
):
    repo, result = dist_released
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(repo / "dist" / "csto-alignment-0.1.0.zip") as zf:
        zf.extractall(tmp_path)
        top = tmp_path / "csto-alignment-0.1.0"
    assert sorted(p.name for p in (top / "queries").glob("*.sql")) == sorted(
        p.name for p in (repo / "queries").glob("*.sql")
    )
    readme = (top / "README.md").read_text()
    assert "CC-BY-4.0" in readme and "(version 0.1.0) [Data set]" in readme
    assert "`data/un_votes.csv`" in readme and "## Quick start" not in readme
    assert "CC-BY-4.0" in (top / "LICENSE.md").read_text()
    assert not (top / "LICENSE").exists()  # the code's MIT licence stays with the code
    # The unzipped release answers the saved queries.
    result = run("query", "csto_votes_matrix", "--package", top, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("resolution_id,date,title,")


@pytest.mark.slow
def test_release_site_builds_the_site_beside_the_zip(run, repo):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    result = run("release", "--site", "--package", repo)
    assert result.exit_code == 0, result.stderr
    dist = repo / "dist"
    assert (dist / "csto-alignment-0.1.0.zip").exists()
    index = (dist / "site" / "index.html").read_text()
    assert "version 0.1.0" in index  # the site of the version released
    assert "(version 0.1.0) [Data set]" in (dist / "site" / "cite.html").read_text()
    assert f"wrote {dist / 'site'}" in result.stderr.replace("  ", " ")


def test_release_site_needs_dist(run, repo):
    before = (repo / "datapackage.json").read_bytes()
    result = run("release", "--site", "--no-dist", "--package", repo)
    assert result.exit_code == 2 and "--no-dist" in result.stderr
    assert (repo / "datapackage.json").read_bytes() == before


def test_a_foreign_key_that_comes_with_its_new_field_is_minor(run, released):
    def add_field_with_key(s):
        s["fields"].append({"name": "evidence_id", "type": "string"})
        s.setdefault("foreignKeys", []).append(
            {
                "fields": ["evidence_id"],
                "reference": {"resource": "sources", "fields": ["source_id"]},
            }
        )

    edit_schema(released, "un_votes", add_field_with_key)
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "minor"

    def key_on_existing_field(s):
        s["foreignKeys"].append(
            {"fields": ["vote"], "reference": {"resource": "sources", "fields": ["source_id"]}}
        )

    edit_schema(released, "un_votes", key_on_existing_field)
    out = json.loads(run("diff", "v0.1.0", released, "--repo", released, "--format", "json").stdout)
    assert out["level"] == "major"


def test_a_correction_through_add_replace_is_released_as_a_patch(run, released_without_tags):
    """The contributors' guide's walkthrough: a correction, then a patch release, in a clone without tags."""
    released = released_without_tags
    args = ("-r", "actors", "--replace", "--package", released)
    assert run("check", FIXTURES / "correction_of_existing_key.csv", *args).exit_code == 0
    result = run("add", FIXTURES / "correction_of_existing_key.csv", *args)
    assert result.exit_code == 0, result.stderr
    assert "changed emily-ferris: role:" in result.stderr
    assert run("validate", released).exit_code == 0
    commit(released, "Correct emily-ferris's role")
    result = run("release", "patch", "--no-dist", "--package", released)
    assert result.exit_code == 0, result.stderr
    assert descriptor(released)["version"] == "0.1.1"
    log = (released / "CHANGELOG.md").read_text()
    section = log.split("## [0.1.1]")[1].split("## [0.1.0]")[0]
    assert "changed `emily-ferris`: role:" in section  # from the release's diff


@pytest.fixture
def released_without_tags(released):
    """The released repository as a clone that did not fetch tags: the release is known only by
    its content (the commit whose descriptor first says 0.1.0)."""
    git(released, "tag", "-d", "v0.1.0")
    return released


def test_diff_finds_a_release_without_its_tag_by_its_commit(run, released_without_tags):
    repo = released_without_tags
    result = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", repo)
    assert result.exit_code == 0, result.stderr
    commit(repo, "add a statement")
    result = run("diff", "v0.1.0", "HEAD", "--repo", repo)
    assert result.exit_code == 0, result.stderr
    assert "statements added: kazakhstan-neutral-stance" in result.stdout


def test_release_without_tags_names_the_version_in_the_changelog_heading(
    run, released_without_tags
):
    repo = released_without_tags
    assert run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", repo)
    commit(repo, "add a statement")
    result = run("release", "--no-dist", "--package", repo)
    assert result.exit_code == 0, result.stderr
    log = (repo / "CHANGELOG.md").read_text()
    assert "### Changes from v0.1.0 (0.1.0) to v0.2.0: minor" in log
    assert not re.search(r"[0-9a-f]{40}", log)


def _add(run, repo, fixture="good_statement.csv"):
    result = run("add", FIXTURES / fixture, "-r", "statements", "--package", repo)
    assert result.exit_code == 0, result.stderr


def test_release_twice_without_a_commit_between_refuses(run, released):
    """`release`, then `add` before committing, then `release` again: the second release would
    take 0.2.0 (uncommitted) as nothing released, and publish a version twice. It refuses."""
    _add(run, released, "reference_in_same_file.csv")
    assert run("release", "minor", "--no-dist", "--package", released).exit_code == 0
    written = {
        p: p.read_bytes() for p in released.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    _add(run, released)
    again = run("release", "patch", "--no-dist", "--package", released)
    assert again.exit_code == 1
    assert "release 0.2.0 is written but not committed" in again.stderr
    assert descriptor(released)["version"] == "0.2.0"
    assert not (released / "releases/0.2.1.json").exists()
    assert (released / "CHANGELOG.md").read_bytes() == written[released / "CHANGELOG.md"]


def test_a_release_committed_with_other_changes_is_refused_as_a_base(run, released):
    _add(run, released, "reference_in_same_file.csv")
    assert run("release", "--no-dist", "--package", released).exit_code == 0
    _add(run, released)
    commit(released, "Release 0.2.0 and one more statement")  # the release is not alone
    result = run("release", "--no-dist", "--package", released)
    assert result.exit_code == 1
    assert "differs from what the release recorded (releases/0.2.0.json)" in result.stderr
    assert "data/statements.csv" in result.stderr
    # Nor can its files be published: they are not what release 0.2.0 recorded.
    dist = run("dist", "--package", released)
    assert dist.exit_code == 1 and "is not release 0.2.0" in dist.stderr


def test_the_last_release_is_found_by_its_descriptor_not_its_commit_message(run, repo):
    assert run("release", "--no-dist", "--package", repo).exit_code == 0
    commit(repo, "Publish the data")  # neither "Release 0.1.0" nor a tag
    _add(run, repo)
    commit(repo, "A statement")
    result = run("release", "--no-dist", "--package", repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "released 0.2.0"
    section = (repo / "CHANGELOG.md").read_text().split("## [0.2.0]")[1].split("## [0.1.0]")[0]
    assert "`statements` added: `kazakhstan-neutral-stance`" in section
    assert "| `statements` | 1 | 0 | 0 | 0 |" in section  # that row only: 0.1.0 was found


def test_a_version_is_never_published_twice(run, released):
    _add(run, released, "reference_in_same_file.csv")
    assert run("release", "--no-dist", "--package", released).exit_code == 0
    commit(released, "Release 0.2.0")
    git(released, "tag", "v0.2.0")
    # The version set back by hand: the next minor release would be 0.2.0 again, another content.
    d = descriptor(released)
    d["version"] = "0.1.0"
    (released / "datapackage.json").write_text(json.dumps(d, indent=2))
    _add(run, released)
    commit(released, "Back to 0.1.0, and a statement")
    result = run("release", "minor", "--no-dist", "--package", released)
    assert result.exit_code == 1
    assert "version 0.2.0 was published already" in result.stderr
    assert "never published with two contents" in result.stderr


def test_a_version_never_released_is_not_taken_for_a_release(run, released):
    d = descriptor(released)
    d["version"] = "0.1.5"  # set by hand; no release of it exists
    (released / "datapackage.json").write_text(json.dumps(d, indent=2))
    result = run("release", "--no-dist", "--package", released)
    assert result.exit_code == 1
    assert "says version 0.1.5, which was never released" in result.stderr
    assert "set it back to the last release (0.1.0)" in result.stderr


def test_version_site_and_snapshot_say_when_the_data_is_not_the_release(run, released, monkeypatch):
    monkeypatch.chdir(released)
    assert run("--version").stdout.strip() == "csto-alignment, version 0.1.0"
    _add(run, released)
    version = run("--version").stdout
    assert version.startswith("csto-alignment, version 0.1.0 + unreleased changes")
    assert "1 file(s) differ from release 0.1.0" in version
    # dist refuses to publish it as 0.1.0; a snapshot says what it is in every file.
    refused = run("dist", "--package", released)
    assert refused.exit_code == 1 and "differs from release 0.1.0 in data/statements.csv" in (
        refused.stderr
    )
    snap = run("dist", "--unreleased", "--package", released)
    assert snap.exit_code == 0, snap.stderr
    archive = released / "dist" / "csto-alignment-0.1.0+unreleased.zip"
    with zipfile.ZipFile(archive) as zf:
        top = "csto-alignment-0.1.0+unreleased"
        readme = zf.read(f"{top}/README.md").decode()
        cff = zf.read(f"{top}/CITATION.cff").decode()
        published = json.loads(zf.read(f"{top}/datapackage.json"))
    assert readme.startswith("# csto-alignment 0.1.0 + unreleased changes\n")
    assert "**Not a release.**" in readme
    assert 'version: "0.1.0+unreleased"' in cff
    assert published["version"] == "0.1.0+unreleased"
    notes = (released / "dist" / "RELEASE-NOTES.md").read_text()
    assert notes.startswith("**Not a release**: 0.1.0 + unreleased changes.")


@pytest.mark.slow
def test_the_site_header_says_unreleased_changes(run, released, tmp_path):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    out = tmp_path / "site"
    assert run("site", "--out", out, "--package", released).exit_code == 0
    assert 'class="version">version 0.1.0</span>' in (out / "index.html").read_text()
    _add(run, released)
    assert run("site", "--out", out, "--package", released).exit_code == 0
    header = (out / "index.html").read_text()
    assert 'class="version">version 0.1.0 + unreleased changes</span>' in header


@pytest.mark.slow
def test_dist_checks_the_zip_against_the_record_and_the_citation_names_version_and_url(run, repo):
    git(repo, "remote", "add", "origin", "git@github.com:example/csto-alignment.git")
    result = run("release", "--package", repo)
    assert result.exit_code == 0, result.stderr
    commit(repo, "Release 0.1.0")
    git(repo, "tag", "v0.1.0")
    url = "https://github.com/example/csto-alignment/releases/tag/v0.1.0"
    cff = (repo / "CITATION.cff").read_text()
    assert 'version: "0.1.0"' in cff and f'url: "{url}"' in cff
    built = run("dist", "--package", repo)  # what the release workflow runs on the tag
    assert built.exit_code == 0, built.stderr
    assert "against releases/0.1.0.json" in built.stderr
    with zipfile.ZipFile(repo / "dist" / "csto-alignment-0.1.0.zip") as zf:
        readme = zf.read("csto-alignment-0.1.0/README.md").decode()
    assert f"(version 0.1.0) [Data set]. {url}" in readme
    notes = (repo / "dist" / "RELEASE-NOTES.md").read_text()
    assert "nine resources" in notes and f"(version 0.1.0) [Data set]. {url}" in notes


def _walkthrough_commands() -> list[str]:
    """The shell commands of the contributors' walkthrough, in order, comments cut."""
    page = (ROOT / "docs" / "contributors.md").read_text(encoding="utf-8")
    section = page.split("## Correcting a value and releasing the correction (walkthrough)")[1]
    block = section.split("```sh\n")[1].split("```")[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_correction_walkthrough_works_from_a_fresh_clone_of_main(tmp_path):
    """docs/contributors.md's walkthrough, command by command, on a clone of this repository as
    it is (its committed HEAD): a correction with add --replace, validate, diff and release."""
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        why = "this checkout's history is shallow: the release 0.4.0 it diffs against is not in it"
        pytest.skip(reason=why)
    clone = tmp_path / "csto-alignment"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    git(clone, "tag", "-l", "v*") and git(
        clone, "tag", "-d", *git(clone, "tag", "-l", "v*").split()
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }  # fmt: skip
    commands = _walkthrough_commands()
    assert commands[0].startswith("git clone ") and "venv" in commands[1]
    assert commands[2].startswith(". .venv/bin/activate")
    for command in commands[3:]:
        out = subprocess.run(
            command, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, f"$ {command}\n{out.stdout}\n{out.stderr}"
        if command.startswith("grep "):  # "now edit it in fix.csv"
            fix = clone / "fix.csv"
            text = fix.read_text(encoding="utf-8")
            assert "; author of the commentary" in text
            fix.write_text(text.replace("; author of the commentary", ""), encoding="utf-8")
        if command.startswith("csto-alignment add "):
            assert "changed emily-ferris: role:" in out.stderr
        if command == "csto-alignment validate":  # the correction, among any other changes
            assert re.search(r"\n  actors: (.*; )?[0-9]+ row\(s\) changed", out.stdout)
    assert out.stdout.startswith("released ")
    version = out.stdout.split()[1]
    log = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = log.split(f"## [{version}]")[1].split("\n## [")[0]
    assert "changed `emily-ferris`: role:" in entry
