"""`from toolkit import load`: typed frames (pandas and polars), checked by the pandera schemas."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pandas as pd
import pytest
from helpers import ROOT

from toolkit import load
from toolkit.db.loader import LoadError
from toolkit.package.tableschema import PackageError, load_package


def csv_rows(pkg, name):
    with (pkg / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_resource_typed_as_its_schema_says(pkg_ro):
    frames = load(package=pkg_ro)
    package = load_package(pkg_ro)
    assert set(frames) == set(package.resources)
    for name, res in package.resources.items():
        df = frames[name]
        assert list(df.columns) == res.field_names
        for f in res.fields:
            dtype = df[f.name].dtype
            if f.type == "date":
                assert pd.api.types.is_datetime64_dtype(dtype), (name, f.name)
            elif f.enum is not None:
                assert isinstance(dtype, pd.CategoricalDtype), (name, f.name)
                assert list(dtype.categories) == list(f.enum)  # every allowed value
            elif f.type == "boolean":
                assert dtype == "boolean", (name, f.name)
            elif f.type == "integer":
                assert dtype == "Int64", (name, f.name)


def test_values_survive_typing(pkg_ro):
    statements = load("statements", package=pkg_ro).set_index("statement_id")
    beforehand = statements.loc["putin-ukraine-on-csto-agenda"]
    assert beforehand["date_end"] == pd.Timestamp("2022-05-16")
    assert pd.isna(beforehand["date_start"])  # open below: missing, not invented
    assert pd.isna(beforehand["mentions_nato"])  # the source does not say
    japarov = statements.loc["japarov-csto-summit-speech"]
    assert japarov["mentions_ukraine"] is False or japarov["mentions_ukraine"] == False  # noqa: E712
    resolutions = load("un_resolutions", package=pkg_ro)
    assert resolutions["yes"].tolist() == [
        int(r["yes"]) for r in csv_rows(pkg_ro, "un_resolutions")
    ]


def test_polars_backend(pkg_ro):
    pl = pytest.importorskip("polars", reason="polars is in the 'test' extra")
    votes = load("un_votes", package=pkg_ro, backend="polars")
    assert votes.schema["vote"] == pl.Enum(["yes", "no", "abstain", "non_voting"])
    resolutions = load("un_resolutions", package=pkg_ro, backend="polars")
    assert resolutions.schema["date"] == pl.Date
    assert resolutions["date"].to_list() == [
        dt.date.fromisoformat(r["date"]) for r in csv_rows(pkg_ro, "un_resolutions")
    ]


def test_invalid_data_raises_with_pandera_failure_cases(pkg):
    path = pkg / "data" / "un_votes.csv"
    path.write_text(path.read_text().replace("ARM,abstain", "ARM,Abstain", 1))
    with pytest.raises(LoadError) as info:
        load("un_votes", package=pkg)
    cases = info.value.failures["un_votes"]
    assert "Abstain" in cases["failure_case"].astype(str).tolist()
    assert "csto-alignment validate" in str(info.value)


def test_unknown_resource_and_backend_are_refused(pkg_ro):
    with pytest.raises(PackageError, match="unknown resource 'votes'"):
        load("votes", package=pkg_ro)
    with pytest.raises(ValueError, match="backend"):
        load("un_votes", package=pkg_ro, backend="spark")


def test_readme_example_answers_its_question(monkeypatch, capsys):
    """The analysts' guide's loader example runs against the repository's package and prints its answer."""
    guide = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- loader-example -->\n```python\n(.*?)```", guide, re.S).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "docs/analysts.md", "exec"), {})
    answer = capsys.readouterr().out
    assert "A/RES/ES-11/3    Armenia non_voting     no" in answer
    assert "A/RES/ES-11/3 Kazakhstan" not in answer  # voted as Russia did
