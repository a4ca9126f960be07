"""Claims as schema.org ClaimReview: `export --format claimreview` writes one review per evidence
row, and each claim's page embeds its reviews (the browser test parses them as a reader's tools
would: test_site_browser.py)."""

from __future__ import annotations

import csv
import json
import re

import pytest

from toolkit.site.data import slug


def evidence_rows(pkg):
    with open(pkg / "data" / "claim_evidence.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_one_review_per_evidence_row(run, pkg_ro, tmp_path):
    out = tmp_path / "out"  # never the folder holding the package (store/outdir)
    result = run("export", "--format", "claimreview", "--out", out, "--package", pkg_ro)
    assert result.exit_code == 0, result.stderr
    target = out / "csto-alignment-claimreview.json"
    assert result.stdout.split() == [str(target)]
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["@context"] == "https://schema.org"
    reviews = doc["@graph"]
    evidence = {e["evidence_id"]: e for e in evidence_rows(pkg_ro)}
    assert sorted(r["identifier"] for r in reviews) == sorted(evidence)
    with open(pkg_ro / "data" / "claims.csv", encoding="utf-8") as fh:
        claims = {c["claim_id"]: c for c in csv.DictReader(fh)}
    descriptor = json.loads((pkg_ro / "datapackage.json").read_text(encoding="utf-8"))
    for r in reviews:
        e = evidence[r["identifier"]]
        claim = claims[e["claim_id"]]
        assert r["@type"] == "ClaimReview"
        assert r["claimReviewed"] == claim["claim"]
        assert r["itemReviewed"]["@type"] == "Claim"
        assert r["itemReviewed"]["author"]["name"]  # the claimant, by name
        assert r["itemReviewed"]["appearance"]["@type"] == "CreativeWork"
        assert r["reviewRating"]["alternateName"] == e["verdict"].replace("_", " ")
        assert r["reviewBody"] == e["explanation"]
        assert (
            r["url"] == f"claims/{slug(claim['claim_id'])}.html#evidence-{slug(e['evidence_id'])}"
        )
        page = r["citation"][0]["url"]
        if e["resolution_id"]:
            assert page == f"resolutions/{slug(e['resolution_id'])}.html"
        else:
            assert page == f"sources.html#source-{slug(e['source_id'])}"
        assert r["datePublished"] == descriptor["created"][:10]


def test_a_site_url_makes_the_addresses_absolute(run, pkg_ro, tmp_path):
    result = run(
        "export", "--format", "claimreview", "--out", tmp_path / "out", "--package", pkg_ro,
        "--site-url", "https://example.org/csto",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(
        (tmp_path / "out" / "csto-alignment-claimreview.json").read_text(encoding="utf-8")
    )
    assert all(r["url"].startswith("https://example.org/csto/claims/") for r in doc["@graph"])
    assert all(
        r["citation"][0]["url"].startswith("https://example.org/csto/") for r in doc["@graph"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "sqlite", "--site-url", "https://example.org/"], "claimreview only"),
        (["--format", "claimreview", "--site-url", "example.org"], "not an http(s) address"),
    ],
)
def test_a_site_url_out_of_place_is_a_usage_error(run, pkg_ro, tmp_path, args, message):
    result = run("export", *args, "--out", tmp_path / "out", "--package", pkg_ro)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_package_without_claims_has_no_reviews_to_export(run, pkg_without_claims, tmp_path):
    result = run(
        "export",
        "--format",
        "claimreview",
        "--out",
        tmp_path / "out",
        "--package",
        pkg_without_claims,
    )
    assert result.exit_code == 2 and "records no claims" in result.stderr


def test_each_claim_page_embeds_its_reviews_as_json_ld(pkg_ro, site_ro):
    evidence = evidence_rows(pkg_ro)
    with open(pkg_ro / "data" / "claims.csv", encoding="utf-8") as fh:
        claims = [c["claim_id"] for c in csv.DictReader(fh)]
    for cid in claims:
        html = (site_ro / "claims" / f"{slug(cid)}.html").read_text(encoding="utf-8")
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        reviews = [json.loads(s) for s in scripts]
        assert sorted(r["identifier"] for r in reviews) == sorted(
            e["evidence_id"] for e in evidence if e["claim_id"] == cid
        )
        for r in reviews:  # the review's address is its evidence's anchor on this very page
            assert r["url"].startswith(f"../claims/{slug(cid)}.html#evidence-")
            assert f'id="{r["url"].split("#")[1]}"' in html


def test_text_in_the_data_cannot_close_the_script_element(run, pkg, tmp_path):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    path = pkg / "data" / "claim_evidence.csv"
    text = path.read_text(encoding="utf-8")
    first = evidence_rows(pkg)[0]
    path.write_text(
        text.replace(first["explanation"], "Closes </script><script>alert(1)</script> & more", 1),
        encoding="utf-8",
    )
    assert run("site", "--out", tmp_path / "site", "--package", pkg).exit_code == 0
    html = (tmp_path / "site" / "claims" / f"{slug(first['claim_id'])}.html").read_text()
    head = html.split("</head>")[0]
    assert "alert(1)</script>" not in head and "\\u003c/script\\u003e" in head
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    bodies = [json.loads(s)["reviewBody"] for s in scripts]
    assert "Closes </script><script>alert(1)</script> & more" in bodies
