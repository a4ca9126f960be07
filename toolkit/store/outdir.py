"""Folders the toolkit writes a whole output into (`site --out`, `export --out`, a release's dist/):
writes stay where the user said.

`site` replaces its folder whole, so a mistyped `--out` (the package's folder, `data`, `.`, the home
folder) would delete what is there. An output folder is therefore refused when it is the package's
folder, one of its folders holding package files (data/, schemas/, .git, ...), any folder above
the package, a symbolic link, or a folder with files in it that the toolkit did not make: a folder
the toolkit made holds a marker file (MARKER), so building again into it is fine. File names in it
never come from the package's names unchecked (`file_name`).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from toolkit.errors import UsageError

MARKER = ".csto-alignment-output"
T = TypeVar("T")


class OutputFolderError(UsageError):
    """The output folder is one the toolkit may not write into; nothing was written."""


def file_name(name: str) -> str:
    """`name` (a descriptor's or resource's name) as a plain file name: only letters, digits,
    '.', '_' and '-', never starting with a dot or empty. The descriptor's checks already keep
    names to that; this holds even where a name slipped past them."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".-") or "package"
    return safe[:100]


def _package_folders(root: Path, paths: list[str]) -> set[Path]:
    """The package's folders that hold its files (each file's folders up to the root), and .git."""
    held = {root / ".git"}
    for rel in paths:
        p = (root / rel).parent
        while p != root and root in p.parents:
            held.add(p)
            p = p.parent
    return {p.resolve() for p in held}


def check_output_folder(out: Path, root: Path, paths: list[str], option: str = "--out") -> Path:
    """Refuse `out` (see the module's doc) for the package at `root` whose files are `paths`
    (relative); returns it. Raises OutputFolderError saying why."""
    out = Path(out)

    def refuse(why: str) -> OutputFolderError:
        return OutputFolderError(f"{option} {out}: {why}; nothing was written")

    if out.is_symlink():
        raise refuse("is a symbolic link; give the folder itself")
    real, base = out.resolve(), root.resolve()
    if real == base:
        raise refuse("is the package's own folder; give a new folder, e.g. site/ or out/")
    if base.is_relative_to(real):
        raise refuse(f"holds the package ({base}); give a new folder, e.g. site/ or out/")
    held = _package_folders(base, paths)
    if real in held or any(real.is_relative_to(p) for p in held if p.name == ".git"):
        raise refuse("is a folder of the package's own files; give a new folder, e.g. site/")
    if os.path.lexists(out):
        if not out.is_dir():
            raise refuse("is not a folder")
        if any(out.iterdir()) and not is_marked(out):
            raise refuse(
                f"holds files the toolkit did not write (it has no {MARKER}); give a new or "
                "empty folder, or empty this one yourself"
            )
    return out


# Files of a package's folder that no output may replace, beside those the descriptor names.
OWN_FILES = ("CHANGELOG.md", "README.md", "CITATION.cff", "LICENSE", "LICENSE.md", ".gitignore")


def check_output_file(out: Path, root: Path, paths: list[str], option: str = "--out") -> Path:
    """Refuse `out` when it is one of the package's own files (its descriptor, schemas, data files,
    CHANGELOG.md, ...), a state file, or lies inside .git: an output never replaces the package
    it was made from (write the rows elsewhere and `add` them). Returns `out`."""
    from toolkit.store.state import STATE_FILES

    real, base = Path(out).resolve(), root.resolve()
    own = {(base / p).resolve() for p in [*paths, *OWN_FILES, *STATE_FILES]}
    if real in own or real.is_relative_to(base / ".git"):
        raise OutputFolderError(
            f"{option} {out}: is a file of the package itself; write the rows to a new file and "
            "`csto-alignment add` it. Nothing was written"
        )
    return Path(out)


def is_marked(folder: Path) -> bool:
    """Whether the toolkit made `folder` (its marker is a regular file in it)."""
    try:
        return stat.S_ISREG((folder / MARKER).lstat().st_mode)
    except OSError:
        return False


def mark(folder: Path, command: str) -> None:
    """Record that the toolkit made `folder` (see is_marked)."""
    marker = folder / MARKER
    if os.path.lexists(marker) and not is_marked(folder):
        marker.unlink()
    marker.write_text(
        f"Written by `csto-alignment {command}`, which may replace this folder's files.\n",
        encoding="utf-8",
    )


def package_paths(package) -> list[str]:  # noqa: ANN001 - a tableschema.Package
    """The package's files, relative to its folder: the descriptor, schemas and data files."""
    paths = ["datapackage.json"]
    for res in package.resources.values():
        paths += [res.path] + ([res.schema_path] if res.schema_path else [])
    return paths


def build_folder(out: Path, command: str, build: Callable[[Path], T]) -> T:
    """Have `build` fill a new folder beside `out`, mark it, then put it in place of `out` (the old
    folder goes): a failure or a crash midway leaves `out` as it was, and only a folder named
    `.OUT.XXXXXXXX.partial` behind. Check `out` first (check_output_folder)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:  # the folder the user named cannot be made there
        raise OutputFolderError(
            f"{out}: cannot create the folder ({exc.strerror}); nothing was written"
        ) from None
    try:
        result = build(staging)
        mark(staging, command)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700 folders; a static host must read it
        if os.path.lexists(out):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old)  # over the empty folder just made
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result
