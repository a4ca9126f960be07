"""csto-alignment toolkit: validate, extend, query and release the csto-alignment data package.

The tree is the architecture:

- ``toolkit.package``  the descriptor and Table Schemas everything derives from, templates
- ``toolkit.checks``   how a package or a contributed file is judged (cells, keys, rules, excerpts)
- ``toolkit.store``    writing the package safely (lock, journal, atomic files, merging rows)
- ``toolkit.db``       SQL over the package (typed DuckDB, saved queries, exports, ``load``)
- ``toolkit.release``  diff two versions, cut a release and record it, the CHANGELOG, the citation
- ``toolkit.rollcall`` UN roll calls: published lists to checked vote rows
- ``toolkit.docgen``   generated documentation (codebook, command reference)
- ``toolkit.cli``      the ``csto-alignment`` command line, a thin layer over the rest
- ``toolkit.site``     the static website

The public Python API is what ``__all__`` names; it is imported on first use, so that the command
line, which imports this package too, starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.4.0"

# name -> module that defines it
_PUBLIC = {
    "load": "toolkit.db.loader",
    "LoadError": "toolkit.db.loader",
    "build_schema": "toolkit.checks.pandera_schemas",
    "read_frames": "toolkit.checks.pandera_schemas",
    "validate_frames": "toolkit.checks.pandera_schemas",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
