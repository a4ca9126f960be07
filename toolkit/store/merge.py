"""Merge a checked contribution into the package: canonical order and format, atomic, logged."""

from __future__ import annotations

import csv
import io
import operator
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.checks.csvread import leading_comments
from toolkit.checks.engine import MEMORY_LIMIT, engine, remove_temp, spill_to_temp
from toolkit.checks.report import Report
from toolkit.checks.session import Session
from toolkit.checks.validate import CONTRIBUTION, PACKAGE, judge_contribution
from toolkit.db.sql import lit, q
from toolkit.errors import ToolkitError
from toolkit.package.tableschema import DESCRIPTOR, Package, Resource
from toolkit.release.changelog import add_unreleased
from toolkit.release.diff import cell_changes
from toolkit.store.fileio import (
    descriptor_json,
    file_digest,
    stage_with,
    text_digest,
    with_digests,
)
from toolkit.store.journal import commit

# Rows above which the merged rows are sorted apart from the check's tables (once they are freed),
# on one thread, which needs less memory. At 13 million votes (2.6 GB of CSV) even that sort does
# not fit engine.MEMORY_LIMIT's default.
SERIAL_SORT_ROWS = 5_000_000
LISTED = 250  # added rows named by key in CHANGELOG.md; `csto-alignment diff` lists any number


@dataclass
class MergeResult:
    report: Report
    added: int = 0
    replaced: int = 0  # rows whose key existed, corrected in place (`add --replace`)
    written: bool = False


def read_rows(path: Path, resource: Resource) -> list[list[str]]:
    """Rows of a structurally valid CSV (BOM, CRLF, '#' comment lines accepted), each a list of
    its cells in schema column order, whatever the file's column order; blank rows are skipped."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text[leading_comments(text)[1] :], newline=""))
    header = next(reader, [])
    where = [header.index(f) for f in resource.field_names]  # the file was checked: all there
    # Lists, not dicts: far cheaper for a million rows.
    return [[cells[i] if i < len(cells) else "" for i in where] for cells in reader if any(cells)]


def canonical_csv(resource: Resource, rows: list[list[str]]) -> str:
    """UTF-8, LF line ends, minimal quoting, rows sorted by primary key: small, stable diffs.

    The package's rows are already in this order, so the sort mostly merges the new rows in.
    """
    names = resource.field_names
    key = [names.index(k) for k in (resource.primary_key or names)]
    rows = sorted(rows, key=operator.itemgetter(*key))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(names)
    w.writerows(rows)
    return out.getvalue()


def _descriptor_with_digest(package: Package, resource_name: str, text: str | Path) -> str | None:
    """The descriptor with the resource's recorded size and sha256 updated, if a release recorded them.

    `add` is the sanctioned way to change data, so it keeps the record true; a hand edit still fails
    `validate` with hash-mismatch.
    """
    resource = package.resource(resource_name)
    if resource.hash is None and resource.bytes is None:
        return None
    digests = {resource_name: text_digest(text) if isinstance(text, str) else file_digest(text)}
    return descriptor_json(with_digests(package.descriptor, digests))


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


def add_contribution(
    package: Package,
    file: Path,
    resource_name: str,
    replace: bool = False,
    sources: Path | None = None,
) -> MergeResult:
    """Check `file`; only when it has no error, merge its rows into the resource and log them.

    With `replace`, a row whose primary key exists replaces that row (a correction): each changed
    cell is logged, old -> new, under 'Changed'; rows with new keys are added as usual.

    The merge is done in DuckDB, on the tables the check loaded (sorted there and written by
    DuckDB's CSV writer): a million rows never pass through Python. Where DuckDB's CSV would not
    be byte for byte the canonical one (a cell holding a lone carriage return, or starting with
    '#', which DuckDB quotes and Python's csv module does not), the rows are merged in Python.
    """
    session = judge_contribution(package, file, resource_name, replace, sources)
    rewrite = None
    try:
        result = MergeResult(report=session.report)
        if not result.report.valid:
            return result
        resource = package.resource(resource_name)
        if _sql_merge_fits(session, resource):
            merged, added, keys, corrected, rewrite = _merge_in_sql(
                session, package, resource, replace
            )
        else:
            merged, added, keys, corrected = _merge_in_python(package, file, resource, replace)
    finally:
        session.close()
    if rewrite is not None:  # the files themselves, sorted once the session's memory is free
        try:
            merged = stage_with(package.data_path(resource_name), rewrite)
        except engine().Error as exc:
            if "Out of Memory" not in str(exc):
                raise
            raise ToolkitError(
                f"the merged rows of {resource_name} could not be sorted within the memory DuckDB "
                f"may use ({MEMORY_LIMIT}); nothing was written. Allow more with the environment "
                "variable CSTO_ALIGNMENT_MEMORY_LIMIT (e.g. 4GB) and run add again"
            ) from None
    try:
        changelog = package.root / "CHANGELOG.md"
        log = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
        if added:
            ids = ", ".join("/".join(k) for k in keys)
            more = f" and {added - LISTED} more" if added > LISTED else ""
            log = add_unreleased(log, "Added", f"{added} row(s) to `{resource_name}`: {ids}{more}.")
        key = [resource.field_names.index(k) for k in resource.primary_key]
        for old, row in corrected:
            cells = _changed_cells(resource, old, row)
            if cells:  # a row sent again unchanged is no correction
                log = add_unreleased(
                    log, "Changed", f"`{resource_name}` `{'/'.join(row[i] for i in key)}`: {cells}."
                )
        data_path = package.data_path(resource_name)
        files: dict[Path, str | Path] = {data_path: merged, changelog: log}
        descriptor = _descriptor_with_digest(package, resource_name, merged)
        if descriptor is not None:
            files[package.root / DESCRIPTOR] = descriptor
        _test_pause_before_write()
    except BaseException:
        if isinstance(merged, Path):
            merged.unlink(missing_ok=True)
        raise
    commit(package.root, files)
    result.added, result.replaced, result.written = added, len(corrected), True
    return result


Merged = tuple[str | Path, int, list[tuple[str, ...]], list[tuple[list[str], list[str]]]]


def _merge_in_python(package: Package, file: Path, resource: Resource, replace: bool) -> Merged:
    """(merged CSV text, rows added, keys of the first LISTED added, (old, new) corrections)."""
    data_path = package.data_path(resource.name)
    new = read_rows(file, resource)
    key = [resource.field_names.index(k) for k in resource.primary_key]

    def key_of(row: list[str]) -> tuple[str, ...]:
        return tuple(row[i] for i in key)

    existing = read_rows(data_path, resource)
    corrected: list[tuple[list[str], list[str]]] = []
    if replace and key:
        by_key = {key_of(r): r for r in new}
        old_rows = {key_of(r): r for r in existing if key_of(r) in by_key}
        corrected = [(old_rows[key_of(r)], r) for r in new if key_of(r) in old_rows]
        existing = [r for r in existing if key_of(r) not in by_key]
        added = [r for r in new if key_of(r) not in old_rows]
    else:
        added = new
    merged = canonical_csv(resource, existing + new)
    return merged, len(added), [key_of(r) for r in added[:LISTED]], corrected


def _tables(session: Session, resource: Resource) -> tuple[str, str, str, str]:
    """(the package's rows kept, all the package's rows, the contribution's rows, SQL of a
    contribution row's line) of the resource in the session."""
    (kept, _, _), (new, _, line) = (
        session.loaded_tables[resource.name][0],
        session.loaded_tables[resource.name][-1],
    )
    return kept, f"__{resource.name}__{PACKAGE}", new, line


def _sql_merge_fits(session: Session, resource: Resource) -> bool:
    """Whether DuckDB can write the merged rows exactly as canonical_csv would (see
    add_contribution): empty cells are the only missing value, and no cell holds a lone
    carriage return or starts with '#'."""
    if tuple(resource.missing_values) != ("",) or len(session.loaded_tables[resource.name]) != 2:
        return False
    kept, _, new, _ = _tables(session, resource)
    odd = " OR ".join(
        f"contains({q(n)}, chr(13)) OR starts_with({q(n)}, '#')" for n in resource.field_names
    )
    found = session.con.execute(
        f"SELECT EXISTS (SELECT 1 FROM {q(kept)} WHERE {odd}) "
        f"OR EXISTS (SELECT 1 FROM {q(new)} WHERE {odd})"
    ).fetchone()
    return not (found and found[0])


def _merge_in_sql(
    session: Session, package: Package, resource: Resource, replace: bool
) -> tuple[str | Path, int, list[tuple[str, ...]], list[tuple[list[str], list[str]]], Any]:
    """As _merge_in_python, on the session's tables; the merged CSV is a staged file. Over
    SERIAL_SORT_ROWS rows it is not written yet: the last item is then the function that writes
    it, to run once the session is closed (a sort of millions of rows needs the memory the
    session's tables hold), in a fresh connection that reads each side again (the file itself
    where DuckDB read it, else the session's rows saved as Parquet)."""
    con = session.con
    kept, everything, new, line = _tables(session, resource)
    line = line.replace("rowid", "n.rowid") if "rowid" in line else f"n.{line}"
    names = resource.field_names
    cols = ", ".join(q(n) for n in names)
    key = list(resource.primary_key)
    order = ", ".join(f"coalesce({q(k)}, '')" for k in (key or names))
    keys_sql = "[" + ", ".join(f"coalesce(n.{q(k)}, '')" for k in key) + "]::VARCHAR[]"
    new_ordered = f"FROM {q(new)} n"
    corrected: list[tuple[list[str], list[str]]] = []
    on = " AND ".join(f"o.{q(k)} = n.{q(k)}" for k in key)
    if replace and key:
        # Rows whose key the package held are corrections; the others are added.
        old = ", ".join(f"o.{q(n)}" for n in names)
        newer = ", ".join(f"n.{q(n)}" for n in names)
        for row in con.execute(
            f"SELECT [{old}]::VARCHAR[], [{newer}]::VARCHAR[] {new_ordered} "
            f"JOIN {q(everything)} o ON {on} ORDER BY {line}"
        ).fetchall():
            corrected.append(([c or "" for c in row[0]], [c or "" for c in row[1]]))
        new_ordered += f" WHERE NOT EXISTS (SELECT 1 FROM {q(everything)} o WHERE {on})"
    ordered = f"{new_ordered} ORDER BY {line}"
    added = con.execute(f"SELECT count(*) {new_ordered}").fetchone()[0]  # type: ignore[index]
    keys = [
        tuple(k) for (k,) in con.execute(f"SELECT {keys_sql} {ordered} LIMIT {LISTED}").fetchall()
    ]

    def copy(target: Any, tmp: Path, old_rows: str, new_rows: str) -> None:
        target.execute(
            f"COPY (SELECT {cols} FROM ({old_rows} UNION ALL {new_rows}) ORDER BY {order}) "
            f"TO {lit(str(tmp))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"')"
        )

    total = sum(n for (name, _), n in session.rows.items() if name == resource.name)
    if total <= SERIAL_SORT_ROWS:  # the session's tables, sorted where they are
        merged = stage_with(
            package.data_path(resource.name),
            lambda tmp: copy(
                con, tmp, f"SELECT {cols} FROM {q(kept)}", f"SELECT {cols} FROM {q(new)}"
            ),
        )
        return merged, added, keys, corrected, None
    # Each side's rows as DuckDB reads them again in a fresh connection: the file itself when
    # DuckDB read it, else (read by Python's csv module) the session's table, saved as Parquet.
    saved = Path(tempfile.mkdtemp(prefix="csto-alignment-merge-"))

    def side(table: str, origin: str) -> tuple[str, bool]:
        sql = session.source_sql.get((resource.name, origin))
        if sql is not None:
            return sql, False
        path = lit(str(saved / f"{origin}.parquet"))
        con.execute(f"COPY (SELECT {cols} FROM {q(table)}) TO {path} (FORMAT parquet)")
        return f"SELECT {cols} FROM read_parquet({path})", True

    try:
        old_rows, set_aside = side(kept, PACKAGE)
        new_rows, _ = side(new, CONTRIBUTION)
    except BaseException:
        shutil.rmtree(saved, ignore_errors=True)
        raise
    if replace and key and not set_aside:  # the package's rows less those it corrects
        old_rows = (
            f"SELECT {cols} FROM ({old_rows}) o WHERE NOT EXISTS "
            f"(SELECT 1 FROM ({new_rows}) n WHERE {on})"
        )

    def rewrite(tmp: Path) -> None:
        fresh = engine().connect()
        spill = spill_to_temp(fresh)
        try:
            fresh.execute("SET threads = 1")  # one sort run needs less memory than two
            copy(fresh, tmp, old_rows, new_rows)
        finally:
            fresh.close()
            remove_temp(spill)
            shutil.rmtree(saved, ignore_errors=True)

    return "", added, keys, corrected, rewrite
