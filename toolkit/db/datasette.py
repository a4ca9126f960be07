"""Datasette metadata for the SQLite export: `datasette out/csto-alignment.sqlite -m out/metadata.json`.

Everything in it derives from the descriptor, the Table Schemas and the saved queries: the title,
licence and sources; each table's and column's description; facets on the vocabularies (enum fields)
and references; a label column for tables other tables point at; and the saved queries that SQLite
can run, as canned queries.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from toolkit.db.saved import saved_queries
from toolkit.package.descriptor import is_link
from toolkit.package.tableschema import Package, Resource
from toolkit.store.fileio import write_atomic

METADATA = "metadata.json"
LABEL_FIELDS = ("name", "title")


def sqlite_sql(sql: str) -> str:
    """A saved query's DuckDB SQL in SQLite's dialect, where only spelling differs: `$name`
    parameters become `:name` (Datasette's form) and `::VARCHAR` casts go (SQLite stores the
    vocabularies as text already)."""
    sql = re.sub(r"::VARCHAR\b", "", sql, flags=re.I)
    return re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", r":\1", sql)


def _facets(resource: Resource) -> list[str]:
    """Vocabularies and references to other tables, except to sources (too many values to help)."""
    refs = {fk.fields[0] for fk in resource.foreign_keys if len(fk.fields) == 1}
    return [
        f.name
        for f in resource.fields
        if (f.enum is not None or f.name in refs) and not f.name.endswith("source_id")
    ]


def _table(resource: Resource) -> dict[str, Any]:
    table: dict[str, Any] = {
        "description": resource.description,
        "columns": {f.name: f.description for f in resource.fields},
    }
    facets = _facets(resource)
    if facets:
        table["facets"] = facets
    label = next((n for n in LABEL_FIELDS if n in resource.field_names), None)
    if label:
        table["label_column"] = label
    return table


def canned_queries(package: Package, db: Path) -> tuple[dict[str, Any], list[str]]:
    """The saved queries that SQLite can prepare on `db`, and the names of those it cannot."""
    queries: dict[str, dict[str, Any]] = {}
    duckdb_only: list[str] = []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for name, saved in saved_queries(package.root).items():
            sql = sqlite_sql(saved.sql)
            try:
                con.execute(f"EXPLAIN {sql}", dict.fromkeys(saved.params, ""))
            except sqlite3.Error:
                duckdb_only.append(name)
                continue
            queries[name] = {"sql": sql, "title": saved.title, "description": saved.answers}
            if saved.params:
                queries[name]["params"] = list(saved.params)
    finally:
        con.close()
    return queries, duckdb_only


def metadata(package: Package, db: Path) -> dict[str, Any]:
    """Datasette's metadata for the SQLite file `db` exported from `package`."""
    d = package.descriptor
    licence = (d.get("licenses") or [{}])[0]
    source = (d.get("sources") or [{}])[0]
    queries, duckdb_only = canned_queries(package, db)
    description = d.get("description", "")
    if duckdb_only:
        description += (
            " Saved queries that use DuckDB's own SQL are not offered here ("
            + ", ".join(duckdb_only)
            + "): run them with `csto-alignment query NAME`."
        )
    database: dict[str, Any] = {
        "description": description,
        "tables": {name: _table(res) for name, res in package.resources.items()},
    }
    if queries:
        database["queries"] = queries
    meta: dict[str, Any] = {
        "title": d.get("title", d.get("name", "")),
        "description": f"Version {package.version}. {d.get('description', '')}".strip(),
        "license": licence.get("name", ""),
        # Datasette links these on every page: http(s) only (descriptor.py refuses others)
        "license_url": licence.get("path", "") if is_link(licence.get("path")) else "",
        "source": source.get("title", ""),
        "source_url": source.get("path", "") if is_link(source.get("path")) else "",
        "databases": {db.stem: database},
    }
    return {k: v for k, v in meta.items() if v != ""}


def write_metadata(package: Package, db: Path) -> Path:
    """Write metadata.json beside the SQLite file (atomically); returns its path."""
    target = db.parent / METADATA
    text = json.dumps(metadata(package, db), indent=2, ensure_ascii=False) + "\n"
    write_atomic(target, text)
    return target
