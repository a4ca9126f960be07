"""`site`: a page per record with every field, claims only where the package has them, nothing
loaded from the network, and an invalid package refused. (The browser tests: test_site_browser.py.)"""

from __future__ import annotations

import csv
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from toolkit.cli.commands import main
from toolkit.package.tableschema import load_package
from toolkit.site.charts import timeline_rows
from toolkit.site.data import read_site_data, slug

pytest.importorskip("altair", reason="the site needs the 'site' extra")

VENDOR = ROOT / "toolkit" / "site" / "vendor"


def rows(pkg: Path, name: str) -> list[dict[str, str]]:
    with open(pkg / "data" / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The site of the repository's package, built once for the read-only tests."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--package", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    return out


class Assets(HTMLParser):
    """The addresses a page loads (scripts, stylesheets, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])


def test_a_page_for_every_meeting_statement_exercise_and_resolution(built):
    pkg = ROOT
    for name, folder, key in (
        ("meetings", "meetings", "meeting_id"),
        ("statements", "statements", "statement_id"),
        ("military_exercises", "exercises", "exercise_id"),
        ("un_resolutions", "resolutions", "resolution_id"),
    ):
        expected = {f"{slug(r[key])}.html" for r in rows(pkg, name)}
        assert {p.name for p in (built / folder).glob("*.html")} == expected, name
    for page in ("index", "vote-matrix", "timeline", "codebook", "licence", "cite", "sources"):
        assert (built / f"{page}.html").exists(), page


def test_a_record_page_shows_every_field_its_source_and_excerpt(built):
    pkg = ROOT
    statement = next(
        r
        for r in rows(pkg, "statements")
        if r["statement_id"] == "ferris-most-csto-members-abstained"
    )
    html = (built / "statements" / "ferris-most-csto-members-abstained.html").read_text()
    fields = re.findall(r'<th scope="row"><code>([a-z_0-9]+)</code>', html)
    assert fields == list(statement)  # every field, in the schema's order
    assert "some time on or after 2022-05-23 (the source gives no upper bound)" in html
    assert "Lukashenko Says What Putin Thinks" in html  # the source's title
    excerpt = statement["source_excerpt"].replace("’", "’")
    assert excerpt.split(",")[0] in html


def test_a_resolution_page_anchors_each_vote_with_its_source(built):
    pkg = ROOT
    html = (built / "resolutions" / "a-res-es-11-3.html").read_text()
    votes = [r for r in rows(pkg, "un_votes") if r["resolution_id"] == "A/RES/ES-11/3"]
    for v in votes:
        row = re.search(rf'<tr id="vote-{v["country_iso3"]}">(.*?)</tr>', html, re.S)
        assert row, v
        assert f"vote-{v['vote']}" in row.group(1)
        assert f"sources.html#source-{v['source_id']}" in row.group(1)


def test_without_claims_resources_the_site_has_no_claims(run, pkg_without_claims, tmp_path):
    assert run("site", "--out", tmp_path / "s", "--package", pkg_without_claims).exit_code == 0
    site = tmp_path / "s"
    assert not (site / "claims.html").exists()
    assert "claims.html" not in (site / "index.html").read_text()
    assert (
        "Claims"
        not in (site / "statements" / "ferris-most-csto-members-abstained.html").read_text()
    )


def test_claims_and_their_verdicts_appear_where_they_belong(built):
    claims = {c["claim_id"]: c for c in rows(ROOT, "claims")}
    evidence = rows(ROOT, "claim_evidence")
    statement = (built / "statements" / "ferris-most-csto-members-abstained.html").read_text()
    assert claims["ferris-most-csto-members-abstained"]["claim"].replace("'", "&#39;") in statement
    assert "✔ supported" in statement and "✘ contradicted" in statement
    on_es_11_3 = [e for e in evidence if e["resolution_id"] == "A/RES/ES-11/3"]
    resolution = (built / "resolutions" / "a-res-es-11-3.html").read_text()
    assert on_es_11_3 and all(e["explanation"] in resolution for e in on_es_11_3)
    listing = (built / "claims.html").read_text()
    assert all(f"claim-{cid}" in listing for cid in claims)
    claimed = {c["statement_id"] for c in claims.values()}
    unclaimed = next(
        s["statement_id"] for s in rows(ROOT, "statements") if s["statement_id"] not in claimed
    )
    other = (built / "statements" / f"{unclaimed}.html").read_text()
    assert "No claim in the data is linked to this statement." in other


def test_no_page_loads_anything_from_the_network(built):
    pages = list(built.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        parser = Assets()
        parser.feed(page.read_text())
        for address in parser.loads:
            assert not re.match(r"^([a-z]+:)?//", address), f"{page.name} loads {address}"
            assert (page.parent / address).resolve().is_file(), f"{page.name}: {address}"


def test_cite_page_names_the_version_shown(built):
    from toolkit.release.record import release_status

    # A release's version, or what the data is ("0.4.0 + unreleased changes").
    version = release_status(load_package(ROOT)).label
    cite = (built / "cite.html").read_text()
    assert f"(version {version}) [Data set]" in cite


def test_timeline_draws_open_bounds_to_the_edge_and_skips_undated_rows(pkg):
    data = read_site_data(load_package(pkg))
    drawn = {r["id"]: r for r in timeline_rows(data)}
    assessment = drawn["ferris-most-csto-members-abstained"]  # within, no upper bound
    assert assessment["open_end"] and not assessment["open_start"]
    assert assessment["end"] == max(r["end"] for r in drawn.values())
    assert "putin-will-observe-nato-integration" not in drawn  # unknown: listed, not drawn
    meeting = drawn["lukashenko-military-leadership-2022-05"]  # within, by 2022-05-10
    assert meeting["open_start"] and not meeting["open_end"] and meeting["end"] == "2022-05-10"
    assert "gulevich-nato-threat-prompted-decisions" not in drawn  # unknown: listed, not drawn
    statements = pkg / "data" / "statements.csv"
    text = statements.read_text().replace(
        "lukashenko-war-dragging-on,alexander-lukashenko,2022-05-05,2022-05-05,day,",
        "lukashenko-war-dragging-on,alexander-lukashenko,2022-05-01,2022-05-10,within,",
    )
    statements.write_text(text)
    drawn = {r["id"]: r for r in timeline_rows(read_site_data(load_package(pkg)))}
    war = drawn["lukashenko-war-dragging-on"]  # within 2022-05-01 .. 2022-05-10
    assert (war["start"], war["end"], war["drawn"]) == (
        "2022-05-01",
        "2022-05-10",
        "somewhere within",
    )


def test_invalid_package_is_refused_and_the_old_site_kept(run, pkg, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the previous site")
    statements = pkg / "data" / "statements.csv"
    statements.write_text(
        statements.read_text().replace("2022-05-23,2022-05-23", "23/05/2022,2022-05-23", 1)
    )
    result = run("site", "--out", out, "--package", pkg)
    assert result.exit_code == 1
    assert "23/05/2022" in result.stderr and "nothing was written" in result.stderr
    assert (out / "index.html").read_text() == "the previous site"


def test_a_new_build_replaces_the_old_site_whole(run, pkg, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("a page of an older build")
    assert run("site", "--out", out, "--package", pkg).exit_code == 0
    assert not (out / "stale.html").exists() and (out / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "site"]  # no staging left


def test_vendored_javascript_is_what_altair_writes_for(built):
    import altair as alt

    head = (VENDOR / "vega-lite.min.js").read_text()[:100_000]
    assert f'"{alt.VEGALITE_VERSION}"' in head or f"'{alt.VEGALITE_VERSION}'" in head
    assert alt.VEGA_VERSION.split(".")[0] == "6" and alt.VEGAEMBED_VERSION.split(".")[0] == "7"
    for name in ("vega", "vega-lite", "vega-embed"):
        assert (built / "assets" / "vendor" / f"{name}.min.js").exists()
        assert (built / "assets" / "vendor" / f"LICENSE-{name}.txt").exists()


def test_without_the_site_extra_the_command_says_what_to_install(run, pkg, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "altair", None)  # as if the extra were not installed
    result = run("site", "--out", tmp_path / "site", "--package", pkg)
    assert result.exit_code == 2
    assert "'site' extra" in result.stderr and "pip install" in result.stderr
    assert not (tmp_path / "site").exists()
    release = run("release", "--site", "--package", pkg)
    assert release.exit_code == 2 and "'site' extra" in release.stderr
