"""The `csto-alignment` command line: thin commands over the library, shared options, terminal rendering."""

from toolkit.cli.commands import main

__all__ = ["main"]
