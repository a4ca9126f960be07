"""The site's SQL console: SQLite compiled to WebAssembly (sql.js, vendored) over the site's copy
of the SQLite export, with the saved queries, their parameters as form fields, results as a table
and as CSV, and each result's evidence.

A page opened from disk (`file://`) may not fetch another file, so the database and sql.js's
`.wasm` travel as JavaScript files that hold them in base64 (`assets/*.js`); the page decodes them
and hands them to sql.js. Nothing is requested from the network.

What the console is told, besides the saved queries:
- `links`: which result columns hold a key of a row the site has a page or an anchor for
  (statement_id, resolution_id, source_id, claim_id, evidence_id, speaker_id, ...), and each key's
  address, so that the console turns them into links;
- `evidence`: for each table whose rows cite sources, its primary key and its pairs of source and
  excerpt columns, so that the console counts the distinct sources and excerpts the rows named by a
  result rest on.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from toolkit.db.saved import saved_queries
from toolkit.package.tableschema import Package
from toolkit.site.claimreview import claim_path, evidence_anchor
from toolkit.site.data import ANCHORS, PAGES, SiteData, href

HERE = Path(__file__).parent
VENDOR = HERE / "vendor"
# The vendored sql.js files and their sha256 (vendor/README.md says where they come from).
SQL_JS = {
    "sql-wasm.js": "d6a9cc234ef1104c49d5c3756bc5c85e312213e9d072fdcdb4523089a51d0fcd",
    "sql-wasm.wasm": "6918fd54c1192011b85af0365a819411285bb5579b9ae6a7308778a1750a2765",
}
WASM_JS = "sql-wasm-binary.js"  # sql-wasm.wasm in base64, as the console loads it


class VendorError(Exception):
    """A vendored file is not the one recorded (vendor/README.md)."""


def _linked_resources(package: Package) -> list[str]:
    """Resources whose rows have an address on the site: a page, an anchor or a claim's page."""
    names = [*PAGES, *ANCHORS, "claim_evidence"]
    return [n for n in names if n in package.resources]


def link_columns(package: Package) -> dict[str, str]:
    """Result column name -> the resource whose key it holds: each linked resource's primary key
    (statement_id -> statements) and each single-column reference to one (speaker_id -> actors).
    A name that would mean two resources is left out."""
    linked = set(_linked_resources(package))
    found: dict[str, set[str]] = {}
    for name in linked:
        pk = package.resources[name].primary_key
        if len(pk) == 1:
            found.setdefault(pk[0], set()).add(name)
    for res in package.resources.values():
        for fk in res.foreign_keys:
            target = fk.resource or res.name  # "" is a reference to the same table
            if len(fk.fields) == 1 and target in linked:
                found.setdefault(fk.fields[0], set()).add(target)
    return {col: next(iter(res)) for col, res in sorted(found.items()) if len(res) == 1}


def link_addresses(package: Package, data: SiteData) -> dict[str, dict[str, str]]:
    """resource -> {key: its address relative to the site's root} for every linked resource."""
    out: dict[str, dict[str, str]] = {}
    for name in _linked_resources(package):
        (pk,) = package.resources[name].primary_key or ("",)
        rows = data.rows.get(name, [])
        if name == "claims":
            out[name] = {str(r[pk]): claim_path(r[pk]) for r in rows}
        elif name == "claim_evidence":
            out[name] = {
                str(r[pk]): f"{claim_path(r['claim_id'])}#{evidence_anchor(r[pk])}" for r in rows
            }
        else:
            out[name] = {str(r[pk]): str(href(name, r[pk])) for r in rows}
    return out


def evidence_tables(package: Package) -> list[dict[str, Any]]:
    """Each table whose rows cite sources: its primary key and its (source, excerpt) columns
    (`source_id` with `source_excerpt`, `date_source_id` with `date_source_excerpt`, ...)."""
    out = []
    for res in package.resources.values():
        cites = {
            fk.fields[0]
            for fk in res.foreign_keys
            if len(fk.fields) == 1 and fk.resource == "sources"
        }
        pairs = []
        for f in res.fields:
            if f.name in cites:
                excerpt = f.name[: -len("id")] + "excerpt"
                pairs.append([f.name, excerpt if excerpt in res.field_names else None])
        if pairs and res.primary_key:
            out.append({"table": res.name, "keys": list(res.primary_key), "sources": pairs})
    return out


def console_config(package: Package, data: SiteData) -> dict[str, Any]:
    """What console.js is told: the saved queries, the key columns and addresses, the evidence."""
    queries = [
        {
            "name": q.name,
            "title": q.title or q.name,
            "answers": q.answers,
            "params": q.params,
            "sql": q.sql,
            "portable": q.portable,
            "engine_reason": q.engine_reason,
        }
        for q in saved_queries(package.root).values()
    ]
    return {
        "queries": queries,
        "links": link_columns(package),
        "addresses": link_addresses(package, data),
        "evidence": evidence_tables(package),
    }


def _checked(name: str) -> bytes:
    data = (VENDOR / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SQL_JS[name]:
        raise VendorError(
            f"toolkit/site/vendor/{name} has sha256 {digest}, not the recorded {SQL_JS[name]}: "
            "restore it, or record the new file in vendor/README.md and console.SQL_JS"
        )
    return data


def _as_script(variable: str, data: bytes) -> str:
    return f'window.{variable} = "{base64.b64encode(data).decode("ascii")}";\n'


def write_console_assets(package: Package, out: Path) -> dict[str, Any]:
    """Into the built site `out`: the SQLite export (for download) and, under assets/, the same
    database and sql.js's .wasm as base64 JavaScript. Returns the database's file name and the
    sizes in bytes that the page shows."""
    from toolkit.db.export import export_sqlite

    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    wasm = _checked("sql-wasm.wasm")
    _checked("sql-wasm.js")
    (assets / WASM_JS).write_text(_as_script("SQL_WASM_BASE64", wasm), encoding="ascii")
    with tempfile.TemporaryDirectory() as tmp:
        (db,) = export_sqlite(package, Path(tmp))
        target = out / db.name
        shutil.copyfile(db, target)
    raw = target.read_bytes()
    script = assets / f"{db.name}.js"
    script.write_text(_as_script("CSTO_DB_BASE64", raw), encoding="ascii")
    return {
        "file": db.name,
        "db": len(raw),
        "db_js": script.stat().st_size,
        "wasm": len(wasm),
        "wasm_js": (assets / WASM_JS).stat().st_size,
    }


__all__ = ["SQL_JS", "VendorError", "console_config", "write_console_assets"]
