"""Typed DataFrames of the package, for analysts in Python.

    from toolkit import load
    frames = load()                        # {resource: DataFrame}, every resource
    votes = load("un_votes")               # one resource
    votes = load("un_votes", backend="polars")

The files are first checked by the pandera schemas (pandera_schemas.py: types, vocabularies,
patterns, keys, references and the cross-table rules), then typed from the Table Schemas: dates
as dates, vocabularies as categoricals with every allowed value, booleans as booleans, integers as
nullable integers. A package that fails raises LoadError holding pandera's failure cases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.package.tableschema import Field, Resource, load_package

__all__ = ["LoadError", "load", "typed_frame", "to_polars"]

BACKENDS = ("pandas", "polars")


class LoadError(Exception):
    """The package does not pass the pandera schemas; `failures` maps each failing resource to
    its failure cases (a DataFrame with the column, check and failing value)."""

    def __init__(self, failures: dict[str, pd.DataFrame]) -> None:
        self.failures = failures
        counts = ", ".join(f"{name}: {len(cases)}" for name, cases in failures.items())
        super().__init__(
            f"the package is not valid ({counts} failure(s)); "
            "run `csto-alignment validate` to see each with its line and a fix"
        )


def _typed_series(f: Field, s: pd.Series) -> pd.Series:
    if f.type == "date":
        return pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[s]")
    if f.type == "integer":
        return pd.to_numeric(s).astype("Int64")
    if f.type == "number":
        return pd.to_numeric(s).astype("Float64")
    if f.type == "boolean":
        values = {**dict.fromkeys(f.true_values, True), **dict.fromkeys(f.false_values, False)}
        return s.map(values).astype("boolean")
    if f.enum is not None:
        return s.astype(pd.CategoricalDtype(categories=list(f.enum)))
    return s


def typed_frame(resource: Resource, text: pd.DataFrame) -> pd.DataFrame:
    """A frame of text columns (as read_frames gives) typed as its Table Schema says."""
    return pd.DataFrame({f.name: _typed_series(f, text[f.name]) for f in resource.fields})


def to_polars(resource: Resource, frame: pd.DataFrame) -> Any:
    """The typed pandas frame as polars: dates as pl.Date, vocabularies as pl.Enum."""
    import polars as pl

    df = pl.from_pandas(frame)
    casts = []
    for f in resource.fields:
        if f.type == "date":
            casts.append(pl.col(f.name).cast(pl.Date))
        elif f.enum is not None and f.type == "string":
            casts.append(pl.col(f.name).cast(pl.String).cast(pl.Enum(list(f.enum))))
    return df.with_columns(casts) if casts else df


def load(
    resource: str | None = None,
    package: str | Path = ".",
    backend: str = "pandas",
    validate: bool = True,
) -> Any:
    """Every resource of the package as typed DataFrames, or one resource's frame.

    `package` is the package's folder or its datapackage.json; `backend` is "pandas" (default) or
    "polars"; `validate=False` skips the pandera checks (faster on large files, at your risk).
    Raises LoadError when the data fail the checks, PackageError for an unknown resource.
    """
    from toolkit.checks.pandera_schemas import read_frames, validate_frames

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    pkg = load_package(package)
    names = [pkg.resource(resource).name] if resource is not None else list(pkg.resources)
    text = read_frames(pkg.root)  # every resource: references are checked against the others
    if validate:
        failures = validate_frames(pkg.root, text, only=resource)
        if failures:
            raise LoadError(failures)
    frames = {n: typed_frame(pkg.resource(n), text[n]) for n in names}
    if backend == "polars":
        frames = {n: to_polars(pkg.resource(n), df) for n, df in frames.items()}
    return frames[resource] if resource is not None else frames
