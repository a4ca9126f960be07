"""The toolkit's own state files in a package folder: the lock, the journal of a change, the files
staged for it. They are never part of the package: `.gitignore` lists them, and `validate` reports
one that git tracks (a branch that commits one is planting it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from toolkit.store.journal import JOURNAL
from toolkit.store.lock import LOCK_FILE

STATE_FILES = (LOCK_FILE, JOURNAL, f"{JOURNAL}.tmp")
STAGED = ":(glob)**/.*.tmp"  # staged files (.NAME.XXXXXXXX.tmp) and backups, at any depth


def tracked_state_files(root: Path) -> list[str]:
    """The state files git tracks in the package's folder (paths relative to it); none where the
    folder is not in a git repository or git is missing."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", *STATE_FILES, STAGED],
            capture_output=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(p for p in out.stdout.decode("utf-8", "replace").split("\0") if p)
