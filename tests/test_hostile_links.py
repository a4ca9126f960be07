"""Links are http(s) only, and nothing a contributor writes can break out of a page's markup:
`javascript:` addresses are refused by check/add/validate and never made links, embedded chart
JSON escapes <, > and &, formulas hide behind no blank, and a long unbroken value wraps."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES, codes, edit

from toolkit.package.tableschema import load_package

HOSTILE_URLS = [
    "javascript://x%0Aalert(1)",
    "JavaScript://x%0Aalert(1)",
    "data://text/html,<script>alert(1)</script>",
    "vbscript://x",
    "ftp://example.org/x",
]


def source_row(pkg: Path, url: str) -> str:
    """A sources CSV of one row whose url is `url`, in the package's columns."""
    with open(pkg / "data/sources.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    row = {
        "source_id": "x-2022",
        "title": "A page",
        "publisher": "Someone",
        "published": "2022-05-01",
        "url": url,
        "accessed": "2026-01-01",
        "source_type": "news_report",
        "notes": "A note.",
    }
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerow([row.get(h, "") for h in header])
    return out.getvalue()


# 4. `javascript:` URLs pass check/add/validate and run when clicked on the site
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("command", ["check", "add"])
def test_a_url_that_is_not_http_is_refused(run, pkg, tmp_path, url, command):
    f = tmp_path / "source.csv"
    f.write_text(source_row(pkg, url), encoding="utf-8")
    before = (pkg / "data/sources.csv").read_bytes()
    result = run(command, f, "-r", "sources", "--package", pkg, "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == ["unsafe-url"]
    assert "is not an http(s) address" in result.stdout
    assert (pkg / "data/sources.csv").read_bytes() == before


def test_validate_refuses_a_url_that_is_not_http(run, pkg):
    edit(pkg, "sources", "https://www.aljazeera.com/news/2023/2/24/", "javascript://x%0Aalert(1)/")
    result = run("validate", pkg, "--format", "json")
    assert result.exit_code == 1 and codes(result) == ["unsafe-url"]


@pytest.mark.parametrize("path", ["javascript:alert(1)", "data:text/html,x", " https://x.org"])
@pytest.mark.parametrize("key", ["licenses", "sources"])
def test_a_licence_or_source_path_that_is_not_http_is_refused(run, pkg, tmp_path, path, key):
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d[key][0]["path"] = path
    p.write_text(json.dumps(d), encoding="utf-8")
    for args in (["validate", pkg], ["site", "--out", tmp_path / "site", "--package", pkg]):
        result = run(*args)
        assert result.exit_code == 1
        assert f"{key}[0].path" in result.stderr and "[unsafe-url]" in result.stderr
    assert not (tmp_path / "site").exists()


def links(folder: Path) -> list[str]:
    found = []
    for page in folder.rglob("*.html"):
        found += re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8"))
    return found


def test_pages_and_datasette_never_link_another_scheme(pkg, tmp_path):
    """Even where the checks were bypassed (a library caller building an invalid package)."""
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    from toolkit.db.datasette import metadata
    from toolkit.site.build import build_site

    edit(pkg, "sources", "https://www.aljazeera.com/news/2023/2/24/", "javascript://x%0Aalert(1)/")
    package = load_package(pkg)
    package.descriptor["licenses"][0]["path"] = "javascript:alert(1)"
    package.descriptor["sources"][0]["path"] = "javascript:alert(2)"
    build_site(package, tmp_path / "site")
    found = links(tmp_path / "site")
    assert found and not [h for h in found if h.lower().startswith(("javascript", "data"))]
    db = tmp_path / "x.sqlite"
    import sqlite3

    sqlite3.connect(db).close()
    meta = metadata(package, db)
    assert "license_url" not in meta and "source_url" not in meta


# 5. `<!--<script>` in a chart label blanks the vote matrix and the timeline
def test_a_label_cannot_break_out_of_the_embedded_chart_json(run, pkg, tmp_path):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    edit(pkg, "actors", "BLR,Belarus,", "BLR,Belarus <!--<script>&amp;</script>,")
    result = run("site", "--out", tmp_path / "site", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    for page in ("vote-matrix.html", "timeline.html"):
        html = (tmp_path / "site" / page).read_text(encoding="utf-8")
        (spec,) = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
        assert not set("<>&") & set(spec), page
        json.loads(spec)  # still JSON, meaning the same
    matrix = (tmp_path / "site" / "vote-matrix.html").read_text(encoding="utf-8")
    assert "Belarus \\u003c!--\\u003cscript\\u003e" in matrix


# 19. A TAB- or space-prefixed `=` passes the formula check
@pytest.mark.parametrize("prefix", [" ", "\t", "  \t", "\r"])
def test_a_formula_behind_blanks_is_refused(run, pkg_ro, tmp_path, prefix):
    text = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8")
    header, row = text.splitlines()[:2]
    cells = next(csv.reader([row]))
    i = next(csv.reader([header])).index("summary")
    cells[i] = prefix + '=HYPERLINK("https://x.org","click")'
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([next(csv.reader([header])), cells])
    f = tmp_path / "formula.csv"
    f.write_text(out.getvalue(), encoding="utf-8")
    result = run("check", f, "-r", "statements", "--package", pkg_ro, "--format", "json")
    assert result.exit_code == 1
    assert "formula-injection" in codes(result)
    assert "starts with '='" in result.stdout


# 20. A 9,990-character unbroken value made its page 282,083 px wide
@pytest.mark.slow
def test_a_long_unbroken_value_wraps_within_the_page(run, pkg, tmp_path):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    from test_site_browser import CHROMIUM, _browser_or_skip

    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    long = "x" * 9_990
    edit(pkg, "statements", ",true,true,dismemberment,", f",true,true,{long},")
    result = run("site", "--out", tmp_path / "site", "--package", pkg)
    assert result.exit_code == 0, result.stderr
    pages = [p for p in (tmp_path / "site" / "statements").glob("*.html") if long in p.read_text()]
    assert pages
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for html in [*pages, tmp_path / "site" / "statements.html"]:
            page.goto(html.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1280, (html.name, width)
        browser.close()


# 14. A/RES/ES--11/1 and A/RES/ES-11/1 mapped to one page; actors BLR and blr to one anchor
def test_keys_that_share_a_slug_get_a_page_and_an_anchor_each(pkg, tmp_path):
    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    from toolkit.site.build import build_site

    with open(pkg / "data/un_resolutions.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    twin = next(r for r in rows if r[0] == "A/RES/ES-11/1")
    rows.append(["A/RES/ES--11/1", *twin[1:]])
    with open(pkg / "data/un_resolutions.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with open(pkg / "data/actors.csv", encoding="utf-8", newline="") as fh:
        actors = list(csv.reader(fh))
    actors.append(["blr", "Not Belarus", "person", "", "", "iso-3166-pycountry", ""])
    with open(pkg / "data/actors.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(actors)
    build_site(load_package(pkg), tmp_path / "site")
    pages = sorted(p.name for p in (tmp_path / "site" / "resolutions").glob("a-res-es-11-1*"))
    assert len(pages) == 2 and "a-res-es-11-1.html" in pages
    real = (tmp_path / "site" / "resolutions" / "a-res-es-11-1.html").read_text(encoding="utf-8")
    assert "<h1>" in real and "A/RES/ES-11/1" in real and "A/RES/ES--11/1" not in real
    actors_page = (tmp_path / "site" / "actors.html").read_text(encoding="utf-8")
    ids = re.findall(r'<tr id="(actor-blr[^"]*)"', actors_page)
    assert len(ids) == 2 and len(set(ids)) == 2
