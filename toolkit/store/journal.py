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

A branch can commit any file, a journal included, so a journal is untrusted until checked: it is
read without following a symbolic link, and applied only if every entry renames a file staged by
the toolkit (`.NAME.XXXXXXXX.tmp`, a regular file) over its target NAME in the same folder, where the
target is one of the files a change writes (the descriptor, CHANGELOG.md, CITATION.cff, README.md,
.zenodo.json, a release's record, a resource's data file) inside the package, reached through no
symbolic link. Entries that do anything else could only move files the toolkit never staged, so
such a journal is ignored with a warning and nothing moves. `validate` reports a journal that git
tracks.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from toolkit.errors import ToolkitError
from toolkit.store.fileio import stage_file

JOURNAL = ".csto-alignment.journal"  # ignored by git, like the staged files (.NAME.XXXX.tmp)
TMP_GLOB = ".*.tmp"
KILL_ENV = "CSTO_ALIGNMENT_TEST_KILL_AT"  # tests: die by SIGKILL at this step (never set in use)
# The files a change writes at the package's top (add, release); data files come from the
# descriptor, and a release's record is releases/MAJOR.MINOR.PATCH.json (release/record.py).
CHANGED_AT_ROOT = ("datapackage.json", "CHANGELOG.md", "CITATION.cff", "README.md", ".zenodo.json")
RECORD = re.compile(r"releases/(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.json")
MAX_JOURNAL = 1 << 20  # bytes; the toolkit's own journals hold a few short lines


class JournalIgnored(Exception):
    """The journal is not one the toolkit wrote; the message says why. Nothing was moved."""


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

    Each value is the file's new text, or a file already staged beside it (fileio.stage_with: a
    file DuckDB wrote), which is committed like the others and removed if the change fails."""
    root = root.resolve()
    staged: list[tuple[Path, Path]] = []
    backups: list[Path | None] = []
    try:
        for i, (path, content) in enumerate(files.items(), 1):
            tmp = content if isinstance(content, Path) else Path(stage_file(path, content))
            staged.append((tmp, path))
            _step(f"staged-{i}")
        # A hard link to each old file: if a rename fails (not a crash: a file made read-only,
        # say), the renames already done are undone from these, and nothing has changed.
        backups = [_backup(path) for _, path in staged]
        entries = [
            [str(tmp.resolve().relative_to(root)), str(path.resolve().relative_to(root))]
            for tmp, path in staged
        ]
        pending = root / f"{JOURNAL}.tmp"
        _write_new(pending, json.dumps(entries) + "\n")
        os.replace(pending, root / JOURNAL)
        _fsync_dir(root)
    except BaseException:
        given = [p for p in files.values() if isinstance(p, Path)]
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


def _write_new(path: Path, text: str) -> None:
    """Write `path` as a new file: never through a symbolic link or into a file planted there."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


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
    return os.path.lexists(root / JOURNAL) or any(_staged_files(root))


def _staged_files(root: Path) -> list[Path]:
    """Files named like the staged ones in the package's folder and its top folders; a folder
    that is a symbolic link is not looked into (it may lead out of the package)."""
    folders = [root] + [
        p
        for p in root.iterdir()
        if not p.name.startswith(".") and not p.is_symlink() and p.is_dir()
    ]
    return [
        p
        for folder in folders
        for p in folder.glob(TMP_GLOB)
        if p.name != JOURNAL and stat.S_ISREG(p.lstat().st_mode)
    ]


def _data_paths(root: Path) -> set[str]:
    """The data files the descriptor names (best effort: a broken descriptor names none)."""
    try:
        descriptor = json.loads(_read_own(root / "datapackage.json"))
        return {r["path"] for r in descriptor["resources"] if isinstance(r.get("path"), str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _read_own(path: Path) -> str:
    """A state file's text, read without following a symbolic link; only a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return fh.read(MAX_JOURNAL + 1).decode("utf-8")


def read_journal(root: Path) -> list[list[str]]:
    """The journal's entries, checked (see the module's doc); JournalIgnored says why not."""
    try:
        text = _read_own(root / JOURNAL)
    except OSError as exc:
        why = "a symbolic link" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise JournalIgnored(f"it cannot be read as the toolkit's own file ({why})") from None
    except UnicodeDecodeError:
        raise JournalIgnored("it is not UTF-8 text") from None
    if len(text) > MAX_JOURNAL:
        raise JournalIgnored("it is far larger than any the toolkit writes")
    try:
        entries = json.loads(text)
    except ValueError:
        raise JournalIgnored("it is not valid JSON") from None
    if not isinstance(entries, list) or not all(
        isinstance(e, list) and len(e) == 2 and all(isinstance(p, str) for p in e) for e in entries
    ):
        raise JournalIgnored("it is not a list of [staged file, target] pairs")
    targets = set(CHANGED_AT_ROOT) | _data_paths(root)
    for tmp, target in entries:
        if bad := _bad_entry(root, tmp, target, targets):
            raise JournalIgnored(f"its entry [{tmp!r}, {target!r}] {bad}")
    return entries


def _bad_entry(root: Path, tmp: str, target: str, targets: set[str]) -> str | None:
    """Why the entry (staged file, target) is not one the toolkit writes, or None."""
    if (target not in targets and not RECORD.fullmatch(target)) or "\0" in target + tmp:
        return "names a target that is not a file a change writes"
    t, s = PurePosixPath(target), PurePosixPath(tmp)
    if t.is_absolute() or ".." in t.parts or s.is_absolute() or ".." in s.parts:
        return "leads out of the package"
    if s.parent != t.parent or not re.fullmatch(
        rf"\.{re.escape(t.name)}\.[A-Za-z0-9_]{{6,}}\.tmp", s.name
    ):
        return "names a file the toolkit did not stage"
    folder = root / t.parent
    if folder.resolve() != root.resolve() / t.parent or not folder.is_dir():
        return "leads through a symbolic link"
    for p in (root / target, root / tmp):
        if os.path.lexists(p) and not stat.S_ISREG(p.lstat().st_mode):
            return f"names {p.relative_to(root)}, which is not a regular file"
    return None


def recover(root: Path) -> str | None:
    """Finish or roll back a change a crash left behind; what was done, or None. Call it holding
    the package lock, so that no running writer's staged files are taken for leftovers."""
    root = root.resolve()
    done = None
    journal = root / JOURNAL
    if os.path.lexists(journal):
        try:
            entries = read_journal(root)
        except JournalIgnored as exc:
            done = (
                f"warning: ignored {JOURNAL}, which the toolkit did not write: {exc}; nothing was "
                "moved. Remove the file (and, if git tracks it, from the repository)."
            )
        else:
            _apply(root, entries)
            done = "completed a change that was interrupted (its journal was left behind)"
    leftovers = [] if done and done.startswith("warning") else _staged_files(root)
    if not leftovers and done is None:
        return None
    if os.path.lexists(pending := root / f"{JOURNAL}.tmp"):
        pending.unlink()
    for p in leftovers:
        p.unlink(missing_ok=True)
    if leftovers and done is None:
        done = f"rolled back an interrupted change (removed {len(leftovers)} staged file(s))"
    return done
