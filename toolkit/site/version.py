"""The version the site shows: the descriptor's, and "+ unreleased changes" when the data shown is
not that release's.

Whether it is comes from the record of the release (toolkit/release/record.py): the data is the
release when every file it published is as `releases/VERSION.json` records it (an unzipped
release: as its descriptor's hashes record). A row merged by `add` or edited by hand makes it
"+ unreleased changes"; a version with no record at all is "(unreleased)".
"""

from __future__ import annotations

from toolkit.package.tableschema import Package
from toolkit.release.record import release_status

UNRELEASED_WORDS = "+ unreleased changes"


def released(package: Package) -> bool:
    """True when the data is exactly the release the descriptor's version names."""
    return release_status(package).released


def version_label(package: Package) -> str:
    """ "0.4.0", or "0.4.0 + unreleased changes" when the data differs from release 0.4.0."""
    return release_status(package).label
