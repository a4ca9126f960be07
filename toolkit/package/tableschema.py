"""Read the data package descriptor and its Table Schemas: the one source of truth.

Everything else in the toolkit (SQL checks, pandera schemas, DuckDB types, templates, the
codebook in docs/) is derived from the objects built here. This module imports nothing heavy, so commands that
only need the schemas start fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import UsageError
from toolkit.package import constraints
from toolkit.package.descriptor import check_descriptor, check_foreign_keys, check_schema, raise_if

DESCRIPTOR = "datapackage.json"


class PackageError(UsageError):
    """The package cannot be read, or has no such resource (a usage problem, not a data problem)."""


def unknown_resource(name: str, known: list[str] | dict[str, Any]) -> PackageError:
    """The one wording of an unknown resource name."""
    return PackageError(f"unknown resource {name!r}; the package has: {', '.join(known)}")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    example: str = ""
    format: str = "default"
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)

    # constraints of toolkit/package/constraints.py that have no attribute above: (keyword, value)
    extra: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_descriptor(cls, d: dict[str, Any]) -> Field:
        attrs, extra = constraints.read(d.get("constraints", {}))
        return cls(
            name=d["name"],
            type=d.get("type", "string"),
            description=d.get("description", ""),
            example=str(d.get("example", "")),
            format=d.get("format", "default"),
            **attrs,
            extra=extra,
            true_values=tuple(d.get("trueValues", ["true", "True", "TRUE", "1"])),
            false_values=tuple(d.get("falseValues", ["false", "False", "FALSE", "0"])),
        )

    @property
    def is_link(self) -> bool:
        """Whether the field holds web addresses (`format: uri`, or named url or *_url): their
        values are links on the site and must be http(s) (checks/cells.py, `unsafe-url`)."""
        return self.type == "string" and (
            self.format == "uri" or self.name == "url" or self.name.endswith("_url")
        )

    @property
    def allowed(self) -> str:
        """A short human description of the values the field accepts."""
        if self.enum is not None:
            return "one of: " + ", ".join(self.enum)
        if self.type == "date":
            return "a date as YYYY-MM-DD"
        if self.type in ("integer", "number"):
            bounds = []
            if self.minimum is not None:
                bounds.append(f">= {self.minimum:g}")
            if self.maximum is not None:
                bounds.append(f"<= {self.maximum:g}")
            kind = "a whole number" if self.type == "integer" else "a number"
            return kind + (f" ({', '.join(bounds)})" if bounds else "")
        if self.type == "boolean":
            return " or ".join(self.true_values[:1] + self.false_values[:1])
        if self.pattern:
            return f"text matching {self.pattern}"
        if self.max_length:
            return f"text of at most {self.max_length} characters"
        return "text"


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # resolved: a self-reference carries the resource's own name
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    schema_path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)
    hash: str | None = None
    bytes: int | None = None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass
class Package:
    root: Path
    descriptor: dict[str, Any]
    resources: dict[str, Resource] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    def resource(self, name: str) -> Resource:
        try:
            return self.resources[name]
        except KeyError:
            raise unknown_resource(name, self.resources) from None

    def data_path(self, name: str) -> Path:
        return self.root / self.resource(name).path


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{path}: file not found") from None
    except OSError as exc:  # a folder, no permission: the path given cannot be used
        raise PackageError(f"{path}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path}: not valid JSON ({exc})") from None


def package_root(path: str | Path = ".") -> Path:
    """The package's folder, from its folder or its datapackage.json."""
    p = Path(path)
    return p if p.is_dir() else p.parent


def load_package(path: str | Path = ".") -> Package:
    """Load a package from its folder or its datapackage.json."""
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.exists():
        raise PackageError(f"no data package at {path} (expected {DESCRIPTOR})")
    root = p.parent
    descriptor = _read_json(p)
    raise_if(check_descriptor(root, descriptor))  # nothing is read from a bad or unsafe path
    package = Package(root=root, descriptor=descriptor)
    schemas: dict[str, tuple[str, dict[str, Any]]] = {}
    for rd in descriptor["resources"]:
        schema, schema_path = rd["schema"], ""
        if isinstance(schema, str):
            schema_path = schema
            schema = _read_json(root / schema)
        schemas[rd["name"]] = (schema_path or f"datapackage.json ({rd['name']}'s schema)", schema)
    problems = [x for where, schema in schemas.values() for x in check_schema(where, schema)]
    raise_if(problems or check_foreign_keys(schemas))
    for rd in descriptor["resources"]:
        schema_path = rd["schema"] if isinstance(rd["schema"], str) else ""
        schema = schemas[rd["name"]][1]
        name = rd["name"]
        fks = tuple(
            ForeignKey(
                fields=tuple(_as_list(fk["fields"])),
                resource=fk["reference"].get("resource") or name,
                reference_fields=tuple(_as_list(fk["reference"]["fields"])),
            )
            for fk in schema.get("foreignKeys", [])
        )
        package.resources[name] = Resource(
            name=name,
            path=rd["path"],
            schema_path=schema_path,
            description=rd.get("description", ""),
            fields=tuple(Field.from_descriptor(f) for f in schema["fields"]),
            primary_key=tuple(_as_list(schema.get("primaryKey", []))),
            foreign_keys=fks,
            missing_values=tuple(schema.get("missingValues", [""])),
            hash=rd.get("hash"),
            bytes=rd.get("bytes"),
        )
    return package


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)
