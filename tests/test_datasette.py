"""`export --format sqlite` writes Datasette's metadata.json; Datasette's own test client (no server)
serves the export with the descriptions and canned queries."""

from __future__ import annotations

import asyncio
import csv
import json

import pytest
from click.testing import CliRunner
from helpers import ROOT

from toolkit.cli.commands import main
from toolkit.package.tableschema import load_package

datasette_app = pytest.importorskip("datasette.app", reason="datasette is in the 'test' extra")


@pytest.fixture(scope="module")
def exported(pkg_ro, tmp_path_factory):
    """The SQLite export of the shared package, made once for the module's tests (they read it)."""
    out = tmp_path_factory.mktemp("datasette") / "out"
    result = CliRunner().invoke(
        main, ["export", "--format", "sqlite", "--out", str(out), "--package", str(pkg_ro)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [str(out / "csto-alignment.sqlite"), str(out / "metadata.json")]
    return out


def get(out, path: str):
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    ds = datasette_app.Datasette([str(out / "csto-alignment.sqlite")], metadata=meta)
    return asyncio.run(ds.client.get(path))


def test_metadata_describes_every_table_and_column_from_the_schemas(exported, pkg_ro):
    meta = json.loads((exported / "metadata.json").read_text(encoding="utf-8"))
    package = load_package(pkg_ro)
    assert meta["license"] == "CC-BY-4.0" and meta["license_url"].startswith("https://")
    assert meta["title"] == package.descriptor["title"] and meta["source"]
    tables = meta["databases"]["csto-alignment"]["tables"]
    assert set(tables) == set(package.resources)
    for name, res in package.resources.items():
        assert tables[name]["description"] == res.description
        assert tables[name]["columns"] == {f.name: f.description for f in res.fields}
    assert tables["un_votes"]["facets"] == [
        "resolution_id", "country_iso3", "vote", "intended_vote",
    ]  # fmt: skip
    assert tables["actors"]["label_column"] == "name"


def test_a_table_page_serves_the_rows_with_their_descriptions(exported):
    page = get(exported, "/csto-alignment/un_votes")
    assert page.status_code == 200
    assert "How each state voted on each resolution" in page.text
    rows = get(exported, "/csto-alignment/un_votes.json?_shape=array&country_iso3=ARM").json()
    with open(ROOT / "data" / "un_votes.csv", encoding="utf-8") as fh:
        recorded = {
            (r["resolution_id"], r["vote"])
            for r in csv.DictReader(fh)
            if r["country_iso3"] == "ARM"
        }
    assert {(r["resolution_id"], r["vote"]) for r in rows} == recorded
    assert ("A/RES/ES-11/3", "non_voting") in recorded


def test_canned_queries_run_in_datasette(exported, run, pkg_ro):
    page = get(exported, "/csto-alignment/votes_diverging_from_russia.json?_shape=array")
    assert page.status_code == 200
    expected = json.loads(
        run("query", "votes_diverging_from_russia", "--format", "json", "--package", pkg_ro).stdout
    )
    got = page.json()
    assert [(r["resolution_id"], r["country_iso3"], r["member_vote"]) for r in got] == [
        (r["resolution_id"], r["country_iso3"], r["member_vote"]) for r in expected
    ]
    said = get(
        exported, "/csto-alignment/speaker_at_meetings.json?_shape=array&speaker=vladimir-putin"
    ).json()
    expected_said = json.loads(
        run("query", "speaker_at_meetings", "--param", "speaker=vladimir-putin", "--format",
            "json", "--package", pkg_ro).stdout
    )  # fmt: skip
    assert {r["statement_id"] for r in said} == {r["statement_id"] for r in expected_said}
    assert "putin-csto-summit-speech" in {r["statement_id"] for r in said}


def test_queries_sqlite_cannot_run_are_named_not_offered(exported):
    database = json.loads((exported / "metadata.json").read_text())["databases"]["csto-alignment"]
    assert "csto_votes_matrix" not in database["queries"]  # DuckDB's PIVOT
    assert "csto_votes_matrix" in database["description"]
    assert get(exported, "/csto-alignment/csto_votes_matrix").status_code == 404
