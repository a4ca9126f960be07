"""Saved queries: the .sql files in the package's queries/ folder, each with a header comment.

Header lines (before the SQL):
    -- title: a short title
    -- answers: the question it answers
    -- param: name = default value       (one line per parameter; referenced as $name)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = "queries"
_HEADER = re.compile(r"^--\s*(title|answers|param)\s*:\s*(.*)$")


@dataclass
class SavedQuery:
    name: str
    path: Path
    sql: str
    title: str = ""
    answers: str = ""
    params: dict[str, str] = field(default_factory=dict)


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
        else:
            setattr(q, key, value.strip())
    return q


def saved_queries(root: Path) -> dict[str, SavedQuery]:
    folder = root / FOLDER
    return {p.stem: parse(p) for p in sorted(folder.glob("*.sql"))} if folder.is_dir() else {}
