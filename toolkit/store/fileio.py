"""Writing and fingerprinting files: atomic writes, sha256 digests, the descriptor's JSON form.

Every file the toolkit writes goes through here, so that a crash or a full disk midway always
leaves the old file whole (write to a temporary file beside it, then rename it over the old one).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

BLOCK = 1 << 20  # files are read in blocks of this size, never whole


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0644 less the umask."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def stage_file(path: Path, text: str) -> str:
    """Write `text` to a new temporary file beside `path` (same permissions), synced; its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600 files
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def stage_with(path: Path, write: Callable[[Path], None]) -> Path:
    """Have `write` fill a new temporary file beside `path` (a file another library writes, such
    as DuckDB's COPY); it gets `path`'s permissions and is synced. Its name, for journal.commit."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, _mode_for(path))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8, line ends as given) over `path`, all or nothing."""
    write_all_atomic({path: text})


def write_all_atomic(files: dict[Path, str]) -> None:
    """Stage every file first, then rename them in turn; a failure while staging changes nothing.
    A crash between the renames can leave some renamed: changes to the package go through
    journal.commit instead, which survives that too."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            staged.append((stage_file(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def build_atomic(target: Path, build: Callable[[Path], None]) -> Path:
    """Have `build` create a file at a fresh temporary path beside `target`, then rename it over
    `target`. For files another library writes (a DuckDB or SQLite database, Parquet); `build`
    gets a path that does not exist yet. Anything it leaves behind on failure is removed."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # DuckDB refuses to open an empty file as a database
    try:
        build(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return target


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and sha256 (hex) of a file."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def text_digest(text: str) -> tuple[int, str]:
    """Size in bytes and sha256 (hex) of `text` as the UTF-8 file it will be written to."""
    data = text.encode("utf-8")
    return len(data), hashlib.sha256(data).hexdigest()


def files_digest(root: Path, paths: Iterable[Path], seed: str = "") -> str:
    """One sha256 over `seed` and each file's path (relative to `root`) and bytes."""
    h = hashlib.sha256(seed.encode())
    for path in paths:
        h.update(str(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as fh:
            while block := fh.read(BLOCK):
                h.update(block)
    return h.hexdigest()


def descriptor_json(descriptor: dict[str, Any]) -> str:
    """datapackage.json as the toolkit writes it: two-space indent, UTF-8 as is, final newline."""
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
