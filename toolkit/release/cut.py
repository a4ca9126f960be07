"""Cut a release: validate, grade the change since the last release, and write the release's files.

The last release is the git tag `v<version>` of the descriptor's current version or, where tags were
not fetched, the commit whose subject is `Release <version>`. With none, this is the first release and
it publishes the descriptor's version as it is.
"""

from __future__ import annotations

import re
import shlex
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from toolkit.checks.report import Report
from toolkit.checks.validate import validate_package
from toolkit.db.saved import FOLDER, saved_queries
from toolkit.package.tableschema import DESCRIPTOR, Package, load_package
from toolkit.release.changelog import release_unreleased
from toolkit.release.datareadme import data_licence, data_readme
from toolkit.release.diff import LEVELS, PackageDiff, diff_refs, markdown
from toolkit.release.revisions import release_commit
from toolkit.store.fileio import descriptor_json, file_digest, with_digests
from toolkit.store.journal import _step, commit

# Files of the repository the release zip holds as they are; its README.md and LICENSE.md are
# written for data users (datareadme.py), not the developers' README and the code's MIT licence.
DIST_FILES = ("datapackage.json", "CHANGELOG.md", "CITATION.cff")


@dataclass
class ReleaseResult:
    old_version: str
    new_version: str = ""
    required: str | None = None
    diff: PackageDiff | None = None
    report: Report | None = None
    refused: str = ""
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    git_commands: list[str] = field(default_factory=list)
    rehashed: list[str] = field(
        default_factory=list
    )  # resources edited since their hash was recorded


def bump(version: str, level: str) -> str:
    major, minor, patch = (int(x) for x in re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version).groups())  # type: ignore[union-attr]
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _descriptor_text(package: Package, version: str, created: str) -> str:
    digests = {r.name: file_digest(package.root / r.path) for r in package.resources.values()}
    return descriptor_json(
        with_digests(package.descriptor, digests, version=version, created=created)
    )


def _citation_text(path: Path, version: str, day: str) -> str | None:
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^version: .*$", f'version: "{version}"', text, flags=re.M)
    return re.sub(r"^date-released: .*$", f'date-released: "{day}"', text, flags=re.M)


# The README's suggested citation: "... (version 0.3.1) [Data set]."
CITED_VERSION = re.compile(r"\(version [0-9]+\.[0-9]+\.[0-9]+\)(?= \[Data set\])")


def _readme_text(path: Path, version: str) -> str | None:
    """The README citing the new version, if it holds the suggested citation."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    new = CITED_VERSION.sub(f"(version {version})", text)
    return new if new != text else None


def _check_dist(package: Package) -> Path:
    from toolkit.store.outdir import check_output_folder, package_paths

    root = package.root
    return check_output_folder(root / "dist", root, package_paths(package), option="dist/")


def _write_dist(package: Package, version: str, site: bool = False) -> list[Path]:
    """dist/ built whole beside itself, then put in place (store/outdir.build_folder): never
    through a symbolic link, never over files the toolkit did not write, and a crash midway leaves
    the old dist/ as it was."""
    from toolkit.store.outdir import build_folder

    dist = _check_dist(package)
    built = build_folder(dist, "release", lambda stage: _fill_dist(package, version, site, stage))
    return [dist / p for p in built]


def _fill_dist(package: Package, version: str, site: bool, dist: Path) -> list[str]:
    """Write the release's files into the new folder `dist`; their paths relative to it."""
    from toolkit.db.export import export_duckdb, export_parquet
    from toolkit.store.outdir import file_name

    name = file_name(package.descriptor.get("name", "package"))
    archive = dist / f"{name}-{version}.zip"
    top = f"{name}-{version}"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in DIST_FILES:
            if (package.root / f).exists():
                zf.write(package.root / f, f"{top}/{f}")
        for res in package.resources.values():
            for rel in (res.path, res.schema_path):
                if rel:
                    zf.write(package.root / rel, f"{top}/{rel}")
        for query in saved_queries(package.root).values():  # `query NAME` works when unzipped
            zf.write(query.path, f"{top}/{FOLDER}/{query.path.name}")
        zf.writestr(f"{top}/README.md", data_readme(package, version))
        zf.writestr(f"{top}/LICENSE.md", data_licence(package))
    written = [archive]
    _step("dist")  # tests: a crash while dist/ is written
    written += export_parquet(package, dist / "parquet")
    db = export_duckdb(package, dist)
    final = dist / f"{name}-{version}.duckdb"
    db[0].rename(final)
    written.append(final)
    if site:  # the static site of this version, beside the zip
        from toolkit.site.build import build_site

        written.append(build_site(package, dist / "site").out)
    return [str(p.relative_to(dist)) for p in written]


def cut_release(
    path: str | Path,
    level: str | None = None,
    force: bool = False,
    now: datetime | None = None,
    dist: bool = True,
    site: bool = False,
) -> ReleaseResult:
    """Validate, grade and write a release; `refused` says why nothing was written."""
    package = load_package(path)
    result = ReleaseResult(old_version=package.version)
    result.report = validate_package(package.root, package)
    # A correction made by hand leaves the recorded hashes stale; the release records them anew
    # and its diff lists every changed cell, so stale hashes alone do not stop it.
    blocking = [e for e in result.report.errors if e.code != "hash-mismatch"]
    if blocking:
        result.refused = f"the package has {len(blocking)} error(s); fix them first"
        return result
    result.rehashed = sorted({e.resource for e in result.report.errors})
    if "version" not in package.descriptor:  # publishing "" would leave a package validate refuses
        result.refused = (
            "datapackage.json has no version: set the version to publish first, e.g. "
            '"version": "0.1.0" (MAJOR.MINOR.PATCH)'
        )
        return result
    repo = package.root
    last = release_commit(repo, package.version)
    if last is None:
        result.new_version = package.version
        if level:
            result.warnings.append(
                f"no earlier release: the first release publishes {package.version} as it is"
            )
    else:
        result.diff = diff_refs(last, str(package.root), repo)
        result.required = result.diff.level
        if result.required is None:
            result.refused = (
                f"nothing changed since release {package.version} ({last}); nothing to release"
            )
            return result
        chosen = level or result.required
        if LEVELS.index(chosen) < LEVELS.index(result.required):
            if not force:
                result.refused = (
                    f"a {chosen} release is too small: the changes since {package.version} need "
                    f"a {result.required} release (see `csto-alignment diff {last} .`)"
                )
                return result
            result.warnings.append(
                f"--force: releasing as {chosen} although the changes need {result.required}; people who "
                "depend on the version number to spot breaking changes will be misled"
            )
        result.new_version = bump(package.version, chosen)
        # Name the versions, never a commit hash (a clone without tags finds the release by its
        # commit's subject).
        result.diff.old = f"v{package.version}"
        result.diff.new, result.diff.new_version = f"v{result.new_version}", result.new_version
    now = now or datetime.now(UTC)
    day = now.date().isoformat()
    changelog = package.root / "CHANGELOG.md"
    extra = markdown(result.diff) if result.diff else ""
    files = {
        package.root / DESCRIPTOR: _descriptor_text(
            package, result.new_version, now.strftime("%Y-%m-%dT%H:%M:%SZ")
        ),
        changelog: release_unreleased(
            changelog.read_text(encoding="utf-8"), result.new_version, day, extra
        ),
    }
    citation = _citation_text(package.root / "CITATION.cff", result.new_version, day)
    if citation is not None:
        files[package.root / "CITATION.cff"] = citation
    readme = _readme_text(package.root / "README.md", result.new_version)
    if readme is not None:
        files[package.root / "README.md"] = readme
    if dist:  # refused before anything is written (store/outdir)
        _check_dist(package)
    commit(package.root, files)
    result.written = list(files)
    # Only what belongs in the repository: dist/ and exports (out/) are built, not committed.
    tracked = " ".join(shlex.quote(str(p.relative_to(package.root))) for p in files)
    if dist:
        result.written += _write_dist(load_package(package.root), result.new_version, site)
    v = result.new_version  # MAJOR.MINOR.PATCH (descriptor.py); quoted all the same
    result.git_commands = [
        f"git add {tracked} && git commit -m {shlex.quote(f'Release {v}')}",
        f"git tag -a {shlex.quote(f'v{v}')} -m {shlex.quote(f'Release {v}')}",
    ]
    return result
