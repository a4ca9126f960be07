"""The saved queries that compare votes, on a fixture package whose roll calls are made up.

`votes_package` replaces the resolutions and votes of a package copy without claims with three test
resolutions (the 193 members and the CSTO memberships stay): T/1 has a complete roll call; T/2 a
partial one whose list on Russia's side is as long as its tally; T/3 a partial one whose list is
not. The counts
below are those of the fixture, never of the real data. Each query also runs on SQLite (the
Datasette export), as its header promises portable SQL.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from toolkit.package.tableschema import load_package
from toolkit.rollcall.membership import un_members_on

EXCERPT = "made-up roll call for a test"
VOTE_COLUMNS = [
    "resolution_id", "country_iso3", "vote", "source_id", "source_excerpt",
    "intended_vote", "intended_vote_source_id", "intended_vote_source_excerpt",
]  # fmt: skip


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture
def votes_package(pkg_without_claims: Path) -> Path:
    from datetime import date

    pkg = pkg_without_claims

    members = sorted(un_members_on(load_package(pkg), date(2022, 3, 2)))
    assert len(members) == 193
    res_path = pkg / "data" / "un_resolutions.csv"
    header = res_path.read_text(encoding="utf-8").splitlines()[0].split(",")
    blank = dict.fromkeys(header, "")

    def resolution(rid: str, day: str, yes: int, no: int, abstain: int, non_voting: int):
        row = {**blank, "resolution_id": rid, "body": "General Assembly", "session": "ES-11",
               "title": f"Test {rid}", "date": day, "yes": yes, "no": no, "abstain": abstain,
               "non_voting": non_voting, "source_id": "tass-es-11-3",
               "source_excerpt": EXCERPT}  # fmt: skip
        return [str(row[h]) for h in header]

    _write(res_path, [header,
        resolution("A/RES/T/1", "2022-03-02", 189, 2, 1, 1),
        resolution("A/RES/T/2", "2022-03-03", 150, 2, 30, 11),
        resolution("A/RES/T/3", "2022-03-04", 150, 5, 30, 8),
    ])  # fmt: skip

    def vote(rid: str, code: str, v: str, **extra: str) -> list[str]:
        row = {**dict.fromkeys(VOTE_COLUMNS, ""), "resolution_id": rid, "country_iso3": code,
               "vote": v, "source_id": "tass-es-11-3", "source_excerpt": EXCERPT, **extra}  # fmt: skip
        return [row[c] for c in VOTE_COLUMNS]

    special = {"RUS": "no", "BLR": "no", "KAZ": "abstain", "ARM": "non_voting"}
    votes = [vote("A/RES/T/1", c, special.get(c, "yes")) for c in members]
    votes += [
        vote("A/RES/T/2", c, v) for c, v in (("RUS", "no"), ("BLR", "no"), ("KAZ", "abstain"))
    ]
    votes += [vote("A/RES/T/3", c, "no") for c in ("RUS", "BLR")]
    _write(pkg / "data" / "un_votes.csv", [VOTE_COLUMNS, *sorted(votes)])
    return pkg


def query(run, pkg: Path, name: str, *params: str) -> list[dict]:
    args = [f"--param={p}" for p in params]
    result = run("query", name, *args, "--package", pkg, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def on_sqlite(run, pkg: Path, tmp_path: Path, name: str, params: dict | None = None) -> list[tuple]:
    out = tmp_path / "sqlite"
    assert run("export", "--format", "sqlite", "--out", out, "--package", pkg).exit_code == 0
    con = sqlite3.connect(out / "csto-alignment.sqlite")
    sql = (pkg / "queries" / f"{name}.sql").read_text(encoding="utf-8")
    return list(con.execute(sql, params or {}))


def test_completeness_is_derived_from_the_rows(run, votes_package, tmp_path):
    out = {r["resolution_id"]: r for r in query(run, votes_package, "roll_call_completeness")}
    assert {k: r["roll_call"] for k, r in out.items()} == {
        "A/RES/T/1": "complete", "A/RES/T/2": "partial", "A/RES/T/3": "partial",
    }  # fmt: skip
    t1 = out["A/RES/T/1"]
    assert (t1["yes"], t1["no"], t1["abstain"], t1["non_voting"]) == (189, 2, 1, 1)
    assert t1["members"] == 193 and t1["members_without_vote"] == 0
    assert out["A/RES/T/2"]["members_without_vote"] == 190
    assert out["A/RES/T/3"]["no"] == 2 and out["A/RES/T/3"]["no_official"] == 5
    lite = on_sqlite(run, votes_package, tmp_path, "roll_call_completeness")
    assert [(r[0], r[2]) for r in lite] == [(k, out[k]["roll_call"]) for k in out]


def test_a_roll_call_one_vote_short_is_partial(run, votes_package):
    path = votes_package / "data" / "un_votes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(ln for ln in lines if not ln.startswith("A/RES/T/1,USA,")) + "\n",
        encoding="utf-8",
    )
    out = {r["resolution_id"]: r for r in query(run, votes_package, "roll_call_completeness")}
    assert out["A/RES/T/1"]["roll_call"] == "partial"
    assert out["A/RES/T/1"]["yes"] == 188 and out["A/RES/T/1"]["members_without_vote"] == 1


def test_agreement_counts_complete_roll_calls_and_says_where_it_rests_on_partial_ones(
    run, votes_package, tmp_path
):
    out = {
        r["country_iso3"]: r for r in query(run, votes_package, "agreement_with_russia", "top=500")
    }
    assert len(out) == 192  # every member but Russia
    # T/1 (complete) and T/2 (Russia's side in full) count; T/3 (three votes against missing) not.
    assert {r["resolutions"] for r in out.values()} == {2}
    assert {r["partial"] for r in out.values()} == {1}
    blr, kaz, usa = out["BLR"], out["KAZ"], out["USA"]
    assert (blr["with_russia"], blr["agreement_pct"], blr["abstained"]) == (2, 100.0, 0)
    # KAZ abstained on both; only T/1's abstention is known from a complete roll call.
    assert (kaz["with_russia"], kaz["agreement_pct"], kaz["abstained"]) == (0, 0.0, 1)
    assert (usa["with_russia"], usa["abstained"]) == (0, 0)
    top = query(run, votes_package, "agreement_with_russia")
    assert len(top) == 20 and top[0]["country_iso3"] == "BLR"
    lite = on_sqlite(run, votes_package, tmp_path, "agreement_with_russia", {"top": 3})
    assert [r[0] for r in lite] == [r["country_iso3"] for r in top[:3]]


def test_divergence_says_whether_the_roll_call_is_complete(run, votes_package, tmp_path):
    out = query(run, votes_package, "votes_diverging_from_russia")
    got = [(r["resolution_id"], r["country_iso3"], r["member_vote"], r["roll_call"]) for r in out]
    assert got == [
        ("A/RES/T/1", "ARM", "non_voting", "complete"),
        ("A/RES/T/1", "KAZ", "abstain", "complete"),
        ("A/RES/T/1", "KGZ", "yes", "complete"),
        ("A/RES/T/1", "TJK", "yes", "complete"),
        ("A/RES/T/2", "KAZ", "abstain", "partial"),
    ]
    assert len(on_sqlite(run, votes_package, tmp_path, "votes_diverging_from_russia")) == 5


def test_queries_use_the_recorded_vote_not_the_intended_one(run, votes_package):
    path = votes_package / "data" / "un_votes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for r in rows:
        if r[:2] == ["A/RES/T/1", "BLR"]:  # recorded no, said to be meant as an abstention
            r[5:8] = ["abstain", "tass-es-11-3", EXCERPT]
    _write(path, rows)
    assert run("validate", votes_package).exit_code == 0
    out = {
        r["country_iso3"]: r for r in query(run, votes_package, "agreement_with_russia", "top=500")
    }
    assert out["BLR"]["with_russia"] == 2


def test_an_intended_vote_needs_its_source_and_differs_from_the_recorded_one(run, votes_package):
    path = votes_package / "data" / "un_votes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for r in rows:
        if r[:2] == ["A/RES/T/1", "BLR"]:
            r[5:8] = ["abstain", "", ""]  # no source
        if r[:2] == ["A/RES/T/1", "RUS"]:
            r[5:8] = ["no", "tass-es-11-3", EXCERPT]  # the recorded vote itself
    _write(path, rows)
    result = run("validate", votes_package, "--format", "json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    found = sorted((e["code"], e["message"].split(": ")[-1]) for e in errors)
    assert found == [
        ("intended-vote-unsourced", "intended_vote abstain has no intended_vote_source_id"),
        ("intended-vote-unsourced", "intended_vote no is the recorded vote itself"),
    ]
