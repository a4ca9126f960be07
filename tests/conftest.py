"""Shared fixtures: a throw-away copy of the package and a CLI runner (helpers.py holds the rest)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import FIXTURES, copy_package

from toolkit.cli.commands import main
from toolkit.db.query import CACHE_ENV
from toolkit.store.lock import LOCK_FILE

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
def query_cache(request, tmp_path_factory, monkeypatch) -> Path:
    """The typed query caches of a test run, in its temporary folder (never the user's): a new
    folder for each test, but the shared one of `pkg_ro` for a test that reads that package (its
    cache is built once, before any test runs)."""
    if "pkg_ro" in request.fixturenames:
        folder = request.getfixturevalue("shared_package").cache
    else:
        folder = tmp_path_factory.mktemp("query-cache")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A copy of the repository's package in tmp_path, for a test that changes it. The
    repository's descriptor records no hashes (they belong to the release), so the copy can be
    edited by hand like the repository."""
    return copy_package(tmp_path / "pkg")


def folder_digest(folder: Path) -> str:
    """sha256 over every entry under `folder`: its path, kind, permissions and bytes (a link's
    target). Any change to the folder changes it."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        h.update(
            f"{path.relative_to(folder)}\0{stat.S_IFMT(st.st_mode)}\0{st.st_mode:o}\0".encode()
        )
        if path.is_symlink():
            h.update(os.readlink(path).encode())
        elif path.is_file():
            h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@dataclass
class SharedPackage:
    path: Path
    cache: Path  # its query cache folder, the cache already built
    digest: str  # folder_digest(path) when it was made


@pytest.fixture(scope="session")
def shared_package(tmp_path_factory) -> SharedPackage:
    """The copy behind `pkg_ro`, made once per test process. Its query cache is built and its lock
    file made (readers take that lock shared) before any test reads it, so a test sees the same
    package, cache and output whichever test ran first."""
    base = tmp_path_factory.mktemp("pkg-ro")
    path = copy_package(base / "pkg")
    cache = base / "query-cache"
    result = CliRunner(env={CACHE_ENV: str(cache)}).invoke(
        main, ["query", "SELECT 1", "--package", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return SharedPackage(path, cache, folder_digest(path))


@pytest.fixture(scope="session")
def pkg_ro(shared_package: SharedPackage) -> Path:
    """A copy of the repository's package shared by every test of the process that only reads
    it (check, validate, query, export, site into a folder of the test's own). A test that writes
    to it, even by a command that changes the package, fails (see `pkg_ro_unchanged`): such a test
    takes `pkg`."""
    return shared_package.path


@pytest.fixture(scope="session")
def site_ro(pkg_ro: Path, tmp_path_factory) -> Path:
    """The site of the shared package, built once per test process for the tests that read its
    pages."""
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    out = tmp_path_factory.mktemp("site-ro") / "site"
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--package", str(pkg_ro)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(autouse=True)
def pkg_ro_unchanged(request):
    """After each test that reads `pkg_ro`: fail it if the shared copy changed in any way, and put
    the copy back as it was for the tests after it."""
    yield
    if "pkg_ro" not in request.fixturenames:
        return
    shared = request.getfixturevalue("shared_package")
    if folder_digest(shared.path) == shared.digest:
        return
    shutil.rmtree(shared.path)
    copy_package(shared.path)
    (shared.path / LOCK_FILE).touch()
    assert folder_digest(shared.path) == shared.digest
    pytest.fail(
        f"{request.node.nodeid} changed the shared read-only package (pkg_ro); a test that writes "
        "to the package takes `pkg`, its own copy",
        pytrace=False,
    )


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns click's Result with separate stdout and stderr."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def check_json(request, run):
    """`check FIXTURE -r RESOURCE --format json` against the test's own package copy if it takes
    one (`pkg`, to change it first), else against the shared one (`pkg_ro`)."""
    package = request.getfixturevalue("pkg" if "pkg" in request.fixturenames else "pkg_ro")

    def invoke(name: str, resource: str = "statements") -> Result:
        return run(
            "check", FIXTURES / name, "-r", resource, "--package", package, "--format", "json"
        )

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
