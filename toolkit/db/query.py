"""Where analysts' SQL runs: a typed, read-only DuckDB database over the package, cached by content.

The cache is a .duckdb file in the user's cache folder (`$CSTO_ALIGNMENT_CACHE`, else
`$XDG_CACHE_HOME/csto-alignment`, else `~/.cache/csto-alignment`), never in the package: a branch can
commit any file of the package, and a cache planted there would be trusted. Its name records the
package's folder and the sha256 of the descriptor, the schemas and every data file (and the toolkit
version), so it is rebuilt whenever any of them changes and is never stale. Queries run on a
read-only connection with external access disabled and the configuration locked (db/sandbox): no
statement can change the data, write or read a file, attach a database, install or load an
extension, or turn these settings back.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.checks.engine import SIZE, size_in_bytes
from toolkit.errors import EXIT_INTERRUPTED, InvalidDataError, ToolkitError, UsageError
from toolkit.package.tableschema import Package
from toolkit.store.fileio import build_atomic, files_digest

CACHE_ENV = "CSTO_ALIGNMENT_CACHE"  # the folder of the typed query caches (see the module's doc)


class QueryError(UsageError):
    """The SQL is wrong or refused; the message says what and, where it can, what exists."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    cache_built: bool = False
    left_out: int = 0  # rows beyond the row limit, counted but not fetched
    more: bool = False  # more than `left_out` rows were left out: counting stopped at COUNTED


def content_key(package: Package) -> str:
    """sha256 over the toolkit version, the descriptor, the schemas and the data files."""
    files = [package.root / "datapackage.json"]
    for res in package.resources.values():
        files += [package.root / res.schema_path] if res.schema_path else []
        files.append(package.root / res.path)
    return files_digest(package.root, files, seed=__version__)[:20]


def cache_folder() -> Path:
    """The folder of the typed query caches, made private (0700) if missing; never the package's."""
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "csto-alignment"
    )
    folder = Path(base)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(
            f"{folder}: cannot make the query cache's folder ({exc.strerror}); set {CACHE_ENV} "
            "to a folder you can write"
        ) from None
    return folder


def cache_path(package: Package) -> tuple[Path, bool]:
    """The typed database for the package's current content, built if missing; (path, built now)."""
    from toolkit.db import typed_db

    folder = cache_folder()
    place = hashlib.sha256(str(package.root.resolve()).encode()).hexdigest()[:12]
    path = folder / f"query-{place}-{content_key(package)}.duckdb"
    if path.is_file() and not path.is_symlink():
        return path, False

    _refuse_invalid(package)

    def build(tmp: Path) -> None:
        con = typed_db.connect(package, tmp)
        try:
            typed_db.build(con, package)
        finally:
            con.close()

    build_atomic(path, build)
    for old in folder.glob(f"query-{place}-*.duckdb"):
        if old != path:
            old.unlink(missing_ok=True)
    return path, True


def _refuse_attach(con, sql: str) -> None:
    """External access is off, but DuckDB still lets a query attach the database it has open
    (the cache itself): attaching and detaching are refused by the statement's type."""
    import duckdb

    try:
        kinds = {str(s.type).rsplit(".", 1)[-1] for s in con.extract_statements(sql)}
    except duckdb.Error:
        return  # not SQL: running it reports the error
    if kinds & {"ATTACH", "DETACH"}:
        raise QueryError("refused: queries may not attach or detach databases")


def _refuse_invalid(package: Package) -> None:
    """Only a package that passes `validate` (every check, foreign keys and recorded hashes
    included) is queried. The cache is named by the digest of the files validated, so a package
    is validated once per change of its content, not on every query."""
    from toolkit.checks.validate import validate_package

    report = validate_package(package.root, package)
    if report.valid:
        return
    first = report.errors[0]
    message = first.message if len(first.message) <= 300 else first.message[:300] + "..."
    raise InvalidDataError(
        f"the package is not valid, so it is not queried ({len(report.errors)} error(s); the "
        f"first: [{first.code}] {message}); run `csto-alignment validate` to see them all"
    )


def connect_read_only(package: Package, memory: str | None = None):
    from toolkit.db import sandbox

    if memory is not None and not MEMORY.fullmatch(memory):  # checked by the command line too
        raise UsageError(f"--memory {memory!r} is not a size such as 512MB or 4GB")
    path, built = cache_path(package)
    return sandbox.connect(path, read_only=True, memory=memory), built


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


# A statement with nothing but blanks, semicolons and comments: nothing to run.
NO_SQL = re.compile(r"(\s|;|--[^\n]*(\n|$)|/\*.*?\*/)*", re.S)
MEMORY = SIZE  # what --memory accepts


@dataclass
class Limits:
    """What one query may use; the command line's --timeout, --memory and --limit."""

    timeout: float | None = 30.0  # seconds of wall-clock time; None: no limit
    memory: str | None = "2GB"  # DuckDB's memory_limit; None: DuckDB's default (80% of RAM)
    rows: int | None = None  # rows fetched; the rest are only counted (QueryResult.left_out)


class QueryStopped(UsageError):
    """The query reached a limit the user can raise (--timeout, --memory)."""


class QueryInterrupted(ToolkitError):
    """Ctrl-C: the query was stopped at the user's request."""

    exit_code = EXIT_INTERRUPTED


COUNTED = 1_000_000  # rows beyond --limit counted at most; past it, "more than"
BATCH = 10_000  # rows fetched at a time: the result streams, it is never held whole by DuckDB


def _resident() -> int | None:
    """This process's resident memory in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _fetch(
    cur, limit: int | None, memory: str | None = None
) -> tuple[list[tuple[Any, ...]], int, bool]:
    """The first `limit` rows (all with None), how many more there were (counted up to COUNTED)
    and whether there were more still. The result streams from DuckDB in batches: with a limit,
    only the rows shown are kept; without one, the rows kept may grow the process by no more than
    the memory limit (QueryStopped)."""
    if limit is not None:
        rows = cur.fetchmany(limit)
        left = 0
        while left < COUNTED and (batch := cur.fetchmany(min(BATCH * 10, COUNTED - left))):
            left += len(batch)
        return rows, left, left >= COUNTED and bool(cur.fetchmany(1))
    budget, start = size_in_bytes(memory), _resident()
    rows = []
    while batch := cur.fetchmany(BATCH):
        rows += batch
        now = _resident()
        if budget is not None and start is not None and now is not None and now - start > budget:
            raise QueryStopped(
                f"the result needs more memory than the limit of {memory} ({len(rows):,} rows "
                "so far); show fewer rows with --limit N, narrow the query, or raise --memory"
            )
    return rows, 0, False


def run_query(
    package: Package,
    sql: str,
    params: dict[str, str] | None = None,
    limits: Limits | None = None,
) -> QueryResult:
    """Run one SQL statement with named parameters ($name) bound, never pasted into the SQL,
    within `limits`. The statement runs in a worker thread so that the timeout and Ctrl-C always
    reach it (DuckDB's interrupt), whatever it is doing."""
    limits = limits or Limits()
    if NO_SQL.fullmatch(sql or ""):
        raise QueryError(
            "no SQL to run: give a statement such as 'SELECT * FROM actors', a saved query's name "
            "(`csto-alignment queries` lists them) or --file"
        )
    con, built = connect_read_only(package, limits.memory)
    try:
        _refuse_attach(con, sql)
    except QueryError:
        con.close()
        raise
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            cur = con.execute(sql, params or None)
            if cur.description is not None:
                outcome["columns"] = [d[0] for d in cur.description]
                outcome["rows"], outcome["left_out"], outcome["more"] = _fetch(
                    cur, limits.rows, limits.memory
                )
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc
        finally:
            done.set()

    try:
        _wait(threading.Thread(target=work, daemon=True), done, con, limits.timeout)
        return _result(outcome, con, built, limits)
    finally:
        if done.is_set():  # else a stopped query still holds the connection; the process ends
            con.close()


def _wait(worker: threading.Thread, done: threading.Event, con, timeout: float | None) -> None:
    """Run the worker to its end, interrupting the query at the timeout or on Ctrl-C. The loop
    sleeps and polls an Event: a Thread.join cut short by Ctrl-C can report a live thread dead."""
    deadline = None if timeout is None else time.monotonic() + timeout
    # Ctrl-C must reach this loop even where SIGINT was left ignored (a process started in the
    # background by a script): it is what stops the query.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler) if main else None
    try:
        worker.start()
        while not done.wait(0.05):
            if deadline is not None and time.monotonic() > deadline:
                con.interrupt()
                done.wait(10)
                raise QueryStopped(
                    f"the query was stopped after {timeout:g} s; give it longer with "
                    "--timeout SECONDS (0: no limit)"
                )
    except KeyboardInterrupt:
        con.interrupt()
        done.wait(10)
        raise QueryInterrupted("interrupted: the query was stopped (Ctrl-C)") from None
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _result(outcome: dict[str, Any], con, built: bool, limits: Limits) -> QueryResult:
    import duckdb

    error = outcome.get("error")
    if isinstance(error, duckdb.OutOfMemoryException):
        raise QueryStopped(
            f"the query needs more memory than the limit of {limits.memory}; raise it with "
            "--memory (e.g. --memory 8GB), or narrow the query"
        ) from None
    if isinstance(error, duckdb.Error):
        raise QueryError(_explain(error, con)) from None
    if error is not None:
        raise error
    return QueryResult(
        columns=outcome.get("columns", []),
        rows=outcome.get("rows", []),
        cache_built=built,
        left_out=outcome.get("left_out", 0),
        more=outcome.get("more", False),
    )
