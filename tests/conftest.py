"""Shared fixtures: a throw-away copy of the package and a CLI runner (helpers.py holds the rest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import FIXTURES, ROOT

from toolkit.cli.commands import main

# Modules whose every test is slow (a browser, the official validator on a package copy, processes
# killed midway, query timeouts): `pytest -m "not slow"` leaves them out of the inner loop. A
# single slow test elsewhere carries `@pytest.mark.slow` itself.
SLOW_MODULES = {
    "test_site_browser",
    "test_agreement",
    "test_concurrency",
    "test_query_limits",
    "test_large_tables",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def query_cache(tmp_path_factory, monkeypatch) -> Path:
    """The typed query caches of a test run, in its temporary folder (never the user's)."""
    folder = tmp_path_factory.mktemp("query-cache")
    monkeypatch.setenv("CSTO_ALIGNMENT_CACHE", str(folder))
    return folder


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A copy of the repository's package (descriptor, schemas, data, changelog, the records of
    releases) in tmp_path. The repository's descriptor records no hashes (they belong to the
    release), so the copy can be edited by hand like the repository."""
    dest = tmp_path / "pkg"
    dest.mkdir()
    for name in ("datapackage.json", "CHANGELOG.md"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("data", "schemas", "queries", "releases"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns click's Result with separate stdout and stderr."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def check_json(run, pkg):
    """`check FIXTURE -r RESOURCE --format json` against the package copy."""

    def invoke(name: str, resource: str = "statements") -> Result:
        return run("check", FIXTURES / name, "-r", resource, "--package", pkg, "--format", "json")

    return invoke


@pytest.fixture
def pkg_without_claims(pkg: Path) -> Path:
    """The package copy less its `claims` and `claim_evidence` resources, as a package that
    records no claims would be."""
    return remove_claims(pkg)


def remove_claims(pkg: Path) -> Path:
    """Drop the claims resources (descriptor entries, schemas and data) from the package at `pkg`."""
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    names = {"claims", "claim_evidence"}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in names]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    for name in names:
        (pkg / "data" / f"{name}.csv").unlink()
        (pkg / "schemas" / f"{name}.json").unlink()
    return pkg


class Canary:
    """A folder outside the package holding one file: an attack must change neither."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.file = folder / "canary.txt"
        self.file.write_text("untouched\n", encoding="utf-8")

    def path(self, name: str) -> Path:
        """A path in the folder that an attack may try to write (it must stay absent)."""
        return self.folder / name

    def unchanged(self) -> bool:
        return (
            sorted(p.name for p in self.folder.iterdir()) == ["canary.txt"]
            and self.file.read_text(encoding="utf-8") == "untouched\n"
        )


@pytest.fixture
def canary(tmp_path: Path) -> Canary:
    """A file outside the package (tmp_path/outside/canary.txt) that no command may change."""
    return Canary(tmp_path / "outside")
