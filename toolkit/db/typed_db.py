"""Build a typed DuckDB database from the package: the base of `query`'s cache and of `export`.

Column types come from the Table Schemas (DATE, BIGINT, BOOLEAN, ENUM for enum fields), primary keys
are declared (after loading: see add_primary_keys), and each column carries its schema description
as a comment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.checks.cells import sql_type, typed_expr
from toolkit.checks.csvread import read_csv_sql
from toolkit.checks.hints import delimited_list
from toolkit.db.sql import lit, q
from toolkit.errors import InvalidDataError
from toolkit.package.tableschema import Field, Package, Resource

if TYPE_CHECKING:
    import duckdb


class BuildError(InvalidDataError):
    """The data cannot be loaded into typed tables (the package is invalid)."""


def data_files(package: Package) -> list[Path]:
    """The files `build` reads: the package's data files, and no other."""
    return [package.root / res.path for res in package.resources.values()]


def connect(
    package: Package, database: str | Path = ":memory:", write: list[Path] | None = None
) -> Any:
    """A DuckDB connection that can read the package's data files and nothing else (db/sandbox),
    and write only into the folders in `write`."""
    from toolkit.checks.engine import MEMORY_LIMIT
    from toolkit.db import sandbox

    return sandbox.connect(
        database, read=data_files(package), write=write or [], memory=MEMORY_LIMIT
    )


def enum_type(resource: Resource, f: Field) -> str:
    return q(f"{resource.name}__{f.name}")


def column_type(resource: Resource, f: Field) -> str:
    return enum_type(resource, f) if f.enum is not None and f.type == "string" else sql_type(f)


def create_types(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """The ENUM type of every enum field."""
    for res in package.resources.values():
        for f in res.fields:
            if f.enum is not None and f.type == "string":
                con.execute(
                    f"CREATE TYPE {enum_type(res, f)} AS ENUM ({', '.join(lit(v) for v in f.enum)})"
                )


def create_tables(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    create_types(con, package)
    for res in package.resources.values():
        # The primary key is declared once the rows are in (see add_primary_keys).
        cols = [f"{q(f.name)} {column_type(res, f)}" for f in res.fields]
        con.execute(f"CREATE TABLE {q(res.name)} ({', '.join(cols)})")
        con.execute(f"COMMENT ON TABLE {q(res.name)} IS {lit(res.description)}")
        for f in res.fields:
            con.execute(f"COMMENT ON COLUMN {q(res.name)}.{q(f.name)} IS {lit(f.description)}")


def load_tables(con: duckdb.DuckDBPyConnection, package: Package) -> dict[str, int]:
    """Fill the typed tables from the CSV files; returns the row count of each."""
    import duckdb

    counts = {}
    for res in package.resources.values():
        try:
            con.execute(f"INSERT INTO {q(res.name)} {typed_select(package, res)}")
        except duckdb.Error as exc:
            raise build_error(res, exc) from None
        counts[res.name] = con.execute(f"SELECT count(*) FROM {q(res.name)}").fetchone()[0]  # type: ignore[index]
    return counts


def typed_select(package: Package, res: Resource) -> str:
    """SELECT of the resource's rows, read from its CSV file, in their declared types; a cell
    that is not of its type stops it (see _strict)."""
    source = read_csv_sql(package.root / res.path, res.field_names, 0, res.missing_values)
    exprs = ", ".join(f"({_strict(f)})::{column_type(res, f)} AS {q(f.name)}" for f in res.fields)
    return f"SELECT {exprs} FROM {source}"


def check_primary_key(con: duckdb.DuckDBPyConnection, res: Resource, relation: str) -> None:
    """Raise BuildError if `relation` (the resource's typed rows) holds an empty or repeated
    primary key: what declaring the key (add_primary_keys) refuses, for rows kept elsewhere."""
    if not res.primary_key:
        return
    cols = ", ".join(f"{q(k)}::VARCHAR" for k in res.primary_key)
    empty = " OR ".join(f"{q(k)} IS NULL" for k in res.primary_key)
    found = con.execute(
        f"SELECT [{cols}], count(*) FROM {relation} GROUP BY ALL "
        f"HAVING count(*) > 1 OR bool_or({empty}) LIMIT 1"
    ).fetchone()
    if found:
        shown = ", ".join(f"{k}: {v}" for k, v in zip(res.primary_key, found[0], strict=True))
        raise build_error(res, Exception(f"primary key ({shown}) is empty or repeated"))


# Rows up to which a table's primary key is declared. Its index is built in memory, outside the
# limit DuckDB spills beyond: at 13 million votes it alone needs about 2 GB. A larger table's key is
# checked (no empty or repeated key) but not declared, and its comment says so.
KEY_INDEX_ROWS = 5_000_000


def add_primary_keys(
    con: duckdb.DuckDBPyConnection, package: Package, counts: dict[str, int] | None = None
) -> None:
    """Declare each table's primary key (see KEY_INDEX_ROWS). Building its index once the rows
    are in is much cheaper than keeping it up to date row by row."""
    import duckdb

    for res in package.resources.values():
        if not res.primary_key:
            continue
        rows = (counts or {}).get(res.name, 0)
        if rows > KEY_INDEX_ROWS:
            check_primary_key(con, res, q(res.name))
            con.execute(
                f"COMMENT ON TABLE {q(res.name)} IS "
                + lit(
                    f"{res.description} Primary key ({', '.join(res.primary_key)}): checked, "
                    f"not declared (over {KEY_INDEX_ROWS:,} rows its index would not fit "
                    "the memory the toolkit allows)."
                )
            )
            continue
        try:
            con.execute(
                f"ALTER TABLE {q(res.name)} ADD PRIMARY KEY "
                f"({', '.join(q(k) for k in res.primary_key)})"
            )
        except duckdb.Error as exc:
            raise build_error(res, exc) from None


def _strict(f: Field) -> str:
    """The field's typed value; a cell that is not of the type stops the load (typed_expr alone
    would make it NULL, and an analyst would count it as missing)."""
    if sql_type(f) == "VARCHAR":
        return typed_expr(f)
    c = q(f.name)
    wrong = f"error({lit(f.name + ' ')} || {c} || {lit(' is not ' + f.allowed)})"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce({typed_expr(f)}, {wrong}) END"


def build_error(res: Resource, exc: Exception) -> BuildError:
    return BuildError(
        f"{res.path} cannot be loaded into typed tables ({str(exc).splitlines()[0]}); "
        "run `csto-alignment validate` to see what is wrong"
    )


def list_views(package: Package) -> list[tuple[str, str]]:
    """(view name, SQL) of a view per delimited-list column (a pattern such as `^(a|b)(;(a|b))*$`,
    as `statements.topics`): one row per item, keyed by the row's primary key, so that
    `WHERE topic = 'nato-enlargement'` matches that topic exactly (a LIKE on the list does not)."""
    views = []
    for res in package.resources.values():
        for f in res.fields:
            listed = delimited_list(f.pattern)
            if listed is None or not res.primary_key:
                continue
            item = f.name[:-1] if f.name.endswith("s") else f"{f.name}_item"
            keys = ", ".join(q(k) for k in res.primary_key)
            views.append(
                (
                    f"{res.name}_{f.name}",
                    f"SELECT {keys}, unnest(string_split({q(f.name)}, {lit(listed[0])})) "
                    f"AS {q(item)} FROM {q(res.name)} WHERE {q(f.name)} IS NOT NULL",
                )
            )
    return views


def create_list_views(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    for name, sql in list_views(package):
        con.execute(f"CREATE VIEW {q(name)} AS {sql}")
        con.execute(
            f"COMMENT ON VIEW {q(name)} IS "
            + lit(f"One row per item of a delimited list column: {sql.split(' FROM ')[-1]}.")
        )


def build(con: duckdb.DuckDBPyConnection, package: Package) -> dict[str, int]:
    create_tables(con, package)
    counts = load_tables(con, package)
    add_primary_keys(con, package, counts)
    create_list_views(con, package)
    return counts
