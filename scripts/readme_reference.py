"""Print, or write into README.md, the reference of commands, options and error codes.

Usage: python scripts/readme_reference.py [--write]
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.commands import main
from toolkit.docgen.reference import (
    CODES,
    COMMANDS,
    codes_markdown,
    commands_markdown,
    replace_block,
)
from toolkit.store.fileio import write_atomic

README = Path(__file__).resolve().parent.parent / "README.md"


def run(write: bool) -> None:
    commands, codes = commands_markdown(main), codes_markdown()
    if not write:
        print(commands + "\n\n" + codes)
        return
    text = README.read_text(encoding="utf-8")
    text = replace_block(replace_block(text, COMMANDS, commands), CODES, codes)
    write_atomic(README, text)


if __name__ == "__main__":
    run("--write" in sys.argv[1:])
