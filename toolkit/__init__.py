"""csto-alignment toolkit: validate, extend, query and release the csto-alignment data package."""

__version__ = "0.3.1"
