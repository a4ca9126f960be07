"""Merge a checked contribution into the package: canonical order and format, atomic.

`add` writes the data file and nothing else: no hash into datapackage.json, no line into
CHANGELOG.md. Two branches that add rows to the same table then change only that table's lines, and
git merges them; the release lists every row added, removed or changed since the last release, from
the diff (toolkit/release/cut.py).
"""

from __future__ import annotations

import csv
import heapq
import io
import operator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.checks.csvread import leading_comments
from toolkit.checks.report import Report
from toolkit.checks.validate import check_contribution
from toolkit.package.tableschema import DESCRIPTOR, Package, Resource
from toolkit.release.diff import cell_changes
from toolkit.store.fileio import descriptor_json
from toolkit.store.journal import commit


@dataclass
class MergeResult:
    report: Report
    added: int = 0
    replaced: int = 0  # rows whose key existed, corrected in place (`add --replace`)
    written: bool = False
    corrections: list[str] = field(default_factory=list)  # each corrected row's cells, old -> new


def read_rows(path: Path, resource: Resource) -> list[list[str]]:
    """Rows of a structurally valid CSV (BOM, CRLF, '#' comment lines accepted), each a list of
    its cells in schema column order, whatever the file's column order; blank rows are skipped."""
    # Decoded as is: reading as text would turn a CR inside a quoted cell into LF.
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text[leading_comments(text)[1] :], newline=""))
    header = next(reader, [])
    where = [header.index(f) for f in resource.field_names]  # the file was checked: all there
    # Lists, not dicts: far cheaper for a million rows.
    return [[cells[i] if i < len(cells) else "" for i in where] for cells in reader if any(cells)]


def merged_rows(
    resource: Resource, existing: list[list[str]], new: list[list[str]]
) -> list[list[str]]:
    """`existing` in its order, with the `new` rows put in by primary key: each goes before the
    first existing row whose key is greater. No existing row moves, so the change is the new lines
    alone (a row someone appended by hand stays where it is): the smallest diff, the one least
    likely to meet another branch's. The package's files are in key order, and stay so."""
    names = resource.field_names
    key = operator.itemgetter(*[names.index(k) for k in (resource.primary_key or names)])
    return list(heapq.merge(existing, sorted(new, key=key), key=key))


def canonical_csv(resource: Resource, rows: list[list[str]]) -> str:
    """UTF-8, LF line ends, minimal quoting, the header in schema order: small, stable diffs."""
    names = resource.field_names
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(names)
    w.writerows(rows)
    text = out.getvalue()
    if "\r" not in text:
        return text
    # Python's writer quotes a cell holding LF but not one holding a bare CR (it is not in the
    # line terminator), and a reader would end the row there: such rows are written quoted whole.
    out = io.StringIO()
    w, quoted = (
        csv.writer(out, lineterminator="\n"),
        csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL),
    )
    w.writerow(names)
    for row in rows:
        (quoted if any("\r" in c for c in row) else w).writerow(row)
    return out.getvalue()


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


def add_contribution(
    package: Package,
    file: Path,
    resource_name: str,
    replace: bool = False,
    sources: Path | None = None,
) -> MergeResult:
    """Check `file`; only when it has no error, merge its rows into the resource.

    With `replace`, a row whose primary key exists replaces that row (a correction): each changed
    cell is reported, old -> new (`corrections`); rows with new keys are added as usual.
    """
    report = check_contribution(package, file, resource_name, replace=replace, sources=sources)
    result = MergeResult(report=report)
    if not report.valid:
        return result
    resource = package.resource(resource_name)
    data_path = package.data_path(resource_name)
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
        existing = [by_key.get(key_of(r), r) for r in existing]  # corrected in place
        added = [r for r in new if key_of(r) not in old_rows]
    else:
        added = new
    merged = canonical_csv(resource, merged_rows(resource, existing, added))
    result.corrections = [
        f"{'/'.join(key_of(row))}: {cells}"
        for old, row in corrected
        if (cells := _changed_cells(resource, old, row))  # a row sent again unchanged is none
    ]
    files = {data_path: merged}
    descriptor = _descriptor_without_digest(package, resource_name)
    if descriptor is not None:
        files[package.root / DESCRIPTOR] = descriptor
    _test_pause_before_write()
    commit(package.root, files)
    result.added, result.replaced, result.written = len(added), len(corrected), True
    return result
