"""pandera schemas for every resource, derived from the Table Schemas.

For Python users who hold the data as pandas DataFrames (read as text, as Frictionless reads it):

    from toolkit.pandera_schemas import read_frames, validate_frames
    frames = read_frames("datapackage.json")
    failures = validate_frames("datapackage.json", frames)   # {resource: failure-cases DataFrame}

Column checks (types, required, enum, pattern, lengths, bounds, uniqueness, primary and foreign keys)
are pandas code generated from each field. The rules a Table Schema cannot say (rules.py) are the
same SQL the command line runs, executed by DuckDB over the DataFrames, so the two cannot drift.
Every check is named by the error code the command line reports.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from toolkit.checks import FORMULA_STARTS, INTEGER, ISO_DATE, MAX_CELL, typed_view_sql
from toolkit.csvread import LINE, ORIGIN
from toolkit.rules import RULES
from toolkit.tableschema import Field, Package, Resource, load_package

URI = r"[A-Za-z][A-Za-z0-9+.-]*://\S+"
FORMULA = "[" + re.escape(FORMULA_STARTS) + "]"


def read_frame(path: str | Path) -> pd.DataFrame:
    """A CSV as text columns; only the empty string is missing (as the schemas' missingValues say)."""
    return pd.read_csv(
        path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig"
    )


def read_frames(package_path: str | Path) -> dict[str, pd.DataFrame]:
    package = load_package(package_path)
    return {name: read_frame(package.data_path(name)) for name in package.resources}


def _typed_ok(f: Field, s: pd.Series) -> pd.Series:
    """True where the text has the field's type (missing cells count as fine here)."""
    if f.type == "date":
        return (
            s.str.fullmatch(ISO_DATE)
            & pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()
        )
    if f.type == "integer":
        return s.str.fullmatch(INTEGER)
    if f.type == "number":
        return pd.to_numeric(s, errors="coerce").notna()
    if f.type == "boolean":
        return s.isin(f.true_values + f.false_values)
    if f.format == "uri":
        return s.str.fullmatch(URI)
    return pd.Series(True, index=s.index)


def _field_checks(f: Field) -> list[pa.Check]:
    def typed(s: pd.Series) -> pd.Series:
        return _typed_ok(f, s).fillna(False).astype(bool)

    def when_typed(test):  # a constraint is only judged once the type is right, as in checks.py
        return lambda s: ~typed(s) | test(s)

    checks = [
        pa.Check(lambda s: s.str.len() <= MAX_CELL, error="cell-too-large"),
        pa.Check(typed, error="type-error"),
    ]
    if f.enum is not None:
        checks.append(pa.Check(when_typed(lambda s: s.isin(f.enum)), error="enum-error"))
    if f.pattern:
        checks.append(
            pa.Check(
                when_typed(lambda s: s.str.fullmatch(f.pattern).fillna(False)),
                error="pattern-error",
            )
        )
    if f.min_length is not None:
        checks.append(
            pa.Check(when_typed(lambda s: s.str.len() >= f.min_length), error="length-error")
        )
    if f.max_length is not None:
        checks.append(
            pa.Check(when_typed(lambda s: s.str.len() <= f.max_length), error="length-error")
        )
    if f.minimum is not None:
        checks.append(
            pa.Check(
                when_typed(lambda s: pd.to_numeric(s, errors="coerce") >= f.minimum),
                error="range-error",
            )
        )
    if f.maximum is not None:
        checks.append(
            pa.Check(
                when_typed(lambda s: pd.to_numeric(s, errors="coerce") <= f.maximum),
                error="range-error",
            )
        )
    if f.type == "string":
        checks.append(
            pa.Check(lambda s: ~s.str.match(FORMULA).fillna(False), error="formula-injection")
        )
    return checks


def _foreign_key_checks(resource: Resource, frames: dict[str, pd.DataFrame]) -> list[pa.Check]:
    checks = []
    for fk in resource.foreign_keys:

        def present(df: pd.DataFrame, fk=fk) -> pd.Series:
            target = df if fk.resource == resource.name else frames.get(fk.resource)
            if target is None:
                return pd.Series(True, index=df.index)
            ref = set(target[list(fk.reference_fields)].itertuples(index=False, name=None))
            keys = df[list(fk.fields)]
            found = pd.Series(
                [k in ref for k in keys.itertuples(index=False, name=None)], index=df.index
            )
            return found | keys.isna().any(axis=1)

        checks.append(pa.Check(present, error="foreign-key"))
    return checks


class _Sql:
    """One DuckDB connection over the package's frames, shared by every rule check of a schema."""

    def __init__(self, package: Package, frames: dict[str, pd.DataFrame]) -> None:
        self.package, self.frames, self._con = package, frames, None

    def with_frame(self, name: str, df: pd.DataFrame) -> _Sql:
        """This context if `df` is the frame it holds, else a new one holding `df`."""
        held = self.frames.get(name)
        return (
            self
            if held is not None and (held is df or held.equals(df))
            else _Sql(self.package, {**self.frames, name: df})
        )

    @property
    def con(self):
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
            for name, frame in self.frames.items():
                res = self.package.resource(name)
                df = frame[res.field_names].copy()
                df[ORIGIN] = "package"
                df[LINE] = range(2, len(df) + 2)
                self._con.register(f"__frame_{name}", df)
                cols = ", ".join(f'"{f}"::VARCHAR AS "{f}"' for f in res.field_names)
                self._con.execute(
                    f'CREATE TABLE "{name}" AS SELECT {cols}, {ORIGIN}, {LINE} FROM "__frame_{name}"'
                )
                self._con.execute(typed_view_sql(res))
        return self._con

    def bad_lines(self, sql: str) -> set[int]:
        return {row[0] for row in self.con.execute(f"SELECT __line FROM ({sql})").fetchall()}


def _passing(df: pd.DataFrame, bad: set[int]) -> pd.Series:
    """True for rows whose line (position + 2, the header being line 1) is not in `bad`."""
    return ~pd.Series(range(2, len(df) + 2), index=df.index).isin(bad)


def _rule_checks(
    package: Package, resource: Resource, frames: dict[str, pd.DataFrame], sql: _Sql
) -> list[pa.Check]:
    """The cross-field and cross-table rules of rules.py, run by DuckDB over the DataFrames."""
    checks = []
    for rule in RULES:
        if (
            rule.resource != resource.name
            or rule.warning
            or not set(rule.needs) <= set(frames) | {resource.name}
        ):
            continue

        def passes(df: pd.DataFrame, rule=rule) -> pd.Series:
            return _passing(df, sql.with_frame(resource.name, df).bad_lines(rule.sql))

        checks.append(pa.Check(passes, error=rule.code))
    if resource.name == "un_votes" and "un_resolutions" in frames:

        def tallies(df: pd.DataFrame) -> pd.Series:
            from toolkit.tallies import tally_issues

            con = sql.with_frame("un_votes", df).con
            return _passing(
                df, {i.row for i in tally_issues(con, "package", {}) if i.resource == "un_votes"}
            )

        checks.append(pa.Check(tallies, error="tally-exceeded"))
    return checks


def build_schema(
    resource: Resource,
    package: Package | None = None,
    frames: dict[str, pd.DataFrame] | None = None,
    sql: _Sql | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema of one resource; with the package's frames, its cross-table checks too."""
    columns = {
        f.name: pa.Column(
            str,
            nullable=not f.required,
            unique=f.unique and [f.name] != list(resource.primary_key),
            checks=_field_checks(f),
            required=True,
            description=f.description,
            title=f.name,
        )
        for f in resource.fields
    }
    checks = []
    if frames is not None and package is not None:
        sql = sql or _Sql(package, frames)
        checks = _foreign_key_checks(resource, frames) + _rule_checks(
            package, resource, frames, sql
        )
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        unique=list(resource.primary_key) or None,
        strict=True,
        name=resource.name,
        description=resource.description,
    )


def validate_frames(
    package_path: str | Path, frames: dict[str, pd.DataFrame], only: str | None = None
) -> dict[str, pd.DataFrame]:
    """Validate every frame (or only one) lazily; returns the failure cases of each resource that fails."""
    package = load_package(package_path)
    failures = {}
    sql = _Sql(package, frames)  # one DuckDB load of the frames serves every resource's rules
    for name, df in frames.items():
        if only is not None and name != only:
            continue
        schema = build_schema(package.resource(name), package, frames, sql)
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures[name] = exc.failure_cases
    return failures
