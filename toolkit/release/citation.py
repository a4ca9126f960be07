"""How the dataset is cited: one title (the descriptor's), the version, and the address of the
release, in the README, CITATION.cff, the release zip and the site alike.

The address is the descriptor's `homepage` when it has one, else the repository's `origin` remote
when it is a web address (on GitHub, where the release workflow runs, it always is). A release on
GitHub is cited by the page of its tag (`<repository>/releases/tag/vX.Y.Z`), where its files are.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from toolkit.package.tableschema import Package

AUTHORS = "csto-alignment contributors"


def title(package: Package) -> str:
    d = package.descriptor
    return str(d.get("title") or d.get("name") or "the data package")


def _remote(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return web_address(out)


def web_address(remote: str) -> str | None:
    """The web address of a git remote (https, or GitHub's ssh form), without `.git`; None for a
    local path or anything else."""
    m = re.fullmatch(r"git@([\w.-]+):([\w./-]+?)(?:\.git)?/?", remote)
    if m:
        return f"https://{m.group(1)}/{m.group(2)}"
    m = re.fullmatch(r"https://(?:[^@/]+@)?([\w.-]+)/([\w./-]+?)(?:\.git)?/?", remote)
    return f"https://{m.group(1)}/{m.group(2)}" if m else None


def repository_url(package: Package) -> str | None:
    """Where the dataset lives: the descriptor's `homepage`, else the origin remote's address."""
    home = package.descriptor.get("homepage")
    if isinstance(home, str) and home.startswith(("https://", "http://")):
        return home.rstrip("/")
    return _remote(package.root)


def release_url(package: Package, version: str) -> str | None:
    """The page of release `version`: its GitHub release page, or the repository's address."""
    url = repository_url(package)
    if url and url.startswith("https://github.com/") and re.fullmatch(r"[0-9.]+", version):
        return f"{url}/releases/tag/v{version}"
    return url


def year(package: Package) -> str:
    return str(package.descriptor.get("created", ""))[:4]


def citation(package: Package, version: str, url: str | None = None) -> str:
    """The citation of `version`: authors, year, title, version, [Data set], address."""
    when = f" ({year(package)})" if year(package) else ""
    where = f" {url}" if url else ""
    return f"{AUTHORS}{when}. *{title(package)}* (version {version}) [Data set].{where}"


def zenodo_json(package: Package) -> str:
    """.zenodo.json: the metadata Zenodo gives each GitHub release it archives (it takes the
    version from the release's tag), from the descriptor, so that the title is the one title."""
    import json

    d = package.descriptor
    licences = d.get("licenses") or [{}]
    meta = {
        "upload_type": "dataset",
        "title": title(package),
        "description": d.get("description", ""),
        "creators": [{"name": AUTHORS}],
        "access_right": "open",
        "license": licences[0].get("name", ""),
        "keywords": list(d.get("keywords", [])),
    }
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
