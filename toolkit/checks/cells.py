"""Cell checks (type, required, enum, pattern, lengths, bounds), generated as SQL from the Table
Schema; keys and references are in keys.py.

Each check is an SQL condition, true on a bad cell (field_conditions), and an entry of the error
catalogue (errors.py) holding its message template and hint; pandera_schemas.py runs the same
conditions. The Table Schema's constraints and their SQL are one table,
toolkit/package/constraints.py: a new one is an entry there.

A small table is checked in one query over its rows; a large one once per distinct value of each
column, and the rows holding a bad value are then found in one pass. A cell is only checked against
its constraints once its type and size are right: a value of the wrong type gives one error, not
one per constraint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.checks.csvread import LINE, ORIGIN
from toolkit.checks.hints import hint_for, pattern_words
from toolkit.checks.report import Issue, cut
from toolkit.db.sql import lit, q
from toolkit.errors import CATALOGUE
from toolkit.package import constraints as schema_constraints
from toolkit.package.tableschema import Field, Resource

if TYPE_CHECKING:
    import duckdb

MAX_CELL = 10_000
SMALL = 50_000  # rows; a larger table is checked per distinct value (see is_large)
# Four-digit years but 0000, which the official validator (Python's dates) refuses too.
ISO_DATE = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}"
INTEGER = "[+-]?[0-9]+"
URI = "[A-Za-z][A-Za-z0-9+.-]*://[^[:space:]]+"
FORMULA_STARTS = "=+-@"  # a spreadsheet runs a cell starting with one of these as a formula
LINK = r"https?://[^[:space:][:cntrl:]]+"  # a web address a page may link to (RE2, case ignored)


def is_large(rows: int) -> bool:
    """Whether a table of `rows` rows takes the large-table path of the cell, key and reference
    checks (per distinct value, keys by hash) rather than one query over its rows. The one switch
    between the two paths: tests set SMALL to 0 to run every fixture down the large path."""
    return rows > SMALL


def typed_expr(f: Field) -> str:
    """SQL for the field's typed value, NULL where the text is missing or not of the type."""
    c = q(f.name)
    if f.type == "date":
        return f"CASE WHEN regexp_full_match({c}, '{ISO_DATE}') THEN try_strptime({c}, '%Y-%m-%d')::DATE END"
    if f.type == "integer":
        return f"CASE WHEN regexp_full_match({c}, '{INTEGER}') THEN TRY_CAST({c} AS BIGINT) END"
    if f.type == "number":
        return f"TRY_CAST({c} AS DOUBLE)"
    if f.type == "boolean":
        trues = ", ".join(lit(v) for v in f.true_values)
        falses = ", ".join(lit(v) for v in f.false_values)
        return f"CASE WHEN {c} IN ({trues}) THEN true WHEN {c} IN ({falses}) THEN false END"
    return c


def sql_type(f: Field) -> str:
    return {"date": "DATE", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}.get(
        f.type, "VARCHAR"
    )


def typed_is_table(resource: Resource) -> bool:
    """Whether a materialised typed relation of the resource is a table: only if a column converts."""
    return any(sql_type(f) != "VARCHAR" for f in resource.fields)


BAD = "__bad"  # the typed relations' list of the row's columns whose cell is not of its type


def typed_view_sql(resource: Resource, materialize: bool = False) -> str:
    """A view `typed_<name>` of the resource's text table with every column in its declared type.

    With `materialize`, a table instead, when any column needs converting: the rules read it many
    times, and converting dates once is cheaper than once per rule.

    A cell of the wrong type (which already has its error) is NULL, and the row's `__bad` lists
    such columns: the rules still judge the row's other values, so that every error comes in one
    round, and a rule's finding on a column listed there is dropped (Session.judge).
    """
    cols = ", ".join(f"{typed_expr(f)}::{sql_type(f)} AS {q(f.name)}" for f in resource.fields)
    checked = [f for f in resource.fields if sql_type(f) != "VARCHAR"]
    bad = (
        "list_filter(["
        + ", ".join(
            f"CASE WHEN {q(f.name)} IS NOT NULL AND ({typed_expr(f)}) IS NULL "
            f"THEN {lit(f.name)} END"
            for f in checked
        )
        + "], lambda x: x IS NOT NULL)"
        if checked
        else "[]::VARCHAR[]"
    )
    kind = "TABLE" if materialize and typed_is_table(resource) else "VIEW"
    return (
        f"CREATE OR REPLACE {kind} {q('typed_' + resource.name)} AS "
        f"SELECT {ORIGIN}, {LINE}, {cols}, {bad} AS {BAD} FROM {q(resource.name)}"
    )


def _type_ok(f: Field) -> str:
    """SQL condition: the (non-missing) cell has the field's type."""
    c = q(f.name)
    if f.type == "string" and f.format == "uri":
        return f"regexp_full_match({c}, {lit(URI)})"
    if f.type in ("date", "integer", "number", "boolean"):
        return f"({typed_expr(f)}) IS NOT NULL"
    return "true"


def field_conditions(f: Field) -> list[tuple[str, str]]:
    """(code, SQL condition that is true on a bad cell) for every constraint the field declares."""
    c = q(f.name)
    conds: list[tuple[str, str]] = [("cell-too-large", f"length({c}) > {MAX_CELL}")]
    if f.required:
        conds.append(("required", f"{c} IS NULL"))
    ok = _type_ok(f)
    if ok != "true":
        conds.append(("type-error", f"{c} IS NOT NULL AND NOT ({ok})"))
    # Constraints are checked only on a cell of the right type and size (one error, not several).
    # DuckDB spends more time planning these conditions than running them on a small table, so
    # they are kept short: no `AND (true)` for a string.
    valid = f"{c} IS NOT NULL AND {'' if ok == 'true' else f'({ok}) AND '}length({c}) <= {MAX_CELL}"
    typed = typed_expr(f)
    for constraint in schema_constraints.CONSTRAINTS:
        value = schema_constraints.declared(f, constraint)
        if constraint.sql is not None and value is not None:
            conds.append((constraint.code, f"{valid} AND {constraint.sql(value, c, typed)}"))
    if f.type == "string":
        # Spaces, tabs and line breaks before the formula's first character do not stop it.
        starts = "".join("\\" + ch for ch in FORMULA_STARTS)
        conds.append(("formula-injection", f"{valid} AND regexp_matches({c}, '^\\s*[{starts}]')"))
    if f.is_link:  # a link on the site: only http(s), never javascript: or data:
        # One error a cell: where the schema's own pattern refuses the value, that one says so.
        fits = "" if f.pattern is None else f"regexp_full_match({c}, {lit(f.pattern)}) AND "
        conds.append(
            ("unsafe-url", f"{valid} AND {fits}NOT regexp_full_match({c}, {lit(LINK)}, 'i')")
        )
    return conds


def cell_issues(
    con: duckdb.DuckDBPyConnection,
    table: str,
    resource: Resource,
    origin: str,
    label: str,
    rows: int,
) -> list[Issue]:
    """Every cell of the `rows` rows of `origin` that breaks its field's type or constraints.

    In a large table every cell check, which depends on the value alone, runs once per distinct
    value; only the rows holding a bad value are then looked up. A million votes hold four values.
    """
    of_origin = f"FROM {q(table)} WHERE {ORIGIN} = {lit(origin)}"
    if not is_large(rows):  # few rows: one pass over them beats the per-value staging below
        flags = ", ".join(
            f"CASE WHEN {cond} THEN {{'fi': {i}, 'code': {lit(code)}, 'value': {q(f.name)}}} END"
            for i, f in enumerate(resource.fields)
            for code, cond in field_conditions(f)
        )
        found = con.execute(
            f"SELECT {LINE}, x.fi, x.code, x.value FROM (SELECT {LINE}, "
            f"unnest(list_filter([{flags}], lambda y: y IS NOT NULL)) AS x {of_origin})"
        ).fetchall()
    else:
        found = _cell_issues_by_value(con, table, resource, origin)
    cell_codes = (code for code, e in CATALOGUE.items() if e.stage == "cell")
    order = {code: k for k, code in enumerate(cell_codes)}
    found.sort(key=lambda r: (r[0], r[1], order[r[2]]))
    return [
        _cell_issue(resource, resource.fields[fi], line, code, value, label)
        for line, fi, code, value in found
    ]


def distinct_values(con: duckdb.DuckDBPyConnection, table: str, field: str, origin: str) -> str:
    """A temporary table of the distinct values of one column in `origin` rows, made once.

    The cell checks and the reference checks of a large table both work on these values.
    """
    name = q(f"__distinct_{table}_{field}_{origin}")
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} AS SELECT DISTINCT {q(field)} FROM {q(table)} "
        f"WHERE {ORIGIN} = {lit(origin)}"
    )
    return name


def _cell_issues_by_value(
    con: duckdb.DuckDBPyConnection, table: str, resource: Resource, origin: str
) -> list[tuple[int, int, str, str | None]]:
    # Every check runs on each column's distinct values; the bad ones (few) come back to Python.
    # A column whose checks are all cheap (lengths, emptiness, a first character: free text such
    # as an excerpt, nearly one value per row) is checked row by row instead, in one pass.
    bad: dict[int, dict[str | None, list[str]]] = {}  # field index -> bad value -> its codes
    cheap = [i for i, f in enumerate(resource.fields) if _row_by_row(f)]
    found_by_row: list[tuple[int, int, str, str | None]] = []
    if cheap:
        found_by_row = con.execute(
            " UNION ALL ".join(
                f"SELECT {LINE}, {i}, {lit(code)}, {q(resource.fields[i].name)} FROM {q(table)} "
                f"WHERE {ORIGIN} = {lit(origin)} AND {cond}"
                for i in cheap
                for code, cond in field_conditions(resource.fields[i])
            )
        ).fetchall()
    for i, f in enumerate(resource.fields):
        if i in cheap:
            continue
        values = distinct_values(con, table, f.name, origin)
        found = con.execute(
            " UNION ALL ".join(
                f"SELECT {lit(code)} AS code, {q(f.name)} AS v FROM {values} WHERE {cond}"
                for code, cond in field_conditions(f)
            )
        ).fetchall()
        for code, value in found:
            bad.setdefault(i, {}).setdefault(value, []).append(code)
    if not bad:
        return found_by_row
    # Then one pass over the rows finds those holding any bad value, in whichever column.
    fields = [(i, resource.fields[i].name) for i in bad]
    holds = " OR ".join(
        f"{q(name)} IN ({', '.join('?' for v in bad[i] if v is not None) or 'NULL'})"
        + (f" OR {q(name)} IS NULL" if None in bad[i] else "")
        for i, name in fields
    )
    params = [v for i, _ in fields for v in bad[i] if v is not None]
    rows = con.execute(
        f"SELECT {LINE}, {', '.join(q(name) for _, name in fields)} FROM {q(table)} "
        f"WHERE {ORIGIN} = {lit(origin)} AND ({holds})",
        params,
    ).fetchall()
    return found_by_row + [
        (line, i, code, value)
        for line, *values in rows
        for (i, _), value in zip(fields, values, strict=True)
        for code in bad[i].get(value, [])
    ]


def _row_by_row(f: Field) -> bool:
    """Whether the field's checks are all cheap enough to run on every row (see
    _cell_issues_by_value): text with no pattern, no vocabulary and no format to match."""
    return sql_type(f) == "VARCHAR" and not f.pattern and f.enum is None and f.format != "uri"


def cell_context(f: Field, value: str | None) -> dict[str, object]:
    """The names a cell check's message template (errors.CATALOGUE) may use."""
    return {
        "field": f.name,
        "allowed": f.allowed,
        "shown": None if value is None else cut(value),
        "length": len(value or ""),
        "first": str(value).lstrip()[:1] or str(value)[:1],
        "pattern": pattern_words(f.pattern),
        "min_length": f.min_length or 0,
        "max_length": f.max_length if f.max_length is not None else "any",
        "max_cell": MAX_CELL,
        # a constraint without a Field attribute of its own: its declared value, by keyword
        **dict(f.extra),
    }


def _cell_issue(
    resource: Resource, f: Field, line: int, code: str, value: str | None, label: str
) -> Issue:
    return Issue.at(
        code,
        label,
        line,
        CATALOGUE[code].message.format(**cell_context(f, value)),
        resource=resource.name,
        field=f.name,
        value=None if value is None else cut(value),
        hint=hint_for(code, f, value),
    )
