"""The released data itself: checks beyond what the Table Schemas can say."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import ROOT, SHARED_SOURCES

from toolkit.package.tableschema import load_package

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


def test_rows_citing_a_document_carry_its_words():
    """Every row quotes what it cites (its source, and the record of a date or place taken from
    elsewhere); only rows generated from a registry go without."""
    registry = {s["source_id"] for s in rows("sources") if s["source_type"] == "registry"}
    missing = []
    for name, res in PACKAGE.resources.items():
        for prefix in ("", "date_", "location_"):
            sid, ex = f"{prefix}source_id", f"{prefix}source_excerpt"
            if sid in res.field_names and ex in res.field_names:
                missing += [
                    (name, line, sid)
                    for line, r in enumerate(rows(name), start=2)
                    if r[sid] and r[sid] not in registry and not r[ex]
                ]
    assert missing == []


def test_every_page_cited_has_an_address_and_registries_are_named():
    for s in rows("sources"):
        if s["source_type"] == "registry":
            assert "ISO 3166" in s["identifier"], s["source_id"]
        else:
            assert s["url"].startswith(("http://", "https://")), s["source_id"]


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


def test_every_csto_member_votes_on_every_resolution_or_the_gap_is_explained():
    votes = {(v["resolution_id"], v["country_iso3"]) for v in rows("un_votes")}
    for res in rows("un_resolutions"):
        missing = CSTO - {c for r, c in votes if r == res["resolution_id"]}
        for code in missing:
            assert code in res["notes"] and "No page read names the vote" in res["notes"], (
                res["resolution_id"],
                code,
            )


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
    # Armenia did not vote on suspending Russia from the Human Rights Council: not an abstention.
    assert votes[("A/RES/ES-11/3", "ARM")] == "non_voting"


def test_vague_dates_are_not_made_precise():
    """A row the commentary dates 'early May' is bounded by 1-10 May unless another cited record
    gives the day."""
    seen = 0
    for name in ("meetings", "statements", "military_exercises"):
        for r in rows(name):
            if "early May" not in r["source_excerpt"]:
                continue
            seen += 1
            if r.get("date_source_id"):
                continue
            assert r["date_precision"] == "within", (name, r)
            assert r["date_start"] in ("", "2022-05-01"), (name, r)
            assert r["date_end"] in ("", "2022-05-10"), (name, r)
    assert seen >= 2


def test_claims_quote_the_commentary_and_evidence_is_another_source():
    claims = {c["claim_id"]: c for c in rows("claims")}
    for e in rows("claim_evidence"):
        assert e["source_id"] != claims[e["claim_id"]]["source_id"], e["evidence_id"]
    verdicts = {e["verdict"] for e in rows("claim_evidence")}
    assert verdicts <= {
        "supported",
        "partly_supported",
        "contradicted",
        "inconclusive",
        "out_of_scope",
    }


def test_a_value_cited_in_statement_sources_is_the_statements_value():
    """A row of statement_sources cites a value the statement row holds (a topic of its topics), from a
    source other than the row's own, with a quote's words in the excerpt."""
    statements = {s["statement_id"]: s for s in rows("statements")}
    seen = 0
    for c in rows("statement_sources"):
        seen += 1
        s = statements[c["statement_id"]]
        assert c["source_id"] != s["source_id"], c
        if c["field"] == "topics":
            assert set(c["value"].split(";")) <= set(s["topics"].split(";")), c
        else:
            assert c["value"] == s[c["field"]], c
        if c["field"] == "quote":
            assert c["value"] in c["source_excerpt"], c
    assert seen, "statement_sources is empty"


def test_the_toolkit_finds_the_package_valid(run):
    result = run("validate", ROOT, "--format", "json")
    assert result.exit_code == 0, result.stdout
