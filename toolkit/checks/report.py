"""Report objects: what a check found, each finding with its stable code (errors.CATALOGUE)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from toolkit.errors import CATALOGUE

SHOWN = 80  # characters of a value a message shows; longer values are cut, with their length


def quoted(value: Any, limit: int = SHOWN) -> str:
    """`value` quoted for a message (repr), cut to `limit` characters with its full length if
    longer: a 200 MB cell must not become 200 MB of messages."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def cut(value: str, limit: int = SHOWN) -> str:
    """`value` cut to `limit` characters (a report's `value`), marked '...' where cut."""
    return value if len(value) <= limit else value[: limit - 3] + "..."


@dataclass
class Issue:
    code: str
    message: str
    resource: str = ""
    row: int | None = None
    field: str = ""
    value: Any = None
    hint: str = ""
    file: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown issue code {self.code!r}")
        if not self.hint:
            self.hint = CATALOGUE[self.code].hint

    @classmethod
    def at(cls, code: str, file: str, row: int | None, detail: str, **kw: Any) -> Issue:
        """A finding on line `row` of `file` (None: the file as a whole); its message starts by
        saying where, as every message does: `FILE: line N: detail`."""
        where = f"{file}: line {row}: " if row is not None else f"{file}: "
        return cls(code=code, message=where + detail, file=file, row=row, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("file")
        return d


@dataclass
class Report:
    """What a check found. `summary` maps a resource name to its counts; `since_release` (set by
    `validate`) is information, never a finding: what changed since the last release."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)
    since_release: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def count_by_resource(self) -> None:
        """Fill each resource's summary with its error and warning counts."""
        for name, s in self.summary.items():
            s["errors"] = sum(1 for e in self.errors if e.resource == name)
            s["warnings"] = sum(1 for w in self.warnings if w.resource == name)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "valid": self.valid,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
            "summary": self.summary,
        }
        if self.since_release is not None:
            d["since_release"] = self.since_release
        return d
