"""The README and licence of a release's zip, for people who use the data (not for developers of
the toolkit): what the files are, the data's licence and how to cite the version, all from the
descriptor, so they cannot drift from it."""

from __future__ import annotations

from toolkit.db.saved import saved_queries
from toolkit.package.tableschema import Package
from toolkit.release.citation import citation


def _licence(package: Package) -> tuple[str, str]:
    licences = package.descriptor.get("licenses") or [{}]
    first = licences[0]
    return first.get("name", "see datapackage.json"), first.get("path", "")


def data_readme(
    package: Package, version: str, url: str | None = None, label: str | None = None
) -> str:
    """README.md of the zip of `version`; `label` is how a snapshot that is no release is named
    ("0.4.0 + unreleased changes"), and it says so at the top."""
    name = package.descriptor.get("name", "package")
    licence, licence_url = _licence(package)
    lines = [f"# {name} {label or version}", ""]
    if label and label != version:
        lines += [
            f"**Not a release.** This is a snapshot of the package's data as it stood, "
            f"{label}: cite a release instead.",
            "",
        ]
    lines += [
        package.descriptor.get("description", ""),
        "",
        "## Files",
        "",
        "- `datapackage.json`: the Frictionless Data Package descriptor (resources, licence, "
        "sources, and each data file's size and sha256).",
        "- `data/*.csv`: the tables, UTF-8 CSV, one row per record; `schemas/*.json`: their Table "
        "Schemas (every column's type, meaning and allowed values).",
        "- `queries/*.sql`: saved DuckDB SQL queries over the tables.",
        "- `CHANGELOG.md`: what changed in each version; `CITATION.cff`: how to cite it.",
        "",
        "| table | file | what it holds |",
        "|---|---|---|",
    ]
    for r in package.resources.values():
        lines.append(f"| `{r.name}` | `{r.path}` | {r.description} |")
    saved = saved_queries(package.root)
    if saved:
        lines += ["", "Saved queries:", ""]
        lines += [f"- `queries/{q.name}.sql`: {q.answers or q.title}" for q in saved.values()]
    lines += [
        "",
        "Validate the package with the official validator: `pip install frictionless` then "
        "`frictionless validate datapackage.json`. Any tool that reads CSV reads the data; the "
        "codebook is in the schemas.",
        "",
        "## Licence",
        "",
        f"The data (`data/`, `schemas/`, `datapackage.json`, `queries/`) is licensed under "
        f"{licence}{f' ({licence_url})' if licence_url else ''}: share and adapt it, crediting the dataset as "
        "below. Rows quote sources in short excerpts only; the sources keep their own terms.",
        "",
        "## How to cite",
        "",
        f"> {citation(package, version, url)}",
        "",
        "Cite the version you used (CITATION.cff holds it), and the underlying sources the rows cite "
        "(the `sources` table).",
        "",
    ]
    return "\n".join(lines)


def data_licence(package: Package) -> str:
    """LICENSE.md of the release zip: the data's licence, not the toolkit's code licence."""
    licence, url = _licence(package)
    return (
        f"The data in this archive is licensed under {licence}.\n\n"
        f"Licence text: {url or 'see datapackage.json'}\n\n"
        "Credit: csto-alignment contributors, with the version used (see README.md).\n"
    )
