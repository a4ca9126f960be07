"""The released data itself: checks beyond what the Table Schemas can say."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import ROOT, SHARED_SOURCES

from toolkit.tableschema import load_package

PACKAGE = load_package(ROOT)
CSTO = {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
NO_SOURCE_TEXT = "the commentary's text (../shared/sources/) is not on this machine"


def rows(name: str) -> list[dict[str, str]]:
    with (ROOT / PACKAGE.resource(name).path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def commentary_ids() -> set[str]:
    return {s["source_id"] for s in rows("sources") if s["source_type"] == "commentary"}


def cited_rows():
    for name, res in PACKAGE.resources.items():
        if "source_excerpt" in res.field_names:
            for i, r in enumerate(rows(name), start=2):
                yield name, i, r


def test_official_validator_passes():
    exe = Path(sys.executable).with_name("frictionless")
    out = subprocess.run(
        [str(exe), "validate", "--json", str(ROOT / "datapackage.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout[-2000:]
    assert '"valid": true' in out.stdout


def test_rows_citing_the_commentary_carry_an_excerpt():
    ids = commentary_ids()
    missing = [
        (n, line)
        for n, line, r in cited_rows()
        if r["source_id"] in ids and not r["source_excerpt"]
    ]
    assert missing == []


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason=NO_SOURCE_TEXT)
def test_every_excerpt_occurs_in_its_source():
    checked = 0
    for name, line, r in cited_rows():
        text_file = SHARED_SOURCES / f"{r['source_id']}.txt"
        if r["source_excerpt"] and text_file.exists():
            assert r["source_excerpt"] in text_file.read_text(encoding="utf-8"), (
                f"{name} line {line}"
            )
            checked += 1
    assert checked >= 50  # the commentary backs most rows; a rename of its file would zero this


def test_excerpts_are_short():
    assert all(len(r["source_excerpt"]) <= 300 for _, _, r in cited_rows())


@pytest.mark.parametrize("name", ["meetings", "statements", "military_exercises", "memberships"])
def test_date_end_not_before_date_start(name):
    bad = [
        r
        for r in rows(name)
        if r["date_start"] and r["date_end"] and r["date_end"] < r["date_start"]
    ]
    assert bad == []


def test_every_csto_member_votes_on_every_resolution():
    votes = {(v["resolution_id"], v["country_iso3"]) for v in rows("un_votes")}
    for res in rows("un_resolutions"):
        assert {c for r, c in votes if r == res["resolution_id"]} >= CSTO


def test_votes_agree_with_tallies():
    counts = Counter((v["resolution_id"], v["vote"]) for v in rows("un_votes"))
    for res in rows("un_resolutions"):
        rid = res["resolution_id"]
        for vote in ("yes", "no", "abstain"):
            assert counts[(rid, vote)] <= int(res[vote]), (rid, vote)
        total = sum(n for (r, _), n in counts.items() if r == rid)
        official = sum(int(res[k]) for k in ("yes", "no", "abstain", "non_voting"))
        if total == official:  # complete roll call: counts must equal the tallies
            assert all(counts[(rid, k)] == int(res[k]) for k in ("yes", "no", "abstain"))


def test_tallies_add_up_to_the_membership():
    for res in rows("un_resolutions"):
        assert sum(int(res[k]) for k in ("yes", "no", "abstain", "non_voting")) == 193


def test_no_dangling_in_response_to():
    ids = {s["statement_id"] for s in rows("statements")}
    assert all(s["in_response_to"] in ids for s in rows("statements") if s["in_response_to"])


def test_known_votes_of_the_csto_members():
    votes = {(v["resolution_id"], v["country_iso3"]): v["vote"] for v in rows("un_votes")}
    assert votes[("A/RES/ES-11/1", "RUS")] == "no"
    assert votes[("A/RES/ES-11/1", "KAZ")] == "abstain"
    assert votes[("A/RES/ES-11/3", "KAZ")] == "no"
    assert votes[("A/RES/ES-11/3", "ARM")] == "abstain"


def test_vague_dates_are_not_made_precise():
    by_id = {s["statement_id"]: s for s in rows("statements")}
    early_may = by_id["lukashenko-war-dragging-on"]
    assert early_may["date_precision"] != "day"
    assert early_may["date_start"] != early_may["date_end"]


def test_the_toolkit_finds_the_package_valid(run):
    result = run("validate", ROOT, "--format", "json")
    assert result.exit_code == 0, result.stdout
