"""Empty CSV templates for contributors, derived from the Table Schemas."""

from __future__ import annotations

import csv
import io

from toolkit.package.tableschema import Resource


def template_csv(resource: Resource, describe: bool = False) -> str:
    """The header row; with `describe`, a '#' comment line per column above it."""
    out = io.StringIO()
    if describe:
        out.write(f"# {resource.name}: {resource.description}\n")
        out.write(
            "# Lines starting with '#' above the header are ignored by `csto-alignment check`.\n"
        )
        for f in resource.fields:
            req = "required" if f.required or f.name in resource.primary_key else "optional"
            out.write(
                f"# {f.name} ({f.type}, {req}; {f.allowed}): {f.description} Example: {f.example}\n"
            )
    csv.writer(out, lineterminator="\n").writerow(resource.field_names)
    return out.getvalue()
