"""Excerpts against the texts of their sources: `excerpt-not-in-source`, with a hint that names
the quote marks or dashes to change, or the nearest passage."""

from __future__ import annotations

import shutil

import pytest
from helpers import FIXTURES, SHARED_SOURCES, codes, report

SOURCES = FIXTURES / "sources"  # a short passage of the commentary, as the project holds its text


def test_a_straight_apostrophe_for_the_sources_curly_one_is_found_and_named(run, pkg_ro):
    result = run(
        "check", FIXTURES / "excerpt_straight_apostrophe.csv", "-r", "statements",
        "--package", pkg_ro, "--sources", SOURCES, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1
    [error] = report(result)["errors"]
    assert error["code"] == "excerpt-not-in-source" and error["row"] == 2
    assert error["field"] == "source_excerpt"
    assert "curly apostrophe (’) where the excerpt has a straight apostrophe" in error["hint"]
    assert "Belarus and Russia’s positions in international forums" in error["hint"]


def test_an_excerpt_not_in_the_source_gets_the_nearest_passage(run, pkg_ro, tmp_path):
    bad = tmp_path / "excerpt_reworded.csv"
    text = (FIXTURES / "excerpt_straight_apostrophe.csv").read_text()
    bad.write_text(text.replace("did not sufficiently support", "did not support"))
    result = run(
        "check", bad, "-r", "statements", "--package", pkg_ro, "--sources", SOURCES,
        "--format", "json",
    )  # fmt: skip
    [error] = report(result)["errors"]
    assert error["code"] == "excerpt-not-in-source"
    assert "nearest passage reads: 'did not sufficiently support Belarus" in error["hint"]


def test_sources_without_a_text_are_not_checked(run, pkg_ro, tmp_path):
    empty = tmp_path / "no-texts"
    empty.mkdir()
    result = run(
        "check", FIXTURES / "excerpt_straight_apostrophe.csv", "-r", "statements",
        "--package", pkg_ro, "--sources", empty, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout


def test_the_texts_beside_the_package_are_found_without_the_option(run, pkg):
    shutil.copytree(SOURCES, pkg.parent / "shared" / "sources")  # ../shared/sources
    result = run(
        "add", FIXTURES / "excerpt_straight_apostrophe.csv", "-r", "statements",
        "--package", pkg, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1 and codes(result) == ["excerpt-not-in-source"]
    result = run("validate", "--package", pkg, "--sources", SOURCES, "--format", "json")
    assert "excerpt-not-in-source" in codes(result)  # the package's own rows are checked too


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="the project's source texts are not here")
def test_every_excerpt_of_the_package_is_in_its_source(run, pkg_ro):
    result = run("validate", "--package", pkg_ro, "--sources", SHARED_SOURCES, "--format", "json")
    assert result.exit_code == 0, codes(result)


def test_from_the_repository_root_the_default_package_finds_the_texts(run, pkg, monkeypatch):
    """The documented workflow: `check FILE -r statements` in the repository's folder, with the
    default `--package .`. The texts folder comes from the package's absolute location; from `.`
    it was `./shared/sources`, which holds nothing, and every excerpt passed unchecked."""
    shutil.copytree(SOURCES, pkg.parent / "shared" / "sources")  # ../shared/sources
    monkeypatch.chdir(pkg)
    result = run(
        "check", FIXTURES / "excerpt_straight_apostrophe.csv", "-r", "statements",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1 and codes(result) == ["excerpt-not-in-source"]
    assert "curly apostrophe" in report(result)["errors"][0]["hint"]
