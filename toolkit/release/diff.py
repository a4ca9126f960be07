"""Compare two versions of the package, row by row and field by field, and grade the change.

Versions are folders or git revisions of the repository. The grade follows the Data Package version
recipe: MAJOR when a field or resource is removed, renamed or retyped, or a constraint tightened;
MINOR when rows, fields or resources are added, rows removed, or a constraint loosened; PATCH when
values or metadata are fixed.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.package import constraints as schema_constraints
from toolkit.package.tableschema import (
    DESCRIPTOR,
    Field,
    Package,
    PackageError,
    Resource,
    load_package,
)
from toolkit.release.revisions import resolve

LEVELS = ("patch", "minor", "major")
# Descriptor keys that a release rewrites; they are not changes of the data.
RELEASE_KEYS = {"version", "created", "hash", "bytes"}


@dataclass
class SchemaChange:
    kind: str  # field-added, field-removed, field-renamed, field-retyped, constraint-tightened, ...
    field: str
    detail: str
    level: str


@dataclass
class RowChange:
    key: dict[str, str]
    cells: dict[str, tuple[str, str]]


@dataclass
class ResourceDiff:
    name: str
    status: str = "same"  # added, removed, changed, same
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()

    @property
    def level(self) -> str | None:
        levels = [c.level for c in self.schema]
        if self.status == "removed":
            levels.append("major")
        if self.status == "added" or self.added or self.removed:
            levels.append("minor")
        if self.changed:
            levels.append("patch")
        return max(levels, key=LEVELS.index) if levels else None

    def key_of(self, row: dict[str, str]) -> str:
        return "/".join(row.get(k, "") for k in self.primary_key)


@dataclass
class PackageDiff:
    old: str
    new: str
    old_version: str
    new_version: str
    resources: list[ResourceDiff]
    metadata: list[str] = field(default_factory=list)

    @property
    def level(self) -> str | None:
        levels = [r.level for r in self.resources if r.level] + (["patch"] if self.metadata else [])
        return max(levels, key=LEVELS.index) if levels else None

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            r.name: {
                "added": len(r.added),
                "removed": len(r.removed),
                "changed": len(r.changed),
                "schema_changes": len(r.schema),
            }
            for r in self.resources
            if r.level
        }

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["level"] = self.level
        for r, rd in zip(self.resources, d["resources"], strict=True):
            rd["level"] = r.level
            rd["changed"] = [
                {"key": c.key, "cells": {k: {"old": o, "new": n} for k, (o, n) in c.cells.items()}}
                for c in r.changed
            ]
        return d


@contextmanager
def open_version(ref: str, repo: Path) -> Iterator[Package]:
    """A package from a folder, or from a git revision of `repo` (extracted to a temporary folder)."""
    path = Path(ref)
    if (path / DESCRIPTOR).exists() or (path.name == DESCRIPTOR and path.exists()):
        yield load_package(path)
        return
    try:
        # A revision is never taken as an option ('--output=x' would make git write a file):
        # resolve it to a commit after --end-of-options, then archive that commit by its hash.
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", "--end-of-options"]
            + [f"{resolve(ref, repo)}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        tar = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        raise PackageError(
            f"{ref!r} is neither a package folder nor a git revision of {repo}"
        ) from None
    tmp = Path(tempfile.mkdtemp(prefix="csto-alignment-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
            tf.extractall(tmp, filter="data")
        yield load_package(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rows(package: Package, res: Resource) -> list[dict[str, str]]:
    with (package.root / res.path).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _constraint_changes(old: Field, new: Field) -> list[SchemaChange]:
    out = []

    def add(tight: bool, what: str) -> None:
        kind = "constraint-tightened" if tight else "constraint-loosened"
        out.append(SchemaChange(kind, new.name, what, "major" if tight else "minor"))

    for c in schema_constraints.CONSTRAINTS:
        a, b = schema_constraints.declared(old, c), schema_constraints.declared(new, c)
        if a != b:
            add(c.tighter(a, b), f"{c.attr} {c.shown(a)} -> {c.shown(b)}")
    if old.format != new.format:
        add(True, f"format {old.format} -> {new.format}")
    return out


def _schema_changes(old: Resource, new: Resource) -> list[SchemaChange]:
    changes = []
    old_names, new_names = old.field_names, new.field_names
    removed = [n for n in old_names if n not in new_names]
    added = [n for n in new_names if n not in old_names]
    for r in list(removed):  # a field that left and another of its type took its place: a rename
        i = old_names.index(r)
        for a in added:
            if new_names.index(a) == i and new.field(a).type == old.field(r).type:
                changes.append(SchemaChange("field-renamed", a, f"{r} -> {a}", "major"))
                removed.remove(r)
                added.remove(a)
                break
    changes += [SchemaChange("field-removed", n, "", "major") for n in removed]
    changes += [SchemaChange("field-added", n, new.field(n).type, "minor") for n in added]
    for name in (n for n in new_names if n in old_names):
        o, n = old.field(name), new.field(name)
        if o.type != n.type:
            changes.append(SchemaChange("field-retyped", name, f"{o.type} -> {n.type}", "major"))
        else:
            changes += _constraint_changes(o, n)
        if o.description != n.description:
            changes.append(SchemaChange("description-changed", name, "", "patch"))
    if old.primary_key != new.primary_key:
        changes.append(
            SchemaChange(
                "primary-key-changed",
                ",".join(new.primary_key),
                f"{list(old.primary_key)} -> {list(new.primary_key)}",
                "major",
            )
        )
    o_fk, n_fk = set(old.foreign_keys), set(new.foreign_keys)
    # A foreign key on fields that are all new constrains no value an earlier user had: it comes
    # with the fields (minor), unlike one laid on a field that was there (major).
    with_new = {fk for fk in n_fk - o_fk if set(fk.fields) <= set(added)}
    for fks, kind, what, level in (
        (n_fk - o_fk - with_new, "constraint-tightened", "added", "major"),
        (with_new, "field-added", "added with the field", "minor"),
        (o_fk - n_fk, "constraint-loosened", "removed", "minor"),
    ):
        changes += [
            SchemaChange(kind, ",".join(fk.fields), f"foreign key to {fk.resource} {what}", level)
            for fk in fks
        ]
    if old.missing_values != new.missing_values:
        changes.append(
            SchemaChange(
                "constraint-tightened",
                "",
                f"missingValues {list(old.missing_values)} -> {list(new.missing_values)}",
                "major",
            )
        )
    return changes


def _row_changes(
    old_pkg: Package, old: Resource, new_pkg: Package, new: Resource, d: ResourceDiff
) -> None:
    key = new.primary_key or tuple(new.field_names)
    d.primary_key = key

    def keyed(rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
        return {tuple(r.get(k) or "" for k in key): r for r in rows}

    before, after = keyed(_rows(old_pkg, old)), keyed(_rows(new_pkg, new))
    common = [f for f in new.field_names if f in old.field_names]
    d.added = [after[k] for k in after if k not in before]
    d.removed = [before[k] for k in before if k not in after]
    for k in after.keys() & before.keys():
        cells = {
            f: (before[k].get(f) or "", after[k].get(f) or "")
            for f in common
            if (before[k].get(f) or "") != (after[k].get(f) or "")
        }
        if cells:
            d.changed.append(RowChange(dict(zip(key, k, strict=True)), cells))
    d.changed.sort(key=lambda c: list(c.key.values()))


def _metadata_changes(old: Package, new: Package) -> list[str]:
    def clean(desc: dict[str, Any]) -> dict[str, Any]:
        d = {k: v for k, v in desc.items() if k not in RELEASE_KEYS and k != "resources"}
        return d

    o, n = clean(old.descriptor), clean(new.descriptor)
    return sorted(k for k in o.keys() | n.keys() if o.get(k) != n.get(k))


def diff_packages(
    old: Package, new: Package, old_ref: str = "old", new_ref: str = "new"
) -> PackageDiff:
    resources = []
    for name in list(old.resources) + [n for n in new.resources if n not in old.resources]:
        d = ResourceDiff(name)
        if (
            name not in new.resources or name not in old.resources
        ):  # the whole resource went or came
            side = old if name not in new.resources else new
            d.status = "removed" if side is old else "added"
            d.primary_key = side.resources[name].primary_key
            setattr(d, d.status, _rows(side, side.resources[name]))
        else:
            d.schema = _schema_changes(old.resources[name], new.resources[name])
            _row_changes(old, old.resources[name], new, new.resources[name], d)
            d.status = "changed" if d.level else "same"
        resources.append(d)
    return PackageDiff(
        old_ref, new_ref, old.version, new.version, resources, _metadata_changes(old, new)
    )


def diff_refs(old_ref: str, new_ref: str, repo: Path) -> PackageDiff:
    with open_version(old_ref, repo) as old, open_version(new_ref, repo) as new:
        return diff_packages(old, new, old_ref, new_ref)


def cell_changes(cells: dict[str, tuple[str, str]]) -> str:
    """`field: 'old' -> 'new'` for each changed cell: how the CHANGELOG words a correction, whether
    `add --replace` logs it or a release's diff lists it."""
    return "; ".join(f"{f}: {o!r} -> {n!r}" for f, (o, n) in cells.items())


def markdown(d: PackageDiff, heading: str = "###", max_rows: int = 250) -> str:
    """The diff as Markdown, ready for CHANGELOG.md: counts, schema changes and the rows by key."""
    lines = [
        f"{heading} Changes from {d.old} ({d.old_version or '?'}) to {d.new}: {d.level or 'none'}",
        "",
    ]
    if not d.level:
        return "\n".join(lines + ["No changes.", ""])
    counts = d.counts()
    if counts:  # a change of descriptor metadata alone has no table
        lines += [
            "| resource | rows added | rows removed | rows changed | schema changes |",
            "|---|---|---|---|---|",
        ]
        for name, c in counts.items():
            lines.append(
                f"| `{name}` | {c['added']} | {c['removed']} | {c['changed']} | {c['schema_changes']} |"
            )
        lines.append("")
    for r in d.resources:
        if not r.level:
            continue
        for s in r.schema:
            lines.append(
                f"- `{r.name}`: {s.kind} `{s.field}` {s.detail}".rstrip() + f" ({s.level})"
            )
        for what, rows in (("added", r.added), ("removed", r.removed)):
            if rows:
                keys = [r.key_of(x) for x in rows[:max_rows]]
                more = f" and {len(rows) - max_rows} more" if len(rows) > max_rows else ""
                lines.append(f"- `{r.name}` {what}: " + ", ".join(f"`{k}`" for k in keys) + more)
        for row in r.changed[:max_rows]:
            cells = cell_changes(row.cells)
            lines.append(f"- `{r.name}` changed `{'/'.join(row.key.values())}`: {cells}")
    if d.metadata:
        lines.append(f"- descriptor metadata changed: {', '.join(d.metadata)}")
    return "\n".join(lines) + "\n"


def text(d: PackageDiff) -> str:
    return markdown(d, heading="").replace("`", "").lstrip()
