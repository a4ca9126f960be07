"""Regenerate, or check, the command outputs shown in the README.

A fenced ```text block right after the line `<!-- output -->` holds one or more runs: a line
`$ csto-alignment ...` (continued over the next lines while a quote is open), then what it printed.
Each command is run in-process against the repository's package and its real output replaces what
follows it, so the README never shows typed output. `2>&1` at the end shows stderr and stdout in the order they were written.

Usage: python scripts/readme_outputs.py          # rewrite README.md's output blocks
       python scripts/readme_outputs.py --check  # exit 1 if any block differs
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "<!-- output -->"
BLOCK = re.compile(re.escape(MARK) + r"\n```text\n(.*?)```", re.S)


def commands(block: str) -> list[str]:
    """The `$ ` commands of a block, each with its continuation lines."""
    found, current = [], None
    for line in block.splitlines():
        if line.startswith("$ "):
            current = line[2:]
            found.append(current)
        elif current is not None and _open_quote(found[-1]):
            found[-1] = current = found[-1] + "\n" + line
        else:
            current = None
    return found


def _open_quote(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return True
    return False


def run(command: str) -> str:
    """What the command prints, as a terminal would show it (stdout, then stderr with 2>&1)."""
    from click.testing import CliRunner

    from toolkit.cli.commands import main

    # A shell removes the backslash of \$ inside double quotes; shlex does not.
    args = [a.replace("\\$", "$") for a in shlex.split(command)]
    merge = args[-1:] == ["2>&1"]
    args = args[:-1] if merge else args
    assert args[0] == "csto-alignment", command
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    # With 2>&1, what a terminal shows: stdout and stderr in the order they were written.
    out = result.output if merge else result.stdout
    return out if out.endswith("\n") or not out else out + "\n"


def regenerate(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        body = "\n".join(f"$ {c}\n{run(c).rstrip()}\n" for c in commands(m.group(1)))
        return f"{MARK}\n```text\n{body}```"

    return BLOCK.sub(lambda m: one(m).replace("\n\n```", "\n```"), text)


def main(argv: list[str]) -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = regenerate(text)
    if "--check" in argv:
        return 0 if new == text else 1
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
