"""Merge a checked contribution into the package: canonical order and format, atomic, logged."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from toolkit.atomic import write_all_atomic
from toolkit.changelog import add_unreleased
from toolkit.report import Report
from toolkit.tableschema import Package, Resource
from toolkit.validate import check_contribution


@dataclass
class MergeResult:
    report: Report
    added: int = 0
    written: bool = False


def read_rows(path: Path, resource: Resource) -> list[dict[str, str]]:
    """Rows of a structurally valid CSV (BOM, CRLF, '#' comment lines accepted) in schema column order."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    body = "\n".join(lines[skip:])
    reader = csv.DictReader(io.StringIO(body, newline=""))
    return [
        {f: row.get(f) or "" for f in resource.field_names} for row in reader if any(row.values())
    ]


def canonical_csv(resource: Resource, rows: list[dict[str, str]]) -> str:
    """UTF-8, LF line ends, minimal quoting, rows sorted by primary key: small, stable diffs."""
    key = resource.primary_key or tuple(resource.field_names)
    rows = sorted(rows, key=lambda r: [r[k] for k in key])
    out = io.StringIO()
    w = csv.DictWriter(out, resource.field_names, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def add_contribution(package: Package, file: Path, resource_name: str) -> MergeResult:
    """Check `file`; only when it has no error, merge its rows into the resource and log them."""
    report = check_contribution(package, file, resource_name)
    result = MergeResult(report=report)
    if not report.valid:
        return result
    resource = package.resource(resource_name)
    data_path = package.data_path(resource_name)
    new = read_rows(file, resource)
    merged = canonical_csv(resource, read_rows(data_path, resource) + new)
    changelog = package.root / "CHANGELOG.md"
    log = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    ids = ", ".join("/".join(r[k] for k in resource.primary_key) for r in new[:10])
    more = f" and {len(new) - 10} more" if len(new) > 10 else ""
    log = add_unreleased(log, "Added", f"{len(new)} row(s) to `{resource_name}`: {ids}{more}.")
    write_all_atomic({data_path: merged, changelog: log})
    result.added, result.written = len(new), True
    return result
