"""The table of constraints (toolkit/package/constraints.py) is the one place a constraint lives:
every entry is checked, graded by diff and described in the catalogue, and a new entry works end
to end without touching any other module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import codes

from toolkit.errors import CATALOGUE, ErrorType
from toolkit.package import constraints
from toolkit.package.constraints import CONSTRAINTS, Constraint
from toolkit.package.tableschema import Field
from toolkit.release.diff import _constraint_changes

IDS = [c.keyword for c in CONSTRAINTS]


def tiny_package(root: Path, field: dict, values: list[str]) -> Path:
    """A one-resource package whose `value` column is declared as `field`."""
    (root / "data").mkdir(parents=True)
    schema = {
        "fields": [
            {"name": "item_id", "type": "string", "constraints": {"required": True}},
            {"name": "value", **field},
        ],
        "primaryKey": ["item_id"],
    }
    descriptor = {
        "name": "tiny",
        "version": "1.0.0",
        "resources": [{"name": "items", "path": "data/items.csv", "schema": schema}],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    rows = "".join(f"i{n},{v}\n" for n, v in enumerate(values))
    (root / "data" / "items.csv").write_text("item_id,value\n" + rows, encoding="utf-8")
    return root


def declaring(c: Constraint) -> dict:
    ftype, value = c.example
    return {"type": ftype, "constraints": {c.keyword: value}}


@pytest.mark.parametrize("c", CONSTRAINTS, ids=IDS)
def test_every_entry_has_an_example_and_a_known_code(c):
    assert c.example[1] is not None, f"{c.keyword}: give the entry an example declaration"
    if c.sql is not None:
        assert c.code in CATALOGUE, f"{c.keyword}: {c.code} is not in the error catalogue"
        assert CATALOGUE[c.code].stage == "cell" and CATALOGUE[c.code].message


@pytest.mark.parametrize("c", CONSTRAINTS, ids=IDS)
def test_every_entry_is_graded_by_diff(c):
    ftype = c.example[0]
    without = Field.from_descriptor({"name": "value", "type": ftype})
    with_it = Field.from_descriptor({"name": "value", **declaring(c)})
    [added] = _constraint_changes(without, with_it)
    [removed] = _constraint_changes(with_it, without)
    assert (added.kind, added.level) == ("constraint-tightened", "major")
    assert (removed.kind, removed.level) == ("constraint-loosened", "minor")
    assert c.attr in added.detail


@pytest.mark.parametrize(
    "c", [c for c in CONSTRAINTS if c.sql is not None], ids=lambda c: c.keyword
)
def test_every_cell_constraint_finds_the_value_that_breaks_it(c, tmp_path, run):
    bad = c.breaks(c.parse(c.example[1]))
    package = tiny_package(tmp_path / "pkg", declaring(c), [bad])
    result = run("validate", "--package", package, "--format", "json")
    assert result.exit_code == 1, result.output
    assert codes(result) == [c.code]


def test_a_bound_on_the_boundary_passes(tmp_path, run):
    field = {"type": "integer", "constraints": {"minimum": 1, "maximum": 10}}
    result = run("validate", "--package", tiny_package(tmp_path, field, ["1", "10"]))
    assert result.exit_code == 0, result.output


def test_a_declaration_the_entry_refuses_is_a_descriptor_problem(tmp_path, run):
    field = {"type": "string", "constraints": {"maxLength": "five"}}
    result = run("validate", "--package", tiny_package(tmp_path, field, ["x"]))
    assert result.exit_code == 1
    assert "maxLength 'five' must be a whole number" in result.output


def test_a_new_constraint_is_one_entry(tmp_path, run, monkeypatch):
    """A keyword no module knows (`maxWords`): one entry and its catalogue code, and check, the
    message, the descriptor check and diff's grading all follow."""
    words = Constraint(
        "maxWords",
        "max_words",
        "word-count-error",
        lambda v, c, typed: f"len(string_split(trim({c}), ' ')) > {int(v)}",
        lambda old, new: new is not None and (old is None or new < old),
        problem=lambda v: None if isinstance(v, int) else "must be a whole number",
        breaks=lambda v: " ".join(["word"] * (v + 1)),
        example=("string", 3),
    )
    monkeypatch.setattr(constraints, "CONSTRAINTS", (*CONSTRAINTS, words))
    monkeypatch.setitem(
        CATALOGUE,
        "word-count-error",
        ErrorType(
            "word-count-error",
            "cell",
            "Too many words",
            "Shorten the value.",
            "{field} {shown!r} has more than {maxWords} words",
        ),
    )
    field = {"type": "string", "constraints": {"maxWords": 3}}
    package = tiny_package(tmp_path / "pkg", field, ["three short words", "one two three four"])
    result = run("validate", "--package", package, "--format", "json")
    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["errors"]
    assert (error["code"], error["row"], error["field"]) == ("word-count-error", 3, "value")
    assert error["message"].endswith("value 'one two three four' has more than 3 words")

    broken = tiny_package(tmp_path / "broken", {"constraints": {"maxWords": "many"}}, ["x"])
    assert "maxWords 'many' must be a whole number" in run("validate", "--package", broken).output

    loose = Field.from_descriptor({"name": "value", "constraints": {"maxWords": 5}})
    tight = Field.from_descriptor({"name": "value", "constraints": {"maxWords": 3}})
    [change] = _constraint_changes(loose, tight)
    assert (change.kind, change.detail) == ("constraint-tightened", "max_words 5 -> 3")
