"""The codebook (docs/codebook.md) is derived from the Table Schemas; this fails when it drifts."""

from __future__ import annotations

from helpers import ROOT

from toolkit.docgen.codebook import END, PAGE, START, codebook_markdown
from toolkit.package.tableschema import load_package


def test_the_codebook_page_matches_the_schemas():
    page = (ROOT / PAGE).read_text(encoding="utf-8")
    block = page[page.index(START) : page.index(END) + len(END)]
    assert block == codebook_markdown(load_package(ROOT)), "run: python scripts/docs.py"


def test_codebook_write_replaces_the_block_of_the_codebook_page(pkg, run):
    page = pkg / PAGE
    page.parent.mkdir(exist_ok=True)
    page.write_text(f"# Codebook\n\nkept\n\n{START}\nstale\n{END}\n\nkept too\n", encoding="utf-8")
    result = run("codebook", "--write", "--package", pkg)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "stale" not in text and "kept\n" in text and text.endswith("kept too\n")
    assert codebook_markdown(load_package(pkg)) in text


def test_codebook_write_makes_the_page_where_there_is_none(pkg, run):
    (pkg / PAGE).unlink(missing_ok=True)
    result = run("codebook", "--write", "--package", pkg)
    assert result.exit_code == 0, result.output
    assert (pkg / PAGE).read_text(encoding="utf-8").startswith("# Codebook\n\n" + START)


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
