"""Quoting for the SQL the toolkit writes: identifiers and literals, quotes doubled."""

from __future__ import annotations

from typing import Any


def q(name: str) -> str:
    """Quote an identifier for SQL."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: Any) -> str:
    """A SQL literal (quotes doubled) for schema values, codes and paths.

    Values that users pass to queries are bound as parameters instead (sqlquery.run_query).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
