"""The README's codebook is derived from the Table Schemas; this fails when it drifts."""

from __future__ import annotations

from helpers import ROOT

from toolkit.docgen.codebook import END, START, codebook_markdown
from toolkit.package.tableschema import load_package


def test_readme_codebook_matches_the_schemas():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(START) : readme.index(END) + len(END)]
    assert block == codebook_markdown(load_package(ROOT)), "run: csto-alignment codebook --write"


def test_codebook_lists_every_field_with_its_description():
    package = load_package(ROOT)
    text = codebook_markdown(package)
    for res in package.resources.values():
        for f in res.fields:
            assert f"| `{f.name}` |" in text and f.description.replace("|", "\\|") in text


def test_every_field_has_a_description_and_an_example():
    for res in load_package(ROOT).resources.values():
        for f in res.fields:
            assert f.description.strip(), f"{res.name}.{f.name}"
            assert f.example != "" or f.name in ("location",), f"{res.name}.{f.name}"
