"""Every saved query proven on both engines: each .sql file found in queries/ (none is listed by
hand) runs with its defaults and with other parameter values on DuckDB (`csto-alignment query`)
and on the SQLite export through Datasette's own client, and the two give the same rows in the
same order. A query whose header says it needs DuckDB (`-- engine: duckdb`) runs on DuckDB, is
refused by SQLite, and is named, not offered, in Datasette.

Nothing here counts the real data's rows: the engines are compared with each other."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT

from toolkit.cli.commands import main
from toolkit.db.datasette import sqlite_sql
from toolkit.db.saved import ENGINES, saved_queries

datasette_app = pytest.importorskip("datasette.app", reason="datasette is in the 'test' extra")

SAVED = saved_queries(ROOT)
# A value other than the default for every parameter any saved query takes. A new parameter
# without one fails test_every_parameter_has_a_value_to_try, naming it.
OTHER_VALUES = {"speaker": "vladimir-putin", "top": "5"}
CASES = [(name, False) for name in SAVED] + [(name, True) for name, q in SAVED.items() if q.params]


@pytest.fixture(scope="module")
def package(pkg_ro) -> Path:
    """The shared copy of the repository's package: the tests only read it, and its query cache
    is built once."""
    return pkg_ro


@pytest.fixture(scope="module")
def exported(package, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("saved") / "out"
    result = CliRunner().invoke(
        main, ["export", "--format", "sqlite", "--out", str(out), "--package", str(package)]
    )
    assert result.exit_code == 0, result.stderr
    return out


def duckdb_rows(package: Path, name: str, params: dict[str, str]) -> list[dict[str, Any]]:
    args = ["query", name, "--format", "json", "--package", str(package)]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"{name} on DuckDB: {result.stderr}"
    return json.loads(result.stdout)


def datasette(out: Path, path: str):
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    ds = datasette_app.Datasette(
        [str(out / "csto-alignment.sqlite")],
        metadata=meta,
        settings={"max_returned_rows": 1_000_000},  # every row, as `query --format json` gives
    )
    return asyncio.run(ds.client.get(path))


def same_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite stores true/false as 1/0: the one spelling in which the engines differ."""
    return [{k: int(v) if isinstance(v, bool) else v for k, v in r.items()} for r in rows]


def test_the_saved_queries_are_found_in_the_folder():
    files = sorted(p.stem for p in (ROOT / "queries").glob("*.sql"))
    assert files and sorted(SAVED) == files
    assert sorted({name for name, _ in CASES}) == files  # every one is run below


def test_every_parameter_has_a_value_to_try():
    missing = [f"{n}: ${p}" for n, q in SAVED.items() for p in q.params if p not in OTHER_VALUES]
    assert missing == [], "add a value to try to OTHER_VALUES for " + ", ".join(missing)


@pytest.mark.parametrize("name", SAVED)
def test_each_header_is_complete_and_names_a_known_engine(name):
    q = SAVED[name]
    assert q.title and q.answers, f"{name}: the header needs a title and an answers line"
    assert q.engine in ENGINES, f"{name}: engine {q.engine!r} is not one of {ENGINES}"
    if not q.portable:
        assert q.engine_reason, f"{name}: say why it needs DuckDB: -- engine: duckdb (why)"


@pytest.mark.parametrize(
    ("name", "given"), CASES, ids=[f"{n}-{'given' if g else 'defaults'}" for n, g in CASES]
)
def test_duckdb_and_sqlite_give_the_same_rows(package, exported, name, given):
    q = SAVED[name]
    params = {p: OTHER_VALUES[p] for p in q.params} if given else {}
    duck = duckdb_rows(package, name, params)
    assert duck, f"{name} returns no rows on the package: a comparison of nothing proves nothing"
    if given:  # another value gives another answer, so the parameter is really applied
        assert duck != duckdb_rows(package, name, {}), f"{name}: {params} changed nothing"
    database = json.loads((exported / "metadata.json").read_text())["databases"]["csto-alignment"]
    if not q.portable:
        assert name not in database.get("queries", {}) and name in database["description"]
        assert datasette(exported, f"/csto-alignment/{name}").status_code == 404
        con = sqlite3.connect(exported / "csto-alignment.sqlite")
        with pytest.raises(sqlite3.Error):  # the header tells the truth: SQLite cannot run it
            con.execute(sqlite_sql(q.sql), dict.fromkeys(q.params, "")).fetchall()
        con.close()
        return
    assert name in database["queries"], f"{name} is not offered in Datasette"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page = datasette(exported, f"/csto-alignment/{name}.json?_shape=array&{query}")
    assert page.status_code == 200, page.text[:500]
    lite = page.json()
    assert same_values(lite) == same_values(duck), f"{name} differs between DuckDB and SQLite"


def test_the_saved_text_runs_unchanged_on_sqlite(exported):
    """The console on the site binds `$name` itself: SQLite runs each portable file as it is."""
    con = sqlite3.connect(exported / "csto-alignment.sqlite")
    try:
        for name, q in SAVED.items():
            if q.portable:
                assert con.execute(q.sql, q.params).fetchall(), name
    finally:
        con.close()
