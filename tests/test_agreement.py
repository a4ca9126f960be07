"""The toolkit, its pandera schemas and the official frictionless validator agree on every constraint.

For each constraint declared in schemas/, a copy of the package with one row breaking it must be
rejected by all three; a value on the constraint's boundary must pass all three.
"""

from __future__ import annotations

import csv
import json

import pytest
from frictionless import FrictionlessException
from frictionless import Package as FrictionlessPackage
from helpers import ROOT, codes

from toolkit.checks.pandera_schemas import read_frame, read_frames, validate_frames
from toolkit.checks.validate import needed_by
from toolkit.package.constraints import CONSTRAINTS, declared
from toolkit.package.tableschema import load_package

PACKAGE = load_package(ROOT)
FK_VALUES = {"^[A-Z]{3}$": "ZZZ"}


def _missing_ref(field) -> str:
    if field.pattern in FK_VALUES:
        return FK_VALUES[field.pattern]
    if field.pattern and "RES" in field.pattern:
        return "A/RES/ES-99/99"
    return "zzz-nothing-here"


def cases():
    """(id, resource, field, new value or None for 'duplicate the row', should pass)."""
    out = []
    for res in PACKAGE.resources.values():
        for f in res.fields:
            if f.type in ("date", "integer", "boolean"):
                bad = {"date": "2022-13-45", "integer": "1.5", "boolean": "yes"}[f.type]
                out.append((f"{res.name}.{f.name}:type", res.name, f.name, bad, False))
            if f.type == "date":  # year 0 exists in DuckDB and pandas, not in Python's dates
                out.append((f"{res.name}.{f.name}:year0", res.name, f.name, "0000-01-01", False))
            # every constraint the field declares, with the value its entry says breaks it
            for c in CONSTRAINTS:
                value = declared(f, c)
                bad = c.breaks(value) if value is not None else None
                if bad is not None:
                    out.append((f"{res.name}.{f.name}:{c.keyword}", res.name, f.name, bad, False))
            # values on the boundary of a bound pass
            if f.max_length is not None:
                kept = "x" * f.max_length
                out.append((f"{res.name}.{f.name}:maxLength-kept", res.name, f.name, kept, True))
            if f.maximum is not None:
                kept = str(int(f.maximum))
                out.append((f"{res.name}.{f.name}:maximum-kept", res.name, f.name, kept, True))
        for fk in res.foreign_keys:
            f = res.field(fk.fields[0])
            out.append(
                (f"{res.name}.{f.name}:foreignKey", res.name, f.name, _missing_ref(f), False)
            )
        if res.primary_key:
            out.append((f"{res.name}:primaryKey", res.name, None, None, False))
    return out


def _write(pkg, resource, field, value):
    path = pkg / PACKAGE.resource(resource).path
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    target = rows[0]
    if field is None:
        rows.append(dict(target))
    else:
        target[field] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, PACKAGE.resource(resource).field_names, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _frictionless_valid(pkg, resource: str | None = None) -> bool:
    """The official validator's verdict: on one resource (foreign keys resolved in its package) or all."""
    package = FrictionlessPackage(str(pkg / "datapackage.json"))
    target = package.get_resource(resource) if resource else package
    return target.validate().valid


CASES = cases()


def test_there_is_a_case_for_every_kind_of_constraint():
    kinds = {c[0].rsplit(":", 1)[1] for c in CASES}
    assert {
        "required",
        "type",
        "enum",
        "pattern",
        "maxLength",
        "minimum",
        "maximum",
        "foreignKey",
        "primaryKey",
        "year0",
    } <= kinds


@pytest.mark.parametrize(
    ("case", "resource", "field", "value", "passes"), CASES, ids=[c[0] for c in CASES]
)
def test_three_validators_agree(run, pkg, case, resource, field, value, passes):
    _write(pkg, resource, field, value)
    official = _frictionless_valid(pkg, resource)
    result = run("validate", pkg, "--format", "json")
    # The frames its checks read (its references' and its rules' resources): reading the
    # package's every file for each of these cases would double what pandera costs here.
    frames = {name: read_frame(pkg / PACKAGE.resource(name).path, PACKAGE.resource(name).missing_values)
              for name in needed_by(PACKAGE, resource)}  # fmt: skip
    pandera_failures = validate_frames(pkg / "datapackage.json", frames, only=resource)
    assert official is passes, "frictionless"
    assert (result.exit_code == 0) is passes, codes(result)
    assert (resource not in pandera_failures) is passes, "pandera"


def test_untouched_package_passes_all_three(run, pkg_ro):
    assert _frictionless_valid(pkg_ro)
    assert run("validate", pkg_ro).exit_code == 0
    assert validate_frames(pkg_ro / "datapackage.json", read_frames(pkg_ro)) == {}


# Broken descriptors and schemas (the official validator's schema and unsafe-path checks).
BROKEN_DESCRIPTORS = {
    "unknown-type": lambda d, s: s["statements"]["fields"][1].update(type="quaternion"),
    "foreign-key-to-nothing": lambda d, s: s["statements"]["foreignKeys"][0]["reference"].update(
        resource="speakers"
    ),
    "no-resources": lambda d, s: d.pop("resources"),
    "path-outside": lambda d, s: d["resources"][0].update(path="../outside.csv"),
    "absolute-path": lambda d, s: d["resources"][0].update(path="/etc/hostname"),
}


@pytest.mark.parametrize("case", BROKEN_DESCRIPTORS)
def test_both_validators_refuse_a_broken_descriptor(run, pkg, case):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: json.loads((pkg / r["schema"]).read_text()) for r in d["resources"]}
    BROKEN_DESCRIPTORS[case](d, schemas)
    for r in d.get("resources", []):  # inline the schemas, so that one file holds the break
        r["schema"] = schemas[r["name"]]
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    (pkg.parent / "outside.csv").write_text("x\n1\n", encoding="utf-8")
    try:
        official = FrictionlessPackage(str(pkg / "datapackage.json")).validate().valid
    except FrictionlessException:
        official = False
    assert official is False, "frictionless"
    result = run("validate", pkg)
    assert result.exit_code == 1 and "not valid" in result.stderr, result.stderr
