"""Saved queries: the .sql files in the package's queries/ folder, each with a header comment.

Header lines (before the SQL):
    -- title: a short title
    -- answers: the question it answers
    -- param: name = default value       (one line per parameter; referenced as $name)
    -- engine: duckdb (why)               (only for a query that needs DuckDB's own SQL)

A saved query is written in the SQL that DuckDB and SQLite share (`CAST(x AS TEXT)`, not
`x::VARCHAR`; no `GROUP BY ALL`), so the command line (DuckDB), Datasette and the site's SQL console
(SQLite) run the same text. One that truly needs DuckDB says so in its `engine` line, and is offered
only where DuckDB runs it (`csto-alignment query`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = "queries"
_HEADER = re.compile(r"^--\s*(title|answers|param|engine)\s*:\s*(.*)$")
ENGINES = ("any", "duckdb")


@dataclass
class SavedQuery:
    name: str
    path: Path
    sql: str
    title: str = ""
    answers: str = ""
    params: dict[str, str] = field(default_factory=dict)
    engine: str = "any"  # "any": DuckDB and SQLite; "duckdb": DuckDB only
    engine_reason: str = ""  # why it needs DuckDB, from the header's parentheses

    @property
    def portable(self) -> bool:
        """Runs unchanged on DuckDB and SQLite (the CLI, Datasette and the site's console)."""
        return self.engine != "duckdb"


def parse(path: Path) -> SavedQuery:
    sql = path.read_text(encoding="utf-8")
    q = SavedQuery(name=path.stem, path=path, sql=sql)
    for line in sql.splitlines():
        m = _HEADER.match(line.strip())
        if not m:
            if line.strip() and not line.strip().startswith("--"):
                break
            continue
        key, value = m.groups()
        if key == "param":
            name, _, default = value.partition("=")
            q.params[name.strip()] = default.strip()
        elif key == "engine":
            engine, _, reason = value.strip().partition(" ")
            q.engine = engine.strip().lower() or "any"
            q.engine_reason = reason.strip().strip("()").strip()
        else:
            setattr(q, key, value.strip())
    return q


def saved_queries(root: Path) -> dict[str, SavedQuery]:
    folder = root / FOLDER
    return {p.stem: parse(p) for p in sorted(folder.glob("*.sql"))} if folder.is_dir() else {}
