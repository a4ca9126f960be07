"""The built site in a real browser (headless Chromium driven by Playwright): what a reader sees.

Needs Debian's chromium at /usr/bin/chromium (Playwright's own browser download is not used).
Without it these tests skip locally and fail under CI=true, where .ci/run installs it.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from helpers import ROOT

from toolkit.cli.commands import main

CHROMIUM = "/usr/bin/chromium"
VOTE_WORDS = {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "did not vote"}


def _browser_or_skip() -> None:
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {missing}")
    if missing:
        pytest.skip(reason=f"browser tests need a browser: {missing}")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site of the repository's package (claims included), built once."""
    _browser_or_skip()
    pkg = tmp_path_factory.mktemp("pkg")
    for name in ("datapackage.json", "CITATION.cff"):
        shutil.copy(ROOT / name, pkg / name)
    for folder in ("data", "schemas", "queries"):
        shutil.copytree(ROOT / folder, pkg / folder)
    out = pkg.parent / "site"
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--package", str(pkg)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, uncaught exceptions and every request it makes."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.errors, pg.requests = [], []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    ctx.close()


def open_chart(page, site: Path, rel: str):
    page.goto((site / rel).as_uri())
    page.wait_for_selector(".chart[data-rendered]")
    assert page.locator(".chart").first.get_attribute("data-rendered") == "true", page.errors


def recorded_votes() -> dict[tuple[str, str], str]:
    with open(ROOT / "data" / "un_votes.csv", encoding="utf-8") as fh:
        return {(r["resolution_id"], r["country_iso3"]): r["vote"] for r in csv.DictReader(fh)}


def test_matrix_has_one_cell_per_recorded_vote_showing_that_vote(page, site, tmp_path_factory):
    open_chart(page, site, "vote-matrix.html")
    cells = page.eval_on_selector_all(
        '#matrix svg path[aria-label^="vote: "]',
        "els => els.map(e => e.getAttribute('aria-label'))",
    )
    seen = {}
    for label in cells:  # "vote: A/RES/ES-11/1, ARM: abstain"
        where, vote = label[len("vote: ") :].rsplit(": ", 1)
        resolution, state = where.rsplit(", ", 1)
        assert (resolution, state) not in seen, f"two cells for {where}"
        seen[(resolution, state)] = vote
    assert seen == recorded_votes()
    words = page.eval_on_selector_all(
        '#matrix svg text[aria-label^="vote: "]',
        "els => els.map(e => [e.getAttribute('aria-label'), e.textContent])",
    )
    assert len(words) == len(seen)
    for label, text in words:  # each cell says its vote in words, not by colour alone
        assert text == VOTE_WORDS[label.rsplit(": ", 1)[1]]
    shots = tmp_path_factory.getbasetemp() / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "vote-matrix.png"), full_page=True)
    assert (shots / "vote-matrix.png").stat().st_size > 10_000
    assert page.errors == []


def test_a_matrix_cell_opens_its_evidence(page, site):
    open_chart(page, site, "vote-matrix.html")
    # The cell's corner, clear of its words (which carry the same link).
    vote = recorded_votes()[("A/RES/ES-11/3", "ARM")]
    with open(ROOT / "data" / "un_votes.csv", encoding="utf-8") as fh:
        source = next(
            r["source_id"]
            for r in csv.DictReader(fh)
            if (r["resolution_id"], r["country_iso3"]) == ("A/RES/ES-11/3", "ARM")
        )
    cell = f'#matrix svg path[aria-label="vote: A/RES/ES-11/3, ARM: {vote}"]'
    page.click(cell, position={"x": 4, "y": 4})
    page.wait_for_url("**/resolutions/a-res-es-11-3.html#vote-ARM")
    row = page.locator("#vote-ARM")
    assert VOTE_WORDS[vote] in row.inner_text()
    assert row.locator(f'a[href*="sources.html#source-{source}"]').count() == 1


def _bar(page, statement_id: str) -> dict:
    return page.eval_on_selector(
        f'#timeline svg path[aria-label^="statement {statement_id}:"]',
        "e => { const b = e.getBBox(); return {x: b.x, width: b.width}; }",
    )


def _x(page, day: str) -> float:
    return page.evaluate(f"window.charts.timeline.scale('x')(new Date('{day}T00:00:00'))")


def test_timeline_draws_a_within_date_as_a_range_and_an_open_bound_to_the_edge(
    page, site, tmp_path_factory
):
    open_chart(page, site, "timeline.html")
    bar = _bar(page, "ferris-most-csto-members-abstained")  # within, from 2022-05-23, open
    left = _x(page, "2022-05-23")
    assert abs(bar["x"] - left) < 1.5 and bar["width"] > 10  # a range, not a point
    plot_width = page.evaluate("window.charts.timeline.width()")
    assert abs(bar["x"] + bar["width"] - plot_width) < 1.5  # no upper bound: to the edge
    shots = tmp_path_factory.getbasetemp() / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "timeline.png"), full_page=True)
    assert page.errors == []


def _drawn(page) -> set[str]:
    labels = page.eval_on_selector_all(
        '#timeline svg path[aria-label*=": "]', "els => els.map(e => e.getAttribute('aria-label'))"
    )
    return {label.split(":")[0] for label in labels}


def test_timeline_filters_by_actor_and_by_topic(page, site):
    open_chart(page, site, "timeline.html")
    everything = _drawn(page)
    assert "statement putin-csto-summit-speech" in everything
    page.select_option('.vega-bindings select[name="actor"]', "alexander-lukashenko")
    page.wait_for_timeout(200)
    lukashenko = _drawn(page)
    assert "statement lukashenko-war-dragging-on" in lukashenko
    assert "meeting csto-summit-2022-05-16" in lukashenko  # a participant
    assert not any("putin-csto-summit-speech" in x or "peskov" in x for x in lukashenko)
    page.select_option('.vega-bindings select[name="topic"]', "poland")
    page.wait_for_timeout(200)
    assert _drawn(page) == {"statement lukashenko-sochi-dismemberment-of-ukraine"}
    assert page.errors == []


def _crawl(browser, site: Path) -> dict:
    """Open every page; collect console errors, requests, link targets and element ids."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    found: dict = {"errors": [], "requests": [], "links": [], "ids": {}}
    pg.on("console", lambda m: found["errors"].append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: found["errors"].append(str(e)))
    pg.on("request", lambda r: found["requests"].append(r.url))
    for path in sorted(site.rglob("*.html")):
        pg.goto(path.as_uri())
        if pg.locator("[data-chart]").count():
            pg.wait_for_selector(".chart[data-rendered]")
        found["links"] += [
            (path, h) for h in pg.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        ]
        found["ids"][path.resolve()] = set(
            pg.eval_on_selector_all("[id]", "es => es.map(e => e.id)")
        )
    ctx.close()
    return found


def test_every_page_runs_clean_stays_inside_and_links_resolve(browser, site):
    """One crawl of every page (a crawl per test would repeat the slowest part of the module):
    no JavaScript error, no request outside the site's folder, every internal link resolves."""
    crawl = _crawl(browser, site)
    assert crawl["errors"] == []
    inside = site.resolve().as_uri() + "/"
    assert crawl["requests"], "the crawl made no requests at all"
    assert [u for u in crawl["requests"] if not u.startswith(inside)] == []
    checked = 0
    for page, link in crawl["links"]:
        parts = urlsplit(link)
        if parts.scheme != "file":
            continue  # a source's own address: a link out, never loaded
        target = Path(unquote(parts.path)).resolve()
        assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
        if parts.fragment and target.suffix == ".html":
            assert unquote(parts.fragment) in crawl["ids"][target], f"{page.name}: {link}"
        checked += 1
    assert checked > 500
