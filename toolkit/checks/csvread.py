"""Read a CSV file the way contributors send it (often from Excel) into a DuckDB table of text columns.

Structural problems are found here, each with the line it is on: encoding, binary content, separator,
header, ragged and blank rows. A UTF-8 BOM, CRLF line ends and quoted cells with line breaks are
accepted. Cell values are checked later, in SQL (see cells.py).

Two ways in, one result: DuckDB reads a well-formed file at native speed, and the physical line of
each row is then its position + 2. When a file is not that simple (line breaks inside cells, blank or
ragged rows), Python's csv module reads it instead, so that every line number stays exact.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from toolkit.checks.engine import engine
from toolkit.checks.report import Issue
from toolkit.db.sandbox import absolute, create_table
from toolkit.db.sql import lit, q
from toolkit.package.tableschema import Resource

if TYPE_CHECKING:
    import duckdb

LINE = "__line"
ORIGIN = "__origin"
SRC_LINE = "__srcline"
BLANK = b"\xef\xbb\xbf \r\n\t"
OVERLAP = 8 << 20  # bytes; a file this large is scanned while DuckDB loads it (load_csv)
HEAD = 1 << 16  # the first bytes, decoded to find the header (the fast path decodes no more)


@dataclass
class Loaded:
    """What loading one file produced: the issues found, and the table holding its rows.

    `table` holds the file's cells as text in schema order; `line_sql` is the SQL expression giving
    each row's physical line in the file (the header is line 1 unless comment lines precede it).
    """

    issues: list[Issue] = field(default_factory=list)
    rows: int = 0
    fatal: bool = False  # the file could not be read at all; nothing was loaded
    table: str = ""
    line_sql: str = SRC_LINE
    # The SELECT DuckDB read the file with (schema order), when it did (not Python's csv module).
    source_sql: str | None = None


def _issue(code: str, message: str, resource: Resource, label: str, **kw: object) -> Issue:
    return Issue(code=code, message=message, resource=resource.name, file=label, **kw)  # type: ignore[arg-type]


def _decode(data: bytes, resource: Resource, label: str) -> tuple[str | None, list[Issue]]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, [
            _issue(
                "encoding-error", f"{label}: the file is UTF-16, not UTF-8", resource, label, row=1
            )
        ]
    if b"\x00" in data[:65536] or b"\x00" in data[-65536:]:
        return None, [
            _issue(
                "binary-file",
                f"{label}: the file holds binary data (NUL bytes), not CSV text",
                resource,
                label,
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", "replace")) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, [
            _issue(
                "encoding-error",
                f"{label}: line {line}, character {column}: byte 0x{byte} is not valid UTF-8 "
                "(the file looks saved in a legacy encoding such as Windows-1252)",
                resource,
                label,
                row=line,
                value=f"0x{byte}",
            )
        ]
    if "\x00" in text:
        return None, [
            _issue(
                "binary-file",
                f"{label}: the file holds NUL characters, not CSV text",
                resource,
                label,
            )
        ]
    return text, []


def _closest(name: str, candidates: list[str]) -> str | None:
    norm = name.strip().lower().replace(" ", "_").replace("-", "_")
    for c in candidates:
        if c == norm:
            return c
    found = difflib.get_close_matches(norm, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def check_header(header: list[str], resource: Resource, label: str, line: int = 1) -> list[Issue]:
    """Missing, extra, duplicated, blank or misspelt column names, each with the closest expected one."""
    expected = resource.field_names
    issues: list[Issue] = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name.strip() == "":
            issues.append(
                Issue.at(
                    "blank-header",
                    label,
                    line,
                    f"column {i} of the header has no name",
                    resource=resource.name,
                    value=name,
                )
            )
        elif name in seen:
            issues.append(
                Issue.at(
                    "duplicate-header",
                    label,
                    line,
                    f"column {name!r} appears more than once in the header",
                    resource=resource.name,
                    field=name,
                    value=name,
                )
            )
        seen.add(name)
    missing = [n for n in expected if n not in seen]
    for name in header:
        if name.strip() and name not in expected:
            best = _closest(name, missing or expected)
            hint = (
                f"Did you mean {best!r}?" if best else f"Expected columns: {', '.join(expected)}."
            )
            issues.append(
                Issue.at(
                    "extra-header",
                    label,
                    line,
                    f"unknown column {name!r}",
                    resource=resource.name,
                    field=name,
                    value=name,
                    hint=hint,
                )
            )
    for name in missing:
        issues.append(
            Issue.at(
                "missing-header",
                label,
                line,
                f"column {name!r} is missing from the header",
                resource=resource.name,
                field=name,
            )
        )
    return issues


def _sniff_separator(header_line: str, resource: Resource, label: str) -> Issue | None:
    if header_line.count(",") >= 1:
        return None
    for sep, what in ((";", "semicolons"), ("\t", "tabs")):
        if header_line.count(sep) >= 1:
            return _issue(
                "wrong-separator",
                f"{label}: the header is separated by {what}, not commas",
                resource,
                label,
                row=1,
                hint="Save as 'CSV UTF-8 (Comma delimited)'; in a spreadsheet with a comma decimal "
                "separator, change the list separator to a comma first.",
            )
    return None


def load_csv(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    resource: Resource,
    label: str,
) -> Loaded:
    """Load `path` into a new table named `table`: text columns in schema order (see Loaded)."""
    out = Loaded(table=table)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a device or a FIFO: reading it would not end
            out.issues.append(
                _issue(
                    "file-not-found",
                    f"{label}: not a regular file (a device, a pipe or a folder); give a CSV file",
                    resource,
                    label,
                )
            )
            out.fatal = True
            return out
        data, pending = None, None
        if path.stat().st_size >= OVERLAP:
            # A large file: its whole scan (_Facts.of_file) runs while DuckDB loads it. The head
            # alone serves until then; one holding a line end rules out a CR-only file.
            first = _head_with_header(_reader(path))
            if b"\n" in first:
                pending = _Background(lambda: _Facts.of_file(path))
                facts = _Facts(path.stat().st_size, first, -1, b"", False)  # until pending ends
        if pending is None:
            facts = _Facts.of_file(path)
            # Excel's "CSV (Macintosh)" ends lines with CR alone: read it as lines, by the slow path.
            if facts.newlines == 0 and b"\r" in (raw := path.read_bytes()):
                data = raw.replace(b"\r", b"\n")
                facts = _Facts.of_bytes(data)
    except OSError as exc:
        out.issues.append(
            _issue("file-not-found", f"{label}: cannot read ({exc.strerror})", resource, label)
        )
        out.fatal = True
        return out
    head_bytes, whole = facts.head, len(facts.head) == facts.size
    if not head_bytes.strip(BLANK) and whole:
        out.issues.append(_issue("empty-file", f"{label}: the file is empty", resource, label))
        out.fatal = True
        return out
    # The fast path needs only the head decoded: DuckDB itself refuses invalid UTF-8, and any
    # refusal sends the file down the slow path, which decodes it all and names the bad byte.
    head, issues = _decode(head_bytes, resource, label)
    if head is None:
        out.issues, out.fatal = issues, True
        return out
    skip, start = leading_comments(head)
    first_end = head.find("\n", start)
    first_line = head[start : first_end if first_end >= 0 else len(head)].rstrip("\r")
    if not first_line.strip() and whole:
        out.issues.append(
            _issue("empty-file", f"{label}: no header row after the comment lines", resource, label)
        )
        out.fatal = True
        return out
    sep_issue = _sniff_separator(first_line, resource, label)
    if sep_issue and len(resource.fields) > 1:
        sep_issue.row = skip + 1
        out.issues, out.fatal = [sep_issue], True
        return out
    header = next(csv.reader([first_line]), [])
    # A spreadsheet pads every row to its widest (often a '#' line above the header): empty cells
    # after the last named column are padding, not blank column names, nor extra cells.
    named = len(header)
    while named > 1 and header[named - 1] == "":
        named -= 1
    padded, header = named < len(header), header[:named]
    out.issues = check_header(header, resource, label, skip + 1)
    if out.issues:
        out.fatal = True
        return out
    tried = False
    if pending is not None:
        fast = not padded and _load_fast(con, table, path, header, resource, skip)
        try:
            facts = pending.result()
        except OSError as exc:
            con.execute(f"DROP TABLE IF EXISTS {q(table)}")
            out.issues.append(
                _issue("file-not-found", f"{label}: cannot read ({exc.strerror})", resource, label)
            )
            out.fatal = True
            return out
        lines = facts.rows(head, first_end)
        numbered = (
            _rows_are_lines(con, table, lines, resource, skip)
            if fast and lines and not facts.nul
            else None
        )
        if numbered is not None:
            out.line_sql, out.source_sql = numbered, fast_select(path, header, resource, skip)
            out.rows = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0]  # type: ignore[index]
            return out
        con.execute(f"DROP TABLE IF EXISTS {q(table)}")
        tried = True  # not read again by DuckDB: on down the slow path, every fact known
    lines = facts.rows(head, first_end)
    if not lines:  # a header and no rows: an empty table
        cols = ", ".join(f"{q(f.name)} VARCHAR" for f in resource.fields)
        con.execute(f"CREATE TABLE {q(table)} ({cols}, {SRC_LINE} BIGINT)")
        return out
    if data is None and not facts.nul and not padded and not tried:
        numbered = _try_fast(con, table, path, header, resource, skip, lines)
        if numbered is not None:
            out.line_sql, out.source_sql = numbered, fast_select(path, header, resource, skip)
            out.rows = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0]  # type: ignore[index]
            return out
    data = data if data is not None else path.read_bytes()
    text, issues = _decode(data, resource, label)
    if text is None:
        out.issues, out.fatal = issues, True
        return out
    body_start = leading_comments(text)[1]
    rows, structural = _read_slow(
        text[body_start:].rstrip("\r\n") + "\n", header, resource, label, skip, padded
    )
    out.issues += structural
    _store_rows(con, table, header, rows, resource)
    out.rows = len(rows)
    return out


@dataclass
class _Facts:
    """What the fast path must know of a file's bytes, found without holding the whole file."""

    size: int
    head: bytes  # the first bytes (see _head)
    newlines: int  # LF bytes in the whole file
    trailing: bytes  # the CR and LF bytes that end the file: empty lines, not rows
    nul: bool  # a NUL byte anywhere: binary data, for the slow path to name

    @classmethod
    def of_bytes(cls, data: bytes) -> _Facts:
        kept = data.rstrip(b"\r\n")
        head = _head_with_header(lambda n: data[:n])
        return cls(len(data), head, data.count(b"\n"), data[len(kept) :], b"\0" in data)

    @classmethod
    def of_file(cls, path: Path, chunk: int = 1 << 20) -> _Facts:
        # Read in blocks into one buffer: cheaper than allocating, then scanning, a whole copy.
        buf, newlines, nul = bytearray(chunk), 0, False
        with path.open("rb", buffering=0) as fh:
            head = _head_with_header(_reader(fh))
            fh.seek(0)
            while n := fh.readinto(buf):
                newlines += buf.count(b"\n", 0, n)
                nul = nul or buf.find(b"\0", 0, n) >= 0
            size = fh.tell()
            trailing, pos = b"", size
            while pos > 0:  # back from the end, past however many empty lines there are
                start = max(0, pos - 4096)
                fh.seek(start)
                block = fh.read(pos - start)
                kept = block.rstrip(b"\r\n")
                trailing, pos = block[len(kept) :] + trailing, start
                if kept:
                    break
        return cls(size, head, newlines, trailing, nul)

    def rows(self, head: str, first_end: int) -> int:
        """Rows after the header line, which ends at `first_end` of the decoded head (-1: no end),
        were every row one line."""
        if first_end < 0:
            return 0
        bom = 3 if self.head.startswith(codecs.BOM_UTF8) else 0
        body = bom + len(head[: first_end + 1].encode("utf-8"))  # where the data lines start
        if body >= self.size - len(self.trailing):
            return 0
        before = self.head[:body].count(b"\n")
        return self.newlines - before - self.trailing.count(b"\n") + 1


def _head(data: bytes, size: int = HEAD) -> bytes:
    """The first `size` bytes, cut after a line end and never inside a UTF-8 sequence."""
    if len(data) <= size:
        return data
    cut = data.rfind(b"\n", 0, size)
    if cut >= 0:
        return data[: cut + 1]
    while size > 0 and (data[size] & 0xC0) == 0x80:
        size -= 1
    return data[:size]


def _header_end(head: bytes) -> int:
    """Where the header line ends in `head` (past any '#' comment lines), or -1 if beyond it."""
    pos = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    while head.startswith(b"#", pos):
        nl = head.find(b"\n", pos)
        if nl < 0:
            return -1
        pos = nl + 1
    return head.find(b"\n", pos)


def _reader(source: Path | BinaryIO) -> Callable[[int], bytes]:
    """read(n): the first n bytes of the file (an open one, or a path opened for each read)."""
    if isinstance(source, Path):

        def read(n: int) -> bytes:
            with source.open("rb") as fh:
                return fh.read(n)

        return read
    return lambda n: (source.seek(0), source.read(n))[1]


def _head_with_header(read: Callable[[int], bytes]) -> bytes:
    """The file's head (see _head): HEAD bytes, or as many more as hold the comment lines and the
    header line whole, however long (a header of 100,000 columns, 1 MB of comments)."""
    size = HEAD
    while True:
        data = read(size + 1)  # one byte more: enough to cut where _head cuts the whole file
        head = _head(data, size)
        if len(data) <= size or _header_end(head) >= 0:
            return head
        size *= 4


def leading_comments(text: str) -> tuple[int, int]:
    """(number, end offset) of the lines starting with '#' before the header (`template --describe`)."""
    n = pos = 0
    while text.startswith("#", pos):
        nl = text.find("\n", pos)
        if nl < 0:
            return n + 1, len(text)
        n, pos = n + 1, nl + 1
    return n, pos


def read_csv_sql(
    path: Path, header: list[str], skip: int = 0, missing: tuple[str, ...] = ("",)
) -> str:
    """DuckDB's reader for one of the package's CSV files: every column text, nothing guessed;
    the schema's missing values (`missing`, by default only the empty cell) read as NULL.

    Lines over DuckDB's 2 MB default fail (and fall back where that matters); raising the limit
    slows every read, and a valid file's cells hold at most 10,000 characters.
    """
    columns = "{" + ", ".join(f"{lit(h)}: 'VARCHAR'" for h in header) + "}"
    return (
        f"read_csv({lit(absolute(path))}, header=true, auto_detect=false, delim=',', quote='\"', "
        f"escape='\"', skip={skip}, columns={columns}, strict_mode=true{_nullstr(missing)})"
    )


def _nullstr(missing: tuple[str, ...]) -> str:
    # DuckDB reads an empty cell as NULL by default; other missing values must be named.
    if tuple(missing) == ("",):
        return ""
    return f", nullstr=[{', '.join(lit(v) for v in missing)}]"


def _try_fast(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    header: list[str],
    resource: Resource,
    skip: int,
    lines: int,
) -> str | None:
    """Let DuckDB read the file when its rows account for every line (see _rows_are_lines); the
    SQL of a row's line, or None for 'use the slow path'.

    DuckDB keeps the file's row order in the new table (insertion order is preserved), so a row's
    line is its rowid + 2 (+ any comment lines), provided it read one row per line: a blank line
    (which DuckDB skips) or a cell holding a line break makes the counts differ.
    """
    if not _load_fast(con, table, path, header, resource, skip):
        return None
    return _rows_are_lines(con, table, lines, resource, skip)


def _load_fast(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    header: list[str],
    resource: Resource,
    skip: int,
) -> bool:
    """DuckDB's read of the file into `table`; False (and no table) if DuckDB refuses it."""
    try:
        con.execute(f"CREATE TABLE {q(table)} AS {fast_select(path, header, resource, skip)}")
    except engine().Error:
        con.execute(f"DROP TABLE IF EXISTS {q(table)}")
        return False
    return True


def fast_select(path: Path, header: list[str], resource: Resource, skip: int) -> str:
    """The SELECT of the file's rows, every column text in schema order, that DuckDB reads it by."""
    cols = ", ".join(f'"{f.name}"' for f in resource.fields)
    return f"SELECT {cols} FROM {read_csv_sql(path, header, skip, resource.missing_values)}"


def _rows_are_lines(
    con: duckdb.DuckDBPyConnection, table: str, lines: int, resource: Resource, skip: int
) -> str | None:
    """The SQL of each row's line in the file, if DuckDB's rows account for every line: one row per
    line (the line is the row's position), or rows whose quoted cells hold line breaks, which are
    then counted in SQL (see _number_rows). None (and the table dropped) otherwise: a blank line,
    which DuckDB skips, or a carriage return inside a cell, which the slow path counts its own way."""
    count = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0]  # type: ignore[index]
    if count == lines:
        return f"rowid + {skip + 2}"
    if count < lines and _number_rows(con, table, resource, lines - count, skip):
        return SRC_LINE
    con.execute(f"DROP TABLE IF EXISTS {q(table)}")
    return None


def _number_rows(
    con: duckdb.DuckDBPyConnection, table: str, resource: Resource, extra: int, skip: int
) -> bool:
    """Give the rows of `table` their lines, when the line breaks inside their cells (no carriage
    returns) are exactly the `extra` lines of the file: a row starts after the rows before it and
    the line breaks inside their cells. False (the table untouched) if they are not.

    The rows stay where DuckDB put them: the table is renamed `<table>__rows`, a narrow table
    `<table>__lines` holds each row's line, and `table` becomes a view that puts the two side by
    side (a positional join). Copying every cell again to add one column would cost more than the
    read itself.
    """
    cols = [q(f.name) for f in resource.fields]
    found = con.execute(
        "SELECT "
        + ", ".join(f"bool_or(contains({c}, chr(10)))" for c in cols)
        + ", bool_or("
        + " OR ".join(f"contains({c}, chr(13))" for c in cols)
        + f") FROM {q(table)}"
    ).fetchone()
    if not found or found[-1]:
        return False
    broken = [c for c, has in zip(cols, found, strict=False) if has]
    if not broken:
        return False
    # Line breaks in a cell: its length less its length without them (bytes, which is cheaper).
    breaks = " + ".join(
        f"coalesce(strlen({c}) - strlen(replace({c}, chr(10), '')), 0)" for c in broken
    )
    rows, lines = f"{table}__rows", f"{table}__lines"
    con.execute(
        f"CREATE TABLE {q(lines)} AS SELECT r + {skip + 2} + coalesce(sum(b) OVER (ORDER BY r "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS {SRC_LINE}, b "
        f"FROM (SELECT rowid AS r, {breaks} AS b FROM {q(table)}) ORDER BY r"
    )
    total = con.execute(f"SELECT sum(b) FROM {q(lines)}").fetchone()
    if not total or total[0] != extra:
        con.execute(f"DROP TABLE {q(lines)}")
        return False
    con.execute(f"ALTER TABLE {q(table)} RENAME TO {q(rows)}")
    con.execute(
        f"CREATE VIEW {q(table)} AS SELECT r.*, n.{SRC_LINE} FROM {q(rows)} r "
        f"POSITIONAL JOIN (SELECT {SRC_LINE} FROM {q(lines)}) n"
    )
    return True


class _Background:
    """A function run on a thread of its own; `result()` waits for it (and raises what it raised).
    DuckDB releases Python's lock while it reads a file, so the two really run together."""

    def __init__(self, fn: Callable[[], _Facts]) -> None:
        self._fn = fn
        self._value: _Facts | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed to the thread that waits
            self._error = exc

    def result(self) -> _Facts:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _read_slow(
    text: str, header: list[str], resource: Resource, label: str, skip: int, padded: bool = False
) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    csv.field_size_limit(sys.maxsize)  # sizes are checked per cell, with a clear message
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows: list[tuple[int, list[str]]] = []
    issues: list[Issue] = []
    prev = reader.line_num + skip
    width = len(header)
    for cells in reader:
        line, prev = prev + 1, reader.line_num + skip
        if padded and len(cells) > width and not any(cells[width:]):
            cells = cells[:width]  # the spreadsheet's padding (see load_csv)
        if not cells or all(c == "" for c in cells):
            issues.append(
                _issue("blank-row", f"{label}: line {line} is blank", resource, label, row=line)
            )
        elif len(cells) > width:
            issues.append(
                _issue(
                    "extra-cell",
                    f"{label}: line {line} has {len(cells)} cells; the header has {width}",
                    resource,
                    label,
                    row=line,
                    value=cells[width],
                )
            )
        elif len(cells) < width:
            issues.append(
                _issue(
                    "missing-cell",
                    f"{label}: line {line} has {len(cells)} cells; the header has {width}",
                    resource,
                    label,
                    row=line,
                    field=header[len(cells)],
                )
            )
        else:
            rows.append((line, cells))
    return rows, issues


def _store_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    resource: Resource,
) -> None:
    import pyarrow as pa

    index = {h: i for i, h in enumerate(header)}
    missing = set(resource.missing_values)
    arrays = {
        f.name: pa.array(
            [None if c[index[f.name]] in missing else c[index[f.name]] for _, c in rows],
            pa.string(),
        )
        for f in resource.fields
    }
    arrays[SRC_LINE] = pa.array([line for line, _ in rows], pa.int64())
    create_table(con, table, arrays)
