"""Where analysts' SQL runs: a typed, read-only DuckDB database over the package, cached by content.

The cache is a .duckdb file under `.cache/` in the package folder, named by the sha256 of the
descriptor, the schemas and every data file (and the toolkit version), so it is rebuilt whenever any of
them changes and is never stale. Queries run on a read-only connection with external access disabled
and the configuration locked: no statement can change the data, write or read a file, attach a
database, install or load an extension, or turn these settings back.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.tableschema import Package

CACHE_DIR = ".cache"
LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET lock_configuration = true",
)


class QueryError(Exception):
    """The SQL is wrong or refused; the message says what and, where it can, what exists."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    cache_built: bool = False
    notes: list[str] = field(default_factory=list)


def content_key(package: Package) -> str:
    """sha256 over the toolkit version, the descriptor, the schemas and the data files."""
    h = hashlib.sha256(__version__.encode())
    files = [package.root / "datapackage.json"]
    for res in package.resources.values():
        files += [package.root / res.schema_path] if res.schema_path else []
        files.append(package.root / res.path)
    for path in files:
        h.update(str(path.relative_to(package.root)).encode() + b"\0")
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()[:20]


def cache_path(package: Package) -> tuple[Path, bool]:
    """The typed database for the package's current content, built if missing; (path, built now)."""
    from toolkit import typed_db

    folder = package.root / CACHE_DIR
    path = folder / f"query-{content_key(package)}.duckdb"
    if path.exists():
        return path, False
    import duckdb

    folder.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".query-", suffix=".duckdb", dir=folder)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        con = duckdb.connect(tmp)
        typed_db.build(con, package)
        con.close()
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".wal").unlink(missing_ok=True)
    for old in folder.glob("query-*.duckdb"):
        if old != path:
            old.unlink(missing_ok=True)
    return path, True


def connect_read_only(package: Package):
    import duckdb

    path, built = cache_path(package)
    con = duckdb.connect(str(path), read_only=True)
    for setting in LOCKDOWN:
        con.execute(setting)
    return con, built


def schema_listing(con) -> str:
    rows = con.execute(
        "SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) "
        "FROM information_schema.columns WHERE table_schema = 'main' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return "\n".join(f"  {t}({cols})" for t, cols in rows)


def _explain(exc: Exception, con) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0]
    if "configuration has been locked" in text:
        return "refused: query settings are locked and cannot be changed"
    if "file system operations are disabled" in text or "external extensions" in text:
        return f"refused: queries may not read or write files, attach databases or load extensions ({first})"
    if "read-only" in text.lower():
        return "refused: the data is read-only; queries cannot change it"
    if re.search(
        r"Table with name|Referenced column|Referenced table|not found in FROM clause", text
    ):
        return f"{text}\nTables and columns:\n{schema_listing(con)}"
    return text


def run_query(package: Package, sql: str, params: dict[str, str] | None = None) -> QueryResult:
    """Run one SQL statement with named parameters ($name) bound, never pasted into the SQL."""
    import duckdb

    con, built = connect_read_only(package)
    try:
        try:
            cur = con.execute(sql, params or None)
        except duckdb.Error as exc:
            raise QueryError(_explain(exc, con)) from None
        if cur.description is None:
            return QueryResult(columns=[], rows=[], cache_built=built)
        columns = [d[0] for d in cur.description]
        return QueryResult(columns=columns, rows=cur.fetchall(), cache_built=built)
    finally:
        con.close()
