"""Release revisions in git: the tag `v<version>`, or, where tags were not fetched (a clone does not
always bring them), the commit whose subject is `Release <version>`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

RELEASE_TAG = re.compile(r"v([0-9]+\.[0-9]+\.[0-9]+)")


def _git(repo: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return out.stdout.strip() or None


def release_commit(repo: Path, version: str) -> str | None:
    """The commit of release `version`: its tag, else the last commit named `Release <version>`."""
    if _git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}"):
        return f"v{version}"
    found = _git(repo, "log", "--format=%H %s", "--fixed-strings", f"--grep=Release {version}")
    for line in (found or "").splitlines():
        sha, _, subject = line.partition(" ")
        if subject.strip() == f"Release {version}":
            return sha
    return None


def resolve(ref: str, repo: Path) -> str:
    """`ref` as git can read it: a release tag `vX.Y.Z` that is missing becomes the commit named
    `Release X.Y.Z`; any other ref is returned as it is."""
    m = RELEASE_TAG.fullmatch(ref)
    # --end-of-options: a ref is never read as an option of git's ('--output=x').
    if m is None or _git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    ):
        return ref
    return release_commit(repo, m.group(1)) or ref
