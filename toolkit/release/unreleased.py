"""What changed since the last release, in numbers: what `validate` reports as information.

The files that differ come from the release's record (record.py); for each changed data file, the
rows added, removed and changed are counted in DuckDB against the file as released (read from git),
keyed on the primary key. Nothing here is an error: unreleased changes are what a pull request
brings, and the release lists them in full (`csto-alignment diff` does it at any time).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from toolkit.checks.engine import engine
from toolkit.db.sql import lit, q
from toolkit.package.tableschema import Package, Resource
from toolkit.release.record import release_status
from toolkit.release.revisions import file_at, release_commit


def _released_file(root: Path, commit: str, path: str, into: Path) -> Path | None:
    """The file `path` of the package as it was at `commit`, written into `into`; None if absent."""
    data = file_at(root, commit, path)
    if data is None:
        return None
    target = into / path.replace("/", "__")
    target.write_bytes(data)
    return target


def _columns(con: Any, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {q(table)}").fetchall()]


def row_counts(old: Path | None, new: Path, resource: Resource) -> dict[str, Any]:
    """Rows added, removed and changed from `old` to `new` (CSV files of `resource`), keyed on its
    primary key (on every common column without one), and the columns added or removed; `old`
    None: every row is added. A changed row is one whose cells differ in a common column."""
    con = engine().connect()
    try:
        read = "read_csv({}, header=true, all_varchar=true, delim=',', quote='\"', escape='\"')"
        con.execute(f"CREATE TABLE n AS SELECT * FROM {read.format(lit(str(new)))}")
        if old is None:
            added = con.execute("SELECT count(*) FROM n").fetchone()[0]
            return {"added": added, "removed": 0, "changed": 0}
        con.execute(f"CREATE TABLE o AS SELECT * FROM {read.format(lit(str(old)))}")
        before, after = _columns(con, "o"), _columns(con, "n")
        common = [c for c in after if c in before]
        fields = {
            "fields_added": [c for c in after if c not in before],
            "fields_removed": [c for c in before if c not in after],
        }
        key = [k for k in resource.primary_key if k in common] or common
        on = " AND ".join(f"o.{q(k)} IS NOT DISTINCT FROM n.{q(k)}" for k in key)
        differs = " OR ".join(f"o.{q(c)} IS DISTINCT FROM n.{q(c)}" for c in common) or "false"
        added, removed, changed = con.execute(
            "SELECT count(*) FILTER (WHERE o.__in IS NULL), count(*) FILTER (WHERE n.__in IS NULL), "
            f"count(*) FILTER (WHERE o.__in AND n.__in AND ({differs})) "
            "FROM (SELECT *, true AS __in FROM o) o FULL OUTER JOIN (SELECT *, true AS __in FROM n) n "
            f"ON {on}"
        ).fetchone()
        counts = {"added": added, "removed": removed, "changed": changed}
        return {**counts, **{k: v for k, v in fields.items() if v}}
    finally:
        con.close()


def changes_since_release(package: Package) -> dict[str, Any]:
    """The package's state against the release its descriptor names: the label, the files that
    differ, and per changed resource the rows added, removed and changed (None where the release's
    files cannot be read: no git history)."""
    status = release_status(package)
    out: dict[str, Any] = status.to_dict()
    out["resources"] = {}
    by_path = {r.path: r for r in package.resources.values()}
    out["other_files"] = [f for f in status.changed if f not in by_path]
    if status.released or not status.recorded:
        return out
    commit = release_commit(package.root, package.version)
    with tempfile.TemporaryDirectory(prefix="csto-alignment-") as tmp:
        for path in status.changed:
            resource = by_path.get(path)
            if resource is None:  # a schema or the descriptor (other_files)
                continue
            counts: dict[str, Any] | None = None
            if commit is not None:
                old = _released_file(package.root, commit, path, Path(tmp))
                try:
                    counts = row_counts(old, package.root / path, resource)
                except engine().Error:
                    counts = None  # a file DuckDB cannot read as CSV: validate said why
            out["resources"][resource.name] = counts
    return out
