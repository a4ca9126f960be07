"""The one list of coded units and coded columns, read from `coding/fields.json`.

The units to code (coding/units/), the snapshot of a coding from the package's data
(coding/first/), the agreement command and the coding manual all derive from this list, so they
cannot name different columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UsageError

FIELDS_FILE = Path("coding") / "fields.json"
KINDS = ("nominal", "set", "date", "text")


@dataclass(frozen=True)
class CodedField:
    name: str
    kind: str
    excerpt: bool
    separator: str = ";"
    note: str = ""


@dataclass(frozen=True)
class Unit:
    """One kind of unit: rows of `resource`, identified by `key`, with their coded fields."""

    name: str
    resource: str
    key: tuple[str, ...]
    fields: tuple[CodedField, ...]
    other_sources: tuple[str, ...] = ()
    pointers: tuple[str, ...] = ()
    key_pattern: str = ""
    planned: tuple[dict[str, str], ...] = ()

    @property
    def coded(self) -> list[str]:
        return [f.name for f in self.fields]

    def second_columns(self) -> list[str]:
        """The header of a second coding: the key, then each coded field with, where it asks for
        evidence, the source read and the words that state the value."""
        cols = list(self.key)
        for f in self.fields:
            cols.append(f.name)
            if f.excerpt:
                cols += [f"{f.name}__source", f"{f.name}__excerpt"]
        return cols


def load_fields(path: Path) -> dict[str, Unit]:
    """Read the list; a file that is missing or malformed is a usage error naming what is wrong."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise UsageError(f"{path}: no such file (the list of coded fields)") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UsageError(f"{path}: cannot be read as JSON: {e}") from e
    units = raw.get("units") if isinstance(raw, dict) else None
    if not isinstance(units, dict) or not units:
        raise UsageError(f"{path}: expected an object with a non-empty 'units' object")
    out: dict[str, Unit] = {}
    for name, u in units.items():
        try:
            fields = []
            for fname, f in u["fields"].items():
                if f["kind"] not in KINDS:
                    raise UsageError(
                        f"{path}: {name}.{fname}: kind {f['kind']!r} is not one of {', '.join(KINDS)}"
                    )
                fields.append(
                    CodedField(
                        fname,
                        f["kind"],
                        bool(f.get("excerpt", False)),
                        f.get("separator", ";"),
                        f.get("note", ""),
                    )
                )
            out[name] = Unit(
                name=name,
                resource=u.get("resource", name),
                key=tuple(u["key"]),
                fields=tuple(fields),
                other_sources=tuple(u.get("other_sources", [])),
                pointers=tuple(u.get("pointers", [])),
                key_pattern=u.get("key_pattern", ""),
                planned=tuple(u.get("planned", [])),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise UsageError(f"{path}: unit {name!r} lacks {e} (each needs key and fields)") from e
    return out
