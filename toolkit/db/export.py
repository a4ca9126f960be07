"""Export the package for other tools: a typed .duckdb database, Parquet files, or a SQLite file."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from toolkit.checks.engine import remove_temp, spill_to_temp
from toolkit.db import typed_db
from toolkit.db.sql import lit, q
from toolkit.errors import UsageError
from toolkit.package.tableschema import Package
from toolkit.store.fileio import build_atomic

SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def _readable_mode() -> int:
    """0644 less the umask: the mode of every other file the toolkit writes."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _typed_connection(package: Package, spill: list[Path]):
    """An in-memory typed database of the package; it spills to a temporary folder (appended to
    `spill`, for the caller to remove) rather than hold a large package in memory."""
    import duckdb

    con = duckdb.connect(":memory:")
    spill.append(spill_to_temp(con))
    typed_db.build(con, package)
    return con


# The storage format the .duckdb export is written in. DuckDB reads older formats but not newer
# ones: a file in the engine's own format (69 for duckdb 2.0) does not open in the 1.5 command-line
# client users install today. v1.0.0's format opens in every DuckDB since 1.0.
STORAGE_VERSION = "v1.0.0"


def _write_duckdb(package: Package, path: Path) -> None:
    import duckdb

    con = duckdb.connect(":memory:")
    spill = spill_to_temp(con)
    try:
        con.execute(f"ATTACH {lit(str(path))} AS export (STORAGE_VERSION {lit(STORAGE_VERSION)})")
        con.execute("USE export")
        typed_db.build(con, package)
        con.execute("USE memory")
        con.execute("DETACH export")
    finally:
        con.close()
        remove_temp(spill)


def export_duckdb(package: Package, out: Path) -> list[Path]:
    """A typed .duckdb database readable by DuckDB 1.0 and newer (see STORAGE_VERSION)."""
    target = out / f"{package.descriptor.get('name', 'package')}.duckdb"
    return [build_atomic(target, lambda tmp: _write_duckdb(package, tmp))]


def export_parquet(package: Package, out: Path) -> list[Path]:
    """One Parquet file per resource, typed as in `query` (ENUMs become plain strings so that
    every Parquet reader understands them). Each CSV is read and written in one streaming pass:
    no table is built, so a large package needs little memory. Every file is written before any
    is put in place: an invalid resource leaves the folder as it was."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    spill = spill_to_temp(con)
    staged: list[tuple[Path, Path]] = []
    try:
        typed_db.create_types(con, package)
        for res in package.resources.values():
            target = out / f"{res.name}.parquet"
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out)
            os.close(fd)
            staged.append((Path(name), target))
            try:
                con.execute(
                    f"COPY ({typed_db.typed_select(package, res)}) TO {lit(name)} (FORMAT parquet)"
                )
            except duckdb.Error as exc:
                raise typed_db.build_error(res, exc) from None
            typed_db.check_primary_key(con, res, f"read_parquet({lit(name)})")
        for tmp, target in staged:
            os.chmod(tmp, _readable_mode())  # mkstemp makes 0600 files
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        con.close()
        remove_temp(spill)
    return [target for _, target in staged]


def export_sqlite(package: Package, out: Path) -> list[Path]:
    """A SQLite file with declared types, primary and foreign keys; dates as ISO 8601 text."""
    spill: list[Path] = []
    try:
        con = _typed_connection(package, spill)
        target = out / f"{package.descriptor.get('name', 'package')}.sqlite"
        written = [build_atomic(target, lambda tmp: _write_sqlite(con, package, tmp))]
        con.close()
    finally:
        for folder in spill:
            remove_temp(folder)
    return written


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
        db.commit()
    finally:
        db.close()


def export(package: Package, fmt: str, out: Path) -> list[Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # the folder the user named cannot be made
        raise UsageError(f"{out}: cannot create the folder ({exc.strerror})") from None
    written = {"duckdb": export_duckdb, "parquet": export_parquet, "sqlite": export_sqlite}[fmt](
        package, out
    )
    if fmt == "sqlite":  # Datasette's metadata.json beside the database
        from toolkit.db.datasette import write_metadata

        written.append(write_metadata(package, written[0]))
    return written
