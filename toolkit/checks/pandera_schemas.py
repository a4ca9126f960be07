"""pandera schemas for every resource, derived from the Table Schemas.

For Python users who hold the data as pandas DataFrames (read as text, as Frictionless reads it):

    from toolkit.checks.pandera_schemas import read_frames, validate_frames
    frames = read_frames("datapackage.json")
    failures = validate_frames("datapackage.json", frames)   # {resource: failure-cases DataFrame}

The cell checks (types, enum, pattern, lengths, bounds, formulas) and the rules a Table Schema cannot
say (rules.py) are the same SQL the command line runs (cells.field_conditions, rules.rules_for),
executed by DuckDB over the DataFrames, so the two cannot drift; `required`, uniqueness and the
primary and foreign keys are pandera's own. Every check is named by the error code the command line
reports.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from toolkit.checks.cells import field_conditions, typed_view_sql
from toolkit.checks.csvread import LINE, ORIGIN
from toolkit.checks.rules import Rule, rules_for
from toolkit.db.sql import q
from toolkit.package.tableschema import Field, Package, Resource, load_package

__all__ = ["build_schema", "read_frame", "read_frames", "validate_frames"]


def read_frame(path: str | Path, missing: tuple[str, ...] = ("",)) -> pd.DataFrame:
    """A CSV as text columns; only the schema's missing values (`missing`) are missing."""
    return pd.read_csv(
        path, dtype="str", keep_default_na=False, na_values=list(missing), encoding="utf-8-sig"
    )


def read_frames(package_path: str | Path) -> dict[str, pd.DataFrame]:
    package = load_package(package_path)
    return {
        name: read_frame(package.data_path(name), res.missing_values)
        for name, res in package.resources.items()
    }


def _field_checks(f: Field) -> list[pa.Check]:
    """One check per cell condition of cells.field_conditions, run by DuckDB over the column: the
    same SQL the command line runs, so the two cannot drift. A check passes a missing cell unless
    it is `required`, which pandera's `nullable` says."""
    conditions = [(code, cond) for code, cond in field_conditions(f) if code != "required"]
    return [
        pa.Check(lambda s, k=k: _bad_cells(f, conditions, s)[k], error=code)
        for k, (code, _) in enumerate(conditions)
    ]


_LAST: list = []  # (field, column, results): pandera runs a column's checks one after another


def _bad_cells(f: Field, conditions: list[tuple[str, str]], s: pd.Series) -> list[pd.Series]:
    """For each condition, True where the cell passes; every condition in one query per column."""
    if _LAST and _LAST[0][0] == f.name and _LAST[0][1].equals(s):
        return _LAST[0][2]
    frame = pd.DataFrame({"v": s.astype(object).where(s.notna(), None), "i": range(len(s))})
    con = _cells_connection()
    con.register("__cells", frame)
    try:
        flags = ", ".join(
            f"NOT coalesce({cond}, false) AS c{k}" for k, (_, cond) in enumerate(conditions)
        )
        found = con.execute(
            f"SELECT {flags} FROM (SELECT v::VARCHAR AS {q(f.name)}, i FROM __cells) ORDER BY i"
        ).fetchnumpy()
    finally:
        con.unregister("__cells")
    results = [pd.Series(found[f"c{k}"], index=s.index, dtype=bool) for k in range(len(conditions))]
    _LAST[:] = [(f.name, s.copy(), results)]
    return results


_CONNECTION: list = []


def _cells_connection():
    """One in-memory DuckDB connection for every cell check (connecting costs more than a check)."""
    if not _CONNECTION:
        from toolkit.db import sandbox

        _CONNECTION.append(sandbox.connect())
    return _CONNECTION[0]


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
            from toolkit.db import sandbox

            self._con = sandbox.connect()  # reads only the frames it is given
            for name, frame in self.frames.items():
                res = self.package.resource(name)
                df = frame[res.field_names].copy()
                df[ORIGIN] = "package"
                df[LINE] = range(2, len(df) + 2)
                self._con.register(f"__frame_{name}", df)
                cols = ", ".join(f"{q(f)}::VARCHAR AS {q(f)}" for f in res.field_names)
                self._con.execute(
                    f"CREATE TABLE {q(name)} AS SELECT {cols}, {ORIGIN}, {LINE} "
                    f"FROM {q('__frame_' + name)}"
                )
                self._con.execute(typed_view_sql(res))
        return self._con

    def bad_lines(self, rule: Rule, code: str) -> set[int]:
        """The lines of the rule's resource that break it with `code`."""
        if rule.word is None:
            return {
                row[0] for row in self.con.execute(f"SELECT __line FROM ({rule.sql})").fetchall()
            }
        rows = self.con.execute(rule.sql, {"origin": "package"}).fetchall()
        return {
            line
            for row in rows
            for found_code, resource, line, _, _ in rule.word(row)
            if found_code == code and resource == rule.resource
        }


def _passing(df: pd.DataFrame, bad: set[int]) -> pd.Series:
    """True for rows whose line (position + 2, the header being line 1) is not in `bad`."""
    return ~pd.Series(range(2, len(df) + 2), index=df.index).isin(bad)


def _rule_checks(
    package: Package, resource: Resource, frames: dict[str, pd.DataFrame], sql: _Sql
) -> list[pa.Check]:
    """The cross-field and cross-table rules of rules.py, run by DuckDB over the DataFrames; one
    check per code a rule reports (the tallies report two)."""
    checks = []
    for rule in rules_for(package):
        if (
            rule.resource != resource.name
            or rule.warning
            or not set(rule.needs) <= set(frames) | {resource.name}
        ):
            continue
        for code in rule.all_codes:

            def passes(df: pd.DataFrame, rule=rule, code=code) -> pd.Series:
                return _passing(df, sql.with_frame(resource.name, df).bad_lines(rule, code))

            checks.append(pa.Check(passes, error=code))
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
