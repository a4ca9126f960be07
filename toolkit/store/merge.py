"""Merge a checked contribution into the package: canonical order and format, atomic.

`add` writes the data file and nothing else: no hash into datapackage.json, no line into
CHANGELOG.md. Two branches that add rows to the same table then change only that table's lines, and
git merges them; the release lists every row added, removed or changed since the last release, from
the diff (toolkit/release/cut.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.checks.engine import MEMORY_LIMIT, engine
from toolkit.checks.report import Report
from toolkit.checks.validate import check_contribution
from toolkit.db import sandbox
from toolkit.db.sql import q
from toolkit.errors import ToolkitError
from toolkit.package.tableschema import DESCRIPTOR, Package, Resource
from toolkit.release.diff import cell_changes
from toolkit.store import canonical
from toolkit.store.canonical import RN, col
from toolkit.store.fileio import descriptor_json, stage_with
from toolkit.store.journal import commit

if TYPE_CHECKING:
    import duckdb


@dataclass
class MergeResult:
    report: Report
    added: int = 0
    replaced: int = 0  # rows whose key existed, corrected in place (`add --replace`)
    written: bool = False
    corrections: list[str] = field(default_factory=list)  # each corrected row's cells, old -> new


class Merge:
    """The merge of a file's rows into a resource's data file, set-based in DuckDB.

    The existing rows keep their order: a row someone appended by hand out of key order stays where
    it is, so the change is the new lines alone (the smallest diff, the one least likely to meet
    another branch's). The new rows, in primary key order (rows of equal keys in file order), go
    in as a merge of the two puts them: each before the first existing row whose key is greater,
    that is after every existing row whose key, and the key of every row before it, is not greater
    (its running maximum): a count, not a walk. A resource without a primary key is ordered by all
    its columns. Keys compare as text, code point by code point (UTF-8 bytes in DuckDB); a
    composite key column by column. The package's files are in key order, and stay so.

    With `replace` (and a primary key), an existing row whose key a new row holds is replaced in
    place by the last new row of that key; the other new rows are added as above.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, resource: Resource, replace: bool) -> None:
        self.con, self.resource = con, resource
        self.replace = replace and bool(resource.primary_key)
        names = resource.field_names
        self.n = len(names)
        self.key = [names.index(k) for k in (resource.primary_key or names)]
        self.existing, self.new = "old", "new"
        self.added = self.replaced = 0
        self.corrections_made: list[str] = []
        self.read_by_duckdb = False  # both files (else the csv module read one: canonical.load)

    def _key(self) -> str:
        cols = [col(i) for i in self.key]
        return cols[0] if len(cols) == 1 else f"list_value({', '.join(cols)})"

    def load(self, data_path: Path, file: Path) -> None:
        """Load the data file and the contribution, and place every new row."""
        con = self.con
        old_by_duckdb = canonical.load(con, "old", data_path, self.resource)
        new_by_duckdb = canonical.load(con, "new", file, self.resource)
        self.read_by_duckdb = old_by_duckdb and new_by_duckdb
        # The new rows as a table scan, and the SQL of a row's number in it (see write).
        self.new_scan = ("new__read", "a.rowid") if new_by_duckdb else ("new", f"a.{RN}")
        if self.replace:
            self._replace()
        self.added = self._count(self.new)
        # A new row's place: the number of existing rows whose running maximum key is not greater
        # than its key (ties: the existing row first); `r` orders the new rows of one place.
        con.execute(
            f"CREATE TABLE placed AS SELECT {RN}, pos, r FROM (SELECT {RN}, kind, "
            "sum(1 - kind) OVER w AS pos, row_number() OVER w AS r FROM ("
            f"SELECT max({self._key()}) OVER (ORDER BY {RN} ROWS BETWEEN UNBOUNDED PRECEDING "
            f"AND CURRENT ROW) AS v, 0 AS kind, {RN} FROM {self.existing} "
            f"UNION ALL SELECT {self._key()}, 1, {RN} FROM {self.new}) "
            f"WINDOW w AS (ORDER BY v, kind, {RN} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            f") WHERE kind = 1 ORDER BY {RN}"
        )

    def _replace(self) -> None:
        con, cells = self.con, range(self.n)
        on = " AND ".join(f"a.{col(i)} = b.{col(i)}" for i in self.key)
        keys = ", ".join(col(i) for i in self.key)
        # The last new row of each key replaces every existing row of that key, in place.
        con.execute(
            f"CREATE TABLE last_new AS SELECT * FROM new "
            f"QUALIFY {RN} = max({RN}) OVER (PARTITION BY {keys})"
        )
        con.execute(
            f"CREATE TABLE kept AS SELECT a.{RN}, "
            + ", ".join(
                f"CASE WHEN b.{RN} IS NULL THEN a.{col(i)} ELSE b.{col(i)} END AS {col(i)}"
                for i in cells
            )
            + f" FROM old a LEFT JOIN last_new b ON {on}"
        )
        # Each new row of an existing key corrects the last existing row of that key.
        con.execute(
            f"CREATE TABLE last_old AS SELECT a.* FROM old a SEMI JOIN new b ON {on} "
            f"QUALIFY {RN} = max({RN}) OVER (PARTITION BY {keys})"
        )
        con.execute(
            f"CREATE TABLE corrected AS SELECT b.{RN}, "
            + ", ".join(f"a.{col(i)} AS o{i}, b.{col(i)} AS n{i}" for i in cells)
            + f" FROM new b JOIN last_old a ON {on}"
        )
        con.execute(
            f"CREATE TABLE added AS SELECT b.* FROM new b ANTI JOIN old a ON {on} ORDER BY b.{RN}"
        )
        self.existing, self.new = "kept", "added"
        self.new_scan = ("added", f"a.{RN}")
        self.replaced = self._count("corrected")

    def _count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]

    def corrections(self) -> list[str]:
        """Each correction that changes a cell (a row sent again unchanged is none), in the
        contribution's order: its key, and its changed cells, old -> new."""
        if not self.replace:
            return []
        changed = " OR ".join(f"o{i} <> n{i}" for i in range(self.n))
        rows = self.con.execute(f"SELECT * FROM corrected WHERE {changed} ORDER BY {RN}").fetchall()
        out = []
        for row in rows:  # the changed rows, each reported: work in proportion to the report
            old, new = list(row[1::2]), list(row[2::2])
            key = "/".join(new[i] for i in self.key)
            out.append(f"{key}: {_changed_cells(self.resource, old, new)}")
        return out

    def write(self, to: Path) -> None:
        """Write the merged rows, canonical (see canonical.py), to `to`."""
        cells = ", ".join(col(i) for i in range(self.n))
        lines = canonical.has_carriage_return(self.con, [self.existing, self.new], self.n)
        # Every row in one table with its place: the new rows' places put beside them by position
        # (`placed` and the new rows' table are both in the order of the rows' numbers, and
        # DuckDB scans the two side by side), then the existing rows. Joining by number would hold
        # every new row's place in a hash table, and sorting a UNION of the two, rather than one
        # table, runs out of memory: 13 million new votes do not fit 600 MB either way.
        table, number = self.new_scan
        con = self.con
        con.execute(
            f"CREATE TABLE merged AS SELECT {number} AS x, p.{RN} AS y, p.pos AS slot, 0 AS sub, "
            f"p.r, {', '.join(f'a.{col(i)}' for i in range(self.n))} "
            f"FROM {q(table)} a POSITIONAL JOIN placed p"
        )
        misplaced = con.execute("SELECT count(*) FROM merged WHERE x IS DISTINCT FROM y").fetchone()
        if misplaced != (0,):  # never expected; kept correct regardless
            con.execute("DROP TABLE merged")
            con.execute(
                f"CREATE TABLE merged AS SELECT NULL AS x, NULL AS y, p.pos AS slot, 0 AS sub, "
                f"p.r, {cells} FROM {self.new} a JOIN placed p ON a.{RN} = p.{RN}"
            )
        con.execute(
            f"INSERT INTO merged SELECT NULL, NULL, {RN}, 1, 0, {cells} FROM {self.existing}"
        )
        canonical.copy_csv(
            con,
            f"SELECT {cells} FROM merged ORDER BY slot, sub, r",
            self.resource,
            to,
            lines,
        )


def _descriptor_without_digest(package: Package, resource_name: str) -> str | None:
    """The descriptor less the resource's recorded size and sha256, if it carries them (an
    unzipped release does; the repository's descriptor never does): they describe the release's
    file, not the changed one, so they go rather than go stale."""
    resource = package.resource(resource_name)
    if resource.hash is None and resource.bytes is None:
        return None
    d = dict(package.descriptor)
    d["resources"] = [
        {k: v for k, v in r.items() if k not in ("bytes", "hash")}
        if r.get("name") == resource_name
        else r
        for r in package.descriptor["resources"]
    ]
    return descriptor_json(d)


def _test_pause_before_write() -> None:
    """Tests stretch the time between reading the data and writing it, to race two writers."""
    import os
    import time

    if pause := os.environ.get("CSTO_ALIGNMENT_TEST_PAUSE_BEFORE_WRITE"):
        time.sleep(float(pause))


def _changed_cells(resource: Resource, old: list[str], new: list[str]) -> str:
    """The cells a correction changes, worded as a release's diff words them."""
    return cell_changes(
        {name: (o, n) for name, o, n in zip(resource.field_names, old, new, strict=True) if o != n}
    )


def staged_merge(
    resource: Resource, data_path: Path, file: Path, replace: bool = False
) -> tuple[Path, Merge]:
    """Merge the rows of `file` (checked) into a copy of `data_path`, staged beside it for
    journal.commit (fileio.stage_with); the staged file, and the merge (its counts, corrections)."""
    # The merged file is written beside the data file, so the connection may write there.
    database = sandbox.scratch_database(sandbox.total_size([file, data_path]))
    con = sandbox.connect(
        database,
        read=[file, data_path],
        write=[data_path.parent],
        duck=engine(),
        memory=MEMORY_LIMIT,
    )
    try:
        merge = Merge(con, resource, replace)
        merge.load(data_path, file)
        merge.corrections_made = merge.corrections()
        return stage_with(data_path, merge.write), merge
    except engine().OutOfMemoryException:
        raise ToolkitError(
            f"the merged rows of {resource.name} need more memory than DuckDB may use "
            f"({MEMORY_LIMIT}) to be put in order; nothing was written. Allow more with the "
            "environment variable CSTO_ALIGNMENT_MEMORY_LIMIT (e.g. 4GB), or add the rows in "
            "smaller files"
        ) from None
    finally:
        con.close()
        sandbox.remove_database(database)


def add_contribution(
    package: Package,
    file: Path,
    resource_name: str,
    replace: bool = False,
    sources: Path | None = None,
) -> MergeResult:
    """Check `file`; only when it has no error, merge its rows into the resource (see Merge).

    With `replace`, a row whose primary key exists replaces that row (a correction): each changed
    cell is reported, old -> new (`corrections`); rows with new keys are added as usual.
    """
    report = check_contribution(package, file, resource_name, replace=replace, sources=sources)
    result = MergeResult(report=report)
    if not report.valid:
        return result
    data_path = package.data_path(resource_name)
    staged, merge = staged_merge(package.resource(resource_name), data_path, file, replace)
    result.added, result.replaced = merge.added, merge.replaced
    result.corrections = merge.corrections_made
    try:
        files: dict[Path, str | Path] = {data_path: staged}
        descriptor = _descriptor_without_digest(package, resource_name)
        if descriptor is not None:
            files[package.root / DESCRIPTOR] = descriptor
        _test_pause_before_write()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    commit(package.root, files)
    result.written = True
    return result
