"""One writer at a time: an exclusive lock on the package, held while a command changes it.

Two `add`s run at once would each read the old data and the second rename would drop the first's
rows. Every writer (`add`, `release`) therefore takes `fcntl.flock` on a lock file in the package
folder, finishes (or rolls back) a change a crash left behind (see journal.py) and only then reads
the package. The lock file records who holds it, so a writer that waits can say for whom.
"""

from __future__ import annotations

import fcntl
import json
import os
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


def lock_timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def holder(root: Path) -> str:
    """Who holds the lock, as its lock file says: 'pid 123 (add), since 12:00:01 UTC'."""
    try:
        info = json.loads((root / LOCK_FILE).read_text(encoding="utf-8"))
        return f"pid {info['pid']} ({info['command']}), since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def package_lock(
    root: Path,
    command: str,
    on_wait: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """Hold the package's exclusive lock; wait up to `timeout` seconds for another writer, calling
    `on_wait` once with who holds it, then raise PackageBusyError."""
    timeout = lock_timeout() if timeout is None else timeout
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
