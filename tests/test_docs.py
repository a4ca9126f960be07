"""Every command and option carries help text (as sqlite-utils' tests/test_docs.py checks)."""

from __future__ import annotations

import click
import pytest

from toolkit.cli.commands import main


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


def test_the_readme_reference_matches_the_commands_and_the_error_catalogue():
    # As sqlite-utils does: the reference is generated; this fails until it is regenerated.
    from helpers import ROOT

    from toolkit.docgen.reference import CODES, COMMANDS, block, codes_markdown, commands_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    fix = "run `python scripts/readme_reference.py --write`"
    assert block(readme, COMMANDS) == commands_markdown(main), fix
    assert block(readme, CODES) == codes_markdown(), fix


def test_the_shell_completion_the_readme_documents_works():
    from click.testing import CliRunner
    from helpers import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_CSTO_ALIGNMENT_COMPLETE=bash_source csto-alignment)"' in readme
    result = CliRunner().invoke(
        main, [], prog_name="csto-alignment", env={"_CSTO_ALIGNMENT_COMPLETE": "bash_source"}
    )
    assert result.exit_code == 0
    assert "_csto_alignment_completion()" in result.stdout
    assert "complete -o nosort -F _csto_alignment_completion csto-alignment" in result.stdout


def test_the_readmes_python_imports_only_what_the_plain_install_brings():
    """A reader who ran the Quick start's `pip install -e .` can run every Python snippet."""
    import ast
    import re
    import sys
    import tomllib

    from helpers import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
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
