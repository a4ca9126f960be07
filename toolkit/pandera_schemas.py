"""Where release 0.4 documented it: `toolkit.pandera_schemas` is now `toolkit.checks.pandera_schemas` (kept importable until 1.0)."""

from toolkit.checks.pandera_schemas import *  # noqa: F403
from toolkit.checks.pandera_schemas import __all__ as __all__  # noqa: F401
