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
import re
from types import ModuleType

# What DuckDB may hold in memory while judging, building the query cache or exporting; beyond it,
# it spills to the process's private temporary folder (db/sandbox). Under 1 GB for the whole
# process at 13 million votes; the environment variable raises or lowers it (512MB, 4GB).
MEMORY_LIMIT = os.environ.get("CSTO_ALIGNMENT_MEMORY_LIMIT", "600MB")

# A size as DuckDB writes it: 600MB, 4GB, 512MiB.
SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.I)


def size_in_bytes(size: str | None) -> int | None:
    """A DuckDB size such as 2GB or 512MiB in bytes (None: not a size, so no limit)."""
    m = SIZE.fullmatch((size or "").strip())
    if m is None:
        return None
    unit = m.group(2).upper()
    power = {"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4}.get(unit.replace("IB", "B"), 0)
    number = m.group(0).strip()[: m.start(2) - m.start(0)].strip()
    return int(float(number) * (1024 if "I" in unit else 1000) ** power)


def engine() -> ModuleType:
    """The module with DuckDB's `connect` and `Error`."""
    try:
        import _duckdb as module
    except ImportError:
        import duckdb as module  # type: ignore[no-redef]
    return module
