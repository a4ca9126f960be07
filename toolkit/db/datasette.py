"""Datasette metadata for the SQLite export: `datasette out/csto-alignment.sqlite -m out/metadata.json`.

Everything in it derives from the descriptor, the Table Schemas and the saved queries: the title,
licence and sources; each table's and column's description; facets on the vocabularies (enum fields)
and references; a label column for tables other tables point at; and every saved query written in
the SQL DuckDB and SQLite share, as a canned query whose blank parameters take the saved query's
defaults.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.db.saved import saved_queries
from toolkit.db.sql import lit
from toolkit.package.descriptor import is_link
from toolkit.package.tableschema import Package, Resource
from toolkit.store.fileio import write_atomic

METADATA = "metadata.json"
LABEL_FIELDS = ("name", "title")


# A string literal, a quoted identifier or a comment: text in which `$name` is not a parameter.
_NOT_CODE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _in_code(sql: str, replace: Callable[[re.Match[str]], str]) -> str:
    """`sql` with each `$name` outside literals and comments replaced by `replace(match)`."""
    out, at = [], 0
    for m in _NOT_CODE.finditer(sql):
        out.append(_PARAM.sub(replace, sql[at : m.start()]))
        out.append(m.group(0))
        at = m.end()
    out.append(_PARAM.sub(replace, sql[at:]))
    return "".join(out)


def sqlite_sql(sql: str, defaults: dict[str, str] | None = None) -> str:
    """A saved query as Datasette runs it: `$name` parameters become `:name` (Datasette's form),
    and a parameter left blank takes its default (`coalesce(nullif(:name, ''), 'default')`), as
    `csto-alignment query` applies it. The rest of the text is the saved query's own."""
    defaults = defaults or {}

    def param(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in defaults:
            return f"coalesce(nullif(:{name}, ''), {lit(defaults[name])})"
        return f":{name}"

    return _in_code(sql, param)


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
    """Every saved query SQLite runs, as a canned query of `db`; and the names of those it does
    not: the ones whose header says they need DuckDB, and any that SQLite cannot prepare."""
    queries: dict[str, dict[str, Any]] = {}
    duckdb_only: list[str] = []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for name, saved in saved_queries(package.root).items():
            sql = sqlite_sql(saved.sql, saved.params)
            try:
                if not saved.portable:
                    raise sqlite3.Error(saved.engine_reason)
                con.execute(f"EXPLAIN {sql}", dict.fromkeys(saved.params, ""))
            except sqlite3.Error:
                duckdb_only.append(name)
                continue
            description = saved.answers
            if saved.params:
                description += (
                    " Blank parameters take their defaults: "
                    + ", ".join(f"{p} = {v}" for p, v in saved.params.items())
                    + "."
                )
            queries[name] = {"sql": sql, "title": saved.title, "description": description}
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
