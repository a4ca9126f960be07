"""A package CSV file in DuckDB, cell for cell as Python's csv module reads it, and written back in
the canonical form (`add`'s output: UTF-8, LF line ends, the header in schema order, csv.writer's
minimal quoting), all in SQL: no Python loop over the rows of a well-formed file.

Reading. DuckDB reads the file (every column text, nothing guessed, strict RFC 4180) when it reads
it as the csv module does. Where the two differ, Python's csv module reads the file instead, as
`add` always did, so that the merged file never depends on which reader read it:

- a file DuckDB refuses (a quote inside an unquoted cell's end, a line over 2 MB, mixed line ends,
  rows of another width than the header, invalid UTF-8);
- a quote, a bare carriage return, or another line end than the header's among the '#' comment
  lines before the header: DuckDB skips lines as CSV rows (a quote there can swallow the whole
  file), the csv module as text lines, and DuckDB reads no row at all after comment lines ended by
  LF and a header and rows by CRLF;
- no row read from a file that holds some text after its header (a safety net for the above).

One difference is kept on purpose: spaces between a delimiter and an opening quote, or between a
closing quote and a delimiter, are dropped as DuckDB drops them (`1, "x, y"` holds `x, y`; the csv
module would read ` "x` and ` y"`, two cells). `check` reads the file with DuckDB too, so the rows
merged are the rows judged: the csv module's reading would write cells no check has seen.

Each table holds the file's rows in file order: `__rn` (0, 1, ...) and one text column per schema
field, in schema order, '' for an empty cell (never NULL). Rows whose cells are all empty are
skipped, as the csv-module reader always skipped them.

Writing. Each row's line is built in SQL as csv.writer builds it: a cell holding a comma, a quote
or a line feed is quoted (quotes doubled); a row holding a carriage return (which csv.writer does
not quote, and a reader would end the row at) is quoted whole; a lone empty cell is `""`. DuckDB
then writes the lines unquoted (QUOTE ''), the header line as the column's name.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.checks.csvread import leading_comments
from toolkit.checks.engine import engine
from toolkit.db.sandbox import absolute, create_table
from toolkit.db.sql import lit, q
from toolkit.package.tableschema import Resource

if TYPE_CHECKING:
    import duckdb

RN = "__rn"
HEAD = 1 << 16


def col(i: int) -> str:
    """The name of the table column holding the schema's i-th field."""
    return f"__c{i}"


def _header(path: Path) -> tuple[list[str], int] | None:
    """The header's cells and the number of '#' comment lines before it, read from the file's
    head as the csv module reads it; None when DuckDB could not be trusted to find the same rows
    (see the module's doc) or the head is not UTF-8."""
    size = HEAD
    while True:
        with path.open("rb") as fh:
            data = fh.read(size + 1)
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(data[:size], final=False)
        except UnicodeDecodeError:
            return None
        skip, start = leading_comments(text)
        if text.find("\n", start) >= 0 or len(data) <= size:
            break
        size *= 4
    comments, end = text[:start], text.find("\n", start)
    if (
        comments
        and (
            '"' in comments
            or "\r" in comments.replace("\r\n", "")
            # Comment lines ended otherwise than the header line (LF, CRLF): DuckDB then reads no row.
            or (text[end - 1 : end] == "\r") != ("\r\n" in comments)
            or (text[end - 1 : end] == "\r" and comments.count("\n") != comments.count("\r\n"))
        )
    ):
        return None
    csv.field_size_limit(sys.maxsize)
    header = next(csv.reader(io.StringIO(text[start:], newline="")), [])
    return header, skip


def load(con: duckdb.DuckDBPyConnection, table: str, path: Path, resource: Resource) -> bool:
    """Create `table` holding the rows of `path` (see the module's doc); True if DuckDB read it,
    False if the csv module did."""
    found = _header(path)
    if found is not None and all(f in found[0] for f in resource.field_names):
        if _read_with_duckdb(con, table, path, resource, *found):
            return True
    _load_with_csv_module(con, table, path, resource)
    return False


def _none_but_text_follows(con: duckdb.DuckDBPyConnection, rows: str, path: Path) -> bool:
    """Whether DuckDB read no row into `rows` although the file holds text after its header line
    (the file is then read at most twice: it has no rows, or too few to cost anything)."""
    if con.execute(f"SELECT count(*) FROM {rows}").fetchone() != (0,):
        return False
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    body = text[leading_comments(text)[1] :]
    return bool(body.partition("\n")[2].strip("\r\n"))


def _read_with_duckdb(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    resource: Resource,
    header: list[str],
    skip: int,
) -> bool:
    """DuckDB's read of the file into `table`; False (and no table) if DuckDB refuses it."""
    where = [header.index(f) for f in resource.field_names]
    columns = "{" + ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(len(header))) + "}"
    cells = ", ".join(f"coalesce(c{w}, '') AS {col(i)}" for i, w in enumerate(where))
    blank = " AND ".join(f"c{i} IS NULL" for i in range(len(header)))
    rows = q(table + "__read")
    try:
        con.execute(
            f"CREATE TABLE {rows} AS SELECT {cells} FROM read_csv({lit(absolute(path))}, "
            f"header=false, skip={skip + 1}, auto_detect=false, delim=',', quote='\"', "
            f"escape='\"', columns={columns}, strict_mode=true) WHERE NOT ({blank})"
        )
    except engine().Error:
        con.execute(f"DROP TABLE IF EXISTS {rows}")
        return False
    if _none_but_text_follows(con, rows, path):
        con.execute(f"DROP TABLE {rows}")
        return False
    # Inserted in file order, so a row's rowid is its place in the file.
    names = ", ".join(col(i) for i in range(len(where)))
    con.execute(f"CREATE VIEW {q(table)} AS SELECT rowid AS {RN}, {names} FROM {rows}")
    return True


def read_rows(path: Path, resource: Resource) -> list[list[str]]:
    """Rows of a structurally valid CSV as the csv module reads them (BOM, CRLF, '#' comment lines
    accepted), each a list of its cells in schema column order, whatever the file's column order;
    blank rows are skipped. The slow path of `load`, for the files DuckDB would read otherwise."""
    # Decoded as is: reading as text would turn a CR inside a quoted cell into LF.
    text = path.read_bytes().decode("utf-8-sig")
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text[leading_comments(text)[1] :], newline=""))
    header = next(reader, [])
    where = [header.index(f) for f in resource.field_names]  # the file was checked: all there
    return [[cells[i] if i < len(cells) else "" for i in where] for cells in reader if any(cells)]


def _load_with_csv_module(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, resource: Resource
) -> None:
    import pyarrow as pa

    rows = read_rows(path, resource)
    arrays = {RN: pa.array(range(len(rows)), pa.int64())}
    for i in range(len(resource.field_names)):
        arrays[col(i)] = pa.array([r[i] for r in rows], pa.string())
    create_table(con, table, arrays)


def header_line(resource: Resource) -> str:
    """The header as csv.writer writes it, without its line end."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(resource.field_names)
    return out.getvalue()


def line_sql(n: int, alias: str = "") -> str:
    """SQL of a row's line (no line end) as csv.writer writes it, from the columns col(0..n-1)."""
    cells = [f"{alias}{col(i)}" for i in range(n)]

    def quoted(c: str) -> str:
        return f"('\"' || replace({c}, '\"', '\"\"') || '\"')"

    def minimal(c: str) -> str:
        needs = f"(contains({c}, ',') OR contains({c}, '\"') OR contains({c}, chr(10)))"
        if n == 1:  # csv.writer quotes a row's only cell when it is empty
            needs = f"({needs} OR {c} = '')"
        return f"CASE WHEN {needs} THEN {quoted(c)} ELSE {c} END"

    cr = " OR ".join(f"contains({c}, chr(13))" for c in cells)
    whole = " || ',' || ".join(quoted(c) for c in cells)
    minimal_line = " || ',' || ".join(minimal(c) for c in cells)
    return f"CASE WHEN {cr} THEN {whole} ELSE {minimal_line} END"


def has_carriage_return(con: duckdb.DuckDBPyConnection, tables: list[str], n: int) -> bool:
    """Whether a cell of the tables (columns col(0..n-1)) holds a carriage return."""
    cr = " OR ".join(f"contains({col(i)}, chr(13))" for i in range(n))
    found = con.execute(
        "SELECT " + " OR ".join(f"(SELECT bool_or({cr}) FROM {q(t)})" for t in tables)
    ).fetchone()
    return bool(found and found[0])


def copy_csv(
    con: duckdb.DuckDBPyConnection,
    select: str,
    resource: Resource,
    to: Path,
    lines: bool,
) -> None:
    """Write `select`'s rows, in its order, to `to`, canonical: with the header of `resource`.

    `select` gives the columns col(0..n-1), in schema order. With `lines`, each row's line is
    built in SQL (line_sql: the rows holding a carriage return need it); else DuckDB's own writer
    writes them, which quotes as csv.writer does a cell holding a comma, a quote or a line feed
    (and a carriage return, which no row then holds), and an empty cell, which it is given as
    NULL to write unquoted.
    """
    n = len(resource.field_names)
    if lines:
        query = f"SELECT {line_sql(n)} AS {q(header_line(resource))} FROM ({select})"
        options = "HEADER true, QUOTE ''"
    else:
        cells = ", ".join(
            f"nullif({col(i)}, '') AS {q(name)}" for i, name in enumerate(resource.field_names)
        )
        query = f"SELECT {cells} FROM ({select})"
        options = "HEADER true, COMMENT ''"  # else DuckDB quotes a cell holding a '#' too
    con.execute(f"COPY ({query}) TO {lit(absolute(to))} (FORMAT csv, DELIMITER ',', {options})")
