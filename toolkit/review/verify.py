"""Each excerpt looked for on the page its source cites: found, found after folding quotes, dashes
or whitespace (and which), not found (with the page's nearest passage), or the page unreachable
(its HTTP status or the error).

The excerpts are those of every row of the package (every citing column: source_excerpt,
date_source_excerpt, location_source_excerpt), or only of the rows added or changed since a git
revision (and every excerpt of a source whose row was added or changed), or only those citing given
sources. Each page is fetched once (fetch.Fetcher), its text read (pagetext), and every excerpt of it
looked for (matching). When a page cannot be had and its source has an `archive_url`, the archived
copy is read instead, and the result says so. Nothing is written.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolkit.checks.rules import CITATIONS
from toolkit.db.sql import lit, q
from toolkit.errors import UsageError
from toolkit.package.tableschema import Package, Resource
from toolkit.review.fetch import Fetched, Fetcher
from toolkit.review.matching import FOLDED, FOUND, NOT_FOUND, find_excerpt
from toolkit.review.pagetext import page_text
from toolkit.review.review import rows_of

UNREACHABLE = "unreachable"
STATUSES = (FOUND, FOLDED, NOT_FOUND, UNREACHABLE)


@dataclass
class Cited:
    """One excerpt of one source, and the rows that quote it (the first named)."""

    source_id: str
    excerpt: str
    resource: str
    key: str
    field: str
    rows: int = 1


@dataclass
class Checked:
    source_id: str
    url: str
    resource: str
    key: str
    field: str
    excerpt: str
    rows: int
    status: str  # found, found-folded, not-found, unreachable
    detail: str  # what was found or why not, in words
    folded: list[str] = dataclasses.field(default_factory=list)
    passage: str = ""
    http_status: int | None = None
    final_url: str = ""
    archived: bool = False  # read on the source's archive_url


@dataclass
class VerifyReport:
    results: list[Checked] = dataclasses.field(default_factory=list)
    pages: int = 0

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}

    @property
    def ok(self) -> bool:
        """Every excerpt found on its page (verbatim or after folding)."""
        return all(r.status in (FOUND, FOLDED) for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "pages": self.pages,
            "counts": self.counts(),
            "results": [asdict(r) for r in self.results],
        }


def _cited_in(con: Any, package: Package, res: Resource) -> list[Cited]:
    """The distinct (source, excerpt) pairs of a resource's rows, with how many rows quote each,
    read by DuckDB (a resource of millions of rows is not walked row by row in Python)."""
    out: list[Cited] = []
    key = res.primary_key or tuple(res.field_names[:1])
    key_sql = " || '/' || ".join(f"coalesce({q(k)}, '')" for k in key)
    path = package.root / res.path
    rel = f"read_csv({lit(os.path.abspath(path))}, header = true, all_varchar = true, quote = '\"', escape = '\"')"
    for prefix in CITATIONS:
        sid, ex = f"{prefix}source_id", f"{prefix}source_excerpt"
        if sid not in res.field_names or ex not in res.field_names:
            continue
        rows = con.execute(
            f"SELECT {q(sid)}, {q(ex)}, min({key_sql}), count(*) FROM {rel} "
            f"WHERE {q(sid)} IS NOT NULL AND {q(ex)} IS NOT NULL "
            f"GROUP BY ALL ORDER BY 3"
        ).fetchall()
        out += [Cited(s, e, res.name, k, ex, n) for s, e, k, n in rows]
    return out


def _all_cited(package: Package) -> list[Cited]:
    from toolkit.checks.engine import engine
    from toolkit.db import sandbox

    files = [package.root / r.path for r in package.resources.values()]
    con = sandbox.connect(read=files, duck=engine())  # reaches the package's data files only
    try:
        return [
            c
            for res in package.resources.values()
            if (package.root / res.path).is_file()
            for c in _cited_in(con, package, res)
        ]
    finally:
        con.close()


def _changed_cited(package: Package, since: str, repo: Path) -> list[Cited]:
    """The excerpts of the rows added or changed since revision `since`, and every excerpt of a
    source whose own row was added or changed (its url may be new)."""
    from toolkit.release.diff import diff_packages, open_version

    with open_version(since, repo) as old:
        d = diff_packages(old, package, since, "working tree")
    out: list[Cited] = []
    sources: set[str] = set()
    for r in d.resources:
        rows = list(r.added)
        if r.changed:
            res = package.resources.get(r.name)
            if res is None:
                continue
            now = {
                tuple(x.get(k) or "" for k in r.primary_key): x for x in rows_of(package, r.name)
            }
            rows += [now[tuple(c.key.values())] for c in r.changed if tuple(c.key.values()) in now]
        if r.name == "sources":
            sources.update(x.get("source_id") or "" for x in rows)
        for x in rows:
            for prefix in CITATIONS:
                sid, ex = x.get(f"{prefix}source_id"), x.get(f"{prefix}source_excerpt")
                if sid and ex:
                    out.append(Cited(sid, ex, r.name, r.key_of(x), f"{prefix}source_excerpt"))
    if sources:
        seen = {(c.source_id, c.excerpt) for c in out}
        out += [
            c
            for c in _all_cited(package)
            if c.source_id in sources and (c.source_id, c.excerpt) not in seen
        ]
    return out


def _sources(package: Package) -> dict[str, dict[str, str]]:
    return {r.get("source_id") or "": r for r in rows_of(package, "sources")}


def select(
    package: Package,
    changed_since: str | None = None,
    repo: Path | None = None,
    source_ids: tuple[str, ...] = (),
) -> list[Cited]:
    """The excerpts to verify (see the module's docstring). An unknown source id is a usage error."""
    sources = _sources(package)
    unknown = [s for s in source_ids if s not in sources]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(sources), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"--source-id {unknown[0]!r} is not a source of the package{hint}")
    if changed_since is not None:
        cited = _changed_cited(package, changed_since, repo or package.root)
    else:
        cited = _all_cited(package)
    if source_ids:
        cited = [c for c in cited if c.source_id in source_ids]
    return cited


def _read(fetched: Fetched) -> tuple[str | None, str]:
    """The page's text, or None and why not."""
    if not fetched.ok:
        return None, fetched.error
    text = page_text(fetched.body, fetched.content_type, fetched.charset)
    if text is None:
        return None, f"not a web page or plain text ({fetched.content_type or 'no content type'})"
    return text, ""


def verify(package: Package, cited: list[Cited], fetcher: Fetcher) -> VerifyReport:
    """Fetch each cited page once and look for each of its excerpts."""
    sources = _sources(package)
    report = VerifyReport()
    by_source: dict[str, list[Cited]] = {}
    for c in cited:
        by_source.setdefault(c.source_id, []).append(c)
    for source_id, items in by_source.items():
        source = sources.get(source_id, {})
        url = source.get("url") or ""
        if not url:
            continue  # a registry read through a package: no page to read
        fetched = fetcher.fetch(url)
        report.pages += 1
        text, why = _read(fetched)
        archived = False
        archive = source.get("archive_url") or ""
        if text is None and archive:
            copy = fetcher.fetch(archive)
            report.pages += 1
            copy_text, copy_why = _read(copy)
            if copy_text is not None:
                text, archived, fetched = copy_text, True, copy
            else:
                why += f"; the archived copy: {copy_why}"
        for c in items:
            base = dict(
                source_id=source_id, url=url, resource=c.resource, key=c.key, field=c.field,
                excerpt=c.excerpt, rows=c.rows, http_status=fetched.status,
                final_url=fetched.final_url, archived=archived,
            )  # fmt: skip
            if text is None:
                report.results.append(Checked(**base, status=UNREACHABLE, detail=why))  # type: ignore[arg-type]
                continue
            m = find_excerpt(c.excerpt, text)
            detail = m.describe() + (" (on the archived copy)" if archived else "")
            report.results.append(
                Checked(**base, status=m.status, detail=detail, folded=m.folded, passage=m.passage)  # type: ignore[arg-type]
            )
    return report


def text_report(report: VerifyReport) -> str:
    """One line per excerpt, then the counts."""
    lines = []
    for r in report.results:
        more = f" (and {r.rows - 1} more row(s))" if r.rows > 1 else ""
        where = f"{r.resource} {r.key} {r.field}{more}"
        lines.append(f"{r.status:<12}  {where} <- {r.source_id} ({r.url}): {r.detail}")
    c = report.counts()
    lines.append(
        f"{len(report.results)} excerpt(s) on {report.pages} page(s): {c[FOUND]} found, "
        f"{c[FOLDED]} found after folding, {c[NOT_FOUND]} not found, {c[UNREACHABLE]} unreachable"
    )
    return "\n".join(lines)
