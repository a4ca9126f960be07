"""Plain-text rendering of reports and tables for the terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.checks.report import Issue, Report

# Characters a terminal acts on rather than shows: C0 and C1 controls but tab and line feed
# (ANSI escape sequences start with ESC), and the bidirectional overrides and isolates, which
# reorder what follows them on the screen.
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with every character a terminal would act on written as an escape (\\x1b, \\u202e)."""
    return HIDDEN.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def terminal_width() -> int | None:
    """The width tables are fitted to: $COLUMNS when set, else the terminal's when stdout is one;
    None (no limit) when the output goes to a file or a program."""
    import os
    import shutil
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


MIN_COLUMN = 10  # narrowest a column is wrapped to (a narrower one keeps its own width)


@dataclass
class Fitted:
    """A table laid out for a width: its text and the columns it left out (none fit)."""

    text: str
    left_out: list[str] = field(default_factory=list)


def _widths(natural: list[int], budget: int) -> list[int]:
    """Column widths within `budget` characters (separators excluded): the widest column gives
    way first, none below MIN_COLUMN (or its own width, if narrower)."""
    widths = list(natural)
    floors = [min(w, MIN_COLUMN) for w in natural]
    while sum(widths) > budget:
        i = max(range(len(widths)), key=lambda k: (widths[k] - floors[k], widths[k]))
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    lines = []
    for part in text.split("\n") or [""]:
        lines += textwrap.wrap(part, width, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


def fit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None) -> Fitted:
    """A fixed-width text table, control characters escaped (visible), fitted to `width`
    characters: long cells wrap within their column, and the columns that do not fit even at
    their narrowest are left out (named in `left_out`). `width` None: no limit, one line a row."""
    cells = [
        [
            ("" if v is None else str(v).lower() if isinstance(v, bool) else visible(str(v)))
            for v in r
        ]
        for r in rows
    ]
    headers = list(headers)
    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    left_out: list[str] = []
    if width is not None:
        # the columns that fit at their narrowest, in order; the rest are left out
        keep = 0
        used = 0
        for w in natural:
            need = min(w, MIN_COLUMN) + (2 if keep else 0)
            if keep and used + need > width:
                break
            used += need
            keep += 1
        left_out = headers[keep:]
        headers, natural = headers[:keep], natural[:keep]
        cells = [r[:keep] for r in cells]
        widths = _widths(natural, width - 2 * (len(headers) - 1))
    else:
        widths = natural
    wrapped = widths != natural
    line = "  ".join("-" * w for w in widths)
    out = []
    for r in [headers, None, *cells]:
        if r is None:
            out.append(line)
            continue
        parts = [_wrap(v, w) if wrapped else [v] for v, w in zip(r, widths, strict=True)]
        for k in range(max(len(p) for p in parts)):
            out.append(
                "  ".join(
                    (p[k] if k < len(p) else "").ljust(w)
                    for p, w in zip(parts, widths, strict=True)
                ).rstrip()
            )
        if wrapped and r is not headers and len(out) and max(len(p) for p in parts) > 1:
            out.append("")  # a wrapped row ends with a blank line, so that rows stay apart
    while out and out[-1] == "":
        out.pop()
    return Fitted("\n".join(s.rstrip() for s in out), left_out)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None) -> str:
    """A fixed-width text table, control characters escaped (visible); see fit_table."""
    return fit_table(headers, rows, width).text


def issue_line(issue: Issue, kind: str) -> str:
    where = f"{issue.resource}" + (f", line {issue.row}" if issue.row else "")
    where += f", {issue.field}" if issue.field else ""
    return f"{kind} [{issue.code}] {issue.message}\n    where: {where}\n    fix: {issue.hint}"


def report_text(report: Report) -> tuple[str, str]:
    """(stdout, stderr) for a report in text form: findings to stderr, the summary to stdout."""
    diag = [issue_line(e, "error") for e in report.errors]
    diag += [issue_line(w, "warning") for w in report.warnings]
    rows = [
        (name, s.get("rows", ""), s.get("errors", 0), s.get("warnings", 0))
        for name, s in report.summary.items()
    ]
    verdict = "valid" if report.valid else f"invalid: {len(report.errors)} error(s)"
    out = (
        table(["resource", "rows", "errors", "warnings"], rows)
        + f"\n{verdict}, {len(report.warnings)} warning(s)"
    )
    if report.since_release is not None:
        out += "\n" + since_release_text(report.since_release)
    return out, "\n".join(diag)


def _counted(counts: dict[str, Any] | None) -> str:
    if counts is None:
        return "changed (the release's file is not at hand to count rows: no git history)"
    parts = [f"{counts[k]} row(s) {k}" for k in ("added", "removed", "changed") if counts.get(k)]
    for k in ("fields_added", "fields_removed"):
        if counts.get(k):
            parts.append(f"{k.replace('_', ' ')}: {', '.join(counts[k])}")
    return "; ".join(parts) or "reformatted (no row differs)"


def since_release_text(info: dict[str, Any]) -> str:
    """Information (never an error): what changed since the release the descriptor names."""
    version = info["version"]
    if info["released"]:
        return f"this is release {version}: nothing changed since"
    if not info.get("changed_files") and not info.get("resources"):
        return (
            f"version {info['label']}: no record of a release {version} (releases/{version}.json)"
        )
    lines = [f"unreleased changes since release {version} (for the next release; not errors):"]
    lines += [f"  {name}: {_counted(c)}" for name, c in info["resources"].items()]
    others = info.get("other_files", [])
    if others:
        lines.append(f"  also changed: {', '.join(others)}")
    return "\n".join(lines)


def _escape(text: str, prop: bool = False) -> str:
    """A value in a GitHub Actions workflow command (their escaping rules)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _header(path: str) -> list[str]:
    """The column names of a CSV file's header (after any '#' lines); [] if it cannot be read."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for cells in csv.reader(fh):
                if cells and not cells[0].startswith("#"):
                    return cells
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return []


def report_github(report: Report, base: str = "") -> str:
    """The findings as GitHub Actions annotations (`::error file=...,line=...::message`), which a
    pull request shows on the file and line. `base` is prefixed to the files' paths (the package's
    folder, relative to the repository)."""
    lines = []
    headers: dict[str, list[str]] = {}
    for kind, issues in (("error", report.errors), ("warning", report.warnings)):
        for i in issues:
            props = []
            if i.file:
                path = f"{base.rstrip('/')}/{i.file}" if base and base != "." else i.file
                props.append(f"file={_escape(path, True)}")
            if i.row:
                props.append(f"line={i.row}")
            if i.file and i.field and "," not in i.field:
                if path not in headers:
                    headers[path] = _header(path)
                if i.field in headers[path]:
                    props.append(f"col={headers[path].index(i.field) + 1}")
            title = f"{i.code}" + (f" ({i.field})" if i.field else "")
            props.append(f"title={_escape(title, True)}")
            message = f"{i.message}\nfix: {i.hint}"
            lines.append(f"::{kind} {','.join(props)}::{_escape(message)}")
    if report.since_release is not None and not report.since_release["released"]:
        text = since_release_text(report.since_release)
        lines.append(f"::notice title=unreleased changes::{_escape(text)}")
    return "\n".join(lines)


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str)


def _plain(v: Any) -> Any:
    """A JSON- and CSV-friendly value: dates and decimals as text, the rest as is."""
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


CELL_WIDTH = 120  # widest cell the table format shows whole


def cut_wide_cells(
    rows: Sequence[Sequence[Any]], width: int = CELL_WIDTH
) -> tuple[list[list[Any]], int]:
    """Rows for the terminal: each cell over `width` characters cut to `width` (ending in '...'),
    and how many were cut. Only the table format cuts; csv, json and markdown carry every cell
    whole."""
    cut = 0
    out = []
    for r in rows:
        cells = []
        for v in r:
            text = "" if v is None else str(_plain(v))
            if len(text) > width:
                cut += 1
                v = text[: width - 3] + "..."
            cells.append(v)
        out.append(cells)
    return out, cut


def rows_as(
    fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None
) -> str:
    """Query results as `table` (fitted to `width`, see fit_table), `csv`, `json` (an array of
    objects) or `markdown`; only the table is fitted, the other formats are data."""
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, map(_plain, r), strict=True)) for r in rows],
            indent=2,
            ensure_ascii=False,
        )
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[_plain(v) for v in r] for r in rows])
        return out.getvalue().rstrip("\n")
    if fmt == "markdown":

        def cell(v: Any) -> str:
            text = "" if v is None else str(_plain(v)).replace("|", "\\|").replace("\n", " ")
            return visible(text)

        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
        return "\n".join(lines)
    return rows_table(columns, rows, width).text


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None) -> Fitted:
    """Query results as a text table fitted to `width` (dates and decimals as text)."""
    return fit_table(columns, [[_plain(v) for v in r] for r in rows], width)


def _alpha(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _agreement_rows(result: Any) -> list[list[Any]]:
    return [
        [
            f.unit,
            f.field,
            f.kind,
            f.units,
            f.agreed,
            "" if f.percent is None else f"{f.percent:.1f}",
            _alpha(f.alpha) + (" (under 0.8)" if f.below_threshold else ""),
            f.note,
        ]
        for f in result.fields
    ]


AGREEMENT_HEADERS = ["unit", "field", "kind", "units", "agreed", "percent", "alpha", "note"]


def agreement_text(result: Any) -> str:
    """The agreement per field, then each disagreement by key."""
    out = [table(AGREEMENT_HEADERS, _agreement_rows(result))]
    if result.disagreements:
        out.append(f"\n{len(result.disagreements)} disagreement(s):")
        rows = [
            [d.unit, ", ".join(d.key.values()), d.field, d.first, d.second]
            for d in result.disagreements
        ]
        out.append(table(["unit", "key", "field", "first", "second"], rows))
    else:
        out.append("\nno disagreement")
    return "\n".join(out)


def agreement_markdown(result: Any) -> str:
    """The agreement per field as a Markdown table (for the README and the coding manual)."""
    lines = ["| " + " | ".join(AGREEMENT_HEADERS) + " |", "|" + "---|" * len(AGREEMENT_HEADERS)]
    for r in _agreement_rows(result):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in r) + " |")
    return "\n".join(lines)
