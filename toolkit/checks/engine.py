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
from types import ModuleType

# What DuckDB may hold in memory while judging, building the query cache or exporting; beyond it,
# it spills to the process's private temporary folder (db/sandbox). Under 1 GB for the whole
# process at 13 million votes; the environment variable raises or lowers it (512MB, 4GB).
MEMORY_LIMIT = os.environ.get("CSTO_ALIGNMENT_MEMORY_LIMIT", "600MB")


def engine() -> ModuleType:
    """The module with DuckDB's `connect` and `Error`."""
    try:
        import _duckdb as module
    except ImportError:
        import duckdb as module  # type: ignore[no-redef]
    return module
