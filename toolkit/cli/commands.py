"""The `csto-alignment` command line: parses, calls the library, prints, and picks the exit code.

Exit codes (a public contract, errors.py): 0 valid / done, 1 invalid data, 2 usage error, 3 an
internal failure (a bug, or the machine: a full disk). Library failures are exceptions carrying their
exit code (errors.ToolkitError), turned into one line in one place (Group.invoke).
Data goes to stdout, diagnostics to stderr. Heavy libraries are imported inside the commands that
need them, so `--help` and `template` start fast.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from toolkit import __version__
from toolkit.cli.options import (
    contribution_options,
    format_option,
    package_option,
    query_limit_options,
    regular_file,
    repo_option,
    sources_option,
)
from toolkit.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    ToolkitError,
    UsageError,
)
from toolkit.package.tableschema import load_package, package_root


def _note(message: str) -> None:
    """A note for the user on stderr (waiting for the package lock, a change recovered)."""
    click.echo(message, err=True)


class Group(click.Group):
    """Every failure ends here, in one line with its exit code (a traceback only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        # The command's own arguments, read before click consumes them: a usage error found while
        # parsing them must still answer in JSON when JSON was asked for.
        wants_json = _asks_for_json([*getattr(ctx, "_protected_args", []), *ctx.args])
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            if wants_json and exc.exit_code == EXIT_USAGE:
                _usage_error_json(str(exc))
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:  # Ctrl-C: one line, the shell's exit code for SIGINT
            click.echo("Error: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except click.UsageError as exc:
            if wants_json:
                _usage_error_json(exc.format_message())
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug or the machine (a full disk), never bad data or usage
            if ctx.meta.get("debug"):
                traceback.print_exc()
            click.echo(
                f"Error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True
            )
            ctx.exit(EXIT_INTERNAL)


def _asks_for_json(args: list[str]) -> bool:
    return "--format=json" in args or any(
        a == "--format" and b == "json" for a, b in zip(args, args[1:], strict=False)
    )


def _usage_error_json(message: str) -> None:
    """A usage error as the report `--format json` promises, on stdout (the message still goes to
    stderr): tools reading the JSON see why nothing was judged."""
    import json

    from toolkit.checks.report import Issue, Report

    report = Report(errors=[Issue(code="usage-error", message=message)])
    click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))


def _version_label() -> str:
    """The version of the data package in the working folder (else in the toolkit's own
    repository), as a release or as what it is: '0.4.0 + unreleased changes'."""
    from toolkit.package.tableschema import DESCRIPTOR
    from toolkit.release.record import release_status

    here = Path.cwd()
    candidates = [here, Path(__file__).resolve().parents[2]]
    for root in candidates:
        if (root / DESCRIPTOR).is_file():
            try:
                status = release_status(load_package(root))
            except ToolkitError:
                continue
            if status.released:
                return status.label
            if status.changed:
                n = len(status.changed)
                return (
                    f"{status.label} (the data package in {root}: {n} file(s) differ from "
                    f"release {status.version}; `csto-alignment validate` counts the rows)"
                )
            return f"{status.label} (the data package in {root})"
    return __version__


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"csto-alignment, version {_version_label()}")
        ctx.exit()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of the data package here (a release, or unreleased changes) and exit.",
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks of unexpected failures.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Validate, extend, query and release the csto-alignment data package."""
    ctx.meta["debug"] = debug


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _emit_report(report: Any, fmt: str, base: str = "") -> None:
    from toolkit.cli.render import report_github, report_json, report_text

    if fmt == "json":
        click.echo(report_json(report))
        return
    if fmt == "github":  # annotations on stdout, where the runner reads them; the verdict after
        annotations = report_github(report, base)
        if annotations:
            click.echo(annotations)
        click.echo(report_text(report)[0], err=True)
        return
    out, diag = report_text(report)
    if diag:
        click.echo(diag, err=True)
    click.echo(out)


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=str))
@click.option(
    "--package",
    "package_path",
    type=click.Path(exists=True, path_type=str),
    help="The data package: its folder or its datapackage.json (as PATH; default: .).",
)
@sources_option
@format_option("text", "json", "github")
def validate(path: str | None, package_path: str | None, sources_dir: str | None, fmt: str) -> None:
    """Validate the whole package at PATH (or --package): types, constraints, keys and
    cross-table rules.

    Reports every error (no cap), then one summary line per resource, then, as information, what
    changed since the last release (rows added, removed and changed per resource).
    """
    from toolkit.checks.validate import validate_package
    from toolkit.store.lock import reading

    if path is not None and package_path is not None and Path(path) != Path(package_path):
        raise UsageError(f"give the package once: PATH {path!r} or --package {package_path!r}")
    where = path or package_path or "."
    from toolkit.release.unreleased import changes_since_release

    with reading(package_root(where), "validate", _note):  # no writer changes it meanwhile
        package = load_package(where)
        report = validate_package(where, package, sources=_path(sources_dir))
        report.since_release = changes_since_release(package)  # information, never an error
    root = Path(where) if Path(where).is_dir() else Path(where).parent
    _emit_report(report, fmt, base=str(root))
    sys.exit(EXIT_OK if report.valid else EXIT_INVALID)


@main.command()
@contribution_options
@click.option(
    "--replace", is_flag=True, help="Check rows whose primary key exists as corrections of them."
)
def check(
    file: str, resource: str, package_path: str, sources_dir: str | None, fmt: str, replace: bool
) -> None:
    """Check contributed rows in FILE against the schema and the existing data. Writes nothing."""
    from toolkit.checks.validate import check_contribution

    package = load_package(package_path)
    package.resource(resource)  # an unknown name is a usage error
    report = check_contribution(
        package, Path(file), resource, replace=replace, sources=_path(sources_dir)
    )
    _emit_report(report, fmt)
    sys.exit(EXIT_OK if report.valid else EXIT_INVALID)


@main.command()
@contribution_options
@click.option(
    "--replace",
    is_flag=True,
    help="Correct existing rows: a row whose primary key exists replaces it (each changed cell printed, old -> new).",
)
def add(
    file: str, resource: str, package_path: str, sources_dir: str | None, fmt: str, replace: bool
) -> None:
    """Check FILE and, only if it has no error, merge its rows into the package.

    The data file is rewritten atomically in canonical order; nothing else is written (the
    release lists every change in CHANGELOG.md). With --replace, rows whose key exists are
    corrections: each changed cell is printed, old -> new. On any error nothing is written.
    """
    from toolkit.store.lock import writing
    from toolkit.store.merge import add_contribution

    with writing(package_root(package_path), "add", _note):  # read and write under the lock
        package = load_package(package_path)
        package.resource(resource)  # an unknown name is a usage error
        result = add_contribution(
            package, Path(file), resource, replace=replace, sources=_path(sources_dir)
        )
    _emit_report(result.report, fmt)
    if result.written:
        path = package.resource(resource).path
        click.echo(f"added {result.added} row(s) to {path}", err=True)
        if replace:
            click.echo(f"replaced {result.replaced} row(s) in {path}", err=True)
            for line in result.corrections:
                click.echo(f"  changed {line}", err=True)
        sys.exit(EXIT_OK)
    click.echo("nothing was written", err=True)
    sys.exit(EXIT_INVALID)


@main.command()
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=str), callback=regular_file
)
@click.option(
    "--resolution",
    "resolution_id",
    required=True,
    help="The resolution's document symbol (resolution_id), e.g. A/RES/ES-11/1.",
)
@click.option("--source-id", required=True, help="The row of sources that publishes the roll call.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the vote (YYYY-MM-DD); default: the resolution's date in un_resolutions.",
)
@click.option("--yes", "tally_yes", type=click.IntRange(min=0), help="Official votes in favour.")
@click.option("--no", "tally_no", type=click.IntRange(min=0), help="Official votes against.")
@click.option(
    "--abstain", "tally_abstain", type=click.IntRange(min=0), help="Official abstentions."
)
@click.option(
    "--non-voting",
    "tally_non_voting",
    type=click.IntRange(min=0),
    help="Official number of members that did not vote.",
)
@click.option(
    "--remainder",
    type=click.Choice(["yes", "no", "abstain", "non_voting"]),
    help="Put every UN member on the vote's date not listed elsewhere in this category (usually yes).",
)
@click.option(
    "--remainder-excerpt",
    help="Verbatim excerpt of the source quoted by the remainder's rows (e.g. the sentence with the tally).",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "text", "csv", "tsv", "json", "lists"]),
    default="auto",
    show_default=True,
    help="How FILE is laid out: prose (text), a table (csv, tsv, json records) or one list of "
    "names per category (lists: JSON or a JavaScript object); auto goes by its suffix "
    "(.csv, .tsv, .json, .js; else text).",
)
@click.option("--state-field", help="The table's column (or JSON member) naming the state.")
@click.option("--vote-field", help="The table's column (or JSON member) holding the vote.")
@click.option(
    "--records",
    help="In JSON, the member that holds the records, as a dotted path (e.g. vote).",
)
@click.option(
    "--vote-codes",
    type=click.Choice(["auto", "letters", "words", "voeten"]),
    default="auto",
    show_default=True,
    help="The table's vote vocabulary: letters (Y, N, A, X), words (yes, no, abstain, absent), "
    "voeten (1 yes, 2 abstain, 3 no, 8 absent, 9 not a member); auto: the one that reads "
    "every value.",
)
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="NAME=ISO3",
    help="Read NAME, as listed, as the state ISO3 (for an abbreviation the name check refuses, "
    "e.g. 'Dem. Rep. Congo=COD'); repeatable.",
)
@click.option(
    "--include-existing",
    is_flag=True,
    help="Also print the rows the package already holds with the same vote (by default they are "
    "confirmed and left out, so that `add` takes the rest).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=str),
    help="Write the rows to this CSV file (atomically) instead of stdout.",
)
@package_option
@format_option("csv", "json", default="csv")
def rollcall(
    file: str,
    resolution_id: str,
    source_id: str,
    day: Any,
    tally_yes: int | None,
    tally_no: int | None,
    tally_abstain: int | None,
    tally_non_voting: int | None,
    remainder: str | None,
    remainder_excerpt: str | None,
    input_format: str,
    state_field: str | None,
    vote_field: str | None,
    records: str | None,
    vote_codes: str,
    aliases: tuple[str, ...],
    include_existing: bool,
    out: str | None,
    package_path: str,
    fmt: str,
) -> None:
    """Turn a published roll call in FILE into un_votes rows for one resolution, ready for check/add.

    FILE is prose or a table. Prose: each category's heading (In favour, Against, Abstaining, Absent
    / Non-voting / Did not vote) followed by state names separated by commas, semicolons or line
    breaks; lines starting with # are comments. A table: CSV or JSON records of a state (name or
    ISO3 code) and its vote, or one list of names per category. Every row quotes a verbatim fragment
    of FILE. Unknown names, states listed twice or not UN members on the date, counts that differ
    from the official tallies and votes unlike the package's rows are refused; nothing is written
    then. Rows the package already holds with the same vote are confirmed and left out.
    """
    from toolkit.cli.render import issue_line, rows_as
    from toolkit.rollcall.read import USAGE_CODES, Options, read_roll_call
    from toolkit.rollcall.tables import layout_of, read_table

    if out is not None and not Path(out).resolve().parent.is_dir():
        raise click.BadParameter(
            f"no folder {Path(out).parent} to write {out} in", param_hint="--out"
        )
    package = load_package(package_path)
    if out is not None:
        from toolkit.store.outdir import check_output_file, package_paths

        check_output_file(Path(out), package.root, package_paths(package))
    tallies = {"yes": tally_yes, "no": tally_no, "abstain": tally_abstain}
    tallies["non_voting"] = tally_non_voting
    alias_map = {}
    for given in aliases:
        name, sep, code = given.rpartition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{given!r} is not NAME=ISO3", param_hint="--alias")
        alias_map[name.strip()] = code.strip()
    layout = layout_of(Path(file), None if input_format == "auto" else input_format)
    if layout == "text":
        result = read_roll_call(
            package,
            Path(file),
            resolution_id,
            source_id,
            day=day.date() if day is not None else None,
            tallies=tallies,
            remainder=remainder,
            remainder_excerpt=remainder_excerpt,
            aliases=alias_map,
            include_existing=include_existing,
        )
    else:
        opts = Options(
            resolution_id, source_id, day.date() if day is not None else None, tallies,
            remainder, remainder_excerpt, alias_map, include_existing,
        )  # fmt: skip
        result = read_table(
            package, Path(file), opts, layout, state_field=state_field, vote_field=vote_field,
            records=records, vote_codes=vote_codes,
        )  # fmt: skip
    report = result.report
    csv_text = rows_as("csv", result.columns, result.rows) + "\n"
    if report.valid and out is not None:
        from toolkit.store.fileio import write_atomic

        write_atomic(Path(out), csv_text)
    if fmt == "json":
        import json

        doc = report.to_dict()
        if report.valid and out is None:
            doc["rows"] = [dict(zip(result.columns, r, strict=True)) for r in result.rows]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for issue in report.errors:
            click.echo(issue_line(issue, "error"), err=True)
        for issue in report.warnings:
            click.echo(issue_line(issue, "warning"), err=True)
        if report.valid and out is None:
            click.echo(csv_text, nl=False)
    if not report.valid:
        click.echo(f"invalid: {len(report.errors)} error(s); nothing was written", err=True)
        usage = any(e.code in USAGE_CODES for e in report.errors)
        sys.exit(EXIT_USAGE if usage else EXIT_INVALID)
    counted = ", ".join(f"{k} {v}" for k, v in result.counted.items())
    official = ", ".join(f"{k} {'?' if v is None else v}" for k, v in result.official.items())
    where = f" to {out}" if out else ""
    kept = f"; {len(result.confirmed)} row(s) of the package confirmed" if result.confirmed else ""
    click.echo(
        f"{len(result.rows)} row(s) for {resolution_id}{where}: {counted} (official: {official})"
        + kept,
        err=True,
    )


@main.command()
@click.argument("name")
@click.option("--describe", is_flag=True, help="Add a '#' comment line describing each column.")
@package_option
def template(name: str, describe: bool, package_path: str) -> None:
    """Print an empty CSV for resource NAME: the header row, ready to fill in."""
    from toolkit.package.template import template_csv

    package = load_package(package_path)
    click.echo(template_csv(package.resource(name), describe), nl=False)


@main.command()
@package_option
@click.option(
    "--write",
    "write_readme",
    is_flag=True,
    help="Replace the codebook block of docs/codebook.md in place.",
)
def codebook(package_path: str, write_readme: bool) -> None:
    """Print the Markdown codebook of every resource and field, derived from the Table Schemas."""
    from toolkit.docgen.codebook import PAGE, codebook_markdown, replace_codebook
    from toolkit.store.fileio import write_atomic

    package = load_package(package_path)
    text = codebook_markdown(package)
    if not write_readme:
        click.echo(text)
        return
    page = package.root / PAGE
    old = page.read_text(encoding="utf-8") if page.exists() else ""
    page.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(page, replace_codebook(old, text))
    click.echo(f"updated the codebook in {page}", err=True)


@main.command()
@click.argument("first", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.argument("second", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option(
    "--fields",
    "fields_path",
    default="coding/fields.json",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The list of coded units and columns.",
)
@format_option("text", "json", "markdown")
def agreement(first: str, second: str, fields_path: str, fmt: str) -> None:
    """Measure how far two codings of the same units agree, per coded field.

    FIRST and SECOND are folders of coding files (<unit>.csv: the key and the coded columns that
    --fields lists). Per field: the units both hold, percent agreement and Krippendorff's alpha
    (nominal; MASI distance for sets), then every disagreement by key. Disagreements are the
    result, not an error (exit 0); a coding file that cannot be read as one exits 1.
    """
    import json

    from toolkit.checks.report import Report
    from toolkit.cli.render import agreement_markdown, agreement_text, report_json, report_text
    from toolkit.coding.agreement import agreement as measure
    from toolkit.coding.fields import load_fields

    result = measure(Path(first), Path(second), load_fields(Path(fields_path)))
    if not result.valid:
        report = Report(errors=result.issues)
        if fmt == "json":
            click.echo(report_json(report))
        click.echo(report_text(report)[1], err=True)
        click.echo(f"invalid: {len(result.issues)} error(s); nothing was measured", err=True)
        sys.exit(EXIT_INVALID)
    for name, why in result.not_compared.items():
        _note(f"not compared: {name} ({why})")
    for label, only in (("FIRST", result.only_first), ("SECOND", result.only_second)):
        for name, keys in only.items():
            shown = "; ".join(", ".join(k.values()) for k in keys)
            _note(f"{name}: {len(keys)} unit(s) only in {label}: {shown}")
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(agreement_markdown(result))
    else:
        click.echo(agreement_text(result))


def _read_sql(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:  # the path the user gave cannot be used
        raise UsageError(f"{path}: cannot read the SQL ({exc})") from None


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{v!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


def _no_saved_query(name: str, names: list[str]) -> str:
    """A lone word is a saved query's name, misspelt, not SQL (DuckDB would say 'Parser Error')."""
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return f"no saved query {name!r}; did you mean {close[0]!r}?"
    return f"no saved query {name!r}; `csto-alignment queries` lists them: {', '.join(names)}"


def _check_param_names(sql: str, params: dict[str, str]) -> None:
    """Every --param names a $parameter of the SQL (DuckDB says only 'count mismatch')."""
    taken = sorted(set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql)))
    unknown = sorted(set(params) - set(taken))
    if unknown:
        takes = ", ".join(f"${n}" for n in taken) if taken else "no parameters"
        raise UsageError(f"--param {', '.join(unknown)}: the query takes {takes}")


@main.command()
@click.argument("sql", required=False)
@click.option(
    "--file",
    "sql_file",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    callback=regular_file,
    help="Read the SQL from this file.",
)
@click.option(
    "--param",
    "param_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind $NAME in the SQL to VALUE (repeatable); values are bound, never pasted.",
)
@package_option
@format_option("table", "csv", "json", "markdown", default="table")
@query_limit_options
def query(
    sql: str | None,
    sql_file: str | None,
    param_values: tuple[str, ...],
    package_path: str,
    fmt: str,
    timeout: float,
    memory: str,
    row_limit: int | None,
) -> None:
    """Run SQL (or a saved query by name) over the package, read-only.

    Every resource is a table of the same name with its Table Schema's types. Saved queries live in
    queries/; `csto-alignment queries` lists them.
    """
    from toolkit.db.saved import saved_queries
    from toolkit.store.lock import reading

    if (sql is None) == (sql_file is None):
        raise click.UsageError("give either SQL (or a saved query's name) or --file, not both")
    params = _params(param_values)
    with reading(package_root(package_path), "query", _note):  # no writer changes it meanwhile
        package = load_package(package_path)
        saved = saved_queries(package.root)
        result = _run_query(package, sql, sql_file, saved, params, fmt, timeout, memory, row_limit)
    _print_result(result, fmt)


def _run_query(
    package: Any,
    sql: str | None,
    sql_file: str | None,
    saved: dict[str, Any],
    params: dict[str, str],
    fmt: str,
    timeout: float,
    memory: str,
    row_limit: int | None,
) -> Any:
    from toolkit.db.query import Limits, run_query

    if sql_file is not None:
        sql = _read_sql(Path(sql_file))
    elif sql in saved:
        params = {**saved[sql].params, **params}
        sql = saved[sql].sql
    elif sql is not None and re.fullmatch(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*", sql):
        raise UsageError(_no_saved_query(sql.strip(), list(saved)))
    _check_param_names(sql or "", params)
    if row_limit is None:  # a screenful for people; everything for files and programs
        row_limit = 1000 if fmt in ("table", "markdown") else 0
    limits = Limits(timeout=timeout or None, memory=memory, rows=row_limit or None)
    return run_query(package, sql or "", params, limits)


def _print_result(result: Any, fmt: str) -> None:
    from toolkit.cli.render import (
        CELL_WIDTH,
        cut_wide_cells,
        rows_as,
        rows_table,
        terminal_width,
    )

    width = terminal_width()
    if result.cache_built:
        click.echo("built the typed query cache", err=True)
    if result.left_out:
        shown, total = len(result.rows), len(result.rows) + result.left_out
        more = "more than " if result.more else ""
        click.echo(
            f"showing {shown:,} of {more}{total:,} rows ({more}{result.left_out:,} left out); "
            "--limit N shows more, --limit 0 all",
            err=True,
        )
    if not result.rows:
        click.echo("the query returned no rows", err=True)
    if result.columns and (result.rows or fmt in ("json", "csv", "markdown")):
        rows: Sequence[Sequence[Any]] = result.rows
        if fmt == "table":  # a wide `SELECT *` stays readable; the other formats are data
            rows, cut = cut_wide_cells(rows)
            if cut:
                click.echo(
                    f"{cut} cell(s) wider than {CELL_WIDTH} characters cut (ending in ...); "
                    "--format csv or json shows them whole",
                    err=True,
                )
            fitted = rows_table(result.columns, rows, width)
            if fitted.left_out:
                click.echo(
                    f"{len(fitted.left_out)} column(s) left out to fit {width} characters "
                    f"(COLUMNS): {', '.join(fitted.left_out)}; select fewer columns, widen the "
                    "terminal, or --format csv or json shows them all",
                    err=True,
                )
            click.echo(fitted.text)
            return
        click.echo(rows_as(fmt, result.columns, rows))


@main.command()
@package_option
@format_option("text", "json")
def queries(package_path: str, fmt: str) -> None:
    """List the saved queries in queries/ and the question each answers."""
    import json

    from toolkit.cli.render import table, terminal_width
    from toolkit.db.saved import saved_queries

    saved = saved_queries(load_package(package_path).root)
    if fmt == "json":
        items = [
            {
                "name": q.name,
                "title": q.title,
                "answers": q.answers,
                "params": q.params,
                "engine": q.engine,
            }
            for q in saved.values()
        ]
        click.echo(json.dumps(items, indent=2))
        return
    click.echo(
        table(["name", "answers"], [(q.name, q.answers) for q in saved.values()], terminal_width())
    )


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["duckdb", "parquet", "sqlite", "claimreview"]),
    required=True,
    help="duckdb: one typed database; parquet: one file per resource; sqlite: one file for "
    "Datasette or sqlite3; claimreview: the claims' verdicts as schema.org ClaimReview (JSON-LD), "
    "one review per evidence row.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=str),
    required=True,
    help="Folder to write into (created if missing): a new or empty folder, or one `export` made "
    "before; never the package's folder, its folders or above it.",
)
@click.option(
    "--site-url",
    default="",
    metavar="URL",
    help="claimreview: the address the site is published at, for the reviews' url and citations "
    "(default: addresses relative to the site's root).",
)
@package_option
def export(fmt: str, out_dir: str, site_url: str, package_path: str) -> None:
    """Export the package as a typed DuckDB database, Parquet files or a SQLite database, or its
    claims' verdicts as schema.org ClaimReview."""
    from toolkit.db.export import export as do_export
    from toolkit.store.lock import reading

    if site_url and fmt != "claimreview":
        raise click.UsageError("--site-url goes with --format claimreview only")
    if site_url and not re.match(r"^https?://", site_url):
        raise click.BadParameter(f"{site_url!r} is not an http(s) address", param_hint="--site-url")
    with reading(package_root(package_path), "export", _note):  # no writer changes it meanwhile
        written = do_export(load_package(package_path), fmt, Path(out_dir), site_url)
    for path in written:
        click.echo(str(path))


@main.command()
@click.argument("old", required=False)
@click.argument("new", default=".")
@format_option("text", "json", "markdown")
@repo_option("OLD and NEW are revisions")
def diff(old: str | None, new: str, fmt: str, repo: str) -> None:
    """Compare two versions of the package: folders, or git revisions such as v0.1.0 HEAD.

    Per resource, keyed on the primary key: rows added, removed and changed (each changed cell, old ->
    new), and schema changes, with the version bump they require. Without OLD: since the last
    release (the version datapackage.json names, found by its tag or its content).
    """
    import json

    from toolkit.release.diff import diff_refs, markdown, text

    if old is None:
        old = f"v{load_package(repo).version}"
    d = diff_refs(old, new, Path(repo))
    if fmt == "json":
        click.echo(json.dumps(d.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(markdown(d), nl=False)
    else:
        click.echo(text(d), nl=False)


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@format_option("markdown", "json", default="markdown")
@repo_option("BASE and HEAD are revisions")
@sources_option
def review(base: str, head: str | None, fmt: str, repo: str, sources_dir: str | None) -> None:
    """Review a change as a maintainer reads a pull request: HEAD (default: the working tree)
    against BASE, git revisions or package folders.

    Per resource, the rows added, removed and changed (each changed cell, old -> new); validation's
    findings on the changed rows, with file and line; each added or changed row's sources and
    excerpts, with a link that highlights the excerpt on its page and whether the excerpt is in a
    text of the source the project holds; and the release the change implies, with the reason.
    Exit code 1 when the package after the change has errors.
    """
    import json

    from toolkit.review.review import markdown, review_refs

    root = Path(repo).resolve()
    texts = Path(sources_dir) if sources_dir else root.parent / "shared" / "sources"
    result = review_refs(base, head, root, sources=texts)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(markdown(result), nl=False)
    sys.exit(EXIT_OK if result.valid else EXIT_INVALID)


@main.command("verify-sources")
@click.option(
    "--changed-since",
    metavar="REV",
    help="Only the rows added or changed since git revision REV (and every excerpt of a source "
    "whose row was added or changed).",
)
@click.option(
    "--source-id",
    "source_ids",
    multiple=True,
    metavar="ID",
    help="Only the excerpts citing this source (repeatable).",
)
@package_option
@repo_option("--changed-since's REV is a revision")
@format_option("text", "json")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=20.0,
    show_default=True,
    help="Seconds a page may take, whole.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Pages larger than this are not read.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Seconds between two requests to the same host.",
)
@click.option(
    "--contact",
    metavar="URL",
    envvar="CSTO_ALIGNMENT_CONTACT",
    help="The project's URL, named in the User-Agent (default: the GitHub repository in a "
    "workflow; env CSTO_ALIGNMENT_CONTACT).",
)
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    help="Fetch URLs whose host is a loopback, private or link-local address (refused by default: "
    "the URLs come from contributors).",
)
def verify_sources(
    changed_since: str | None,
    source_ids: tuple[str, ...],
    package_path: str,
    repo: str,
    fmt: str,
    timeout: float,
    max_bytes: int,
    delay: float,
    contact: str | None,
    allow_private_addresses: bool,
) -> None:
    """Fetch each cited page and look for each excerpt on it; never changes data.

    Per excerpt: found; found after folding quotes, dashes or whitespace (which is said);
    not found, with the page's nearest passage; or unreachable, with the HTTP status or error.
    robots.txt is obeyed. Exit code 0 when every excerpt is found (verbatim or after folding), 1
    when one is not found or its page is unreachable, 2 on a usage error.
    """
    import json
    import os

    from toolkit.review.fetch import Fetcher
    from toolkit.review.pagetext import MissingDependency, require_html_parser
    from toolkit.review.verify import select, text_report, verify

    try:
        require_html_parser()
    except MissingDependency as exc:
        raise UsageError(str(exc)) from None
    if contact is None and os.environ.get("GITHUB_REPOSITORY"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        contact = f"{server}/{os.environ['GITHUB_REPOSITORY']}"
    package = load_package(package_path)
    cited = select(package, changed_since, Path(repo).resolve(), source_ids)
    fetcher = Fetcher(
        timeout=timeout,
        max_bytes=max_bytes,
        delay=delay,
        contact=contact,
        allow_private=allow_private_addresses,
    )
    report = verify(package, cited, fetcher)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(text_report(report))
    sys.exit(EXIT_OK if report.ok else EXIT_INVALID)


@main.command()
@click.argument("level", required=False, type=click.Choice(["major", "minor", "patch"]))
@click.option(
    "--force",
    is_flag=True,
    help="Release with a smaller bump than the changes require (risky: the version then hides a breaking change).",
)
@click.option(
    "--no-dist", is_flag=True, help="Skip writing dist/ (the zip, Parquet files and .duckdb)."
)
@click.option(
    "--site",
    "with_site",
    is_flag=True,
    help="Also build the static site into dist/site/ (needs the 'site' extra).",
)
@package_option
def release(
    level: str | None, force: bool, no_dist: bool, with_site: bool, package_path: str
) -> None:
    """Cut a release: validate, grade the changes since the last release, and write it.

    The last release is the one the descriptor's version names, found by its tag or its content
    (the commit whose descriptor first carried it). Proposes the bump from the diff and refuses a
    smaller one; refuses when nothing changed, when a release is written but not committed, and a
    version published already. Writes the version and created into datapackage.json, the notes
    under 'Unreleased' and the diff (every row and cell changed) into CHANGELOG.md, CITATION.cff,
    the README's citation, and releases/VERSION.json (the size and sha256 of every file
    published); builds dist/ and checks it against that record; prints the git commands to run.
    """
    from toolkit.cli.render import report_text
    from toolkit.release.cut import cut_release

    if with_site and no_dist:
        raise click.UsageError("--site builds into dist/: it cannot go with --no-dist")
    if with_site:
        _check_site_dependencies()
    from toolkit.store.lock import writing

    with writing(package_root(package_path), "release", _note):
        result = cut_release(package_path, level, force, dist=not no_dist, site=with_site)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if result.refused:
        if result.report is not None and not result.report.valid:
            click.echo(report_text(result.report)[1], err=True)
        click.echo(f"release refused: {result.refused}", err=True)
        sys.exit(EXIT_INVALID)
    if result.required:
        click.echo(f"changes since {result.old_version} need a {result.required} release", err=True)
    click.echo(f"released {result.new_version}")
    for path in result.written:
        click.echo(f"  wrote {path}", err=True)
    click.echo("now run:", err=True)
    for cmd in result.git_commands:
        click.echo(f"  {cmd}", err=True)


def _check_site_dependencies() -> None:
    from toolkit.site.build import SiteDependencyError, check_dependencies

    try:
        check_dependencies()  # before anything is written
    except SiteDependencyError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@click.option(
    "--site",
    "with_site",
    is_flag=True,
    help="Also build the static site into dist/site/ (needs the 'site' extra).",
)
@click.option(
    "--unreleased",
    is_flag=True,
    help="Build a package that is not a release as a snapshot, labelled '+ unreleased changes' "
    "in every file.",
)
@package_option
def dist(with_site: bool, unreleased: bool, package_path: str) -> None:
    """Build dist/ for the release the package is: the zip (its descriptor with every file's size
    and sha256), Parquet files, a .duckdb database and RELEASE-NOTES.md.

    What the release workflow runs on a tag. Refuses a package that is not the release its
    descriptor names (releases/VERSION.json), and checks the zip against that record.
    """
    from toolkit.release.cut import build_dist

    if with_site:
        _check_site_dependencies()
    result = build_dist(load_package(package_path), site=with_site, unreleased=unreleased)
    if result.verified:
        click.echo(
            f"checked {len(result.verified)} file(s) of the zip against releases/{result.version}.json",
            err=True,
        )
    else:
        click.echo(f"not a release: {result.label}", err=True)
    for path in result.written:
        click.echo(str(path))


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=str),
    required=True,
    help="Folder to write the site into (replaced whole; created if missing): a new or empty "
    "folder, or one `site` made before; never the package's folder, its folders or above it.",
)
@package_option
def site(out_dir: str, package_path: str) -> None:
    """Build the static website of the package: vote matrix, timeline and a page per record.

    Validates first and refuses an invalid package. The site works offline from its folder and on
    any static host; it needs the optional 'site' extra (pip install -e '.[site]').
    """
    from toolkit.checks.validate import validate_package
    from toolkit.cli.render import report_text
    from toolkit.db.typed_db import BuildError
    from toolkit.site.build import SiteDependencyError, build_site, check_dependencies
    from toolkit.store.lock import reading
    from toolkit.store.outdir import check_output_folder, package_paths

    package = load_package(package_path)
    check_output_folder(Path(out_dir), package.root, package_paths(package))  # before any work
    try:
        check_dependencies()  # before the validation, which takes a while on large files
    except SiteDependencyError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    with reading(package.root, "site", _note):  # no writer changes it meanwhile
        report = validate_package(package.root, package)
        if not report.valid:
            click.echo(report_text(report)[1], err=True)
            click.echo("site refused: the package is not valid; nothing was written", err=True)
            sys.exit(EXIT_INVALID)
        try:
            result = build_site(package, Path(out_dir))
        except BuildError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_INVALID)
    click.echo(f"wrote {len(result.pages)} pages to {result.out}", err=True)
    click.echo(str(result.out / "index.html"))
