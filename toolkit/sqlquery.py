"""Where analysts' SQL runs: a typed, read-only DuckDB database over the package, cached by content.

The cache is a .duckdb file under `.cache/` in the package folder, named by the sha256 of the
descriptor, the schemas and every data file (and the toolkit version), so it is rebuilt whenever any of
them changes and is never stale. Queries run on a read-only connection with external access disabled
and the configuration locked: no statement can change the data, write or read a file, attach a
database, install or load an extension, or turn these settings back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.errors import UsageError
from toolkit.fileio import build_atomic, files_digest
from toolkit.tableschema import Package

CACHE_DIR = ".cache"
LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET lock_configuration = true",
)


class QueryError(UsageError):
    """The SQL is wrong or refused; the message says what and, where it can, what exists."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    cache_built: bool = False


def content_key(package: Package) -> str:
    """sha256 over the toolkit version, the descriptor, the schemas and the data files."""
    files = [package.root / "datapackage.json"]
    for res in package.resources.values():
        files += [package.root / res.schema_path] if res.schema_path else []
        files.append(package.root / res.path)
    return files_digest(package.root, files, seed=__version__)[:20]


def cache_path(package: Package) -> tuple[Path, bool]:
    """The typed database for the package's current content, built if missing; (path, built now)."""
    from toolkit import typed_db

    folder = package.root / CACHE_DIR
    path = folder / f"query-{content_key(package)}.duckdb"
    if path.exists():
        return path, False
    import duckdb

    def build(tmp: Path) -> None:
        con = duckdb.connect(str(tmp))
        try:
            typed_db.build(con, package)
        finally:
            con.close()

    folder.mkdir(exist_ok=True)
    build_atomic(path, build)
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
