"""The version the site shows: the descriptor's, and "+ unreleased changes" when the data shown is
not that release's.

The data differs from the last release when a data file's bytes no longer match the hash the
descriptor records for it (an edit by hand; a package whose descriptor records no hash has no
release to match), or when CHANGELOG.md lists data changes under "Unreleased" (rows merged by
`add`, which logs them there; the "Toolkit" section is about the code, not the data).
"""

from __future__ import annotations

import re

from toolkit.package.tableschema import Package
from toolkit.release.changelog import UNRELEASED
from toolkit.store.fileio import file_digest

UNRELEASED_WORDS = "+ unreleased changes"
CODE_SECTIONS = {"Toolkit"}  # Unreleased sections that are not about the data


def _hashes_match(package: Package) -> bool:
    for resource in package.descriptor.get("resources", []):
        recorded = str(resource.get("hash") or "")
        path = package.root / str(resource.get("path", ""))
        if not recorded or not path.is_file():
            return False
        if recorded.removeprefix("sha256:") != file_digest(path)[1]:
            return False
    return True


def _unreleased_data_entries(package: Package) -> bool:
    changelog = package.root / "CHANGELOG.md"
    if not changelog.is_file():
        return False
    text = changelog.read_text(encoding="utf-8")
    if UNRELEASED not in text:
        return False
    block = text[text.index(UNRELEASED) + len(UNRELEASED) :]
    nxt = re.search(r"^## ", block, flags=re.M)
    block = block[: nxt.start()] if nxt else block
    for section in re.split(r"^### ", block, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        if title.strip() not in CODE_SECTIONS and re.search(r"^- ", body, flags=re.M):
            return True
    return False


def released(package: Package) -> bool:
    """True when the data is exactly the release the descriptor's version names."""
    return _hashes_match(package) and not _unreleased_data_entries(package)


def version_label(package: Package) -> str:
    """ "0.4.0", or "0.4.0 + unreleased changes" when the data differs from release 0.4.0."""
    return package.version if released(package) else f"{package.version} {UNRELEASED_WORDS}"
