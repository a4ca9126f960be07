"""`template`: the header contributors fill in, derived from the Table Schema."""

from __future__ import annotations

import json

from helpers import ROOT


def test_template_is_the_schema_header(run, pkg_ro):
    result = run("template", "un_votes", "--package", pkg_ro)
    assert result.exit_code == 0
    fields = [f["name"] for f in json.loads((ROOT / "schemas/un_votes.json").read_text())["fields"]]
    assert result.stdout == ",".join(fields) + "\n"


def test_describe_comments_every_column(run, pkg_ro):
    out = run("template", "statements", "--describe", "--package", pkg_ro).stdout
    comments = [line for line in out.splitlines() if line.startswith("# ")]
    schema = json.loads((ROOT / "schemas/statements.json").read_text())
    for f in schema["fields"]:
        assert any(c.startswith(f"# {f['name']} (") and f["description"] in c for c in comments)
    assert "one of: speech, remark" in out


def test_unknown_template_is_a_usage_error(run, pkg_ro):
    result = run("template", "speeches", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "statements" in result.stderr


def test_end_to_end_template_fill_check_add_validate(run, pkg, tmp_path):
    template = run("template", "statements", "--describe", "--package", pkg).stdout
    row = (
        "peskov-new-remark,dmitry-peskov,2022-05-05,2022-05-05,day,,,,remark,ukraine-war,true,,,"
        '"Peskov comments again.",,,lukashenko-says-what-putin-thinks,Peskov contradicted him\n'
    )
    f = tmp_path / "filled.csv"
    f.write_text(template + row, encoding="utf-8")
    assert run("check", f, "-r", "statements", "--package", pkg).exit_code == 0
    assert run("add", f, "-r", "statements", "--package", pkg).exit_code == 0
    assert run("validate", pkg).exit_code == 0
    assert "peskov-new-remark" in (pkg / "data/statements.csv").read_text()
