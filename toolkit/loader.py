"""Where release 0.4 documented it: `toolkit.loader` is now `toolkit.db.loader` (kept importable until 1.0)."""

from toolkit.db.loader import *  # noqa: F403
from toolkit.db.loader import __all__ as __all__  # noqa: F401
