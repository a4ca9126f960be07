"""The record of what a release published, and whether a package is that release.

Bookkeeping belongs to the release, not to each change. Between releases the repository's
datapackage.json carries no `bytes` or `hash` and CHANGELOG.md gets no line per change, so that two
branches adding rows never touch the same lines, and a file edited by hand stays valid. `release`
records the size and sha256 of every file it publishes in `releases/<version>.json` (this module),
and writes them into the published copy of the descriptor (the zip's datapackage.json), where
`frictionless validate` checks them.

A package *is* release X when its descriptor says version X and its files are those the record of
X lists (the data files, the Table Schemas, and the descriptor itself less the keys a release sets).
Anything else is labelled as what it is: "0.4.0 + unreleased changes" (changed since 0.4.0), or
"0.4.0 (unreleased)" (no record of a release 0.4.0: a version not released yet). The label is what
`--version`, the site and a snapshot zip show, so that no copy presents unreleased content as a
release.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.package.tableschema import DESCRIPTOR, Package
from toolkit.store.fileio import file_digest

FOLDER = "releases"
# Keys of the descriptor that a release sets: not part of the content it records.
RELEASE_KEYS = ("version", "created")
RESOURCE_KEYS = ("bytes", "hash")


def record_path(root: Path, version: str) -> Path:
    return root / FOLDER / f"{version}.json"


def descriptor_digest(descriptor: dict[str, Any]) -> str:
    """sha256 of the descriptor's content: its JSON with sorted keys, less the keys a release
    sets (version, created) and the sizes and hashes of its resources."""
    d = {k: v for k, v in descriptor.items() if k not in RELEASE_KEYS}
    d["resources"] = [
        {k: v for k, v in r.items() if k not in RESOURCE_KEYS} if isinstance(r, dict) else r
        for r in descriptor.get("resources", [])
    ]
    text = json.dumps(d, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def published_files(package: Package) -> list[str]:
    """The files of the package a release publishes and records, in descriptor order: each
    resource's data file and its Table Schema (when the schema is a file)."""
    paths: list[str] = []
    for r in package.resources.values():
        for p in (r.path, r.schema_path):
            if p and p not in paths:
                paths.append(p)
    return paths


def _digest(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    size, sha = file_digest(path)
    return {"bytes": size, "hash": f"sha256:{sha}"}


def make_record(package: Package, version: str, created: str) -> dict[str, Any]:
    """The record of release `version` of the package as it is now."""
    return {
        "version": version,
        "created": created,
        "descriptor": f"sha256:{descriptor_digest(package.descriptor)}",
        "files": {p: _digest(package.root / p) for p in published_files(package)},
    }


def record_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def read_record(root: Path, version: str) -> dict[str, Any] | None:
    """The record of release `version` in `root/releases/`, or None (missing or unreadable)."""
    path = record_path(root, version)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("files"), dict) else None


def _record_from_descriptor(package: Package) -> dict[str, Any] | None:
    """An unzipped release carries its record in its descriptor: every resource's bytes and hash."""
    res = list(package.resources.values())
    if not res or any(r.hash is None or r.bytes is None for r in res):
        return None
    return {
        "version": package.version,
        "files": {r.path: {"bytes": r.bytes, "hash": r.hash} for r in res},
    }


@dataclass
class ReleaseStatus:
    """Whether a package is the release its descriptor names."""

    version: str
    recorded: bool  # a record of release `version` exists
    changed: list[str] = field(default_factory=list)  # files that differ from the record

    @property
    def released(self) -> bool:
        return self.recorded and not self.changed

    @property
    def label(self) -> str:
        """The version as people should read it."""
        if self.released:
            return self.version
        if self.recorded:
            return f"{self.version} + unreleased changes"
        return f"{self.version} (unreleased)"

    @property
    def slug(self) -> str:
        """The label in a file name or a version field (SemVer build metadata)."""
        return self.version if self.released else f"{self.version}+unreleased"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "label": self.label,
            "released": self.released,
            "changed_files": self.changed,
        }


def differences(package: Package, record: dict[str, Any]) -> list[str]:
    """The files of the package that differ from the record: added, removed or changed data and
    schema files, and `datapackage.json` when its content (less version and created) differs."""
    changed = []
    recorded = record.get("descriptor")
    if recorded and recorded != f"sha256:{descriptor_digest(package.descriptor)}":
        changed.append(DESCRIPTOR)
    files: dict[str, Any] = record.get("files", {})
    now = published_files(package) if recorded else [r.path for r in package.resources.values()]
    for p in now:
        if p not in files or files[p] != _digest(package.root / p):
            changed.append(p)
    changed += [p for p in files if p not in now]
    return changed


def release_status(package: Package) -> ReleaseStatus:
    """Whether `package` is the release its descriptor names, from the record in releases/ (or,
    in an unzipped release, from the sizes and hashes its descriptor carries)."""
    record = read_record(package.root, package.version) or _record_from_descriptor(package)
    if record is None:
        return ReleaseStatus(package.version, recorded=False)
    return ReleaseStatus(package.version, recorded=True, changed=differences(package, record))
