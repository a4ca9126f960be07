"""Commit the files of one change to the package as one unit that survives a crash at any point.

A change (`add`: the data file, CHANGELOG.md, the descriptor; `release`: the descriptor, CHANGELOG.md,
CITATION.cff, README.md) is committed in three steps:

1. stage: every new file is written beside its target under a temporary name and synced;
2. journal: a journal file listing (temporary name, target) pairs is written (atomically): from this
   moment the change is decided;
3. apply: each temporary file is renamed over its target, then the journal is removed.

`recover` (run under the package lock by every writer, and by `validate` and `query`) finishes a
change whose journal was left by a crash (renaming what is still staged) or, with no journal, rolls it
back by deleting the staged files. Either way the package is whole: all old or all new.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Mapping
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.store.fileio import stage_file

JOURNAL = ".csto-alignment.journal"  # ignored by git, like the staged files (.NAME.XXXX.tmp)
TMP_GLOB = ".*.tmp"
KILL_ENV = "CSTO_ALIGNMENT_TEST_KILL_AT"  # tests: die by SIGKILL at this step (never set in use)


def _step(name: str) -> None:
    """A test-only crash point: SIGKILL this process at the named step."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(root: Path, files: Mapping[Path, str | Path]) -> None:
    """Write every file in `files` (paths inside `root`) as one change; see the module's doc.

    A file's new content is its text, or (a Path) a file already staged beside it
    (fileio.stage_with), which the change then owns: it is renamed over the file or removed."""
    root = root.resolve()
    staged: list[tuple[Path, Path]] = []
    backups: list[Path | None] = []
    given = [new for new in files.values() if isinstance(new, Path)]
    try:
        for i, (path, new) in enumerate(files.items(), 1):
            staged.append((new if isinstance(new, Path) else Path(stage_file(path, new)), path))
            _step(f"staged-{i}")
        # A hard link to each old file: if a rename fails (not a crash: a file made read-only,
        # say), the renames already done are undone from these, and nothing has changed.
        backups = [_backup(path) for _, path in staged]
        entries = [
            [str(tmp.resolve().relative_to(root)), str(path.resolve().relative_to(root))]
            for tmp, path in staged
        ]
        pending = root / f"{JOURNAL}.tmp"
        pending.write_text(json.dumps(entries) + "\n", encoding="utf-8")
        os.replace(pending, root / JOURNAL)
        _fsync_dir(root)
    except BaseException:
        for p in [tmp for tmp, _ in staged] + given + [b for b in backups if b is not None]:
            p.unlink(missing_ok=True)
        (root / f"{JOURNAL}.tmp").unlink(missing_ok=True)
        raise
    _step("journal")
    try:
        _apply(root, entries)
    except OSError as exc:
        _undo(root, staged, backups, exc)
    for b in backups:
        if b is not None:
            b.unlink(missing_ok=True)


def _backup(path: Path) -> Path | None:
    if not path.exists():
        return None
    backup = path.parent / f".{path.name}.{os.getpid()}.old.tmp"
    backup.unlink(missing_ok=True)
    os.link(path, backup)
    return backup


def _undo(
    root: Path, staged: list[tuple[Path, Path]], backups: list[Path | None], exc: OSError
) -> None:
    """Put the old files back after a failed rename, then report it; should that fail too, the
    journal stays and the next command completes the change."""
    try:
        for (tmp, path), backup in zip(staged, backups, strict=True):
            if tmp.exists():  # never renamed
                tmp.unlink()
            elif backup is not None:
                os.replace(backup, path)
            else:
                path.unlink(missing_ok=True)
        for backup in backups:  # those of files never replaced
            if backup is not None:
                backup.unlink(missing_ok=True)
        (root / JOURNAL).unlink()
    except OSError:
        raise ToolkitError(
            f"the change could not be applied in full ({exc}); it is recorded in {root / JOURNAL} "
            "and the next command completes it once the cause is fixed"
        ) from None
    raise ToolkitError(f"the change could not be applied ({exc}); nothing was changed") from None


def _apply(root: Path, entries: list[list[str]]) -> None:
    for i, (tmp, target) in enumerate(entries, 1):
        if (root / tmp).exists():  # not yet renamed (a crash may have come after some renames)
            os.replace(root / tmp, root / target)
        _step(f"renamed-{i}")
    for folder in {(root / t).parent for _, t in entries} | {root}:
        _fsync_dir(folder)
    (root / JOURNAL).unlink()


def pending(root: Path) -> bool:
    """Whether a crash left a journal or staged files in the package (cheap: a few globs)."""
    return (root / JOURNAL).exists() or any(_staged_files(root))


def _staged_files(root: Path) -> list[Path]:
    folders = [root, *(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))]
    return [p for folder in folders for p in folder.glob(TMP_GLOB) if p.is_file()]


def recover(root: Path) -> str | None:
    """Finish or roll back a change a crash left behind; what was done, or None. Call it holding
    the package lock, so that no running writer's staged files are taken for leftovers."""
    root = root.resolve()
    done = None
    journal = root / JOURNAL
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:  # cannot happen (written atomically) unless edited by hand
            entries = None
        if entries is not None:
            _apply(root, entries)
            done = "completed a change that was interrupted (its journal was left behind)"
        else:
            journal.unlink()
    leftovers = _staged_files(root)
    (root / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    for p in leftovers:
        p.unlink(missing_ok=True)
    if leftovers and done is None:
        done = f"rolled back an interrupted change (removed {len(leftovers)} staged file(s))"
    return done
