"""Check datapackage.json and its Table Schemas before anything reads them.

Every later step trusts what is checked here: that there are resources, each with a name, a path
inside the package folder and a schema whose fields have a name and a type the toolkit checks, that
keys name fields and resources that exist, that patterns compile, and that the version is
MAJOR.MINOR.PATCH. A broken descriptor is reported whole (every problem, with where it is), never
as a Python error from deep inside a check.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from toolkit.checks.report import quoted as shown
from toolkit.errors import InvalidDataError
from toolkit.package import constraints as schema_constraints

# The types the toolkit checks and converts (cells.sql_type); others would pass unchecked as text.
TYPES = ("string", "integer", "number", "boolean", "date")
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
# A package is untrusted input: its names reach SQL (always quoted, db/sql.q), file names (always
# slugged) and pages. They are held to safe patterns here, where the descriptor is read: the
# package's and each resource's name as Frictionless recommends (lowercase letters, digits, '.',
# '_', '-'), a field's as an SQL identifier needs no quoting (so never one of the toolkit's own
# columns, which start with '_').
PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
RESOURCE_NAME = PACKAGE_NAME
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
UNSAFE_NAME = "[unsafe-name]"


class DescriptorError(InvalidDataError):
    """datapackage.json or a Table Schema is malformed; the message lists every problem."""


def is_semver(version: Any) -> bool:
    return isinstance(version, str) and SEMVER.fullmatch(version) is not None


def unsafe_path(root: Path, path: Any) -> str | None:
    """Why `path` (from the descriptor) may not be read, or None: it must be a relative path that
    stays inside the package folder, symlinks followed (as frictionless's unsafe-path check)."""
    if not isinstance(path, str) or not path.strip():
        return "is not a file path"
    if "://" in path:
        return "is a URL; the toolkit reads only files inside the package folder"
    if os.path.isabs(path) or path.startswith("~") or ".." in Path(path).parts:
        return "is outside the package folder (absolute, '~' or '..'), which is unsafe"
    if os.path.expandvars(path) != path:
        return "holds a variable ($NAME), which is unsafe"
    real, base = (root / path).resolve(), root.resolve()
    if real != base and base not in real.parents:
        return f"leads outside the package folder (to {real}), which is unsafe"
    return None


# A web address the site and Datasette may link to: http(s) only (javascript: and data: run code).
LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.I)


def is_link(value: Any) -> bool:
    """Whether `value` is an http(s) address a page may link to."""
    return isinstance(value, str) and LINK.fullmatch(value) is not None


def _link_problems(where: str, descriptor: dict[str, Any]) -> list[str]:
    """Addresses of the descriptor that pages link to (licences, sources, homepage): http(s) only."""
    found = [("homepage", descriptor.get("homepage"))] if "homepage" in descriptor else []
    for key in ("licenses", "sources"):
        items = descriptor.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "path" in item:
                found.append((f"{key}[{i}].path", item["path"]))
    return [
        f"{where}: {at} {shown(value)} is not an http(s) address [unsafe-url]; a page links to it, "
        "and other schemes (javascript:, data:) run code when clicked"
        for at, value in found
        if not is_link(value)
    ]


def bad_name(kind: str, name: Any, pattern: re.Pattern[str]) -> str | None:
    """Why `name` may not be used as the name of a package, resource or field, or None."""
    if isinstance(name, str) and pattern.fullmatch(name):
        return None
    allowed = (
        "letters, digits and '_', starting with a letter"
        if pattern is FIELD_NAME
        else "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
    )
    return f"{kind} name {shown(name)} is not allowed {UNSAFE_NAME}: use {allowed}, at most 64 characters"


def check_descriptor(root: Path, descriptor: Any) -> list[str]:
    """The problems of the descriptor itself (not of its schemas), each with where it is."""
    where = "datapackage.json"
    if not isinstance(descriptor, dict):
        return [f"{where}: must be a JSON object"]
    problems = []
    if "name" in descriptor and (
        why := bad_name("the package's", descriptor["name"], PACKAGE_NAME)
    ):
        problems.append(f"{where}: {why}")
    problems += _link_problems(where, descriptor)
    if "version" in descriptor and not is_semver(descriptor["version"]):
        problems.append(
            f"{where}: version {shown(descriptor['version'])} is not MAJOR.MINOR.PATCH "
            "(semantic versioning), e.g. 0.3.1"
        )
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return [*problems, f"{where}: 'resources' must be a non-empty list of resources"]
    names: set[str] = set()
    for i, rd in enumerate(resources):
        at = f"{where}: resources[{i}]"
        if not isinstance(rd, dict):
            problems.append(f"{at} must be an object")
            continue
        name = rd.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{at} has no 'name'")
        elif why := bad_name("the resource's", name, RESOURCE_NAME):
            problems.append(f"{at}: {why}")
            continue
        elif name in names:
            problems.append(f"{at}: the name {name!r} is used twice")
        else:
            names.add(name)
            at = f"{at} ({name})"
        if "path" not in rd:
            problems.append(f"{at} has no 'path'")
        elif why := unsafe_path(root, rd["path"]):
            problems.append(f"{at}: path {shown(rd['path'])} {why}")
        schema = rd.get("schema")
        if isinstance(schema, str):
            if why := unsafe_path(root, schema):
                problems.append(f"{at}: schema {shown(schema)} {why}")
        elif not isinstance(schema, dict):
            problems.append(f"{at} has no Table Schema ('schema': a path or an object)")
    return problems


def check_schema(where: str, schema: Any) -> list[str]:
    """The problems of one Table Schema on its own: fields, types, patterns, the primary key."""
    if not isinstance(schema, dict):
        return [f"{where}: a Table Schema must be a JSON object"]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return [f"{where}: 'fields' must be a non-empty list"]
    problems = []
    names = []
    for i, f in enumerate(fields):
        at = f"{where}: fields[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            problems.append(f"{at} has no 'name'")
            continue
        if why := bad_name("the field's", f["name"], FIELD_NAME):
            problems.append(f"{at}: {why}")
            continue
        at = f"{at} ({f['name']})"
        names.append(f["name"])
        ftype = f.get("type", "string")
        if ftype not in TYPES:
            problems.append(
                f"{at}: unknown type {shown(ftype)}; the toolkit checks {', '.join(TYPES)}"
            )
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            problems.append(f"{at}: 'constraints' must be an object")
            continue
        for constraint in schema_constraints.CONSTRAINTS:
            if constraint.keyword in c and (why := constraint.problem(c[constraint.keyword])):
                value = shown(c[constraint.keyword])
                problems.append(f"{at}: {constraint.keyword} {value} {why}")
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        problems.append(f"{where}: field(s) named twice: {', '.join(twice)}")
    pk = schema.get("primaryKey", [])
    for k in [pk] if isinstance(pk, str) else pk if isinstance(pk, list) else [pk]:
        if k not in names:
            problems.append(f"{where}: primaryKey names {shown(k)}, which is not a field")
    return problems


def check_foreign_keys(schemas: dict[str, tuple[str, dict[str, Any]]]) -> list[str]:
    """Foreign keys naming fields or resources that do not exist (resource -> (where, schema))."""
    fields = {
        name: {f.get("name") for f in s.get("fields", []) if isinstance(f, dict)}
        for name, (_, s) in schemas.items()
    }
    problems = []
    for name, (where, schema) in schemas.items():
        fks = schema.get("foreignKeys", [])
        if not isinstance(fks, list):
            problems.append(f"{where}: 'foreignKeys' must be a list")
            continue
        for i, fk in enumerate(fks):
            at = f"{where}: foreignKeys[{i}]"
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if not isinstance(ref, dict) or "fields" not in fk or "fields" not in ref:
                problems.append(f"{at} needs 'fields' and 'reference' with 'resource' and 'fields'")
                continue
            target = ref.get("resource") or name
            own = _as_list(fk["fields"])
            theirs = _as_list(ref["fields"])
            for k in own:
                if k not in fields[name]:
                    problems.append(f"{at}: names {shown(k)}, which is not a field of {name}")
            if target not in fields:
                problems.append(f"{at}: refers to resource {shown(target)}, which does not exist")
                continue
            for k in theirs:
                if k not in fields[target]:
                    problems.append(f"{at}: refers to {shown(k)}, which is not a field of {target}")
            if len(own) != len(theirs):
                problems.append(f"{at}: {len(own)} field(s) refer to {len(theirs)} field(s)")
    return problems


def _as_list(v: Any) -> list[Any]:
    return [v] if isinstance(v, str) else list(v) if isinstance(v, list) else [v]


def raise_if(problems: list[str]) -> None:
    if problems:
        n = len(problems)
        raise DescriptorError(
            f"the package's descriptor or schemas are not valid ({n} problem(s)):\n  "
            + "\n  ".join(problems)
        )
