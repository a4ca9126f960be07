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
from helpers import FIXTURES, ROOT, edit

from toolkit.cli.commands import main
from toolkit.package.tableschema import load_package
from toolkit.site.charts import timeline_rows
from toolkit.site.data import read_site_data, slug

pytest.importorskip("altair", reason="the site needs the 'site' extra")

VENDOR = ROOT / "toolkit" / "site" / "vendor"


def rows(pkg: Path, name: str) -> list[dict[str, str]]:
    with open(pkg / "data" / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def built(site_ro) -> Path:
    """The site of the repository's package (of its shared copy), built once for the read-only
    tests."""
    return site_ro


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
        r for r in rows(pkg, "statements") if r["statement_id"] == "putin-ukraine-on-csto-agenda"
    )
    html = (built / "statements" / "putin-ukraine-on-csto-agenda.html").read_text()
    fields = re.findall(r'<th scope="row"><code>([a-z_0-9]+)</code>', html)
    assert fields == list(statement)  # every field, in the schema's order
    assert "some time on or before 2022-05-16 (the source gives no lower bound)" in html
    assert "Lukashenko Says What Putin Thinks" in html  # the source's title
    excerpt = statement["source_excerpt"].replace("’", "’")
    assert excerpt.split(",")[0] in html


def test_a_statement_page_cites_the_report_that_states_a_value_beside_it(built):
    """Each statement_sources row shows in its field's row of the statement page: the excerpt
    verbatim (escaped) and the source linked to its anchor, its title and its web address."""
    from markupsafe import escape  # as the templates escape

    cited = rows(ROOT, "statement_sources")
    sources = {s["source_id"]: s for s in rows(ROOT, "sources")}
    statements = {s["statement_id"]: s for s in rows(ROOT, "statements")}
    assert cited
    for c in cited:
        assert c["source_id"] != statements[c["statement_id"]]["source_id"], c
        html = (built / "statements" / f"{slug(c['statement_id'])}.html").read_text()
        field = re.search(
            rf'<th scope="row"><code>{c["field"]}</code></th><td>(.*?)</td><td class="meaning">',
            html,
            re.S,
        )
        assert field, c
        box = re.search(
            rf'id="value-source-{c["field"]}-{c["source_id"]}">(.*?)</div>\s*</div>',
            field.group(1),
            re.S,
        )
        assert box, c
        source = sources[c["source_id"]]
        assert f'href="../sources.html#source-{c["source_id"]}">' in box.group(1)
        assert escape(source["title"]) in box.group(1)
        if source["url"]:
            assert f'href="{escape(source["url"])}"' in box.group(1)
        if c["source_excerpt"]:
            excerpt = f'<blockquote class="excerpt">{escape(c["source_excerpt"])}<'
            assert excerpt in box.group(1), c
    uncited = next(s for s in statements if s not in {c["statement_id"] for c in cited})
    assert "value-source-" not in (built / "statements" / f"{slug(uncited)}.html").read_text()


def test_a_value_source_is_escaped_and_says_which_value_its_words_state(run, pkg, tmp_path):
    """An excerpt with markup is shown as text, and words that state only some of the topics say
    which."""
    from markupsafe import escape

    cited = rows(pkg, "statement_sources")
    statements = {s["statement_id"]: s for s in rows(pkg, "statements")}
    target = next(s for s in statements.values() if ";" in s["topics"])
    other = next(
        s["source_id"] for s in rows(pkg, "sources") if s["source_id"] != target["source_id"]
    )
    first_topic = target["topics"].split(";")[0]
    with open(pkg / "data" / "statement_sources.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            [target["statement_id"], "topics", first_topic, other, "<b>markup</b> & words"]
        )
    assert not any(
        (c["statement_id"], c["field"], c["source_id"]) == (target["statement_id"], "topics", other)
        for c in cited
    )
    result = run("site", "--out", tmp_path / "s", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "s" / "statements" / f"{slug(target['statement_id'])}.html").read_text()
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; words" in html and "<b>markup</b>" not in html
    assert f"(its words state <code>{escape(first_topic)}</code>)" in html


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
    version = load_package(ROOT).version  # the release cited, with a note if the data differs
    cite = (built / "cite.html").read_text()
    assert f"(version {version}) [Data set]" in cite


def test_timeline_draws_open_bounds_to_the_edge_and_skips_undated_rows(pkg):
    data = read_site_data(load_package(pkg))
    drawn = {r["id"]: r for r in timeline_rows(data)}
    exercise = drawn["belarus-snap-exercises-2022-05"]  # within, from 2022-05-01, no upper bound
    assert exercise["open_end"] and not exercise["open_start"]
    assert exercise["end"] == max(r["end"] for r in drawn.values())
    assert "putin-will-observe-nato-integration" not in drawn  # unknown: listed, not drawn
    assert "ferris-most-csto-members-abstained" not in drawn  # undated assessment: not drawn
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
    (out / ".csto-alignment-output").write_text("a site built before")
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
    (out / ".csto-alignment-output").write_text("an older build")
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


# A language's placeholder for an empty value where a reader expects words: Python's None (but not
# "None of ..." in a sentence), and JavaScript's or pandas' null, undefined, NaN, NaT, <NA> and
# true/false spellings standing for a whole value.
PLACEHOLDER = re.compile(r"\bNone\b(?!\s+[a-z])")
WHOLE_PLACEHOLDER = re.compile(r"^\s*(null|undefined|NaN|nan|NaT|<NA>|True|False)\s*$")


class Text(HTMLParser):
    """The text a reader sees (outside <script> and <style>) and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.texts += [v for k, v in attrs if k in ("title", "alt", "aria-label") and v]

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.texts.append(data)


def placeholders(html: str) -> list[str]:
    parser = Text()
    parser.feed(html)
    return [
        t.strip()[:120] for t in parser.texts if PLACEHOLDER.search(t) or WHOLE_PLACEHOLDER.match(t)
    ]


def test_no_page_shows_a_placeholder_for_an_empty_value(built):
    pages = list(built.rglob("*.html"))
    assert len(pages) > 40
    found = {p.relative_to(built).as_posix(): placeholders(p.read_text()) for p in pages}
    assert {page: texts for page, texts in found.items() if texts} == {}
    sources = (built / "sources.html").read_text()
    assert "publication date not recorded" in sources  # said in words where a source has none


def test_the_placeholder_check_finds_what_it_looks_for():
    assert placeholders("<p>Emily Ferris, None)</p><td>null</td><p>None of them</p>") == [
        "Emily Ferris, None)",
        "null",
    ]
    assert placeholders("<script>var x = null; if (x === None) {}</script>") == []


def test_vendored_sql_js_is_the_recorded_file():
    import hashlib

    from toolkit.site.console import SQL_JS

    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name, digest in SQL_JS.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
        assert f"| {name} |" in readme and digest in readme, name
    assert (VENDOR / "LICENSE-sql.js.txt").read_text().startswith("MIT license")


def test_the_console_page_ships_its_database_and_engine(built):
    import base64
    import sqlite3

    page = (built / "console.html").read_text(encoding="utf-8")
    for asset in ("assets/vendor/sql-wasm.js", "assets/sql-wasm-binary.js",
                  "assets/csto-alignment.sqlite.js", "assets/console.js"):  # fmt: skip
        assert f'src="{asset}"' in page and (built / asset).is_file(), asset
    script = (built / "assets" / "csto-alignment.sqlite.js").read_text(encoding="ascii")
    data = base64.b64decode(script.split('"')[1])
    assert data == (built / "csto-alignment.sqlite").read_bytes()
    con = sqlite3.connect(built / "csto-alignment.sqlite")
    assert con.execute("SELECT count(*) FROM statements_topics").fetchone()[0] > 0
    con.close()
    assert not list(built.rglob("*.wasm"))  # the engine travels as base64 JavaScript
    for other in ("index.html", "vote-matrix.html"):  # only the console loads SQLite
        assert "sql-wasm" not in (built / other).read_text(encoding="utf-8")


def _as_released(pkg: Path) -> Path:
    """The package copy as a release leaves it: the record of its files under releases/."""
    from toolkit.release.record import make_record, record_json, record_path

    package = load_package(pkg)
    record = make_record(package, package.version, "2026-11-29T00:00:00Z")
    record_path(pkg, package.version).write_text(record_json(record), encoding="utf-8")
    return pkg


def test_the_version_shown_is_the_release_only_for_the_released_data(pkg):
    from toolkit.site.version import version_label

    version = load_package(pkg).version
    released = _as_released(pkg)
    assert version_label(load_package(released)) == version
    statement = FIXTURES / "good_statement.csv"  # a row merged by `add` since the release
    result = CliRunner().invoke(
        main, ["add", str(statement), "-r", "statements", "--package", str(pkg)]
    )
    assert result.exit_code == 0, result.stderr
    assert version_label(load_package(released)) == f"{version} + unreleased changes"
    _as_released(pkg)
    edit(pkg, "sources", "Al Jazeera", "Al Jazeera English")  # a hand edit: the hash differs
    assert version_label(load_package(pkg)) == f"{version} + unreleased changes"


@pytest.mark.slow
def test_the_header_says_when_the_site_shows_unreleased_data(run, pkg, tmp_path):
    version = load_package(pkg).version
    assert run("site", "--out", tmp_path / "a", "--package", _as_released(pkg)).exit_code == 0
    page = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    assert f'<span class="version">version {version}</span>' in page
    merged = run("add", FIXTURES / "good_statement.csv", "-r", "statements", "--package", pkg)
    assert merged.exit_code == 0, merged.stderr  # a row merged by `add` since the release
    result = run("site", "--out", tmp_path / "b", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    for name in ("index.html", "cite.html", "statements/putin-csto-summit-speech.html"):
        page = (tmp_path / "b" / name).read_text(encoding="utf-8")
        assert f"version {version} + unreleased changes" in page, name
    cite = (tmp_path / "b" / "cite.html").read_text(encoding="utf-8")
    assert f"Its data differs from release {version}" in cite


def test_the_codebook_lists_the_organisation_ids_a_query_needs(built):
    with open(ROOT / "data" / "actors.csv", encoding="utf-8") as fh:
        organisations = [a for a in csv.DictReader(fh) if a["actor_type"] == "organisation"]
    page = (built / "codebook.html").read_text(encoding="utf-8")
    listed = re.search(r'id="ids-memberships-organisation_id">(.*?)</span>', page, re.S)
    assert listed and organisations
    assert set(re.findall(r"<code>([^<]+)</code>", listed.group(1))) == {"organisation"} | {
        a["actor_id"] for a in organisations
    }
    assert "<code>csto</code>" in listed.group(1)  # the id the saved queries use
