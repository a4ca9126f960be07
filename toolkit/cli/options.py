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


def repo_option(revisions: str) -> Callable[[F], F]:
    """--repo: the git repository in which `revisions` (e.g. "OLD and NEW are revisions") are."""
    return click.option(
        "--repo",
        default=".",
        show_default=True,
        type=click.Path(exists=True, file_okay=False, path_type=str),
        help=f"The git repository in which {revisions}.",
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


def regular_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a device or a pipe at once (/dev/zero, a FIFO): reading one might never end."""
    import os
    import stat

    if value is not None and not stat.S_ISREG(os.stat(value).st_mode):
        raise click.BadParameter(f"{value} is not a regular file (a device or a pipe)")
    return value


def contribution_argument(f: F) -> F:
    return click.argument(
        "file",
        type=click.Path(exists=True, dir_okay=False, readable=True, path_type=str),
        callback=regular_file,
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


def _memory(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from toolkit.db.query import MEMORY

    if not MEMORY.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not a size such as 512MB or 4GB")
    return value


def query_limit_options(f: F) -> F:
    """--timeout, --memory and --limit: what one query may use; each can be raised."""
    for decorator in (
        click.option(
            "--limit",
            "row_limit",
            type=click.IntRange(min=0),
            help="Rows to print at most (0: all); default 1000 for table and markdown, all for "
            "csv and json. Rows left out are counted on stderr.",
        ),
        click.option(
            "--memory",
            default="2GB",
            show_default=True,
            callback=_memory,
            help="Memory DuckDB may use for the query (e.g. 512MB, 8GB).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0),
            default=30.0,
            show_default=True,
            help="Seconds the query may run before it is stopped (0: no limit).",
        ),
    ):
        f = decorator(f)
    return f
