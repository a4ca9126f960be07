"""Cut a release: validate, grade the change since the last release, and write the release's files.

Bookkeeping belongs to the release (record.py): between releases nothing records hashes or
CHANGELOG lines. A release

- finds the last release by its content: the descriptor's version is the last release's, found in
  git by its tag `v<version>` or, without tags, by the commit whose descriptor first carried that
  version (revisions.py), never by a commit message;
- diffs the package against it (every row added or removed, every cell changed, old -> new, and
  the schema changes) and grades the bump;
- writes the CHANGELOG entry (the notes under *Unreleased*, then the diff), the new version into
  the descriptor, CITATION.cff and the README's citation, and the record of the files it publishes,
  `releases/<version>.json` (their sizes and sha256);
- builds dist/ from the package as recorded, and checks what it built against the record.

It refuses a package with errors, a version that was already published (a version never has two
contents), a release written but not committed yet, and a release with nothing changed.
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
from toolkit.errors import InvalidDataError
from toolkit.package.tableschema import DESCRIPTOR, Package, load_package
from toolkit.release.changelog import release_unreleased, section
from toolkit.release.citation import citation, release_url, title, zenodo_json
from toolkit.release.datareadme import data_licence, data_readme
from toolkit.release.diff import LEVELS, PackageDiff, diff_refs, markdown
from toolkit.release.record import (
    FOLDER as RECORDS,
)
from toolkit.release.record import (
    RESOURCE_KEYS,
    ReleaseStatus,
    make_record,
    read_record,
    record_json,
    record_path,
    release_status,
)
from toolkit.release.revisions import git_output, release_commit, version_commits
from toolkit.store.fileio import descriptor_json, file_digest
from toolkit.store.journal import _step, commit

# Files of the repository the release zip holds as they are; its README.md and LICENSE.md are
# written for data users (datareadme.py), not the developers' README and the code's MIT licence.
DIST_FILES = ("CHANGELOG.md",)


class DistError(InvalidDataError):
    """dist/ cannot be built as a release: the package is not the release it names, or what was
    built differs from the record."""


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


def bump(version: str, level: str) -> str:
    major, minor, patch = (int(x) for x in re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version).groups())  # type: ignore[union-attr]
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _without_digests(descriptor: dict, **top: object) -> dict:
    """The descriptor with `top` set and no resource's bytes or hash: the repository's copy never
    carries them (they belong to the published copy, where they cannot go stale)."""
    d = {**descriptor, **top}
    d["resources"] = [
        {k: v for k, v in r.items() if k not in RESOURCE_KEYS} for r in descriptor["resources"]
    ]
    return d


def published_descriptor(package: Package, version: str) -> str:
    """The descriptor as published: the version, and every data file's size and sha256."""
    d = {**package.descriptor, "version": version}
    d["resources"] = []
    for r in package.descriptor["resources"]:
        size, sha = file_digest(package.root / r["path"])
        d["resources"].append({**r, "bytes": size, "hash": f"sha256:{sha}"})
    return descriptor_json(d)


CFF_VERSION = re.compile(r"^version: .*$", re.M)
CFF_DATE = re.compile(r"^date-released: .*$", re.M)
CFF_TITLE = re.compile(r"^title: .*$", re.M)
CFF_URL = re.compile(r"^url: .*$", re.M)


def _cff_set(text: str, pattern: re.Pattern[str], line: str, after: str = "type: ") -> str:
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    at = text.find("\n", text.find(after)) + 1 if after in text else len(text)
    return text[:at] + line + "\n" + text[at:]


def citation_cff(text: str, package: Package, version: str, day: str | None) -> str:
    """CITATION.cff naming the dataset's one title, `version`, its release date and address."""
    text = _cff_set(text, CFF_TITLE, f"title: {_yaml_str(title(package))}")
    text = _cff_set(text, CFF_VERSION, f"version: {_yaml_str(version)}", after="title: ")
    if day:
        text = _cff_set(text, CFF_DATE, f'date-released: "{day}"', after="version: ")
    url = release_url(package, version)
    if url:
        text = _cff_set(text, CFF_URL, f"url: {_yaml_str(url)}", after="version: ")
    return text


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# The README's suggested citation: "... (version 0.3.1) [Data set]." and its address, if any.
CITED_VERSION = re.compile(r"\(version [0-9]+\.[0-9]+\.[0-9]+\)(?= \[Data set\])")


def _readme_text(path: Path, version: str) -> str | None:
    """The README citing the new version, if it holds the suggested citation."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    new = CITED_VERSION.sub(f"(version {version})", text)
    new = re.sub(r"/releases/tag/v[0-9]+\.[0-9]+\.[0-9]+", f"/releases/tag/v{version}", new)
    return new if new != text else None


def _published_already(root: Path, version: str) -> str | None:
    """Where `version` was published already, if it was: a record, a tag or a commit."""
    if record_path(root, version).exists():
        return f"{RECORDS}/{version}.json records it"
    if git_output(root, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}"):
        return f"the tag v{version} exists"
    for sha, v in version_commits(root):
        if v == version:
            return f"commit {sha[:12]} holds it"
    return None


def _commit_differs(root: Path, commit: str, record: dict) -> list[str]:
    """The files of the package at `commit` whose size or sha256 differ from the record."""
    import hashlib

    from toolkit.release.revisions import file_at

    prefix = git_output(root, "rev-parse", "--show-prefix") or ""
    wrong = []
    for path, expected in sorted(record.get("files", {}).items()):
        data = file_at(root, commit, path, prefix)
        got = (
            None
            if data is None
            else {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
        )
        if got != expected:
            wrong.append(path)
    return wrong


def _last_release(package: Package, result: ReleaseResult) -> str | None:
    """The git revision of the release the descriptor names; None for a first release. Sets
    `result.refused` when the descriptor names a version that is not a committed release."""
    root, version = package.root, package.version
    recorded = read_record(root, version) is not None
    tagged = git_output(
        root, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}"
    )
    if not recorded and not tagged:
        # No release of this version: a first release, unless earlier versions were released.
        earlier = [v for _, v in version_commits(root) if v != version]
        earlier += [p.stem for p in (root / RECORDS).glob("*.json") if p.stem != version]
        if earlier:
            result.refused = (
                f"datapackage.json says version {version}, which was never released (no "
                f"{RECORDS}/{version}.json, no tag v{version}); the version changes only at a "
                f"release: set it back to the last release ({earlier[0]})"
            )
        return None
    last = release_commit(root, version)
    record = read_record(root, version)
    if last is not None and record is not None and (wrong := _commit_differs(root, last, record)):
        result.refused = (
            f"the commit holding release {version} ({last}) differs from what the release "
            f"recorded ({RECORDS}/{version}.json) in {', '.join(wrong)}: it was committed with "
            "other changes. Make the release's commit hold the release alone (e.g. `git reset "
            "--soft HEAD~1`, commit the files `release` wrote, then the other changes), then "
            "release again"
        )
        return None
    if last is None:
        if git_output(root, "rev-parse", "--is-inside-work-tree") is None:
            result.refused = (
                f"nothing changed since release {version}; nothing to release"
                if release_status(package).released
                else f"the package changed since release {version}, and without its git history "
                "the change cannot be listed; release from a git clone"
            )
        elif git_output(root, "rev-parse", "--is-shallow-repository") == "true":
            result.refused = (
                f"this clone's history is shallow, and does not reach release {version}: fetch "
                "it whole (`git fetch --unshallow --tags`), then release again"
            )
        else:
            result.refused = (
                f"release {version} is written but not committed (no commit or tag holds "
                f"version {version}): run the git commands it printed (git add ... && git commit "
                f"-m 'Release {version}', git tag), then release what changed since"
            )
    return last


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
    if result.report.errors:
        result.refused = f"the package has {len(result.report.errors)} error(s); fix them first"
        return result
    root = package.root
    if "version" not in package.descriptor:  # publishing "" would leave a package validate refuses
        result.refused = (
            "datapackage.json has no version: set the version to publish first, e.g. "
            '"version": "0.1.0" (MAJOR.MINOR.PATCH)'
        )
        return result
    last = _last_release(package, result)
    if result.refused:
        return result
    if last is None:
        result.new_version = package.version
        if level:
            result.warnings.append(
                f"no earlier release: the first release publishes {package.version} as it is"
            )
    else:
        result.diff = diff_refs(last, str(root), root)
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
                    f"a {result.required} release (see `csto-alignment diff v{package.version}`)"
                )
                return result
            result.warnings.append(
                f"--force: releasing as {chosen} although the changes need {result.required}; people who "
                "depend on the version number to spot breaking changes will be misled"
            )
        result.new_version = bump(package.version, chosen)
        # Name the versions, never a commit hash.
        result.diff.old = f"v{package.version}"
        result.diff.new, result.diff.new_version = f"v{result.new_version}", result.new_version
    if where := (_published_already(root, result.new_version) if last else None):
        result.refused = (
            f"version {result.new_version} was published already ({where}); a version is never "
            "published with two contents"
        )
        return result
    now = now or datetime.now(UTC)
    day = now.date().isoformat()
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    v = result.new_version
    descriptor = _without_digests(package.descriptor, version=v, created=created)
    released = Package(root=root, descriptor=descriptor, resources=package.resources)
    changelog = root / "CHANGELOG.md"
    old_log = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    extra = markdown(result.diff) if result.diff else ""
    files = {
        root / DESCRIPTOR: descriptor_json(descriptor),
        changelog: release_unreleased(old_log, v, day, extra),
        record_path(root, v): record_json(make_record(released, v, created)),
    }
    cff = root / "CITATION.cff"
    if cff.exists():
        files[cff] = citation_cff(cff.read_text(encoding="utf-8"), released, v, day)
    readme = _readme_text(root / "README.md", v)
    if readme is not None:
        files[root / "README.md"] = readme
    if (root / ".zenodo.json").exists():  # Zenodo's metadata, from the descriptor
        files[root / ".zenodo.json"] = zenodo_json(released)
    if dist:  # refused before anything is written (store/outdir)
        _check_dist(package)
    record_path(root, v).parent.mkdir(exist_ok=True)
    commit(root, files)
    result.written = list(files)
    # Only what belongs in the repository: dist/ and exports (out/) are built, not committed.
    tracked = " ".join(shlex.quote(str(p.relative_to(root))) for p in files)
    if dist:
        result.written += build_dist(load_package(root), site=site).written
    message = shlex.quote(f"Release {v}")
    result.git_commands = []
    if (root / "scripts" / "docs.py").exists():  # the docs' outputs, from the data released
        result.git_commands.append("python scripts/docs.py && git add -u README.md docs")
    result.git_commands += [
        f"git add {tracked} && git commit -m {message}",
        f"git tag -a {shlex.quote(f'v{v}')} -m {message}",
        f"git push origin HEAD {shlex.quote(f'v{v}')}  # the release workflow publishes dist/",
    ]
    return result


@dataclass
class DistResult:
    version: str  # the version, or the snapshot's label in a file name (0.4.0+unreleased)
    label: str
    written: list[Path] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # files checked against the record


def _zip_member_digests(archive: Path, top: str, names: list[str]) -> dict[str, dict]:
    import hashlib

    out = {}
    with zipfile.ZipFile(archive) as zf:
        for name in names:
            data = zf.read(f"{top}/{name}")
            out[name] = {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
    return out


def build_dist(package: Package, site: bool = False, unreleased: bool = False) -> DistResult:
    """dist/ for the package as it is: the zip (descriptor with every file's size and sha256,
    data, schemas, saved queries, CHANGELOG.md, CITATION.cff, a README and licence for data
    users), Parquet files, a .duckdb database and RELEASE-NOTES.md (and the site with `site`).

    The package must be the release its descriptor names (record.py); with `unreleased`, a package
    that is not is built as a snapshot labelled as such ("0.4.0 + unreleased changes") in every
    file. What is built is checked against the release's record: DistError if anything differs.
    """

    status = release_status(package)
    if not status.released and not unreleased:
        why = (
            f"it differs from release {package.version} in {', '.join(status.changed)}"
            if status.recorded
            else f"there is no record of a release {package.version} ({RECORDS}/{package.version}.json)"
        )
        raise DistError(
            f"the package is not release {package.version}: {why}. Release it first "
            "(`csto-alignment release`), or build a snapshot labelled as unreleased (--unreleased)"
        )
    version, label = status.slug, status.label
    out = DistResult(version=version, label=label)
    # Built whole beside dist/, then put in its place (store/outdir.build_folder): never through a
    # symbolic link, never over files the toolkit did not write; a crash midway leaves the old one.
    from toolkit.store.outdir import build_folder

    dist = _check_dist(package)
    built = build_folder(
        dist, "release", lambda stage: _fill_dist(package, status, out, stage, site)
    )
    out.written = [dist / p for p in built]
    return out


def _check_dist(package: Package) -> Path:
    from toolkit.store.outdir import check_output_folder, package_paths

    root = package.root
    return check_output_folder(root / "dist", root, package_paths(package), option="dist/")


def _fill_dist(
    package: Package, status: ReleaseStatus, out: DistResult, dist: Path, site: bool
) -> list[str]:
    """Write dist/'s files into the new folder `dist`; their paths relative to it."""
    from toolkit.db.export import export_duckdb, export_parquet
    from toolkit.store.outdir import file_name

    version, label = out.version, out.label
    name = file_name(package.descriptor.get("name", "package"))
    archive = dist / f"{name}-{version}.zip"
    top = f"{name}-{version}"
    url = release_url(package, package.version) if status.released else None
    cff = package.root / "CITATION.cff"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{top}/{DESCRIPTOR}", published_descriptor(package, version))
        for f in DIST_FILES:
            if (package.root / f).exists():
                zf.write(package.root / f, f"{top}/{f}")
        if cff.exists():
            day = str(package.descriptor.get("created", ""))[:10] if status.released else None
            text = citation_cff(cff.read_text(encoding="utf-8"), package, version, day)
            zf.writestr(f"{top}/CITATION.cff", text)
        for res in package.resources.values():
            for rel in (res.path, res.schema_path):
                if rel:
                    zf.write(package.root / rel, f"{top}/{rel}")
        for query in saved_queries(package.root).values():  # `query NAME` works when unzipped
            zf.write(query.path, f"{top}/{FOLDER}/{query.path.name}")
        zf.writestr(
            f"{top}/README.md",
            data_readme(package, version, url, label=None if status.released else label),
        )
        zf.writestr(f"{top}/LICENSE.md", data_licence(package))
    out.written.append(archive)
    if status.released:  # what was built is what the record says was released
        record = read_record(package.root, package.version) or {"files": {}}
        files = sorted(record["files"])
        built = _zip_member_digests(archive, top, files)
        wrong = [f for f in files if built.get(f) != record["files"][f]]
        if wrong:
            raise DistError(f"{archive}: {', '.join(wrong)} differ from {RECORDS}/{version}.json")
        out.verified = files
    _step("dist")  # tests: a crash while dist/ is written
    out.written += export_parquet(package, dist / "parquet")
    db = export_duckdb(package, dist)
    final = dist / f"{name}-{version}.duckdb"
    db[0].rename(final)
    out.written.append(final)
    notes = dist / "RELEASE-NOTES.md"
    notes.write_text(release_notes(package, status.released, label, url), encoding="utf-8")
    out.written.append(notes)
    if site:  # the static site of this version, beside the zip
        from toolkit.site.build import build_site

        out.written.append(build_site(package, dist / "site").out)
    return [str(p.relative_to(dist)) for p in out.written]


def release_notes(package: Package, released: bool, label: str, url: str | None) -> str:
    """The text of the GitHub release: the version's CHANGELOG entry and how to cite it."""
    log = package.root / "CHANGELOG.md"
    body = section(log.read_text(encoding="utf-8"), package.version) if log.exists() else ""
    head = "" if released else f"**Not a release**: {label}.\n\n"
    cite = citation(package, package.version if released else label, url)
    return f"{head}{body.strip()}\n\n## How to cite\n\n> {cite}\n"
