"""The review of a change to the package, as a maintainer reads it on a pull request.

Between two versions (git revisions or folders): per resource, the rows added, removed and changed,
each changed cell old -> new (release.diff); the findings of validation on the new version placed on
the rows they concern, with file and line; for each added or changed row, the sources it cites
(title, publisher, date, URL, day read) and its excerpts, each with a link that opens the page with
the excerpt highlighted, and whether the excerpt is in a text of the source the project holds; and
the release the change implies, with the reason (release.diff's grading).

`review_refs` returns a Review; `markdown` renders it for a pull-request comment. Nothing prints.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.checks.engine import engine
from toolkit.checks.report import Issue
from toolkit.checks.rules import CITATIONS
from toolkit.db.sql import q
from toolkit.package.tableschema import Package
from toolkit.release.diff import LEVELS, PackageDiff, diff_packages, open_version
from toolkit.review.matching import FOLDED, FOUND, NOT_FOUND, find_excerpt
from toolkit.review.textfragment import highlight_url

# What a held-text check says when the project holds no text of the source.
NO_TEXT = "no-text"
SOURCE_FIELDS = ("title", "author", "publisher", "published", "url", "accessed", "archive_url")


@dataclass
class Citation:
    """One excerpt of a row and the source it quotes."""

    field: str  # the excerpt's column: source_excerpt, date_source_excerpt, ...
    source_id: str
    excerpt: str
    source: dict[str, str]  # the source's row (SOURCE_FIELDS); empty if it is not in sources
    link: str | None  # the source's URL with the excerpt highlighted
    held: str  # found, found-folded, not-found, or no-text (the project holds no text of it)
    held_detail: str = ""  # Match.describe() when the project holds a text


@dataclass
class RowReview:
    resource: str
    key: str
    status: str  # added, changed, removed
    file: str = ""
    line: int | None = None  # in the new version's file; None for a removed row
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # changed: old, new
    citations: list[Citation] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # an added or removed row's cells


@dataclass
class ResourceSummary:
    name: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    schema: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0


@dataclass
class Review:
    base: str
    head: str
    base_version: str
    level: str | None  # patch, minor, major; None when nothing changed
    reasons: list[tuple[str, str]]  # (level, why), the deciding ones first
    resources: list[ResourceSummary]
    rows: list[RowReview]
    other_errors: list[Issue] = field(default_factory=list)  # not on an added or changed row
    other_warnings: list[Issue] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)
    head_ref: str | None = None  # HEAD as given; None: the working tree

    @property
    def errors(self) -> int:
        return len(self.other_errors) + sum(len(r.errors) for r in self.rows)

    @property
    def warnings(self) -> int:
        return len(self.other_warnings) + sum(len(r.warnings) for r in self.rows)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        def issue(i: Issue) -> dict[str, Any]:
            return {"file": i.file, **i.to_dict()}

        return {
            "base": self.base,
            "head": self.head,
            "base_version": self.base_version,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "release": {
                "level": self.level,
                "reasons": [{"level": lv, "reason": why} for lv, why in self.reasons],
            },
            "resources": [vars(r) for r in self.resources],
            "rows": [
                {
                    "resource": r.resource,
                    "key": r.key,
                    "status": r.status,
                    "file": r.file,
                    "line": r.line,
                    "cells": {f: {"old": o, "new": n} for f, (o, n) in r.cells.items()},
                    "values": r.values,
                    "citations": [vars(c) for c in r.citations],
                    "errors": [issue(i) for i in r.errors],
                    "warnings": [issue(i) for i in r.warnings],
                }
                for r in self.rows
            ],
            "other_errors": [issue(i) for i in self.other_errors],
            "other_warnings": [issue(i) for i in self.other_warnings],
            "metadata": self.metadata,
        }


def release_reasons(d: PackageDiff) -> list[tuple[str, str]]:
    """Why the change needs the release it does: each kind of change with the level it implies
    (the Data Package version recipe, as release.diff grades it), the highest first."""
    out: list[tuple[str, str]] = []
    for r in d.resources:
        if r.status == "removed":
            out.append(("major", f"resource `{r.name}` removed"))
            continue
        if r.status == "added":
            out.append(("minor", f"resource `{r.name}` added ({len(r.added)} rows)"))
            continue
        for c in r.schema:
            out.append((c.level, f"`{r.name}`: {c.kind} `{c.field}` {c.detail}".rstrip()))
        if r.added:
            out.append(("minor", f"{len(r.added)} row(s) added to `{r.name}`"))
        if r.removed:
            out.append(("minor", f"{len(r.removed)} row(s) removed from `{r.name}`"))
        if r.changed:
            out.append(("patch", f"{len(r.changed)} row(s) changed in `{r.name}`"))
    if d.metadata:
        out.append(("patch", f"descriptor metadata changed: {', '.join(d.metadata)}"))
    return sorted(out, key=lambda x: -LEVELS.index(x[0]))


def rows_of(package: Package, name: str) -> list[dict[str, str]]:
    """The rows of resource `name` as dicts of text ([] when the package has no such file)."""
    if name not in package.resources:
        return []
    path = package.data_path(name)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _lines(con: Any, package: Package, name: str, keys: list[tuple[str, ...]]) -> dict:
    """The line in its file of each row of resource `name` whose primary key is in `keys`."""
    res = package.resource(name)
    pk = res.primary_key or tuple(res.field_names)
    if not keys:
        return {}
    cols = ", ".join(f"w.{q(k)}" for k in pk)
    on = " AND ".join(f"coalesce(v.{q(k)}, '') = w.{q(k)}" for k in pk)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __wanted ({', '.join(f'{q(k)} VARCHAR' for k in pk)})"
    )
    con.executemany(
        f"INSERT INTO __wanted VALUES ({', '.join('?' for _ in pk)})", [list(k) for k in keys]
    )
    try:
        found = con.execute(
            f"SELECT {cols}, min(v.__line) FROM {q(name)} v JOIN __wanted w ON {on} "
            f"WHERE v.__origin = 'package' GROUP BY ALL"
        ).fetchall()
    except engine().Error:  # the resource could not be loaded (its findings say why)
        return {}
    return {tuple(v or "" for v in row[:-1]): row[-1] for row in found}


def _citations(
    row: dict[str, str], sources: dict[str, dict[str, str]], texts: Path | None
) -> list[Citation]:
    out = []
    for prefix in CITATIONS:
        sid = row.get(f"{prefix}source_id") or ""
        if not sid:
            continue
        excerpt = row.get(f"{prefix}source_excerpt") or ""
        source = sources.get(sid, {})
        held, detail = NO_TEXT, ""
        path = texts / f"{sid}.txt" if texts is not None else None
        if excerpt and path is not None and path.is_file():
            match = find_excerpt(excerpt, path.read_text(encoding="utf-8"))
            held, detail = match.status, match.describe()
        out.append(
            Citation(
                field=f"{prefix}source_excerpt",
                source_id=sid,
                excerpt=excerpt,
                source={k: source.get(k, "") for k in SOURCE_FIELDS if k in source},
                link=highlight_url(source.get("url", ""), excerpt) if excerpt else None,
                held=held,
                held_detail=detail,
            )
        )
    return out


def review_packages(
    old: Package,
    new: Package,
    base: str = "old",
    head: str = "new",
    sources: Path | None = None,
) -> Review:
    """The review of the change from `old` to `new`; `sources` is the folder of the source texts
    the project holds (<source_id>.txt), None to compare excerpts with none."""
    from toolkit.checks.validate import validated_session

    d = diff_packages(old, new, base, head)
    session = validated_session(new, sources)
    report = session.report
    source_rows = {r.get("source_id", ""): r for r in rows_of(new, "sources")}
    rows: list[RowReview] = []
    summaries: list[ResourceSummary] = []
    placed: dict[tuple[str, int], RowReview] = {}
    try:
        for r in d.resources:
            if not r.level:
                continue
            summary = ResourceSummary(
                r.name,
                len(r.added),
                len(r.removed),
                len(r.changed),
                [f"{c.kind} `{c.field}` {c.detail}".rstrip() + f" ({c.level})" for c in r.schema],
            )
            summaries.append(summary)
            file = new.resources[r.name].path if r.name in new.resources else ""
            pk = r.primary_key
            wanted = [tuple(x.get(k) or "" for k in pk) for x in r.added]
            wanted += [tuple(c.key.get(k, "") for k in pk) for c in r.changed]
            lines = _lines(session.con, new, r.name, wanted) if r.status != "removed" else {}
            for x in r.added:
                key = tuple(x.get(k) or "" for k in pk)
                rows.append(
                    RowReview(
                        r.name,
                        "/".join(key),
                        "added",
                        file,
                        lines.get(key),
                        values=dict(x),
                        citations=_citations(x, source_rows, sources),
                    )
                )
            current = (
                {tuple(x.get(k) or "" for k in pk): x for x in rows_of(new, r.name)}
                if r.changed
                else {}
            )
            for c in r.changed:
                key = tuple(c.key.get(k, "") for k in pk)
                rows.append(
                    RowReview(
                        r.name,
                        "/".join(key),
                        "changed",
                        file,
                        lines.get(key),
                        cells=c.cells,
                        citations=_citations(current.get(key, {}), source_rows, sources),
                    )
                )
            for x in r.removed:
                rows.append(RowReview(r.name, r.key_of(x), "removed", values=dict(x)))
    finally:
        session.con.close()
    for row in rows:
        if row.line is not None:
            placed[row.resource, row.line] = row
    others: tuple[list[Issue], list[Issue]] = ([], [])
    for issues, kind in ((report.errors, 0), (report.warnings, 1)):
        for i in issues:
            on = placed.get((i.resource, i.row)) if i.row is not None else None
            if on is None:
                others[kind].append(i)
            else:
                (on.errors if kind == 0 else on.warnings).append(i)
    for s in summaries:
        s.errors = sum(len(r.errors) for r in rows if r.resource == s.name)
        s.warnings = sum(len(r.warnings) for r in rows if r.resource == s.name)
    return Review(
        base=base,
        head=head,
        base_version=old.version,
        level=d.level,
        reasons=release_reasons(d),
        resources=summaries,
        rows=rows,
        other_errors=others[0],
        other_warnings=others[1],
        metadata=d.metadata,
        head_ref=head,
    )


def review_refs(base: str, head: str | None, repo: Path, sources: Path | None = None) -> Review:
    """The review of `head` (a git revision or folder; None: the working tree of `repo`) against
    `base`."""
    with open_version(base, repo) as old, open_version(head or str(repo), repo) as new:
        result = review_packages(old, new, base, head or "working tree", sources)
    result.head_ref = head
    return result


# Statuses of a held-text check, in words.
HELD = {
    FOUND: "in the source's text",
    FOLDED: "in the source's text only after folding",
    NOT_FOUND: "NOT in the source's text",
    NO_TEXT: "",
}


# ---- Markdown, for a pull-request comment -------------------------------------------------------
#
# Every value comes from a contributor: it is written as text, never as Markdown or HTML (no
# headings, links, images, tables broken by `|`, or @mentions that would notify someone).

REASONS = 3  # reasons for the release named in its line; all of them are listed, folded
LIMIT = 60_000  # characters of a comment (GitHub takes 65,536): rows past it are left out, counted
MAX_ERRORS = 50  # errors listed at the top; the rest are in the rows' details
VALUE = 300  # characters of a cell shown


def _text(value: str, limit: int = VALUE) -> str:
    import html
    import re

    from toolkit.cli.render import visible

    value = " ".join(str(value).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = html.escape(visible(value), quote=False)
    value = re.sub(r"([\\`*_\[\]|~])", r"\\\1", value)
    return value.replace("@", "@\u2060")  # no @mention


def _light(value: str) -> str:
    """Text of our own wording that quotes names and values of the package (a reason for the
    release, a schema change): its code spans kept, but no HTML, line breaks or @mentions."""
    import html

    return html.escape(" ".join(value.split()), quote=False).replace("@", "@\u2060")


def _code(value: str) -> str:
    value = " ".join(str(value).split()).replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}" if value else "(empty)"


def _url(url: str) -> str:
    from urllib.parse import quote

    return quote(url, safe="/:?#=&%~+,;@!$'*-._")


def _issue_line(
    i: Issue, kind: str, row: RowReview | None = None, where: bool = True, fix: bool = True
) -> str:
    """One finding: its code, file and line (`where`), the row it is on, and its fix (`fix`)."""
    at = f"`{i.file}` line {i.row}" if i.file and i.row else (f"`{i.file}`" if i.file else "")
    on = f" ({row.status} {_code(row.key)})" if row is not None else ""
    message = i.message
    for prefix in (f"{i.file}: line {i.row}: ", f"{i.file}: "):
        message = message.removeprefix(prefix) if i.file else message
    line = f"- **{kind}** `{i.code}`" + (f" {at}{on}" if where else "")
    line += f": {_text(message, 400)}"
    return line + (f"<br>fix: {_text(i.hint, 600)}" if i.hint and fix else "")


def _source_line(c: Citation) -> str:
    s = c.source
    if not s:
        return f"`{c.field}` cites {_code(c.source_id)} (not in `sources`)"
    parts = [f"*{_text(s.get('title', ''))}*"]
    parts += [_text(s[k]) for k in ("publisher", "published") if s.get(k)]
    line = f"`{c.field}` cites {_code(c.source_id)}: " + ", ".join(parts)
    if s.get("accessed"):
        line += f"; read {_text(s['accessed'])}"
    if c.link:
        line += f" · [open the page at the excerpt]({_url(c.link)})"
    elif s.get("url", "").startswith(("http://", "https://")):
        line += f" · [page]({_url(s['url'])})"
    if s.get("archive_url", "").startswith(("http://", "https://")):
        line += f" · [archived copy]({_url(s['archive_url'])})"
    return line


def _held_line(c: Citation) -> str:
    if c.held == NO_TEXT:
        return "the project holds no text of this source: check the excerpt on the page"
    mark = {FOUND: "✅", FOLDED: "⚠️", NOT_FOUND: "❌"}[c.held]
    return f"{mark} {HELD[c.held]}: {_text(c.held_detail, 600)}"


def _row_block(row: RowReview) -> list[str]:
    where = f" — `{row.file}` line {row.line}" if row.line else ""
    flags = []
    if row.errors:
        flags.append(f"{len(row.errors)} error(s)")
    if row.warnings:
        flags.append(f"{len(row.warnings)} warning(s)")
    head = f"**{row.status}** {_code(row.key)}{where}" + (f" · {', '.join(flags)}" if flags else "")
    out = [head, ""]
    if row.cells:
        out += ["| field | old | new |", "|---|---|---|"]
        out += [
            f"| `{f}` | {_text(o) or '(empty)'} | {_text(n) or '(empty)'} |"
            for f, (o, n) in row.cells.items()
        ]
        out.append("")
    elif row.values:
        # An added row's sources and excerpts are shown below; a removed row's, with its cells.
        cited = {f"{p}source_{x}" for p in CITATIONS for x in ("id", "excerpt")}
        cited = cited if row.citations else set()
        shown = [(f, v) for f, v in row.values.items() if v and f not in cited]
        if shown:
            out.append("; ".join(f"`{f}`: {_text(v)}" for f, v in shown))
            out.append("")
    for c in row.citations:
        out.append(f"- {_source_line(c)}")
        if c.excerpt:
            out.append(f"  <br>excerpt: “{_text(c.excerpt)}”")
            out.append(f"  <br>{_held_line(c)}")
        else:
            out.append("  <br>no excerpt")
    # Errors are listed with their fix at the top of the comment; here, what they say of the row.
    out += [_issue_line(i, "error", where=False, fix=False) for i in row.errors]
    out += [_issue_line(i, "warning", where=False) for i in row.warnings]
    while out and out[-1] == "":
        out.pop()
    return out + [""]


def markdown(review: Review, limit: int = LIMIT) -> str:
    """The review as Markdown: the verdict and a table of counts first, then errors, then each
    resource's rows folded in <details>. Rows past `limit` characters are counted, not shown."""
    lines = [f"## Data review: {_code(review.base)} → {_code(review.head)}", ""]
    if review.level is None:
        return "\n".join(lines + ["No change to the data.", ""])
    deciding = [why for lv, why in review.reasons if lv == review.level]
    rest = [f"{lv}: {why}" for lv, why in review.reasons if lv != review.level]
    release = f"**Release this implies: {review.level}** (from {review.base_version or '?'}): "
    release += "; ".join(_light(x) for x in deciding[:REASONS])
    if len(deciding) > REASONS:
        release += f"; and {len(deciding) - REASONS} more"
    if rest and len(review.reasons) <= REASONS:
        release += f" (also {_light('; '.join(rest))})"
    elif rest:
        release += f" (and {len(rest)} change(s) needing less)"
    verdict = (
        "**Checks: passed**" if review.valid else f"**Checks: {review.errors} error(s)**"
    ) + f", {review.warnings} warning(s) (the whole package validated as it is after the change)"
    lines += [release, "", verdict, ""]
    lines += [
        "| resource | added | removed | changed | schema changes | errors | warnings |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for s in review.resources:
        lines.append(
            f"| {_code(s.name)} | {s.added} | {s.removed} | {s.changed} | {len(s.schema)} "
            f"| {s.errors} | {s.warnings} |"
        )
    if review.other_errors or review.other_warnings:
        lines.append(
            f"| elsewhere | | | | | {len(review.other_errors)} | {len(review.other_warnings)} |"
        )
    lines.append("")
    if len(review.reasons) > REASONS or any(s.schema for s in review.resources):
        lines += [
            f"<details><summary>Every change and the release it needs "
            f"({len(review.reasons)})</summary>",
            "",
            *[f"- {lv}: {_light(why)}" for lv, why in review.reasons],
            "",
            "</details>",
            "",
        ]
    errors = [(i, r) for r in review.rows for i in r.errors] + [
        (i, None) for i in review.other_errors
    ]
    if errors:
        lines += [f"### Errors ({len(errors)})", ""]
        lines += [_issue_line(i, "error", r) for i, r in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            lines.append(f"- … and {len(errors) - MAX_ERRORS} more, in the rows below")
    if review.other_warnings:
        lines += ["", "<details><summary>Warnings not on a changed row</summary>", ""]
        lines += [_issue_line(i, "warning") for i in review.other_warnings]
        lines += ["", "</details>"]
    lines.append("")
    size = sum(len(x) + 1 for x in lines)
    left_out = 0
    for s in review.resources:
        # Rows with errors first: they are what a long comment must not leave out.
        rows = sorted((r for r in review.rows if r.resource == s.name), key=lambda r: not r.errors)
        if not rows:
            continue
        counts = [f"{n} {what}" for n, what in ((s.added, "added"), (s.changed, "changed"),
                                                (s.removed, "removed")) if n]  # fmt: skip
        if s.errors:
            counts.append(f"{s.errors} error(s)")
        block = ["<details>", f"<summary><code>{s.name}</code>: {', '.join(counts)}</summary>", ""]
        shown = 0
        for row in rows:
            lines_of_row = _row_block(row)
            n = sum(len(x) + 1 for x in lines_of_row)
            if size + n + 200 > limit:
                break
            block += lines_of_row
            size += n
            shown += 1
        left_out += len(rows) - shown
        if shown:
            lines += block + ["</details>", ""]
    if left_out:
        lines += [
            f"{left_out} row(s) left out to keep this comment under GitHub's size limit: "
            f"run `csto-alignment review {review.base}"
            + (f" {review.head}" if review.head_ref else "")
            + "` to see them all.",
            "",
        ]
    return "\n".join(lines)
