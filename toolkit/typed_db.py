"""Build a typed DuckDB database from the package: the base of `query`'s cache and of `export`.

Column types come from the Table Schemas (DATE, BIGINT, BOOLEAN, ENUM for enum fields), primary keys
are declared, and each column carries its schema description as a comment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.checks import sql_type, typed_expr
from toolkit.csvread import read_csv_sql
from toolkit.sql import lit, q
from toolkit.tableschema import Field, Package, Resource

if TYPE_CHECKING:
    import duckdb


class BuildError(Exception):
    """The data cannot be loaded into typed tables (the package is invalid)."""


def enum_type(resource: Resource, f: Field) -> str:
    return q(f"{resource.name}__{f.name}")


def column_type(resource: Resource, f: Field) -> str:
    return enum_type(resource, f) if f.enum is not None and f.type == "string" else sql_type(f)


def create_tables(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    for res in package.resources.values():
        for f in res.fields:
            if f.enum is not None and f.type == "string":
                con.execute(
                    f"CREATE TYPE {enum_type(res, f)} AS ENUM ({', '.join(lit(v) for v in f.enum)})"
                )
        cols = [f"{q(f.name)} {column_type(res, f)}" for f in res.fields]
        if res.primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(q(k) for k in res.primary_key)})")
        con.execute(f"CREATE TABLE {q(res.name)} ({', '.join(cols)})")
        con.execute(f"COMMENT ON TABLE {q(res.name)} IS {lit(res.description)}")
        for f in res.fields:
            con.execute(f"COMMENT ON COLUMN {q(res.name)}.{q(f.name)} IS {lit(f.description)}")


def load_tables(con: duckdb.DuckDBPyConnection, package: Package) -> dict[str, int]:
    """Fill the typed tables from the CSV files; returns the row count of each."""
    import duckdb

    counts = {}
    for res in package.resources.values():
        source = read_csv_sql(package.root / res.path, res.field_names)
        exprs = ", ".join(f"({typed_expr(f)})::{column_type(res, f)}" for f in res.fields)
        try:
            con.execute(f"INSERT INTO {q(res.name)} SELECT {exprs} FROM {source}")
        except duckdb.Error as exc:
            raise BuildError(
                f"{res.path} cannot be loaded into typed tables ({str(exc).splitlines()[0]}); "
                "run `csto-alignment validate` to see what is wrong"
            ) from None
        counts[res.name] = con.execute(f"SELECT count(*) FROM {q(res.name)}").fetchone()[0]  # type: ignore[index]
    return counts


def build(con: duckdb.DuckDBPyConnection, package: Package) -> dict[str, int]:
    create_tables(con, package)
    return load_tables(con, package)
