"""Validate the package, or a contribution against it: the library behind `validate`, `check` and `add`.

Functions take paths and return a Report; they never print or exit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.checks import SMALL, cell_issues, typed_is_table, typed_view_sql
from toolkit.csvread import LINE, ORIGIN, load_csv
from toolkit.keys import Target, foreign_key_issues, key_issues
from toolkit.report import Issue, Report
from toolkit.rules import RULES, TALLY_SQL, Rule
from toolkit.sql import lit, q
from toolkit.tableschema import Package, Resource

if TYPE_CHECKING:
    import duckdb

PACKAGE = "package"
CONTRIBUTION = "contribution"
TALLIED = ("un_votes", "un_resolutions")  # tally_issues reads both


class Session:
    """A DuckDB connection holding the package's resources as text tables, plus typed views."""

    def __init__(self, package: Package) -> None:
        import duckdb

        self.package = package
        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        self.loaded: set[str] = set()
        # resource -> the tables its rows were loaded into: (table, origin, SQL of the line number)
        self.parts: dict[str, list[tuple[str, str, str]]] = {}
        self.rows: dict[tuple[str, str], int] = {}  # (resource, origin) -> rows loaded
        self.typed: dict[str, str] = {}  # resource -> kind of its typed relation (VIEW or TABLE)
        self.report = Report()

    def load(self, resource: Resource, path: Path, origin: str, label: str) -> int:
        """Load a file's rows; the resource's view then holds them beside any loaded before."""
        table = f"__{resource.name}__{origin}"
        result = load_csv(self.con, table, path, resource, label)
        self.report.errors += result.issues
        if not result.fatal:
            self.parts.setdefault(resource.name, []).append((table, origin, result.line_sql))
            self.rows[resource.name, origin] = result.rows
            self.loaded.add(resource.name)
            self._view(resource)
        return result.rows

    def total(self, name: str) -> int:
        """Rows loaded into a resource, of every origin."""
        return sum(n for (r, _), n in self.rows.items() if r == name)

    def _view(self, resource: Resource) -> None:
        cols = ", ".join(q(f.name) for f in resource.fields)
        union = " UNION ALL ".join(
            f"SELECT {cols}, {lit(origin)} AS {ORIGIN}, {line} AS {LINE} FROM {q(table)}"
            for table, origin, line in self.parts[resource.name]
        )
        self.con.execute(f"CREATE OR REPLACE VIEW {q(resource.name)} AS {union}")
        kind = self.typed.pop(resource.name, None)
        if kind:  # made from fewer rows: made again when next needed
            self.con.execute(f"DROP {kind} {q('typed_' + resource.name)}")

    def _typed(self, names: set[str]) -> None:
        """Make the typed relations of these resources that the rules and tallies read.

        A large resource's is a table: the rules read it several times, and converting once is
        cheaper. A small one's is a view, which costs DuckDB less to make than a table.
        """
        for name in sorted(names - self.typed.keys()):
            resource = self.package.resource(name)
            kind = "TABLE" if self.total(name) > SMALL else "VIEW"
            self.con.execute(typed_view_sql(resource, materialize=kind == "TABLE"))
            self.typed[name] = "TABLE" if kind == "TABLE" and typed_is_table(resource) else "VIEW"

    def check(self, targets: list[tuple[Resource, str]], origin: str) -> None:
        """Cell and key checks of the rows of `origin` of each (resource, label) loaded.

        A resource's findings stay together, in the order given: cells, keys, then references.
        """
        found = [
            Target(res, label, self.rows.get((res.name, origin), 0), self.total(res.name))
            for res, label in targets
            if res.name in self.loaded
        ]
        by_resource = {
            t.resource.name: cell_issues(
                self.con, t.resource.name, t.resource, origin, t.label, t.rows
            )
            for t in found
        }
        for issue in key_issues(self.con, found, origin) + foreign_key_issues(
            self.con, found, origin, self.loaded
        ):
            by_resource[issue.resource].append(issue)
        for issues in by_resource.values():
            self.report.errors += issues

    def apply_rules(self, origin: str, labels: dict[str, str], only: str | None = None) -> None:
        """Cross-field and cross-table rules, reported on rows of `origin`.

        With `only`, just the rules that read that resource (a contribution cannot break the rest).
        """
        import duckdb

        rules = [
            rule
            for rule in RULES
            if set(rule.needs) <= self.loaded and not (only and only not in rule.needs)
        ]
        tallied = set(TALLIED) <= self.loaded and only in (None, *TALLIED)
        self._typed(
            {n for rule in rules for n in rule.needs} | (set(TALLIED) if tallied else set())
        )
        for k, line, value, message in self._run_rules(rules, origin):
            rule = rules[k]
            label = labels.get(rule.resource, rule.resource)
            issue = Issue(
                code=rule.code,
                message=f"{label}: line {line}: {message}",
                resource=rule.resource,
                row=line,
                field=rule.field,
                value=value,
                file=label,
            )
            (self.report.warnings if rule.warning else self.report.errors).append(issue)
        if tallied:
            try:
                self.report.errors += tally_issues(self.con, origin, labels)
            except (duckdb.Error, TypeError) as exc:
                self.report.warnings.append(
                    Issue(
                        code="rule-skipped",
                        resource="un_votes",
                        field="vote",
                        message=f"rule tally-exceeded could not run: {str(exc).splitlines()[0]}",
                    )
                )

    def _run_rules(self, rules: list[Rule], origin: str) -> list[tuple]:
        """(rule index, line, value, message) of every row of `origin` breaking a rule, in order.

        The rules run as one query: planning them one by one costs more than running them. If it
        fails, each rule runs alone, and one that no longer fits the schema is reported as skipped.
        """
        import duckdb

        def sql(ks: list[int]) -> str:
            return " UNION ALL ".join(
                f"SELECT {k} AS k, __line, value::VARCHAR AS value, message FROM ({rules[k].sql}) "
                "WHERE __origin = $origin"
                for k in ks
            )

        if not rules:
            return []
        try:
            found = self.con.execute(sql(list(range(len(rules)))), {"origin": origin}).fetchall()
        except duckdb.Error:
            found = []
            for k, rule in enumerate(rules):
                try:
                    found += self.con.execute(sql([k]), {"origin": origin}).fetchall()
                except duckdb.Error as exc:  # a schema change the rule does not fit: say so, go on
                    self.report.warnings.append(
                        Issue(
                            code="rule-skipped",
                            resource=rule.resource,
                            field=rule.field,
                            message=f"rule {rule.code} could not run on {rule.resource}: "
                            f"{str(exc).splitlines()[0]}",
                        )
                    )
        return sorted(found, key=lambda r: (r[0], r[1]))


def _tally_issue(where: tuple[str, int], label: str, code: str, value: str, message: str) -> Issue:
    resource, line = where
    return Issue(
        code=code,
        resource=resource,
        row=line,
        field="vote",
        value=value,
        file=label,
        message=f"{label}: line {line}: {message}",
    )


def tally_issues(
    con: duckdb.DuckDBPyConnection, origin: str, labels: dict[str, str]
) -> list[Issue]:
    """Per resolution: recorded votes never exceed the official tallies, and equal them when complete."""
    issues = []
    for row in con.execute(TALLY_SQL, {"origin": origin}).fetchall():
        res_id, total, *counted, invalid, line, yes, no, abstain, non_voting, r_origin, r_line = row
        official = {"yes": yes, "no": no, "abstain": abstain, "non_voting": non_voting}
        recorded = dict(zip(official, counted, strict=True))
        where = ("un_votes", line) if line is not None else ("un_resolutions", r_line)
        label = labels.get(where[0], where[0])
        known = {k: v for k, v in official.items() if v is not None}
        over = [k for k, v in known.items() if recorded[k] > v]
        # Complete: every member's vote is there, none of them unreadable (those have errors).
        complete = non_voting is not None and not invalid and total == sum(known.values())

        for k in over:
            issues.append(
                _tally_issue(
                    where,
                    label,
                    "tally-exceeded",
                    k,
                    f"{recorded[k]} {k!r} votes recorded for {res_id}; "
                    f"the official tally is {official[k]}",
                )
            )
        # With every vote present the counts must equal the tallies: a count over its tally is
        # reported above; one under it (the other side of the same discrepancy) is reported here.
        if complete and any(recorded[k] < v for k, v in known.items()):
            diff = ", ".join(
                f"{k} {recorded[k]} vs {v}" for k, v in known.items() if recorded[k] != v
            )
            issues.append(
                _tally_issue(
                    where,
                    label,
                    "tally-mismatch",
                    res_id,
                    f"every member's vote on {res_id} is recorded "
                    f"but the counts differ from the official tallies ({diff})",
                )
            )
    return issues


def _summarise(session: Session, rows: dict[str, int]) -> None:
    for name, n in rows.items():
        session.report.summary[name] = {"rows": n}
    session.report.count_by_resource()


def validate_package(path: str | Path, package: Package | None = None) -> Report:
    """Every resource of the package: structure, types, constraints, keys and every rule."""
    from toolkit.tableschema import load_package

    package = package or load_package(path)
    session = Session(package)
    rows, labels = {}, {}
    for res in package.resources.values():
        labels[res.name] = res.path
        rows[res.name] = session.load(res, package.root / res.path, PACKAGE, res.path)
    session.check([(res, res.path) for res in package.resources.values()], PACKAGE)
    session.apply_rules(PACKAGE, labels)
    session.report.errors += integrity_issues(package)
    _summarise(session, rows)
    return session.report


def needed_by(package: Package, resource_name: str) -> list[str]:
    """The resources that judging rows of `resource_name` reads, in package order: its own existing
    rows (for key collisions), those its foreign keys point to, and those its rules read."""
    needed = {resource_name}
    needed.update(fk.resource for fk in package.resource(resource_name).foreign_keys)
    for rule in RULES:
        if resource_name in rule.needs:
            needed.update(rule.needs)
    if resource_name in TALLIED:
        needed.update(TALLIED)
    return [name for name in package.resources if name in needed]


def check_contribution(package: Package, file: Path, resource_name: str) -> Report:
    """A contributed CSV of one resource, against its schema and against the package's existing data.

    Only the resources the checks read are loaded (see needed_by); those must load cleanly.
    """
    resource = package.resource(resource_name)
    session = Session(package)
    label = str(file)
    for name in needed_by(package, resource_name):
        res = package.resource(name)
        session.load(res, package.root / res.path, PACKAGE, res.path)
    existing_errors = len(session.report.errors)
    if existing_errors:
        # The package itself must be valid for a contribution to be judged against it.
        return session.report
    n = session.load(resource, file, CONTRIBUTION, label)
    if n == 0 and not session.report.errors:
        session.report.errors.append(
            Issue(
                code="no-rows",
                message=f"{label}: the file has a header but no rows",
                resource=resource.name,
                row=1,
                file=label,
            )
        )
    if resource.name in session.loaded:
        session.check([(resource, label)], CONTRIBUTION)
        session.apply_rules(CONTRIBUTION, {resource.name: label}, only=resource.name)
    session.report.summary[resource.name] = {"rows": n}
    session.report.count_by_resource()
    return session.report


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and sha256 of a file, read in blocks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def integrity_issues(package: Package) -> list[Issue]:
    """Data files whose size or sha256 differs from what the descriptor records (set by `release`)."""
    issues = []
    for res in package.resources.values():
        if res.hash is None and res.bytes is None:
            continue
        path = package.root / res.path
        if not path.is_file():
            continue
        size, digest = file_digest(path)
        expected = (res.hash or "").removeprefix("sha256:")
        if (res.bytes is not None and size != res.bytes) or (expected and digest != expected):
            issues.append(
                Issue(
                    code="hash-mismatch",
                    resource=res.name,
                    file=res.path,
                    value=f"sha256:{digest}",
                    message=f"{res.path}: {size} bytes, sha256 {digest[:12]}...; the release recorded "
                    f"{res.bytes} bytes, sha256 {expected[:12]}...",
                )
            )
    return issues
