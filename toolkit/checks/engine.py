"""DuckDB's engine, for the commands that judge data (validate, check, add).

`import duckdb` loads the engine, the compiled module `_duckdb`, and then the package's Python layer
(its relational API, its Arrow sources, its version read through importlib.metadata), which costs a
noticeable share of a `check` (see *Scale and speed* in docs/maintainers.md). Judging needs only the engine's
connections and error classes, so it imports the engine alone. `duckdb` re-exports the
same module, so whatever later imports `duckdb` (an Arrow scan, `query`) works with these
connections. Should a DuckDB release stop shipping the engine as `_duckdb`, the package is used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

# What DuckDB may hold in memory while judging, building the query cache or exporting; beyond it,
# it spills to a temporary folder. Under 1 GB for the whole process at 13 million votes; the
# environment variable raises or lowers it (a DuckDB size: 512MB, 4GB).
MEMORY_LIMIT = os.environ.get("CSTO_ALIGNMENT_MEMORY_LIMIT", "600MB")


def engine() -> ModuleType:
    """The module with DuckDB's `connect` and `Error`."""
    try:
        import _duckdb as module
    except ImportError:
        import duckdb as module  # type: ignore[no-redef]
    return module


def spill_to_temp(con: Any) -> Path:
    """Cap the connection's memory (MEMORY_LIMIT) and let it spill to a new private temporary
    folder, outside the package (a folder named in the package would be the package's to
    choose); the caller removes it with `remove_temp` once the connection is closed."""
    folder = Path(tempfile.mkdtemp(prefix="csto-alignment-duckdb-"))
    con.execute(f"SET temp_directory = '{str(folder).replace(chr(39), chr(39) * 2)}'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT.replace(chr(39), '')}'")
    return folder


def remove_temp(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
