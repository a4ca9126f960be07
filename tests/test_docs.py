"""The documentation: every command and option carries help text (as sqlite-utils'
tests/test_docs.py checks), and every generated part of README.md and docs/*.md is what
scripts/docs.py generates today."""

from __future__ import annotations

import sys

import click
import pytest
from helpers import ROOT

from toolkit.cli.commands import main

sys.path.insert(0, str(ROOT / "scripts"))
import docs  # noqa: E402


def commands():
    return sorted(main.commands.items())


@pytest.mark.parametrize(("name", "command"), commands())
def test_command_has_help(name, command):
    assert command.help and len(command.help.strip()) > 20, name


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_option_has_help(name, command):
    for p in command.params:
        if isinstance(p, click.Option):
            assert p.help, f"{name} {p.opts}"


def test_help_runs_without_loading_heavy_libraries():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from toolkit.cli.commands import main; "
        "CliRunner().invoke(main, ['--help']); "
        "print(sorted(m for m in ('duckdb', 'pandas', 'pandera', 'frictionless', 'polars', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_generated_block_matches_what_generates_it():
    # As sqlite-utils does: the docs' generated parts are checked; this fails until regenerated.
    assert docs.main(["--check"]) == 0, "run: python scripts/docs.py"


def test_the_check_names_the_page_and_block_that_drifted(tmp_path, monkeypatch, capsys):
    (tmp_path / "docs").mkdir()
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    stale = text.replace("| `csto-alignment add [OPTIONS] FILE` |", "| `csto-alignment add` |")
    (tmp_path / "docs" / "reference.md").write_text(stale, encoding="utf-8")
    (tmp_path / "README.md").write_text("# nothing generated here\n", encoding="utf-8")
    monkeypatch.setattr(
        docs,
        "pages",
        lambda root=tmp_path: [tmp_path / "README.md", tmp_path / "docs" / "reference.md"],
    )
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    assert docs.main(["--check"]) == 1
    assert "out of date: docs/reference.md: commands" in capsys.readouterr().err
    assert (tmp_path / "docs" / "reference.md").read_text(
        encoding="utf-8"
    ) == stale  # --check writes nothing
    assert docs.main([]) == 0
    assert (tmp_path / "docs" / "reference.md").read_text(encoding="utf-8") == text


def test_the_guides_show_outputs_to_check_and_every_block_named_is_generated():
    every = "".join(p.read_text(encoding="utf-8") for p in docs.pages())
    blocks = docs.BLOCK.findall(every)
    assert blocks and all(docs.commands(b) for b in blocks)
    for name in (*docs.MARKED, "toc", "contents"):
        assert f"<!-- {name}:start" in every, name


def test_a_command_continues_while_its_quote_is_open():
    block = '$ csto-alignment query "SELECT 1\n  AS one"\none\n---\n1\n'
    assert docs.commands(block) == ['csto-alignment query "SELECT 1\n  AS one"']


def test_the_saved_query_list_names_every_saved_query_with_its_defaults():
    listed = docs.queries_markdown(ROOT)
    for sql in (ROOT / "queries").glob("*.sql"):
        assert f"| `{sql.stem}` |" in listed
    assert "`top` (default `20`)" in listed


def test_the_readme_stays_short_and_links_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for page in (ROOT / "docs").glob("*.md"):
        assert f"](docs/{page.name}" in readme, page.name


def test_every_relative_link_of_the_docs_resolves():
    import re

    for page in docs.pages():
        text = page.read_text(encoding="utf-8")
        for path, anchor in re.findall(r"\]\(([^)#:\s]*)(#[^)\s]*)?\)", text):
            resolved = (page.parent / path).resolve() if path else page
            assert resolved.exists(), f"{page.name}: {path}"
            if anchor and resolved.suffix == ".md":
                found = docs.headings(resolved.read_text(encoding="utf-8"), 6)
                assert anchor in {f"#{docs._anchor(h)}" for _, h in found}, (
                    f"{page.name}: {path}{anchor}"
                )


def test_the_shell_completion_the_readme_documents_works():
    from click.testing import CliRunner

    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert 'eval "$(_CSTO_ALIGNMENT_COMPLETE=bash_source csto-alignment)"' in reference
    result = CliRunner().invoke(
        main, [], prog_name="csto-alignment", env={"_CSTO_ALIGNMENT_COMPLETE": "bash_source"}
    )
    assert result.exit_code == 0
    assert "_csto_alignment_completion()" in result.stdout
    assert "complete -o nosort -F _csto_alignment_completion csto-alignment" in result.stdout


def test_the_docs_python_imports_only_what_the_plain_install_brings():
    """A reader who ran the Quick start's `pip install -e .` can run every Python snippet."""
    import ast
    import re
    import tomllib

    readme = "".join(p.read_text(encoding="utf-8") for p in docs.pages())
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    installed = {re.split(r"[<>=!\[ ]", d)[0].lower().replace("-", "_") for d in deps}
    installed |= {"toolkit"} | set(sys.stdlib_module_names)
    imported = set()
    for block in re.findall(r"```python\n(.*?)```", readme, flags=re.S):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert imported and imported <= installed, imported - installed


def test_a_contributed_row_never_fails_the_check_but_a_changed_query_does(pkg, monkeypatch, capsys):
    """The answers of `query` over the package's rows change with every row contributed: the
    check keeps them unless their columns changed; --strict (at a release) checks them whole."""
    (pkg / "docs").mkdir()
    page = pkg / "docs" / "analysts.md"
    text = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    block = text.split("$ csto-alignment query csto_votes_matrix\n")[1].split("```")[0]
    first_row = block.splitlines()[2]  # the header, its rule, then the rows
    page.write_text(text.replace(first_row + "\n", "", 1), encoding="utf-8")  # one row fewer
    (pkg / "README.md").write_text("# nothing generated here\n", encoding="utf-8")
    monkeypatch.setattr(docs, "pages", lambda root=pkg: [pkg / "README.md", page])
    monkeypatch.setattr(docs, "ROOT", pkg)
    assert docs.main(["--check"]) == 0
    assert docs.main(["--check", "--strict"]) == 1
    assert "out of date: docs/analysts.md: output at line" in capsys.readouterr().err
    header = block.splitlines()[0]
    page.write_text(text.replace(header, header.replace("title", "name", 1), 1), encoding="utf-8")
    assert docs.main(["--check"]) == 1  # the columns it documents are not what it prints
