"""Primary-key, unique and foreign-key checks of the loaded resources, as SQL.

Each check costs DuckDB more to plan than to run on a small table, so the checks of all small tables
go in one query (UNION ALL); a large table gets the strategy that keeps a million rows fast.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.checks.cells import distinct_values, is_large
from toolkit.checks.csvread import LINE, ORIGIN
from toolkit.checks.report import Issue, cut, quoted
from toolkit.db.sql import lit, q
from toolkit.package.tableschema import ForeignKey, Resource

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Target:
    """The rows of one resource to check: those of `origin` (`rows` of them, of `total` loaded)."""

    resource: Resource
    label: str
    rows: int
    total: int


def _columns(names: list[str] | tuple[str, ...], prefix: str = "") -> tuple[str, str]:
    """SQL of the key's columns as a list, and of the condition that none of them is empty."""
    cols = ", ".join(f"{prefix}{q(c)}" for c in names)
    return cols, " AND ".join(f"{prefix}{q(c)} IS NOT NULL" for c in names)


def _unique_keys(resource: Resource) -> list[tuple[str, list[str]]]:
    """(error code, columns) of the primary key and of every other unique field."""
    pk = list(resource.primary_key)
    keys = [("primary-key", pk)] if pk else []
    return keys + [
        ("unique-error", [f.name]) for f in resource.fields if f.unique and [f.name] != pk
    ]


def _repeats_sql(resource: Resource, key: list[str], origin: str, k: int, where: str = "") -> str:
    """Rows of `origin` whose key an earlier row holds (package rows count as earlier), with it."""
    cols, notnull = _columns(key)
    order = f"CASE WHEN {ORIGIN} = {lit(origin)} THEN 1 ELSE 0 END, {LINE}"
    return (
        f"SELECT {k} AS k, {LINE}, [{cols}] AS vals, first_line, first_origin FROM ("
        f"SELECT *, row_number() OVER w AS rn, first_value({LINE}) OVER w AS first_line, "
        f"first_value({ORIGIN}) OVER w AS first_origin FROM {q(resource.name)} "
        f"WHERE {notnull} {where} WINDOW w AS (PARTITION BY {cols} ORDER BY {order})) "
        f"WHERE rn > 1 AND {ORIGIN} = {lit(origin)}"
    )


def key_issues(con: duckdb.DuckDBPyConnection, targets: list[Target], origin: str) -> list[Issue]:
    """Primary-key and unique collisions of the targets' rows, within them and with existing rows."""
    keys = [(t, code, cols) for t in targets for code, cols in _unique_keys(t.resource)]
    found: list[tuple] = []
    small = [k for k, (t, _, _) in enumerate(keys) if not is_large(t.total)]
    repeated = _repeated_keys(con, [(k, keys[k][0].resource, keys[k][2]) for k in small])
    if repeated:
        found += con.execute(
            " UNION ALL ".join(
                _repeats_sql(keys[k][0].resource, keys[k][2], origin, k) for k in repeated
            )
        ).fetchall()
    for k, (t, _, cols) in enumerate(keys):
        if is_large(t.total):
            found += _large_repeats(con, t.resource, cols, origin, k)
    found.sort(key=lambda r: (r[0], r[1]))
    issues = []
    for k, line, values, first_line, first_origin in found:
        t, code, cols = keys[k]
        where = (
            f"line {first_line}"
            if first_origin == origin
            else f"line {first_line} of {t.resource.path}"
        )
        shown = ", ".join(f"{c}={quoted(str(v))}" for c, v in zip(cols, values, strict=True))
        issues.append(
            Issue.at(
                code,
                t.label,
                line,
                f"{shown} is already used on {where}",
                resource=t.resource.name,
                field=",".join(cols),
                value=cut(", ".join(map(str, values))),
            )
        )
    return issues


def _repeated_keys(
    con: duckdb.DuckDBPyConnection, keys: list[tuple[int, Resource, list[str]]]
) -> list[int]:
    """Which of the (index, resource, columns) keys hold a value twice: one query for all, cheaper
    than finding the rows, which is then done only for these."""
    if not keys:
        return []
    screens = []
    for k, resource, key in keys:
        cols, notnull = _columns(key)
        screens.append(
            f"SELECT {k} AS k FROM (SELECT 1 FROM {q(resource.name)} WHERE {notnull} "
            f"GROUP BY {cols} HAVING count(*) > 1 LIMIT 1)"
        )
    return sorted(k for (k,) in con.execute(" UNION ALL ".join(screens)).fetchall())


def _large_repeats(
    con: duckdb.DuckDBPyConnection, resource: Resource, key: list[str], origin: str, k: int
) -> list[tuple]:
    # Sort the keys' 64-bit hashes and compare neighbours: cheaper than grouping them, and far
    # cheaper than grouping the text. Only if a hash repeats are its rows found again, and
    # grouped by the key itself to name the first of each (keys that merely share a hash do not).
    cols, notnull = _columns(key)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __dupkeys AS SELECT DISTINCT h FROM ("
        f"SELECT h, lag(h) OVER (ORDER BY h) AS prev FROM (SELECT hash({cols}) AS h "
        f"FROM {q(resource.name)} WHERE {notnull})) WHERE h = prev"
    )
    if not con.execute("SELECT count(*) FROM __dupkeys").fetchone()[0]:  # type: ignore[index]
        return []
    where = f"AND hash({cols}) IN (SELECT h FROM __dupkeys)"
    return con.execute(_repeats_sql(resource, key, origin, k, where)).fetchall()


def foreign_key_issues(
    con: duckdb.DuckDBPyConnection, targets: list[Target], origin: str, loaded: set[str]
) -> list[Issue]:
    """Values of the targets' rows that match no row of the resource their foreign key names."""
    fks = [(t, fk) for t in targets for fk in t.resource.foreign_keys if fk.resource in loaded]
    found: list[tuple] = []
    small = [
        _dangling_sql(t, fk, origin, k) for k, (t, fk) in enumerate(fks) if not is_large(t.rows)
    ]
    if small:
        found += con.execute(" UNION ALL ".join(small)).fetchall()
    for k, (t, fk) in enumerate(fks):
        if is_large(t.rows):
            found += _large_dangling(con, t, fk, origin, k)
    found.sort(key=lambda r: (r[0], r[1]))
    issues = []
    suggested: dict[tuple[int, str], list[tuple[str, str]]] = {}
    searched: dict[ForeignKey, list[tuple[str, str, set[str], list[str]]] | None] = {}
    budget = [COMPARED_ROWS]
    for k, line, values in found:
        t, fk = fks[k]
        value = ", ".join(map(str, values))
        target = f"{fk.resource}.{', '.join(fk.reference_fields)}"
        if (k, value) not in suggested:
            suggested[k, value] = (
                _suggestions(con, fk, value, searched, budget)
                if len(suggested) < SUGGESTED_VALUES
                else []
            )
        issues.append(
            Issue.at(
                "foreign-key",
                t.label,
                line,
                f"{', '.join(fk.fields)} {quoted(value)} matches no {target}",
                resource=t.resource.name,
                field=",".join(fk.fields),
                value=cut(value),
                hint=_reference_hint(fk, target, value, suggested[k, value]),
            )
        )
    return issues


SUGGESTED_VALUES = 200  # distinct dangling values given suggestions; the rest get the plain hint
SEARCHED_ROWS = 100_000  # referenced tables larger than this are not searched for suggestions
# Referenced rows compared with dangling values, all told, in one check: about 2 s of difflib.
# Values beyond it get the plain hint, so that many dangling values cost no more than that.
COMPARED_ROWS = 500_000


def _suggestions(
    con: duckdb.DuckDBPyConnection,
    fk: ForeignKey,
    value: str,
    searched: dict[ForeignKey, list[tuple[str, str, set[str], list[str]]] | None],
    budget: list[int],
) -> list[tuple[str, str]]:
    """closest_keys of a single-column reference, while the check's budget of compared rows
    (COMPARED_ROWS) lasts; `searched` keeps each referenced table's rows between calls (one read
    per table, however many values dangle)."""
    if len(fk.fields) != 1:
        return []
    if fk not in searched:
        searched[fk] = _searched_rows(con, fk)
    rows = searched[fk]
    if rows is None or len(rows) > budget[0]:
        return []
    budget[0] -= len(rows)
    return closest_keys(rows, value)


# Columns of a referenced table that name its rows: what a contributor may have typed instead
# of the id ('lukashenko' for the row whose name is 'Alexander Lukashenko').
NAME_COLUMNS = re.compile(r"(name|title|label)$|^(name|title|label)_")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def closest_keys(
    rows: list[tuple[str, str, set[str], list[str]]], value: str, n: int = 3
) -> list[tuple[str, str]]:
    """Up to `n` keys of the referenced table's `rows` (see _searched_rows) that `value` may mean,
    best first, each with the row's name: a key or a name that holds every word of `value`
    ('lukashenko' -> alexander-lukashenko, 'Emily Ferris' -> emily-ferris), else one spelt nearly
    alike."""
    if not _words(value):
        return []
    wanted = _words(value)
    joined = " ".join(wanted)
    scored = []
    for k, name, words, spelt in rows:
        if set(wanted) <= words:
            score = 2.0 - len(words - set(wanted)) / 100  # the fewer other words, the better
        else:
            score = max(_similar(joined, s) for s in spelt)
        if score >= 0.8:
            scored.append((-score, k, name))
    return [(k, name) for _, k, name in sorted(scored)[:n]]


def _similar(a: str, b: str, at_least: float = 0.8) -> float:
    """difflib's ratio of `a` and `b`, or 0 when its cheap upper bounds already fall below
    `at_least` (the first, from the lengths alone, spares building a matcher)."""
    if 2 * min(len(a), len(b)) < at_least * (len(a) + len(b)):
        return 0.0
    m = difflib.SequenceMatcher(None, a, b)
    if m.quick_ratio() < at_least:
        return 0.0
    return m.ratio()


def _searched_rows(
    con: duckdb.DuckDBPyConnection, fk: ForeignKey
) -> list[tuple[str, str, set[str], list[str]]] | None:
    """(key, name, the words of both, each spelt as its words joined) of every row of the
    referenced table; None when it holds more than SEARCHED_ROWS."""
    key = fk.reference_fields[0]
    columns = [r[0] for r in con.execute(f"DESCRIBE {q(fk.resource)}").fetchall()]
    names = [c for c in columns if c != key and NAME_COLUMNS.search(c)]
    label = f"concat_ws(' ', {', '.join(q(c) for c in names)})" if names else "''"
    rows = con.execute(
        f"SELECT DISTINCT {q(key)}::VARCHAR, {label} FROM {q(fk.resource)} "
        f"WHERE {q(key)} IS NOT NULL LIMIT {SEARCHED_ROWS + 1}"
    ).fetchall()
    if len(rows) > SEARCHED_ROWS:
        return None
    out = []
    for k, name in rows:
        name = name or ""
        out.append(
            (
                k,
                name,
                set(_words(k)) | set(_words(name)),
                [" ".join(_words(s)) for s in (k, name)],
            )
        )
    return out


def _reference_hint(
    fk: ForeignKey, target: str, value: str, candidates: list[tuple[str, str]]
) -> str:
    new_row = f"a row with {target} = {quoted(value)}"
    if not candidates:
        return (
            f"Fix the id if it names something {fk.resource} holds; if it is new, add {new_row} "
            "first (or in the same file)."
        )
    shown = ", ".join(
        f"{k!r}" + (f" ({name})" if name and name != k else "") for k, name in candidates
    )
    return (
        f"Did you mean {shown}, which {target} holds? Add {new_row} only if it is a new entity, "
        f"not yet in {fk.resource} (first, or in the same file)."
    )


def _dangling_sql(t: Target, fk: ForeignKey, origin: str, k: int) -> str:
    on = " AND ".join(
        f"p.{q(rf)} = c.{q(f)}" for f, rf in zip(fk.fields, fk.reference_fields, strict=True)
    )
    notnull = _columns(fk.fields, "c.")[1]
    vals = ", ".join(f"c.{q(f)}" for f in fk.fields)
    return (
        f"SELECT {k} AS k, c.{LINE}, [{vals}] AS vals FROM {q(t.resource.name)} c "
        f"ANTI JOIN {q(fk.resource)} p ON {on} WHERE c.{ORIGIN} = {lit(origin)} AND {notnull}"
    )


def _large_dangling(
    con: duckdb.DuckDBPyConnection, t: Target, fk: ForeignKey, origin: str, k: int
) -> list[tuple]:
    # The distinct referencing values are few; only rows holding a dangling one are looked up.
    name = t.resource.name
    cols, notnull = _columns(fk.fields)
    on = " AND ".join(
        f"r.{q(rf)} = d.{q(f)}" for f, rf in zip(fk.fields, fk.reference_fields, strict=True)
    )
    if len(fk.fields) == 1:  # the cell checks made the table of values
        d = f"SELECT * FROM {distinct_values(con, name, fk.fields[0], origin)} WHERE {notnull}"
    else:
        d = f"SELECT DISTINCT {cols} FROM {q(name)} WHERE {ORIGIN} = {lit(origin)} AND {notnull}"
    # The rows are read again only when some value dangles (the usual answer is none).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __dangling AS WITH d AS ({d}) "
        f"SELECT * FROM d WHERE NOT EXISTS (SELECT 1 FROM {q(fk.resource)} r WHERE {on})"
    )
    if not con.execute("SELECT count(*) FROM __dangling").fetchone()[0]:  # type: ignore[index]
        return []
    return con.execute(
        f"SELECT {k}, {LINE}, [{cols}] FROM {q(name)} JOIN __dangling USING ({cols}) "
        f"WHERE {ORIGIN} = {lit(origin)}"
    ).fetchall()
