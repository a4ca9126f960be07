"""csto-alignment toolkit: validate, extend, query and release the csto-alignment data package."""

from __future__ import annotations

from typing import Any

__version__ = "0.4.0"


def __getattr__(name: str) -> Any:
    # `from toolkit import load` imports pandas and pandera only when asked for: the command line
    # imports this package too, and must start fast.
    if name == "load":
        from toolkit.loader import load

        return load
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
