"""The command outputs shown in the README are what the commands print today."""

from __future__ import annotations

import sys

from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import readme_outputs  # noqa: E402


def test_readme_shows_outputs_to_check():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme_outputs.BLOCK.findall(text)
    assert blocks and all(readme_outputs.commands(b) for b in blocks)


def test_readme_outputs_match_the_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_outputs.regenerate(text) == text, "run: python scripts/readme_outputs.py"


def test_a_command_continues_while_its_quote_is_open():
    block = '$ csto-alignment query "SELECT 1\n  AS one"\none\n---\n1\n'
    assert readme_outputs.commands(block) == ['csto-alignment query "SELECT 1\n  AS one"']
