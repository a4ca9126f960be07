"""Export the package for other tools: a typed .duckdb database, Parquet files, a SQLite file, or
the claims' verdicts as schema.org ClaimReview (JSON-LD)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from toolkit.db import typed_db
from toolkit.db.sql import lit, q
from toolkit.errors import UsageError
from toolkit.package.tableschema import Package
from toolkit.store.fileio import build_atomic
from toolkit.store.outdir import check_output_folder, file_name, mark, package_paths

SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def _readable_mode() -> int:
    """0644 less the umask: the mode of every other file the toolkit writes."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _typed_connection(package: Package, write: Path | None = None):
    """The typed tables in memory, on a connection that reads only the package's data files and
    writes only into `write` (db/sandbox)."""
    con = typed_db.connect(package, write=[write] if write is not None else [])
    typed_db.build(con, package)
    return con


# The storage format the .duckdb export is written in. DuckDB reads older formats but not newer
# ones: a file in the engine's own format (69 for duckdb 2.0) does not open in the 1.5 command-line
# client users install today. v1.0.0's format opens in every DuckDB since 1.0.
STORAGE_VERSION = "v1.0.0"


def _write_duckdb(package: Package, path: Path) -> None:
    con = typed_db.connect(package, write=[path.parent])
    try:
        con.execute(f"ATTACH {lit(str(path))} AS export (STORAGE_VERSION {lit(STORAGE_VERSION)})")
        con.execute("USE export")
        typed_db.build(con, package)
        con.execute("USE memory")
        con.execute("DETACH export")
    finally:
        con.close()


def export_duckdb(package: Package, out: Path) -> list[Path]:
    """A typed .duckdb database readable by DuckDB 1.0 and newer (see STORAGE_VERSION)."""
    target = out / f"{file_name(package.descriptor.get('name', 'package'))}.duckdb"
    return [build_atomic(target, lambda tmp: _write_duckdb(package, tmp))]


def export_parquet(package: Package, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    con = _typed_connection(package, write=out)
    written = []
    for name in package.resources:
        # ENUMs become plain strings so every Parquet reader understands them.
        def copy(tmp: Path, name: str = name) -> None:
            con.execute(f"COPY (SELECT * FROM {q(name)}) TO {lit(str(tmp))} (FORMAT parquet)")

        written.append(build_atomic(out / f"{file_name(name)}.parquet", copy))
    return written


def export_sqlite(package: Package, out: Path) -> list[Path]:
    """A SQLite file with declared types, primary and foreign keys; dates as ISO 8601 text."""
    con = _typed_connection(package)
    target = out / f"{file_name(package.descriptor.get('name', 'package'))}.sqlite"
    return [build_atomic(target, lambda tmp: _write_sqlite(con, package, tmp))]


def _write_sqlite(con, package: Package, path: Path) -> None:
    db = sqlite3.connect(path)
    # SQLite creates the file with its build's default mode (0600 in some builds); the export is
    # shared like the other files it writes.
    os.chmod(path, _readable_mode())
    try:
        for res in package.resources.values():
            cols = [f"{q(f.name)} {SQLITE_TYPES.get(f.type, 'TEXT')}" for f in res.fields]
            if res.primary_key:
                cols.append(f"PRIMARY KEY ({', '.join(q(k) for k in res.primary_key)})")
            for fk in res.foreign_keys:
                cols.append(
                    f"FOREIGN KEY ({', '.join(q(c) for c in fk.fields)}) REFERENCES {q(fk.resource)} "
                    f"({', '.join(q(c) for c in fk.reference_fields)})"
                )
            db.execute(f"CREATE TABLE {q(res.name)} ({', '.join(cols)})")
            select = ", ".join(
                f"strftime({q(f.name)}, '%Y-%m-%d')"
                if f.type == "date"
                else f"{q(f.name)}::VARCHAR"
                if f.enum is not None
                else q(f.name)
                for f in res.fields
            )
            rows = con.execute(f"SELECT {select} FROM {q(res.name)}").fetchall()
            marks = ", ".join("?" for _ in res.fields)
            db.executemany(f"INSERT INTO {q(res.name)} VALUES ({marks})", rows)
        _write_list_tables(con, package, db)
        db.commit()
    finally:
        db.close()


def _write_list_tables(con, package: Package, db: sqlite3.Connection) -> None:
    """The typed database's list views (one row per item of a delimited list, such as
    statements_topics) as tables of the same name and columns: SQLite has no string_split, and
    saved queries join these instead, so that the same SQL runs on both engines."""
    for name, sql in typed_db.list_views(package):
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        db.execute(f"CREATE TABLE {q(name)} ({', '.join(q(c) for c in cols)})")
        marks = ", ".join("?" for _ in cols)
        db.executemany(f"INSERT INTO {q(name)} VALUES ({marks})", cur.fetchall())


def export_claimreview(package: Package, out: Path, site_url: str = "") -> list[Path]:
    """Every claim's verdicts as schema.org ClaimReview, one JSON-LD file (toolkit.site.claimreview)."""
    from toolkit.site.claimreview import export_claimreview as write

    return write(package, out, site_url)


def export(package: Package, fmt: str, out: Path, site_url: str = "") -> list[Path]:
    """Write the export into `out`, a new folder, an empty one or one an export made before; never
    the package's folder, one of its folders or above it (store/outdir: OutputFolderError)."""
    out = check_output_folder(out, package.root, package_paths(package))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # the folder the user named cannot be made
        raise UsageError(f"{out}: cannot create the folder ({exc.strerror})") from None
    mark(out, "export")
    if fmt == "claimreview":
        return export_claimreview(package, out, site_url)
    written = {"duckdb": export_duckdb, "parquet": export_parquet, "sqlite": export_sqlite}[fmt](
        package, out
    )
    if fmt == "sqlite":  # Datasette's metadata.json beside the database
        from toolkit.db.datasette import write_metadata

        written.append(write_metadata(package, written[0]))
    return written
