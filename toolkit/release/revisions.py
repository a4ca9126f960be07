"""Release revisions in git, found by content, never by a commit message: the tag `v<version>`, or,
where tags were not fetched (a clone does not always bring them), the first commit whose
datapackage.json says `"version": "<version>"` (the descriptor's version changes only at a
release, so that commit is the release, whatever its message)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from toolkit.package.tableschema import DESCRIPTOR

RELEASE_TAG = re.compile(r"v([0-9]+\.[0-9]+\.[0-9]+)")


def git_output(repo: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return out.stdout.strip() or None


def package_prefix(repo: Path) -> str | None:
    """The package folder's path inside its git work tree ('' at the top), or None outside git."""
    if git_output(repo, "rev-parse", "--is-inside-work-tree") != "true":
        return None
    return git_output(repo, "rev-parse", "--show-prefix") or ""


def file_at(repo: Path, commit: str, path: str, prefix: str | None = None) -> bytes | None:
    """The bytes of the package's file `path` at `commit`, or None where it is absent (or outside
    git). `prefix` is the package's `package_prefix`, given when reading many files."""
    prefix = package_prefix(repo) if prefix is None else prefix
    if prefix is None:
        return None
    try:
        return subprocess.run(
            ["git", "-C", str(repo), "show", f"{commit}:{prefix}{path}"],
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None


def descriptor_version(repo: Path, commit: str) -> str | None:
    """The version in the package's datapackage.json at `commit`, or None."""
    prefix = package_prefix(repo)
    if prefix is None:
        return None
    text = git_output(repo, "show", f"{commit}:{prefix}{DESCRIPTOR}")
    try:
        version = json.loads(text or "")["version"]
    except (ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, str) else None


def version_commits(repo: Path) -> list[tuple[str, str]]:
    """(commit, version) for each commit of HEAD's history that changed the descriptor's version,
    newest first: the history of the package's versions."""
    prefix = package_prefix(repo)
    if prefix is None:
        return []
    found = git_output(
        repo,
        "log",
        "--format=%H",
        r"-G^\s*\"version\":",
        "HEAD",
        "--",
        f"{prefix}{DESCRIPTOR}",
    )
    out = []
    for sha in (found or "").split():
        version = descriptor_version(repo, sha)
        if version is not None:
            out.append((sha, version))
    return out


def release_commit(repo: Path, version: str) -> str | None:
    """The commit of release `version`: its tag, else the first commit of HEAD's history whose
    descriptor says that version."""
    if git_output(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}"):
        return f"v{version}"
    # Newest first: the last commit that set this version is the release (a version set again
    # later would be caught by `release`, which never publishes a version twice).
    for sha, v in version_commits(repo):
        if v == version:
            return sha
    return None


def resolve(ref: str, repo: Path) -> str:
    """`ref` as git can read it: a release tag `vX.Y.Z` that is missing becomes the commit of that
    release (found by its descriptor); any other ref is returned as it is."""
    m = RELEASE_TAG.fullmatch(ref)
    # --end-of-options: a ref is never read as an option of git's ('--output=x').
    if m is None or git_output(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    ):
        return ref
    return release_commit(repo, m.group(1)) or ref
