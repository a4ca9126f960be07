"""One writer at a time: an exclusive lock on the package, held while a command changes it.

Two `add`s run at once would each read the old data and the second rename would drop the first's
rows. Every writer (`add`, `release`) therefore takes `fcntl.flock` on a lock file in the package
folder, finishes (or rolls back) a change a crash left behind (see journal.py) and only then reads
the package. The lock file records who holds it, so a writer that waits can say for whom.

Readers (`validate`, `query`, `site`, `export`) take the same lock shared: they wait while a writer
changes the package, so they never see a new data file beside the old descriptor.

The lock file is the toolkit's own: it is never opened through a symbolic link (a branch could
commit one pointing anywhere) and must be a regular file.
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from toolkit.errors import EXIT_INVALID, ToolkitError

LOCK_FILE = ".csto-alignment.lock"  # ignored by git
TIMEOUT_ENV = "CSTO_ALIGNMENT_LOCK_TIMEOUT"  # seconds a writer waits; default DEFAULT_TIMEOUT
DEFAULT_TIMEOUT = 60.0
POLL = 0.1


class PackageBusyError(ToolkitError):
    """Another command holds the package's lock and did not let go in time."""

    exit_code = EXIT_INVALID


class LockFileError(ToolkitError):
    """The lock file is not the toolkit's own (a symbolic link, a folder): nothing was done."""

    exit_code = EXIT_INVALID


def lock_timeout() -> float:
    """Seconds to wait for the lock: $CSTO_ALIGNMENT_LOCK_TIMEOUT if a finite number >= 0."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if math.isfinite(value) and value >= 0 else DEFAULT_TIMEOUT


def _open_lock(root: Path, create: bool = True) -> int:
    """The lock file, opened without following a symbolic link; a regular file only."""
    path = root / LOCK_FILE
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockFileError(
                f"{path} is a symbolic link; the lock file is the toolkit's own and is never "
                "followed. Remove it (and, if git tracks it, from the repository); nothing was done."
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockFileError(f"{path} is not a regular file; remove it. Nothing was done.")
    return fd


def holder(root: Path) -> str:
    """Who holds the lock, as its lock file says: 'pid 123 (add), since 12:00:01 UTC'."""
    try:
        fd = os.open(root / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        finally:
            os.close(fd)
        return f"pid {info['pid']} ({info['command']}), since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def package_lock(
    root: Path,
    command: str,
    on_wait: Callable[[str], None] | None = None,
    timeout: float | None = None,
    shared: bool = False,
) -> Iterator[None]:
    """Hold the package's exclusive lock (shared: a reader's); wait up to `timeout` seconds for
    another writer, calling `on_wait` once with who holds it, then raise PackageBusyError."""
    timeout = lock_timeout() if timeout is None else timeout
    fd = _open_lock(root)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PackageBusyError(
                        f"the package at {root} is being changed by {holder(root)}; waited "
                        f"{timeout:g} s. Try again when it has finished (or raise {TIMEOUT_ENV})."
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for {holder(root)}, which is changing the package")
                    told = True
                time.sleep(POLL)
        if not shared:  # readers leave the writer's record as it is
            since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            info = {"pid": os.getpid(), "command": command, "since": since}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode() + b"\n", 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays (removing it would race)


@contextmanager
def writing(root: Path, command: str, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """The one way into a change of the package: hold its lock, finish or roll back a change a
    crash left behind, and only then let the caller read the package and write it (journal.commit).
    `say` gets the notes for the user (waiting for another writer, a change recovered)."""
    from toolkit.store.journal import recover

    with package_lock(root, command, say):
        done = recover(root)
        if done and say is not None:
            say(done)
        yield


def recover_if_needed(root: Path, say: Callable[[str], None] | None = None) -> None:
    """For commands that read the package (validate, query): finish or roll back a change a crash
    left behind, under the lock; nothing to do (and no lock taken) in the usual case."""
    from toolkit.store.journal import pending

    if root.is_dir() and pending(root):
        with writing(root, "recover", say):
            pass


@contextmanager
def reading(root: Path, command: str, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """The way into reading the package: finish a change a crash left behind (see
    recover_if_needed), then hold the lock shared while reading, so that no writer changes the
    package meanwhile. Where the lock file cannot be made (a read-only checkout), no writer can
    run either, and the package is read without it."""
    root = Path(root)
    if not root.is_dir():
        yield
        return
    recover_if_needed(root, say)
    try:
        fd = _open_lock(root, create=True)
    except LockFileError:
        raise
    except OSError:
        yield
        return
    os.close(fd)
    with package_lock(root, command, say, shared=True):
        yield
