"""DuckDB's engine, for the commands that judge data (validate, check, add).

`import duckdb` loads the engine, the compiled module `_duckdb`, and then the package's Python layer
(its relational API, its Arrow sources, its version read through importlib.metadata), which costs a
noticeable share of a `check` (see *Scale and speed* in docs/maintainers.md). Judging needs only the engine's
connections and error classes, so it imports the engine alone. `duckdb` re-exports the
same module, so whatever later imports `duckdb` (an Arrow scan, `query`) works with these
connections. Should a DuckDB release stop shipping the engine as `_duckdb`, the package is used.
"""

from __future__ import annotations

from types import ModuleType


def engine() -> ModuleType:
    """The module with DuckDB's `connect` and `Error`."""
    try:
        import _duckdb as module
    except ImportError:
        import duckdb as module  # type: ignore[no-redef]
    return module
