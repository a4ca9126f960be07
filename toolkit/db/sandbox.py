"""Every DuckDB connection that reads a package is locked down: a package is untrusted input.

A contributor's pull request can change every file of the package, and CI and maintainers run the
toolkit on it. Identifiers are always quoted (db/sql.q) and names checked where the descriptor is
read (package/descriptor.py); on top of that, each connection

- reaches only the files it is given (`read`: the package's data files, a contributed file) and the
  folders it writes into (`write`: a fresh staging folder of an export), with external access off;
- spills to a private temporary folder of its own, never a folder a branch can commit to (DuckDB's
  default is `.tmp` in the working directory, or beside the database file);
- installs and loads no extension, and has its configuration locked, so no statement can turn
  any of this back.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from toolkit.checks.engine import MEMORY_LIMIT, size_in_bytes
from toolkit.db.sql import lit

_TEMP: list[str] = []
# Files (in bytes, all told) above which a connection that loads them keeps its tables in a
# database file rather than in memory (see scratch_database): half of DuckDB's memory limit.
ON_DISK_ABOVE = (size_in_bytes(MEMORY_LIMIT) or 1 << 62) // 2
_SCRATCH = itertools.count()


PREFIX = "csto-alignment-duckdb-"


def private_temp() -> str:
    """A folder only this process uses (0700, under the system's temporary folder), removed at
    exit: where DuckDB spills what does not fit in memory, and a check or a merge of large files
    keeps its tables. Its name carries the process id: the folders of processes that were killed
    (no exit handler ran) are removed by the next one to make its own."""
    if not _TEMP:
        _remove_orphans()
        folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        _TEMP.append(folder)
        atexit.register(shutil.rmtree, folder, True)
    return _TEMP[0]


def _remove_orphans() -> None:
    """Remove the private folders of processes that no longer run (see private_temp)."""
    try:
        candidates = list(Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"))
    except OSError:
        return
    for folder in candidates:
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)  # signal 0: only whether the process exists
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OverflowError, OSError):
            continue  # it runs (as someone else), or the id is not one


# Files (in bytes, all told) under which a connection's queries run on one DuckDB thread each: on
# tables this small, handing a query's work to a second thread costs more than it saves (the
# checks already run two queries at once: checks/session.py).
ONE_THREAD_BELOW = 8 << 20


def total_size(read: Iterable[Path]) -> int:
    """The size of the files, all told (a file that cannot be read counts nothing)."""
    size = 0
    for path in read:
        with suppress(OSError):
            size += Path(path).stat().st_size
    return size


def scratch_database(size: int) -> str:
    """Where a connection that loads files of `size` bytes (total_size) keeps its tables: in
    memory, unless that is more than ON_DISK_ABOVE (their rows take about twice that in memory).
    Then in a database file of the process's private folder: DuckDB writes the rows it cannot hold
    compressed (votes to a tenth of their size), where in memory it would spill them as they are
    and read them back for every query. At 13 million votes that costs `check` a fifth less time
    and memory; at 1.3 million, memory is faster. remove_database deletes the file."""
    if size <= ON_DISK_ABOVE:
        return ":memory:"
    return str(Path(private_temp()) / f"scratch-{os.getpid()}-{next(_SCRATCH)}.duckdb")


def remove_database(database: str) -> None:
    """Delete a database file scratch_database named (and its write-ahead log), once closed."""
    if database != ":memory:":
        for path in (Path(database), Path(database + ".wal")):
            path.unlink(missing_ok=True)


def absolute(path: Path | str) -> str:
    """The absolute form of `path`, as the toolkit hands it to DuckDB and allows it."""
    return os.path.abspath(path)


def lock_down(
    con: Any,
    read: Iterable[Path | str] = (),
    write: Iterable[Path | str] = (),
    memory: str | None = None,
    threads: int | None = None,
) -> Any:
    """Lock `con` (a fresh DuckDB connection) down: see the module's doc. `read` are files,
    `write` folders; `memory` a DuckDB size for memory_limit; `threads` DuckDB's threads (by
    default, one a core). Returns `con`."""
    files = sorted({absolute(p) for p in read})
    folders = sorted({absolute(p).rstrip("/") + "/" for p in write})
    settings = [
        f"SET allowed_paths = [{', '.join(lit(p) for p in files)}]",
        f"SET allowed_directories = [{', '.join(lit(p) for p in folders)}]",
        f"SET temp_directory = {lit(private_temp())}",
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
    ]
    if memory is not None:
        settings.append(f"SET memory_limit = {lit(memory)}")
    if threads is not None:
        settings.append(f"SET threads = {int(threads)}")
    settings.append("SET lock_configuration = true")
    for setting in settings:
        con.execute(setting)
    return con


def connect(
    database: str | Path = ":memory:",
    read: Iterable[Path | str] = (),
    write: Iterable[Path | str] = (),
    read_only: bool = False,
    memory: str | None = None,
    duck: Any = None,
    threads: int | None = None,
) -> Any:
    """A new DuckDB connection, locked down (see lock_down). `duck` is the module to connect with
    (checks.engine's, to spare the import of duckdb's Python layer); by default `duckdb`."""
    if duck is None:
        import duckdb as duck
    if database != ":memory:" and not read_only:
        write = [*write, Path(database).parent]  # its write-ahead log and checkpoint files
    con = duck.connect(str(database), read_only=read_only)
    try:
        return lock_down(con, read, write, memory, threads)
    except BaseException:
        con.close()
        raise


def create_table(con: Any, table: str, columns: dict[str, Any]) -> None:
    """Create `table` in `con` (locked down) from Python columns: name -> pyarrow array.

    The arrays are registered by name and copied by SQL: the connection's external access is off,
    so DuckDB's replacement scan of Python variables is too. Scanning Arrow needs the duckdb
    package's Python layer, not only its engine (checks/engine.py).
    """
    import duckdb  # noqa: F401
    import pyarrow as pa

    from toolkit.db.sql import q

    staged = f"__staged_{table}"
    con.register(staged, pa.table(columns))
    try:
        con.execute(f"CREATE TABLE {q(table)} AS SELECT * FROM {q(staged)}")
    finally:
        con.unregister(staged)
