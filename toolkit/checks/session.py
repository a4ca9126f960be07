"""A DuckDB database holding the resources being judged, and the work of judging them.

Files are loaded as text tables (csvread), one view per resource unites the rows of every origin
(the package's, a contribution's), and `judge` runs the cell, key, reference and rule checks on the
rows of one origin.

The work runs on two threads, each with its own cursor: DuckDB releases Python's lock while it
works, and while one thread plans many small queries (one core), the other keeps the large ones
going. Results are put together in a fixed order, so reports do not depend on timing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from toolkit.checks.cells import BAD, cell_issues, is_large, typed_is_table, typed_view_sql
from toolkit.checks.csvread import LINE, ORIGIN, SRC_LINE, Loaded, load_csv
from toolkit.checks.engine import MEMORY_LIMIT, engine
from toolkit.checks.keys import Target, foreign_key_issues, key_issues
from toolkit.checks.report import Issue, Report
from toolkit.checks.rules import Rule, rules_for
from toolkit.db import sandbox
from toolkit.db.sql import lit, q
from toolkit.errors import CATALOGUE, STAGES
from toolkit.package.tableschema import Package, Resource

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")
THREADS = 2


@dataclass(frozen=True)
class File:
    """A file to load: its rows belong to `resource` and come from `origin`; `label` names it."""

    resource: Resource
    path: Path
    origin: str
    label: str


class Session:
    """A DuckDB connection holding the package's resources as text tables, plus typed views."""

    def __init__(self, package: Package, read: list[Path] | None = None) -> None:
        """`read`: the files the session may load (its connection reaches no other, db/sandbox)."""
        self.package = package
        size = sandbox.total_size(read or [])
        self.database = sandbox.scratch_database(size)
        small = size < sandbox.ONE_THREAD_BELOW
        self.con: duckdb.DuckDBPyConnection = sandbox.connect(
            self.database,
            read=read or [],
            duck=engine(),
            memory=MEMORY_LIMIT,
            threads=1 if small else None,
        )
        self.rules = rules_for(package)
        self.loaded: set[str] = set()
        # resource -> the tables its rows were loaded into: (table, origin, SQL of the line number)
        self.loaded_tables: dict[str, list[tuple[str, str, str]]] = {}
        self.rows: dict[tuple[str, str], int] = {}  # (resource, origin) -> rows loaded
        # resource -> whether its typed relation (`typed_<name>`) is a table (else a view)
        self.typed_table: dict[str, bool] = {}
        self.report = Report()

    def close(self) -> None:
        """Close the connection, and delete its database file if it has one (what DuckDB spilled
        goes with the process's private folder)."""
        self.con.close()
        sandbox.remove_database(self.database)

    def parallel(self, tasks: list[Callable[[duckdb.DuckDBPyConnection], T]]) -> list[T]:
        """Each task's result, in order; tasks run on THREADS threads, each with a cursor of its own.

        A cursor's temporary tables are its own, so tasks keep their scratch tables apart; what
        they share (the loaded tables and the views) they only read.
        """

        active: set[duckdb.DuckDBPyConnection] = set()

        def run(task: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
            with self.con.cursor() as cursor:
                active.add(cursor)
                try:
                    return task(cursor)
                finally:
                    active.discard(cursor)

        if len(tasks) == 1:
            return [run(tasks[0])]
        pool = ThreadPoolExecutor(max_workers=THREADS)
        try:
            futures = [pool.submit(run, task) for task in tasks]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for f in done:  # a failure is raised as soon as it happens, not in its turn
                if f.exception() is not None:
                    f.result()
            return [f.result() for f in futures]
        except BaseException:  # Ctrl-C, or a task failed: stop the other thread's query too
            for cursor in list(active):
                with suppress(engine().Error):  # it may have finished meanwhile
                    cursor.interrupt()
            raise
        finally:
            pool.shutdown(cancel_futures=True)

    def load(self, files: list[File]) -> list[Loaded]:
        """Load the files (the largest first, in parallel); each resource's view then holds its rows
        beside any loaded before. Findings are reported in the order of `files`."""
        sizes = [f.path.stat().st_size if f.path.is_file() else 0 for f in files]
        order = sorted(range(len(files)), key=lambda i: -sizes[i])
        done = self.parallel(
            [
                lambda cur, f=files[i]: load_csv(  # type: ignore[misc]
                    cur, f"__{f.resource.name}__{f.origin}", f.path, f.resource, f.label
                )
                for i in order
            ]
        )
        results: list[Loaded] = [Loaded()] * len(files)
        for i, result in zip(order, done, strict=True):
            results[i] = result
        for f, result in zip(files, results, strict=True):
            self.report.errors += result.issues
            if not result.fatal:
                self.loaded_tables.setdefault(f.resource.name, []).append(
                    (result.table, f.origin, result.line_sql)
                )
                self.rows[f.resource.name, f.origin] = result.rows
                self.loaded.add(f.resource.name)
                self._view(f.resource)
        return results

    def set_aside_replaced(self, resource: Resource) -> None:
        """Drop from the package's rows of `resource` those whose primary key a contribution's row
        holds (a correction replaces them). Line numbers are kept as they were in the file."""
        tables = self.loaded_tables.get(resource.name, [])
        if len(tables) < 2 or not resource.primary_key:
            return
        (old, origin, line), (new, _, _) = tables[0], tables[-1]
        cols = ", ".join(q(k) for k in resource.primary_key)
        kept = f"{old}__kept"
        lines = "" if line == SRC_LINE else f", {line.replace('rowid', 'o.rowid')} AS {SRC_LINE}"
        self.con.execute(
            f"CREATE TABLE {q(kept)} AS SELECT o.*{lines} FROM {q(old)} o "
            f"ANTI JOIN (SELECT DISTINCT {cols} FROM {q(new)}) n USING ({cols})"
        )
        tables[0] = (kept, origin, SRC_LINE)
        self.rows[resource.name, origin] = self.con.execute(
            f"SELECT count(*) FROM {q(kept)}"
        ).fetchone()[0]  # type: ignore[index]
        self._view(resource)

    def total(self, name: str) -> int:
        """Rows loaded into a resource, of every origin."""
        return sum(n for (r, _), n in self.rows.items() if r == name)

    def _view(self, resource: Resource) -> None:
        cols = ", ".join(q(f.name) for f in resource.fields)
        union = " UNION ALL ".join(
            f"SELECT {cols}, {lit(origin)} AS {ORIGIN}, {line} AS {LINE} FROM {q(table)}"
            for table, origin, line in self.loaded_tables[resource.name]
        )
        self.con.execute(f"CREATE OR REPLACE VIEW {q(resource.name)} AS {union}")
        if resource.name in self.typed_table:  # made from fewer rows: made again when next needed
            kind = "TABLE" if self.typed_table.pop(resource.name) else "VIEW"
            self.con.execute(f"DROP {kind} {q('typed_' + resource.name)}")

    def _typed(self, names: set[str]) -> None:
        """Make the typed relations of these resources that the rules read.

        A large resource's is a table: the rules read it several times, and converting once is
        cheaper. A small one's is a view, which costs DuckDB less to make than a table.
        """
        for name in sorted(names - self.typed_table.keys()):
            resource = self.package.resource(name)
            table = is_large(self.total(name)) and typed_is_table(resource)
            self.con.execute(typed_view_sql(resource, materialize=table))
            self.typed_table[name] = table

    def judge(
        self,
        targets: list[tuple[Resource, str]],
        origin: str,
        labels: dict[str, str],
        only: str | None = None,
        extra: Callable[[duckdb.DuckDBPyConnection], list[Issue]] | None = None,
    ) -> None:
        """Every check of the rows of `origin` of each (resource, label) loaded: cells, keys and
        references (a resource's findings together, in that order), then the rules, then what
        `extra` finds (a check of its own, run beside the others: the excerpts).

        With `only`, just the rules that read that resource (a contribution cannot break the rest).
        """
        found = [
            Target(res, label, self.rows.get((res.name, origin), 0), self.total(res.name))
            for res, label in targets
            if res.name in self.loaded
        ]
        rules = [
            rule
            for rule in self.rules
            if set(rule.needs) <= self.loaded and not (only and only not in rule.needs)
        ]
        self._typed({n for rule in rules for n in rule.needs})
        jobs = self._jobs(found, rules, origin, labels)
        if extra is not None:
            jobs.insert(1, ("extra", extra))
        results = self.parallel([task for _, task in jobs])
        results = [
            self._drop_on_bad_cells(result, rules, origin)
            if role in ("rules", "worded")
            else result
            for (role, _), result in zip(jobs, results, strict=True)
        ]
        self._collect(found, jobs, results)

    def _drop_on_bad_cells(
        self, findings: RuleFindings, rules: list[Rule], origin: str
    ) -> RuleFindings:
        """The findings less those on a row whose cell, in a column the rule reads, is not of its
        type: that cell has its own error, and the rule saw it as empty."""
        reads: dict[tuple[str, str], set[str]] = {}
        for rule in rules:
            for code in rule.all_codes:
                for name in rule.needs:
                    fields = self.package.resource(name).field_names
                    reads.setdefault((code, name), set()).update(
                        f for f in fields if re.search(rf"\b{re.escape(f)}\b", rule.sql)
                    )
        bad = self._bad_cells({i.resource for i in findings.errors + findings.warnings}, origin)

        def kept(issue: Issue) -> bool:
            wrong = bad.get((issue.resource, issue.row), set())
            return not (wrong & reads.get((issue.code, issue.resource), set()))

        return RuleFindings(
            [i for i in findings.errors if kept(i)], [w for w in findings.warnings if kept(w)]
        )

    def _bad_cells(self, names: set[str], origin: str) -> dict[tuple[str, int | None], set[str]]:
        """(resource, line) -> the columns of that row whose cell is not of its type."""
        out: dict[tuple[str, int | None], set[str]] = {}
        for name in sorted(names & self.typed_table.keys()):
            rows = self.con.execute(
                f"SELECT {LINE}, {BAD} FROM {q('typed_' + name)} "
                f"WHERE {ORIGIN} = $o AND len({BAD}) > 0",
                {"o": origin},
            ).fetchall()
            for line, columns in rows:
                out[name, line] = set(columns)
        return out

    def _jobs(
        self, found: list[Target], rules: list[Rule], origin: str, labels: dict[str, str]
    ) -> list[tuple[str, Callable[[duckdb.DuckDBPyConnection], Any]]]:
        """(role, task) of every check: a "checks" task returns the cell, key and reference issues
        it found, a "rules" or "worded" task its RuleFindings. Longest first, so that the two
        threads finish together: each rule worded in Python (the tallies, which count every vote)
        gets a task of its own; the rules worded in SQL share one."""
        large = [t for t in found if is_large(t.rows)]
        small = [t for t in found if not is_large(t.rows)]
        in_sql = [rule for rule in rules if rule.word is None]
        return [
            *[
                ("checks", lambda c, t=t: key_issues(c, [t], origin))
                for t in found
                if is_large(t.total)
            ],
            *[
                ("checks", lambda c, t=t: _cells_and_references(c, t, origin, self.loaded))
                for t in large
            ],
            *[
                ("worded", lambda c, r=rule: _worded_rule_issues(c, r, origin, labels))
                for rule in rules
                if rule.word is not None
            ],
            ("rules", lambda c: _rule_issues(c, in_sql, origin, labels)),
            *[("checks", lambda c, t=t: _cells(c, t, origin)) for t in small],
            (
                "checks",
                lambda c: key_issues(c, [t for t in found if not is_large(t.total)], origin),
            ),
            ("checks", lambda c: foreign_key_issues(c, small, origin, self.loaded)),
        ]

    def _collect(self, found: list[Target], jobs: list[tuple[str, Any]], results: list) -> None:
        """Report the jobs' findings in a fixed order: per resource by stage (cells, keys,
        references), then the rules worded in SQL, then those worded in Python."""
        by_stage: dict[tuple[str, int], list[Issue]] = {}
        rules = {"rules": RuleFindings(), "worded": RuleFindings()}
        extra: list[Issue] = []
        for (role, _), result in zip(jobs, results, strict=True):
            if role == "extra":
                extra += result
                continue
            if role in rules:
                rules[role].errors += result.errors
                rules[role].warnings += result.warnings
                continue
            for issue in result:
                stage = STAGES.index(CATALOGUE[issue.code].stage)
                by_stage.setdefault((issue.resource, stage), []).append(issue)
        for t in found:
            for stage in range(len(STAGES)):
                self.report.errors += by_stage.get((t.resource.name, stage), [])
        for f in rules.values():
            self.report.errors += f.errors
            self.report.warnings += f.warnings
        self.report.errors += extra


@dataclass
class RuleFindings:
    """What rules found: errors, and warnings (likely duplicates, rules that could not run)."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def _cells(cur: duckdb.DuckDBPyConnection, t: Target, origin: str) -> list[Issue]:
    return cell_issues(cur, t.resource.name, t.resource, origin, t.label, t.rows)


def _cells_and_references(
    cur: duckdb.DuckDBPyConnection, t: Target, origin: str, loaded: set[str]
) -> list[Issue]:
    # One task: a large table's references are checked on the distinct values its cell checks
    # keep in this cursor's temporary tables.
    return _cells(cur, t, origin) + foreign_key_issues(cur, [t], origin, loaded)


def _skipped(rule: Rule, exc: Exception) -> Issue:
    return Issue(
        code="rule-skipped",
        resource=rule.resource,
        field=rule.field,
        message=f"rule {rule.code} could not run on {rule.resource}: {str(exc).splitlines()[0]}",
    )


def _rule_issues(
    cur: duckdb.DuckDBPyConnection, rules: list[Rule], origin: str, labels: dict[str, str]
) -> RuleFindings:
    """Every row of `origin` that breaks a rule worded in SQL, in rule order, then line order.

    The rules run as one query: planning them one by one costs more than running them. If it
    fails, each rule runs alone, and one that no longer fits the schema is reported as skipped.
    """
    error = engine().Error

    def sql(ks: list[int]) -> str:
        return " UNION ALL ".join(
            f"SELECT {k} AS k, __line, value::VARCHAR AS value, message FROM ({rules[k].sql}) "
            "WHERE __origin = $origin"
            for k in ks
        )

    out = RuleFindings()
    if not rules:
        return out
    try:
        found = cur.execute(sql(list(range(len(rules)))), {"origin": origin}).fetchall()
    except error:
        found = []
        for k, rule in enumerate(rules):
            try:
                found += cur.execute(sql([k]), {"origin": origin}).fetchall()
            except error as exc:  # a schema change the rule does not fit: say so, go on
                out.warnings.append(_skipped(rule, exc))
    for k, line, value, message in sorted(found, key=lambda r: (r[0], r[1])):
        rule = rules[k]
        _add(out, rule, rule.code, rule.resource, line, value, message, labels)
    return out


def _worded_rule_issues(
    cur: duckdb.DuckDBPyConnection, rule: Rule, origin: str, labels: dict[str, str]
) -> RuleFindings:
    """The findings of a rule whose SQL selects facts and whose Python step words them."""
    out = RuleFindings()
    assert rule.word is not None
    try:
        rows = cur.execute(rule.sql, {"origin": origin}).fetchall()
    except engine().Error as exc:  # a schema change the rule does not fit: say so, go on
        out.warnings.append(_skipped(rule, exc))
        return out
    for row in rows:
        for code, resource, line, value, message in rule.word(row):
            _add(out, rule, code, resource, line, value, message, labels)
    return out


def _add(
    out: RuleFindings,
    rule: Rule,
    code: str,
    resource: str,
    line: int,
    value: str,
    message: str,
    labels: dict[str, str],
) -> None:
    label = labels.get(resource, resource)
    issue = Issue.at(code, label, line, message, resource=resource, field=rule.field, value=value)
    (out.warnings if CATALOGUE[code].warning else out.errors).append(issue)
