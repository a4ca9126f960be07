"""Releases have a home and a citation: one title for the dataset everywhere, a workflow that
publishes a tag's files, Zenodo's metadata, and CI that compares the excerpts with their texts."""

from __future__ import annotations

import json

import yaml
from helpers import ROOT

from toolkit.package.tableschema import load_package
from toolkit.release.citation import citation, release_url, title, web_address

PACKAGE = load_package(ROOT)


def _workflow(name: str) -> dict:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def test_one_title_for_the_dataset_everywhere():
    one = PACKAGE.descriptor["title"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert cff["title"] == one and zenodo["title"] == one and title(PACKAGE) == one
    for page in ("README.md", "docs/researchers.md"):
        assert f"*{one}*" in (ROOT / page).read_text(encoding="utf-8"), page
    from toolkit.site.build import _citation

    assert _citation(PACKAGE)["title"] == one  # the site's cite page (its index shows the same)


def test_citation_cff_cites_the_latest_release_and_says_main_may_differ():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    record = json.loads((ROOT / "releases" / f"{cff['version']}.json").read_text())
    assert record["version"] == cff["version"] == PACKAGE.version  # a release, recorded
    assert "may hold changes made since" in cff["message"]
    assert "unreleased changes" in cff["message"] and "--version" in cff["message"]


def test_zenodo_metadata_is_the_descriptors():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["upload_type"] == "dataset" and zenodo["access_right"] == "open"
    assert zenodo["license"] == PACKAGE.descriptor["licenses"][0]["name"]
    assert zenodo["creators"] == [{"name": "csto-alignment contributors"}]


def test_the_citation_names_version_and_address():
    package = load_package(ROOT)
    package.descriptor = {**package.descriptor, "homepage": "https://github.com/example/repo"}
    url = release_url(package, "1.2.3")
    assert url == "https://github.com/example/repo/releases/tag/v1.2.3"
    cited = citation(package, "1.2.3", url)
    assert (
        "(version 1.2.3) [Data set]. https://github.com/example/repo/releases/tag/v1.2.3" in cited
    )
    assert web_address("git@github.com:example/repo.git") == "https://github.com/example/repo"
    assert web_address("https://github.com/example/repo.git") == "https://github.com/example/repo"
    assert web_address("/home/someone/repo") is None


def test_a_tag_publishes_the_releases_files_as_a_github_release():
    flow = _workflow("release.yml")
    assert flow["on"]["push"]["tags"] == ["v*"]
    assert flow["permissions"]["contents"] == "write"
    steps = " ".join(s.get("run", "") for s in flow["jobs"]["publish"]["steps"])
    assert 'csto-alignment" dist' in steps or "csto-alignment dist" in steps
    assert "gh release create" in steps and "RELEASE-NOTES.md" in steps
    assert "csto-alignment-*.zip" in steps and "csto-alignment-*.duckdb" in steps
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    download = readme.split("## Download and cite")[1].split("\n## ")[0]
    assert "GitHub Release" in download and "release.yml" in download and "DOI" in download


def test_ci_compares_excerpts_with_the_source_texts_the_project_holds():
    flow = _workflow("ci.yml")
    steps = flow["jobs"]["test"]["steps"]
    texts = [s for s in steps if s.get("with", {}).get("path") == ".source-texts"]
    assert texts and "SOURCE_TEXTS_REPOSITORY" in texts[0]["if"]
    validate = next(s["run"] for s in steps if s.get("name") == "Validate the data package")
    assert '--sources "$texts"' in validate and "frictionless validate" in validate
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "validate --sources ../shared/sources" in run
