"""Reusable click options, so every command spells them the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """--format, for commands whose output is data."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format: "
        + ", ".join(choices)
        + (" (GitHub Actions annotations on the file and line)" if "github" in choices else "")
        + ".",
    )


def package_option(f: F) -> F:
    """--package: where datapackage.json is (a folder or the file)."""
    return click.option(
        "--package",
        "package_path",
        type=click.Path(exists=True, path_type=str),
        default=".",
        show_default=True,
        help="The data package: its folder or its datapackage.json.",
    )(f)


def resource_option(f: F) -> F:
    return click.option(
        "--resource",
        "-r",
        required=True,
        help="Name of the resource the rows belong to (e.g. statements).",
    )(f)


def contribution_argument(f: F) -> F:
    return click.argument(
        "file",
        type=click.Path(exists=True, dir_okay=False, readable=True, path_type=str),
    )(f)


def sources_option(f: F) -> F:
    """--sources: the folder of source texts that excerpts are compared with."""
    return click.option(
        "--sources",
        "sources_dir",
        type=click.Path(exists=True, file_okay=False, path_type=str),
        help="Folder of source texts (<source_id>.txt) to find excerpts in; default: "
        "../shared/sources beside the package. Sources without a text are not checked.",
    )(f)


def contribution_options(f: F) -> F:
    """FILE, --resource, --package, --sources and --format: what `check` and `add` both take."""
    for decorator in (
        format_option("text", "json", "github"),
        sources_option,
        package_option,
        resource_option,
        contribution_argument,
    ):
        f = decorator(f)
    return f
