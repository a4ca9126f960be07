"""The package's rows as the site shows them: read from the typed database (typed_db), so dates are
dates, booleans booleans and integers integers, exactly as `query` and `export` see them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from toolkit.checks.cells import LINK
from toolkit.checks.hints import slug  # a file or anchor name for a key; imported from here too
from toolkit.db import typed_db
from toolkit.db.sql import lit, q
from toolkit.package.descriptor import is_link
from toolkit.package.tableschema import Package, Resource

Row = dict[str, Any]

# Resources that get a page per row, and the folder their pages live in.
PAGES = {
    "meetings": "meetings",
    "statements": "statements",
    "military_exercises": "exercises",
    "un_resolutions": "resolutions",
}
# Resources listed on one page, each row an anchor of it.
ANCHORS = {"sources": "sources.html", "actors": "actors.html", "claims": "claims.html"}


# resource -> key -> its slug, for the keys whose slug another key shares (see unique_slugs)
_SLUGS: dict[str, dict[str, str]] = {}


def unique_slugs(keys: Any) -> dict[str, str]:
    """A slug per key that no other key shares: A/RES/ES--11/1 and A/RES/ES-11/1, or BLR and blr,
    would have one page (one anchor) between them. Where keys share a slug, the one written most
    plainly (single separators; then the first in order) keeps it, and each other gets a short
    digest of itself appended. Only such keys are returned."""
    groups: dict[str, list[str]] = {}
    for k in {str(k) for k in keys}:
        groups.setdefault(slug(k), []).append(k)
    out = {}
    for base, ks in groups.items():
        if len(ks) == 1 and base:
            continue
        ks.sort(
            key=lambda k: (len(re.findall(r"[^A-Za-z0-9]{2,}|^[^A-Za-z0-9]|[^A-Za-z0-9]$", k)), k)
        )
        for i, k in enumerate(ks):
            digest = hashlib.sha256(k.encode()).hexdigest()[:8]
            out[k] = base if i == 0 and base else f"{base}-{digest}".lstrip("-")
    return out


def register_slugs(rows: dict[str, list[Row]], package: Package) -> None:
    """Record the slugs of the keys that would share one (unique_slugs), for href and anchor."""
    _SLUGS.clear()
    for resource in (*PAGES, *ANCHORS):
        if resource in rows and len(package.resource(resource).primary_key) == 1:
            (pk,) = package.resource(resource).primary_key
            _SLUGS[resource] = unique_slugs(r[pk] for r in rows[resource])


def key_slug(resource: str, key: Any) -> str:
    """The file or anchor name of a row's key: its slug, made unique where keys share one."""
    return _SLUGS.get(resource, {}).get(str(key)) or slug(str(key))


def href(resource: str, key: Any, root: str = "") -> str | None:
    """The site-relative address of a row, or None for resources without a page or anchor."""
    if key is None:
        return None
    if resource in PAGES:
        return f"{root}{PAGES[resource]}/{key_slug(resource, key)}.html"
    if resource in ANCHORS:
        return f"{root}{ANCHORS[resource]}#{anchor(resource, key)}"
    return None


def anchor(resource: str, key: Any) -> str:
    return f"{resource.rstrip('s')}-{key_slug(resource, key)}"


@dataclass
class SiteData:
    package: Package
    rows: dict[str, list[Row]]

    def has(self, resource: str) -> bool:
        return resource in self.rows

    def get(self, resource: str, key: Any) -> Row | None:
        """The row of `resource` whose (single-column) primary key is `key`."""
        index = self._index(resource)
        return index.get(key)

    def _index(self, resource: str) -> dict[Any, Row]:
        cache = self.__dict__.setdefault("_indexes", {})
        if resource not in cache:
            (pk,) = self.package.resource(resource).primary_key
            cache[resource] = {r[pk]: r for r in self.rows.get(resource, [])}
        return cache[resource]

    def where(self, resource: str, **match: Any) -> list[Row]:
        """The rows of `resource` whose columns hold the given values, in their order. Looked up
        in an index per (resource, columns), built on first use: a page per row that asks for
        its related rows costs a lookup, not a scan (a scan per page was quadratic)."""
        columns = tuple(sorted(match))
        cache: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Row]]]
        cache = self.__dict__.setdefault("_by", {})
        index = cache.get((resource, columns))
        if index is None:
            index = cache[resource, columns] = {}
            for r in self.rows.get(resource, []):
                index.setdefault(tuple(r.get(c) for c in columns), []).append(r)
        return list(index.get(tuple(match[c] for c in columns), ()))

    def name(self, actor_id: str | None) -> str:
        row = self.get("actors", actor_id) if actor_id else None
        return row["name"] if row else (actor_id or "")

    def csto_members(self) -> set[str]:
        """States that were CSTO members at any time in the memberships table."""
        return {
            m["country_iso3"]
            for m in self.rows.get("memberships", [])
            if m["organisation_id"] == "csto" and m["status"] == "member"
        }


def _columns(res: Resource) -> str:
    """The resource's columns as pages may show them: a web address that is not http(s) (which
    `validate` refuses, as unsafe-url) is left out, never made a link."""
    return ", ".join(
        f"CASE WHEN regexp_full_match({q(f.name)}, {lit(LINK)}, 'i') THEN {q(f.name)} END "
        f"AS {q(f.name)}"
        if f.is_link
        else q(f.name)
        for f in res.fields
    )


def safe_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor as pages show it: addresses (licences, sources, homepage) only if http(s)."""
    d = {k: v if k != "homepage" or is_link(v) else None for k, v in descriptor.items()}
    for key in ("licenses", "sources"):
        items = d.get(key)
        if isinstance(items, list):
            d[key] = [
                {k: v if k != "path" or is_link(v) else None for k, v in item.items()}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return d


def read_site_data(package: Package) -> SiteData:
    """Every resource's rows, typed, in primary-key order."""
    con = typed_db.connect(package)
    typed_db.build(con, package)
    rows = {}
    for res in package.resources.values():
        order = ", ".join(q(k) for k in res.primary_key) or "1"
        cur = con.execute(f"SELECT {_columns(res)} FROM {q(res.name)} ORDER BY {order}")
        cols = [d[0] for d in cur.description]
        rows[res.name] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    con.close()
    register_slugs(rows, package)
    return SiteData(package, rows)


def when(row: Row) -> str:
    """A row's dates in words, with their precision: never more exact than the data."""
    start, end, precision = row.get("date_start"), row.get("date_end"), row.get("date_precision")
    s = start.isoformat() if isinstance(start, dt.date) else None
    e = end.isoformat() if isinstance(end, dt.date) else None
    if precision == "day" and s:
        return s
    if precision == "span":
        return f"from {s} to {e}"
    if precision == "month" and s:
        return f"some time in {s[:7]} (the source gives only the month)"
    if precision == "within":
        if s and e:
            return f"some time between {s} and {e}"
        if s:
            return f"some time on or after {s} (the source gives no upper bound)"
        if e:
            return f"some time on or before {e} (the source gives no lower bound)"
    return "date unknown"


def value_sources(data: SiteData) -> dict[str, dict[str, list[Row]]]:
    """statement_id -> column -> the statement_sources rows citing the report whose words state
    that column's value, each with its `source` row and `restated` (the value the words state,
    where it is not the statement row's value as written, e.g. some of its topics). Built in one
    pass over statement_sources, so a statement page looks its rows up rather than scanning."""
    out: dict[str, dict[str, list[Row]]] = {}
    for r in data.rows.get("statement_sources", []):
        row = dict(r)
        row["source"] = data.get("sources", r["source_id"])
        value = (data.get("statements", r["statement_id"]) or {}).get(r["field"])
        written = ("true" if value else "false") if isinstance(value, bool) else value
        row["restated"] = None if written is not None and str(written) == r["value"] else r["value"]
        out.setdefault(r["statement_id"], {}).setdefault(r["field"], []).append(row)
    return out
