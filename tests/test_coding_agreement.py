"""`csto-alignment agreement FIRST SECOND`: per coded field the units, percent agreement and
Krippendorff's alpha, on small codings whose alpha was computed by hand; bad coding files refused.

Hand computation (coincidence matrices; n = 8 values from 4 units coded twice; alpha = 1 - (n - 1)
x sum of o_ck d_ck / sum over c, k of n_c n_k d_ck):
- statement_type, (speech, speech), (speech, remark), (remark, remark) x 2: n_speech 3, n_remark 5,
  disagreeing pairs 2: alpha = 1 - 7 x 2 / (2 x 3 x 5) = 8/15 = 0.533.
- topics (sets, MASI): ({a,b}, {a,b}), ({a}, {a,b}), ({c}, {c}) x 2: d({a}, {a,b}) = 1 - 0.5 x 0.67
  = 0.665, disjoint sets 1; n = {a,b} 3, {a} 1, {c} 4: alpha = 1 - 7 x 1.33 / (2 x (3 x 0.665 +
  3 x 4 + 4)) = 1 - 9.31 / 35.99 = 0.741.
- mentions_nato, (true, true), (empty, true), (false, false), (empty, empty): an empty cell is a
  value; n_true 3, n_empty 3, n_false 2: alpha = 1 - 7 x 2 / (2 x (9 + 6 + 6)) = 2/3 = 0.667.
- quote: the same once typographic apostrophes and white space are folded: alpha 1.
- date_start: one value throughout: alpha undefined.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, ROOT, codes

from toolkit.cli import main
from toolkit.coding.agreement import agreement, masi_distance
from toolkit.coding.fields import load_fields

CODING = FIXTURES / "coding"
FIELDS = str(CODING / "fields.json")


def run(*args: str):
    return CliRunner().invoke(main, ["agreement", *args, "--fields", FIELDS])


def by_field(result) -> dict[str, dict]:
    return {f["field"]: f for f in json.loads(result.stdout)["fields"]}


def test_alpha_and_percent_match_the_hand_computation():
    result = run(
        str(CODING / "hand_computed_first"),
        str(CODING / "hand_computed_second"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    f = by_field(result)
    assert f["statement_type"]["alpha"] == pytest.approx(8 / 15, abs=1e-3)
    assert f["topics"]["alpha"] == pytest.approx(1 - 9.31 / 35.99, abs=1e-3)
    assert f["mentions_nato"]["alpha"] == pytest.approx(2 / 3, abs=1e-3)
    assert f["quote"]["alpha"] == 1.0
    assert f["date_start"]["alpha"] is None and "undefined" in f["date_start"]["note"]
    for name in ("statement_type", "topics", "mentions_nato"):
        assert (f[name]["units"], f[name]["agreed"], f[name]["percent"]) == (4, 3, 75.0)
        assert f[name]["below_threshold"] is True
    assert f["quote"]["percent"] == 100.0 and f["quote"]["below_threshold"] is False


def test_disagreements_are_listed_by_key_and_units_of_one_coding_named():
    result = run(
        str(CODING / "hand_computed_first"),
        str(CODING / "hand_computed_second"),
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert [
        (d["key"]["statement_id"], d["field"], d["first"], d["second"])
        for d in data["disagreements"]
    ] == [
        ("s2", "statement_type", "speech", "remark"),
        ("s2", "topics", "a", "a;b"),
        ("s2", "mentions_nato", "", "true"),
    ]
    assert data["only_first"] == {"statements": [{"statement_id": "s5"}]}
    assert data["only_second"] == {"statements": [{"statement_id": "s6"}]}
    assert "1 unit(s) only in SECOND: s6" in result.stderr


def test_text_output_is_a_table_then_the_disagreements_and_exits_0():
    result = run(str(CODING / "hand_computed_first"), str(CODING / "hand_computed_second"))
    assert result.exit_code == 0
    assert "0.533 (under 0.8)" in result.stdout
    assert "3 disagreement(s):" in result.stdout
    assert "s2" in result.stdout.split("disagreement(s):")[1]


def test_a_coding_agrees_with_itself():
    result = run(
        str(CODING / "hand_computed_first"), str(CODING / "hand_computed_first"), "--format", "json"
    )
    assert result.exit_code == 0
    assert all(f["percent"] == 100.0 for f in by_field(result).values())
    assert (
        "no disagreement"
        in run(str(CODING / "hand_computed_first"), str(CODING / "hand_computed_first")).stdout
    )


@pytest.mark.parametrize(
    ("fixture", "code", "line", "field"),
    [
        ("second_without_topics_column", "missing-header", 1, "topics"),
        ("second_date_in_words", "type-error", 2, "date_start"),
        ("second_unit_coded_twice", "primary-key", 3, "statement_id"),
    ],
)
def test_a_coding_file_that_cannot_be_read_exits_1_naming_file_line_and_column(
    fixture, code, line, field
):
    result = run(str(CODING / "hand_computed_first"), str(CODING / fixture), "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == [code]
    error = json.loads(result.stdout)["errors"][0]
    assert (error["row"], error["field"]) == (line, field)
    assert fixture in error["message"] and error["hint"]
    assert "nothing was measured" in result.stderr


def test_the_date_in_words_error_says_how_to_write_it():
    result = run(str(CODING / "hand_computed_first"), str(CODING / "second_date_in_words"))
    assert result.exit_code == 1
    assert "'16/05/2022'" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert result.stdout == ""


def test_folders_without_a_common_unit_file_are_a_usage_error():
    result = run(
        str(CODING / "hand_computed_first"),
        str(CODING / "second_without_statements_file"),
        "--format",
        "json",
    )
    assert result.exit_code == 2
    assert codes(result) == ["usage-error"]


def test_a_missing_folder_is_a_usage_error():
    result = run(str(CODING / "hand_computed_first"), str(CODING / "no_such_folder"))
    assert result.exit_code == 2


def test_a_malformed_fields_list_is_a_usage_error(tmp_path):
    bad = tmp_path / "fields.json"
    bad.write_text('{"units": {"statements": {"fields": {}}}}', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "agreement",
            str(CODING / "hand_computed_first"),
            str(CODING / "hand_computed_first"),
            "--fields",
            str(bad),
        ],
    )
    assert result.exit_code == 2
    assert "key" in result.stderr


def test_masi_distance():
    assert masi_distance("a;b", "b;a") == 0
    assert masi_distance("a", "a;b") == pytest.approx(0.665)
    assert masi_distance("a;b", "b;c") == pytest.approx(1 - 1 / 3 * 0.33)
    assert masi_distance("a", "c") == 1
    assert masi_distance("", "") == 0


def test_the_repository_codings_name_the_same_columns_as_the_fields_list():
    """coding/units/ and coding/first/ hold exactly the columns coding/fields.json gives them."""
    spec = load_fields(ROOT / "coding" / "fields.json")
    for name, unit in spec.items():
        first = (
            (ROOT / "coding" / "first" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        )
        assert first.split(",") == list(unit.key) + unit.coded
        units = (
            (ROOT / "coding" / "units" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        )
        assert units.split(",")[: len(unit.key)] == list(unit.key)
        assert not set(units.split(",")) & set(unit.coded), f"units/{name}.csv shows coded columns"


def test_the_library_returns_a_result_and_never_prints(capsys):
    result = agreement(
        CODING / "hand_computed_first",
        CODING / "hand_computed_second",
        load_fields(CODING / "fields.json"),
    )
    assert result.valid and len(result.disagreements) == 3
    assert capsys.readouterr() == ("", "")


def test_the_stored_agreement_and_its_tables_are_regenerated_not_typed():
    """coding/agreement.json is what `agreement` measures on coding/first and coding/second (and is
    absent while there is no second coding); docs/researchers.md and docs/coding.md show it as
    generated."""
    from toolkit.docgen.agreement import END, agreement_block, stored

    second = ROOT / "coding" / "second"
    data = stored(ROOT)
    if second.is_dir() and any(second.glob("*.csv")):
        fresh = agreement(
            ROOT / "coding" / "first", second, load_fields(ROOT / "coding" / "fields.json")
        )
        assert data == json.loads(json.dumps(fresh.to_dict())), (
            "run: python scripts/coding_agreement.py"
        )
    else:
        assert data is None, "coding/agreement.json without a second coding"
    block = agreement_block(data)
    for doc in ("docs/researchers.md", "docs/coding.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        start = text.index("<!-- agreement:start")
        assert text[start : text.index(END) + len(END)] == block, (
            f"{doc}: run python scripts/coding_agreement.py"
        )


def test_the_codebook_names_a_field_whose_alpha_is_under_0_8(pkg):
    from toolkit.docgen.codebook import codebook_markdown
    from toolkit.package.tableschema import load_package

    (pkg / "coding").mkdir(exist_ok=True)
    stored_result = {
        "threshold": 0.8,
        "fields": [
            {"unit": "statements", "field": "mentions_nato", "kind": "nominal", "units": 4, "agreed": 3,
             "percent": 75.0, "alpha": 0.667, "note": "", "below_threshold": True},
            {"unit": "statements", "field": "quote", "kind": "text", "units": 4, "agreed": 4,
             "percent": 100.0, "alpha": 1.0, "note": "", "below_threshold": False},
        ],
        "disagreements": [], "only_first": {}, "only_second": {}, "not_compared": {},
    }  # fmt: skip
    (pkg / "coding" / "agreement.json").write_text(json.dumps(stored_result), encoding="utf-8")
    text = codebook_markdown(load_package(pkg))
    nato = next(line for line in text.splitlines() if line.startswith("| `mentions_nato` |"))
    quote = next(line for line in text.splitlines() if line.startswith("| `quote` |"))
    assert "Not reliably coded" in nato and "0.667" in nato
    assert "Not reliably coded" not in quote
