"""The Table Schema constraints the toolkit enforces: one table, read by everything that needs them.

Each entry says, for one `constraints` keyword of a field:

- how the declared value is read (`parse`) and what makes a declaration broken (`problem`: the
  descriptor check, toolkit/package/descriptor.py);
- the SQL condition, true on a bad cell (`sql`), and the error code it reports (`code`, an entry of
  toolkit/errors.py's catalogue with its message template and hint): toolkit/checks/cells.py runs
  it, and the pandera schemas run the same SQL;
- how a change of the declared value is graded between two versions (`tighter`: a tightened
  constraint is a major change, a loosened one minor; toolkit/release/diff.py);
- a value that breaks it (`breaks`), which tests/test_agreement.py gives the toolkit, pandera and
  the official validator to show they agree.

A new constraint is one entry here (with its SQL) and, for a new code, one catalogue entry;
tests/test_constraints.py fails when an entry lacks a catalogue entry or a grading, and shows a new
entry at work end to end. `required` and `unique` are read and graded here too, but checked where
they belong (`required` before the type, in cells.py; `unique` with the keys, in keys.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.package.tableschema import Field


def _lit(value: Any) -> str:
    # toolkit.db.sql.lit, without importing the db layer into the schema reader
    from toolkit.db.sql import lit

    return lit(value)


@dataclass(frozen=True)
class Constraint:
    keyword: str  # the Table Schema keyword in a field's `constraints`
    attr: str  # the Field attribute holding the declared value (None where not declared)
    code: str  # the error code a bad cell gets ("" for those checked elsewhere)
    # (declared value, quoted column, SQL typed value) -> SQL true on a bad cell of the right type
    sql: Callable[[Any, str, str], str] | None
    # (old declared value, new declared value), either None when not declared -> tightened?
    tighter: Callable[[Any, Any], bool]
    parse: Callable[[Any], Any] = lambda v: v
    problem: Callable[[Any], str | None] = lambda v: None
    breaks: Callable[[Any], str | None] = lambda v: None
    # how a declared value (None when not declared) is written in a change's description
    shown: Callable[[Any], Any] = lambda v: v
    # (field type, declared value): a declaration for the documentation and the guard tests
    example: tuple[str, Any] = ("string", None)


def _flag(v: Any) -> bool:
    return bool(v)


def _enum_tighter(old: Any, new: Any) -> bool:
    loosened = old is not None and (new is None or set(new) > set(old))
    return not loosened


def _lower_bound_tighter(old: Any, new: Any) -> bool:
    return new is not None if old is None or new is None else new > old


def _upper_bound_tighter(old: Any, new: Any) -> bool:
    return new is not None if old is None or new is None else new < old


def _pattern_problem(v: Any) -> str | None:
    try:
        re.compile(v)
    except (re.error, TypeError) as exc:
        return f"does not compile ({exc})"
    return None


def _enum_problem(v: Any) -> str | None:
    return None if isinstance(v, list) and v else "must be a non-empty list"


def _count_problem(v: Any) -> str | None:
    ok = isinstance(v, int) and not isinstance(v, bool) and v >= 0
    return None if ok else "must be a whole number, 0 or more"


def _bound_problem(v: Any) -> str | None:
    ok = isinstance(v, int | float) and not isinstance(v, bool)
    return None if ok else "must be a number"


def _not_matching(pattern: str) -> str:
    for v in ("Not A Slug!", "zz", "ZZ"):
        if not re.fullmatch(pattern, v):
            return v
    raise ValueError(f"no value at hand breaks the pattern {pattern}")


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint(
        "required",
        "required",
        "",
        None,
        lambda o, n: bool(n),
        parse=_flag,
        breaks=lambda v: "",
        shown=bool,
        example=("string", True),
    ),
    Constraint(
        "unique",
        "unique",
        "",
        None,
        lambda o, n: bool(n),
        parse=_flag,
        shown=bool,
        example=("string", True),
    ),
    # The cell constraints, in the order their findings are reported.
    Constraint(
        "enum",
        "enum",
        "enum-error",
        lambda v, c, typed: f"{c} NOT IN ({', '.join(_lit(x) for x in v)})",
        _enum_tighter,
        parse=lambda v: tuple(str(x) for x in v),
        problem=_enum_problem,
        breaks=lambda v: "not-allowed",
        shown=lambda v: sorted(v) if v else None,
        example=("string", ["yes", "no"]),
    ),
    Constraint(
        "pattern",
        "pattern",
        "pattern-error",
        lambda v, c, typed: f"NOT regexp_full_match({c}, {_lit(v)})",
        lambda o, n: n is not None,
        problem=_pattern_problem,
        breaks=_not_matching,
        example=("string", "^[a-z]+$"),
    ),
    Constraint(
        "minLength",
        "min_length",
        "length-error",
        lambda v, c, typed: f"length({c}) < {int(v)}",
        _lower_bound_tighter,
        problem=_count_problem,
        breaks=lambda v: "x" * (v - 1) if v else None,
        example=("string", 2),
    ),
    Constraint(
        "maxLength",
        "max_length",
        "length-error",
        lambda v, c, typed: f"length({c}) > {int(v)}",
        _upper_bound_tighter,
        problem=_count_problem,
        breaks=lambda v: "x" * (v + 1),
        example=("string", 5),
    ),
    Constraint(
        "minimum",
        "minimum",
        "range-error",
        lambda v, c, typed: f"({typed}) < {_lit(v)}",
        _lower_bound_tighter,
        problem=_bound_problem,
        breaks=lambda v: f"{v - 1:g}",
        example=("integer", 1),
    ),
    Constraint(
        "maximum",
        "maximum",
        "range-error",
        lambda v, c, typed: f"({typed}) > {_lit(v)}",
        _upper_bound_tighter,
        problem=_bound_problem,
        breaks=lambda v: f"{v + 1:g}",
        example=("integer", 10),
    ),
)

BY_KEYWORD = {c.keyword: c for c in CONSTRAINTS}


def declared(f: Field, c: Constraint) -> Any:
    """The value `f` declares for `c`, or None."""
    value = getattr(f, c.attr, None) if c.attr else None
    if value is None:
        value = dict(f.extra).get(c.keyword)
    return None if value is False else value


def read(constraints: dict[str, Any]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """A field's `constraints` object -> (Field attributes, other constraints the table knows)."""
    from toolkit.package.tableschema import Field

    named = set(Field.__dataclass_fields__)
    attrs: dict[str, Any] = {}
    extra: list[tuple[str, Any]] = []
    for c in CONSTRAINTS:
        if c.keyword in constraints:
            value = c.parse(constraints[c.keyword])
            if c.attr in named:
                attrs[c.attr] = value
            else:
                extra.append((c.keyword, value))
    return attrs, tuple(extra)
