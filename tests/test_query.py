"""`query`, `queries` and `export`: typed, read-only SQL over the package, and exports for other tools."""

from __future__ import annotations

import csv
import json
import os
import sqlite3

import pytest
from helpers import FIXTURES, edit

CSTO = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]


def csv_rows(pkg, name):
    with (pkg / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rows(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_tables_have_the_schema_types(run, pkg_ro):
    out = rows(
        run(
            "query",
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'un_resolutions' ORDER BY ordinal_position",
            "--package",
            pkg_ro,
            "--format",
            "json",
        )
    )
    types = {r["column_name"]: r["data_type"] for r in out}
    assert (
        types["date"] == "DATE" and types["yes"] == "BIGINT" and types["resolution_id"] == "VARCHAR"
    )
    stmt = rows(
        run(
            "query",
            "SELECT typeof(date_start) AS t, typeof(statement_type) AS e, typeof(mentions_ukraine) AS b "
            "FROM statements LIMIT 1",
            "--package",
            pkg_ro,
            "--format",
            "json",
        )
    )
    assert stmt[0]["t"] == "DATE" and stmt[0]["e"].startswith("ENUM") and stmt[0]["b"] == "BOOLEAN"


def test_primary_keys_are_declared(run, pkg_ro):
    out = rows(
        run(
            "query",
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY' ORDER BY 1",
            "--package",
            pkg_ro,
            "--format",
            "json",
        )
    )
    keys = {r["table_name"]: r["constraint_column_names"] for r in out}
    assert keys["un_votes"] == ["resolution_id", "country_iso3"]
    assert keys["statements"] == ["statement_id"]


def test_votes_matrix_on_the_real_data(run, pkg_ro):
    out = {
        r["resolution_id"]: r
        for r in rows(run("query", "csto_votes_matrix", "--package", pkg_ro, "--format", "json"))
    }
    assert {k: out["A/RES/ES-11/1"][k] for k in CSTO} == {
        "ARM": "abstain",
        "BLR": "no",
        "KAZ": "abstain",
        "KGZ": "abstain",
        "RUS": "no",
        "TJK": "abstain",
    }
    assert {k: out["A/RES/ES-11/3"][k] for k in CSTO} == {
        "ARM": "non_voting",
        "BLR": "no",
        "KAZ": "no",
        "KGZ": "no",
        "RUS": "no",
        "TJK": "no",
    }


def test_response_chains(run, pkg_ro):
    out = rows(run("query", "response_chains", "--package", pkg_ro, "--format", "json"))
    pairs = {(r["root_id"], r["statement_id"], r["response_type"]) for r in out if r["depth"] == 1}
    assert ("lukashenko-war-dragging-on", "peskov-operation-going-to-plan", "contradicts") in pairs
    linked = {
        (s["in_response_to"], s["statement_id"], s["response_type"])
        for s in csv_rows(pkg_ro, "statements")
        if s["in_response_to"]
    }
    assert pairs == linked


def test_statements_by_speaker_and_topic(run, pkg_ro):
    out = rows(
        run("query", "statements_by_speaker_and_topic", "--package", pkg_ro, "--format", "json")
    )
    counts = {(r["speaker"], r["topic"]): r["statements"] for r in out}
    names = {a["actor_id"]: a["name"] for a in csv_rows(pkg_ro, "actors")}
    expected: dict[tuple[str, str], int] = {}
    for s in csv_rows(pkg_ro, "statements"):
        for topic in filter(None, s["topics"].split(";")):
            key = (names[s["speaker_id"]], topic)
            expected[key] = expected.get(key, 0) + 1
    assert counts == expected  # every speaker and topic, counted as the table holds them
    assert counts[("Alexander Lukashenko", "ukraine-war")] >= 1


def test_timeline_is_in_date_order_and_complete(run, pkg_ro):
    out = rows(run("query", "timeline", "--package", pkg_ro, "--format", "json"))
    assert {r["kind"] for r in out} == {"meeting", "statement", "exercise"}
    assert len(out) == sum(
        len(csv_rows(pkg_ro, n)) for n in ("meetings", "statements", "military_exercises")
    )
    dated = [r["date_start"] or r["date_end"] for r in out]
    known = [d for d in dated if d is not None]
    assert known == sorted(known) and dated[: len(known)] == known  # undated rows come last


def test_saved_query_default_and_given_parameter(run, pkg_ro):
    lukashenko = rows(run("query", "speaker_at_meetings", "--package", pkg_ro, "--format", "json"))
    meetings = {m["meeting_id"]: m for m in csv_rows(pkg_ro, "meetings")}
    at_meetings = [
        s
        for s in csv_rows(pkg_ro, "statements")
        if s["speaker_id"] == "alexander-lukashenko" and s["meeting_id"]
    ]  # the default speaker
    assert lukashenko and len(lukashenko) == len(at_meetings)
    assert {r["location"] for r in lukashenko} == {
        meetings[s["meeting_id"]]["location"] or None for s in at_meetings
    }
    putin = rows(
        run(
            "query",
            "speaker_at_meetings",
            "--param",
            "speaker=vladimir-putin",
            "--package",
            pkg_ro,
            "--format",
            "json",
        )
    )
    assert {r["statement_id"] for r in putin} == {
        s["statement_id"]
        for s in csv_rows(pkg_ro, "statements")
        if s["speaker_id"] == "vladimir-putin" and s["meeting_id"]
    }


def test_parameters_are_bound_not_pasted(run, pkg_ro):
    evil = "x' OR '1'='1"
    result = run(
        "query",
        "SELECT * FROM actors WHERE actor_id = $id",
        "--param",
        f"id={evil}",
        "--package",
        pkg_ro,
        "--format",
        "json",
    )
    assert rows(result) == []
    assert "no rows" in result.stderr


def test_queries_lists_every_saved_query(run, pkg_ro):
    out = json.loads(run("queries", "--package", pkg_ro, "--format", "json").stdout)
    names = {q["name"] for q in out}
    assert {
        "csto_votes_matrix",
        "statements_by_speaker_and_topic",
        "timeline",
        "response_chains",
        "votes_diverging_from_russia",
    } <= names
    assert all(q["answers"] for q in out)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_output_formats(run, pkg_ro, fmt):
    out = run(
        "query",
        "SELECT actor_id, name FROM actors WHERE actor_id = 'BLR'",
        "--package",
        pkg_ro,
        "--format",
        fmt,
    ).stdout
    assert "BLR" in out and "Belarus" in out
    if fmt == "csv":
        assert out.splitlines() == ["actor_id,name", "BLR,Belarus"]
    if fmt == "markdown":
        assert out.splitlines()[0] == "| actor_id | name |"


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM statements",
        "CREATE TABLE x AS SELECT 1",
        "COPY statements TO '/tmp/csto-out.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '/tmp/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET lock_configuration",
    ],
)
def test_unsafe_statements_are_refused(run, pkg_ro, sql):
    before = {p: p.read_bytes() for p in (pkg_ro / "data").iterdir()}
    result = run("query", sql, "--package", pkg_ro)
    assert result.exit_code == 2
    assert "refused" in result.stderr
    assert {p: p.read_bytes() for p in (pkg_ro / "data").iterdir()} == before


def test_unknown_table_lists_what_exists(run, pkg_ro):
    result = run("query", "SELECT * FROM votes", "--package", pkg_ro)
    assert result.exit_code == 2
    assert (
        "un_votes(resolution_id, country_iso3, vote, source_id, source_excerpt, " in result.stderr
    )


def test_unknown_column_lists_what_exists(run, pkg_ro):
    result = run("query", "SELECT speaker FROM statements", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "statements(statement_id, speaker_id" in result.stderr


def test_cache_is_rebuilt_when_data_changes_and_never_stale(run, pkg, query_cache):
    first = run(
        "query", "SELECT count(*) AS n FROM statements", "--package", pkg, "--format", "json"
    )
    assert "built the typed query cache" in first.stderr
    warm = run(
        "query", "SELECT count(*) AS n FROM statements", "--package", pkg, "--format", "json"
    )
    n = len(csv_rows(pkg, "statements"))
    assert "built" not in warm.stderr and rows(warm) == [{"n": n}]
    assert (
        run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg).exit_code
        == 0
    )
    after = run(
        "query", "SELECT count(*) AS n FROM statements", "--package", pkg, "--format", "json"
    )
    assert "built the typed query cache" in after.stderr and rows(after) == [{"n": n + 1}]
    assert len(list(query_cache.glob("query-*.duckdb"))) == 1
    assert not (pkg / ".cache").exists()  # never in the package, where a branch could plant one


def test_export_duckdb_is_typed_with_comments(run, pkg_ro, tmp_path):
    import duckdb

    result = run("export", "--format", "duckdb", "--out", tmp_path / "out", "--package", pkg_ro)
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(result.stdout.strip(), read_only=True)
    assert con.execute("SELECT typeof(date) FROM un_resolutions LIMIT 1").fetchone()[0] == "DATE"
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'un_votes' AND column_name = 'vote'"
    ).fetchone()[0]
    assert comment.startswith("The recorded vote")


def test_a_table_over_the_key_index_limit_has_its_key_checked_not_declared(
    run, pkg, tmp_path, monkeypatch
):
    import duckdb

    from toolkit.db import typed_db

    monkeypatch.setattr(typed_db, "KEY_INDEX_ROWS", 0)
    result = run("export", "--format", "duckdb", "--out", tmp_path / "out", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(tmp_path / "out" / "csto-alignment.duckdb"), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchone() == (0,)
    (comment,) = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'un_votes'"
    ).fetchone()
    assert "Primary key (resolution_id, country_iso3): checked, not declared" in comment
    con.close()
    edit(pkg, "un_votes", "A/RES/ES-11/1,BLR,no", "A/RES/ES-11/1,ARM,no")
    result = run("export", "--format", "duckdb", "--out", tmp_path / "again", "--package", pkg)
    assert result.exit_code == 1
    assert "data/un_votes.csv cannot be loaded into typed tables" in result.stderr


def test_export_duckdb_opens_in_the_clients_users_install(run, pkg_ro, tmp_path):
    # A DuckDB file starts with a checksum (8 bytes), b"DUCK" and its storage version (uint64,
    # little-endian). duckdb 2.0 writes 69; the 1.5.6 command-line client (`pip install
    # duckdb-cli`) reads up to 68; 64 is DuckDB 1.0's, which every client since reads.
    result = run("export", "--format", "duckdb", "--out", tmp_path / "out", "--package", pkg_ro)
    assert result.exit_code == 0, result.stderr
    head = (tmp_path / "out" / "csto-alignment.duckdb").read_bytes()[:20]
    assert head[8:12] == b"DUCK"
    assert int.from_bytes(head[12:20], "little") == 64


def test_export_parquet_one_file_per_resource(run, pkg_ro, tmp_path):
    import pandas as pd

    result = run("export", "--format", "parquet", "--out", tmp_path / "out", "--package", pkg_ro)
    assert result.exit_code == 0
    names = json.loads((pkg_ro / "datapackage.json").read_text())["resources"]
    assert len(result.stdout.split()) == len(names)
    df = pd.read_parquet(tmp_path / "out" / "un_votes.parquet")
    assert len(df) == len(csv_rows(pkg_ro, "un_votes"))
    assert set(df["vote"]) == {v["vote"] for v in csv_rows(pkg_ro, "un_votes")}


@pytest.mark.parametrize(
    "old, new", [("A/RES/ES-11/1,BLR,no", "A/RES/ES-11/1,ARM,no"), ("2022-03-02", "2022-03-32")]
)
def test_export_parquet_of_a_package_with_a_repeated_key_or_a_bad_date_writes_nothing(
    run, pkg, tmp_path, old, new
):
    resource = "un_votes" if "BLR" in old else "un_resolutions"
    edit(pkg, resource, old, new)
    result = run("export", "--format", "parquet", "--out", tmp_path / "out", "--package", pkg)
    assert result.exit_code == 1
    assert f"data/{resource}.csv cannot be loaded into typed tables" in result.stderr
    assert list((tmp_path / "out").glob("*.parquet")) == []


def test_export_sqlite_with_keys(run, pkg_ro, tmp_path):
    result = run("export", "--format", "sqlite", "--out", tmp_path / "out", "--package", pkg_ro)
    db = sqlite3.connect(result.stdout.splitlines()[0])  # then metadata.json
    assert db.execute(
        "SELECT vote FROM un_votes WHERE resolution_id = 'A/RES/ES-11/3' AND country_iso3 = 'KAZ'"
    ).fetchone() == ("no",)
    assert db.execute(
        "SELECT date FROM un_resolutions WHERE resolution_id = 'A/RES/ES-11/1'"
    ).fetchone() == ("2022-03-02",)
    fks = db.execute("PRAGMA foreign_key_list(un_votes)").fetchall()
    assert {r[2] for r in fks} == {"un_resolutions", "actors", "sources"}


def test_export_sqlite_is_readable_by_others_like_the_other_files(
    run, pkg_ro, tmp_path, monkeypatch
):
    # Some SQLite builds create files 0600 (SQLITE_DEFAULT_FILE_PERMISSIONS); act as one does.
    connect = sqlite3.connect

    def private_connect(path, *args, **kw):
        new = not kw.get("uri") and not os.path.exists(path)
        con = connect(path, *args, **kw)
        if new:  # SQLite creates the file on the first write
            con.execute("CREATE TABLE __t (x)")
            con.execute("DROP TABLE __t")
            os.chmod(path, 0o600)
        return con

    monkeypatch.setattr(sqlite3, "connect", private_connect)
    umask = os.umask(0o022)
    try:
        result = run("export", "--format", "sqlite", "--out", tmp_path / "out", "--package", pkg_ro)
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        assert oct(os.stat(line).st_mode & 0o777) == oct(0o644), line


@pytest.mark.parametrize(
    ("resource", "broken"),
    [
        ("un_votes", "duplicate_key"),  # refused when the primary key is declared
        ("un_resolutions", "bad_date"),  # refused while the rows are typed
    ],
)
def test_an_invalid_package_is_not_queried_and_says_to_validate(run, pkg, resource, broken):
    path = pkg / "data" / f"{resource}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    if broken == "duplicate_key":
        lines.append(lines[1])
    else:
        lines[1] = lines[1].replace("2022-03-02", "2 March 2022", 1)
        assert "2 March 2022" in lines[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("query", "SELECT count(*) FROM un_votes", "--package", pkg)
    assert result.exit_code == 1
    assert "the package is not valid, so it is not queried" in result.stderr
    assert f"data/{resource}.csv: line " in result.stderr
    assert "csto-alignment validate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("broken", ["foreign_key", "hash_mismatch"])
def test_a_package_that_fails_validate_is_not_queried(run, pkg, broken):
    if broken == "foreign_key":
        edit(pkg, "un_votes", ",BLR,", ",XXX,")
    else:
        descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["resources"][0]["bytes"] = 1
        (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = run("query", "SELECT count(*) FROM un_votes", "--package", pkg)
    assert result.exit_code == 1
    code = "foreign-key" if broken == "foreign_key" else "hash-mismatch"
    assert "so it is not queried" in result.stderr and f"[{code}]" in result.stderr


def test_speaker_and_topic_never_reads_an_open_date_as_a_day(run, pkg_ro):
    out = rows(
        run("query", "statements_by_speaker_and_topic", "--package", pkg_ro, "--format", "json")
    )
    by = {(r["speaker"], r["topic"]): r for r in out}
    # Putin's remark 'beforehand' is bounded above (by the summit's day) only.
    putin = by[("Vladimir Putin", "ukraine-war")]
    assert putin["first_from"] is None and putin["last_by"] == "2022-05-16"
    # A statement of unknown date leaves both bounds empty.
    gulevich = by[("Viktar Gulevich", "regional-security")]
    assert gulevich["first_from"] is None and gulevich["last_by"] is None


def test_a_misspelt_saved_query_name_says_did_you_mean(run, pkg_ro):
    result = run("query", "csto_vote_matrix", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "no saved query 'csto_vote_matrix'; did you mean 'csto_votes_matrix'?" in result.stderr
    assert "Parser Error" not in result.stderr


def test_a_wrong_param_name_lists_the_parameters_the_query_takes(run, pkg_ro):
    result = run("query", "speaker_at_meetings", "--param", "who=emily-ferris", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "--param who: the query takes $speaker" in result.stderr
    assert "mismatch" not in result.stderr


def test_the_table_format_cuts_wide_cells_and_says_so_csv_never_does(run, pkg_ro):
    sql = "SELECT statement_id, summary FROM statements WHERE length(summary) > 200 LIMIT 1"
    table = run("query", sql, "--package", pkg_ro)
    assert table.exit_code == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) < 200
    assert "cell(s) wider than 120 characters cut" in table.stderr
    whole = run("query", sql, "--package", pkg_ro, "--format", "csv")
    assert max(len(line) for line in whole.stdout.splitlines()) > 200
    assert "cut" not in whole.stderr


def test_a_delimited_list_gets_a_view_with_one_row_per_item(run, pkg):
    # LIKE '%nato%' would match this topic too; the view matches items exactly
    edit(pkg, "statements", ",poland;regional-security,", ",finland-sweden-nato;regional-security,")
    items = [
        (r["statement_id"], t)
        for r in csv_rows(pkg, "statements")
        if r["topics"]
        for t in r["topics"].split(";")
    ]
    result = run(
        "query", "SELECT statement_id, topic FROM statements_topics ORDER BY 1, 2",
        "--package", pkg, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [(r["statement_id"], r["topic"]) for r in rows(result)] == sorted(items)
    exact = run(
        "query", "SELECT count(*) AS n FROM statements_topics WHERE topic = 'nato-enlargement'",
        "--package", pkg, "--format", "json",
    )  # fmt: skip
    assert rows(exact) == [{"n": sum(1 for _, t in items if t == "nato-enlargement")}]
