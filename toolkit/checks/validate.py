"""Validate the package, or a contribution against it: the library behind `validate`, `check` and `add`.

Functions take paths and return a Report; they never print or exit.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.checks.excerpts import default_sources, excerpt_issues
from toolkit.checks.report import Issue, Report
from toolkit.checks.rules import rules_for
from toolkit.checks.session import File, Session
from toolkit.package.tableschema import Package, Resource
from toolkit.store.fileio import file_digest

PACKAGE = "package"
CONTRIBUTION = "contribution"


def _summarise(session: Session, rows: dict[str, int]) -> None:
    for name, n in rows.items():
        session.report.summary[name] = {"rows": n}
    session.report.count_by_resource()


def validate_package(
    path: str | Path, package: Package | None = None, sources: Path | None = None
) -> Report:
    """Every resource of the package: structure, types, constraints, keys and every rule, and the
    excerpts against the source texts in `sources` (excerpts.default_sources if None)."""
    from toolkit.package.tableschema import load_package

    session = validated_session(package or load_package(path), sources)
    session.close()
    return session.report


def validated_session(package: Package, sources: Path | None = None) -> Session:
    """validate_package's work, returning the session: its report, and its database, whose view of
    each resource gives every row's line in its file (`__line`), for callers that place rows."""
    resources = list(package.resources.values())
    files = [File(r, package.root / r.path, PACKAGE, r.path) for r in resources]
    session = Session(package, read=[f.path for f in files])
    loaded = session.load(files)
    texts = sources or default_sources(package)
    session.judge(
        [(r, r.path) for r in resources],
        PACKAGE,
        {r.name: r.path for r in resources},
        extra=lambda cur: excerpt_issues(
            cur, [(r, r.path) for r in resources if r.name in session.loaded], PACKAGE, texts
        ),
    )
    session.report.errors += integrity_issues(package)
    session.report.errors += state_file_issues(package)
    _summarise(session, {r.name: result.rows for r, result in zip(resources, loaded, strict=True)})
    return session


def needed_by(package: Package, resource_name: str) -> list[str]:
    """The resources that judging rows of `resource_name` reads, in package order: its own existing
    rows (for key collisions), those its foreign keys point to, and those its rules read."""
    needed = {resource_name}
    needed.update(fk.resource for fk in package.resource(resource_name).foreign_keys)
    for rule in rules_for(package):
        if resource_name in rule.needs:
            needed.update(rule.needs)
    return [name for name in package.resources if name in needed]


def check_contribution(
    package: Package,
    file: Path,
    resource_name: str,
    replace: bool = False,
    sources: Path | None = None,
) -> Report:
    """A contributed CSV of one resource, against its schema and against the package's existing data.

    Only the resources the checks read are loaded (see needed_by); those must load cleanly. With
    `replace`, a row whose primary key the package holds is judged as the correction of that row:
    the package's row is set aside, so keys, references and rules see the corrected one only.
    """
    resource = package.resource(resource_name)
    label = str(file)
    existing = [package.resource(name) for name in needed_by(package, resource_name)]
    files = [File(r, package.root / r.path, PACKAGE, r.path) for r in existing]
    files.append(File(resource, file, CONTRIBUTION, label))
    session = Session(package, read=[f.path for f in files])
    try:
        return _judge_contribution(session, package, files, resource, label, replace, sources)
    finally:
        session.close()


def _judge_contribution(
    session: Session,
    package: Package,
    files: list[File],
    resource: Resource,
    label: str,
    replace: bool,
    sources: Path | None,
) -> Report:
    """check_contribution's work, in a session the caller closes."""
    loaded = session.load(files)
    n = loaded[-1].rows
    errors = [i for r in loaded[:-1] for i in r.issues]
    if errors:
        # The package itself must be valid for a contribution to be judged against it.
        session.report.errors = errors
        return session.report
    if replace and not loaded[-1].fatal:
        session.set_aside_replaced(resource)
    if n == 0 and not session.report.errors:
        session.report.errors.append(
            Issue(
                code="no-rows",
                message=f"{label}: the file has a header but no rows",
                resource=resource.name,
                row=1,
                file=label,
            )
        )
    # The resource's package rows are loaded (needed_by names it), so its view exists even when
    # the contribution could not be read; judging then finds nothing of the contribution's.
    texts = sources or default_sources(package)
    session.judge(
        [(resource, label)],
        CONTRIBUTION,
        {resource.name: label},
        only=resource.name,
        extra=None
        if loaded[-1].fatal
        else lambda cur: excerpt_issues(cur, [(resource, label)], CONTRIBUTION, texts),
    )
    session.report.summary[resource.name] = {"rows": n}
    session.report.count_by_resource()
    return session.report


def integrity_issues(package: Package) -> list[Issue]:
    """Data files whose size or sha256 differs from what the descriptor records (set by `release`)."""
    issues = []
    for res in package.resources.values():
        if res.hash is None and res.bytes is None:
            continue
        path = package.root / res.path
        if not path.is_file():
            continue
        size, digest = file_digest(path)
        expected = (res.hash or "").removeprefix("sha256:")
        if (res.bytes is not None and size != res.bytes) or (expected and digest != expected):
            issues.append(
                Issue(
                    code="hash-mismatch",
                    resource=res.name,
                    file=res.path,
                    value=f"sha256:{digest}",
                    message=f"{res.path}: {size} bytes, sha256 {digest[:12]}...; the release recorded "
                    f"{res.bytes} bytes, sha256 {expected[:12]}...",
                )
            )
    return issues


def state_file_issues(package: Package) -> list[Issue]:
    """The toolkit's state files (lock, journal, staged files) that git tracks in the package."""
    from toolkit.store.state import tracked_state_files

    return [
        Issue(
            code="state-file-tracked",
            file=path,
            message=f"{path}: the toolkit's own state file is tracked by git; it is never part of "
            "the package (a branch that commits one may be planting it)",
        )
        for path in tracked_state_files(package.root)
    ]
