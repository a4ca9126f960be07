"""The built site in a real browser (headless Chromium driven by Playwright): what a reader sees.

Needs Debian's chromium at /usr/bin/chromium (Playwright's own browser download is not used).
Without it these tests skip locally and fail under CI=true, where .ci/run installs it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from helpers import ROOT, complete_roll_calls
from test_site import PLACEHOLDER, WHOLE_PLACEHOLDER

from toolkit.cli.commands import main
from toolkit.db.saved import saved_queries
from toolkit.site.data import slug

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
def package(tmp_path_factory) -> Path:
    """A copy of the repository's package (claims included)."""
    _browser_or_skip()
    pkg = tmp_path_factory.mktemp("pkg")
    for name in ("datapackage.json", "CITATION.cff"):
        shutil.copy(ROOT / name, pkg / name)
    for folder in ("data", "schemas", "queries"):
        shutil.copytree(ROOT / folder, pkg / folder)
    return pkg


@pytest.fixture(scope="module")
def site(package) -> Path:
    """The site of the package copy, built once."""
    out = package.parent / "site"
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--package", str(package)])
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


def test_the_legend_lists_only_recorded_votes_and_blank_cells_are_explained(page, site):
    open_chart(page, site, "vote-matrix.html")
    legend = page.eval_on_selector_all(
        '#matrix svg g[aria-label^="Symbol legend"] text', "ts => ts.map(t => t.textContent)"
    )
    assert sorted(set(legend) - {"Vote"}) == sorted(
        {VOTE_WORDS[v] for v in recorded_votes().values()}
    )
    assert "A blank cell is a vote the data does not record yet" in page.inner_text("main")


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


def _bar(page, row_id: str, kind: str = "statement") -> dict:
    return page.eval_on_selector(
        f'#timeline svg path[aria-label^="{kind} {row_id}:"]',
        "e => { const b = e.getBBox(); return {x: b.x, width: b.width}; }",
    )


def _x(page, day: str) -> float:
    return page.evaluate(f"window.charts.timeline.scale('x')(new Date('{day}T00:00:00'))")


def test_timeline_draws_a_within_date_as_a_range_and_an_open_bound_to_the_edge(
    page, site, tmp_path_factory
):
    open_chart(page, site, "timeline.html")
    bar = _bar(page, "belarus-snap-exercises-2022-05", "exercise")  # within, from 2022-05-01, open
    left = _x(page, "2022-05-01")
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
    found: dict = {"errors": [], "requests": [], "links": [], "ids": {}, "texts": {}}
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
        # what a reader sees once scripts have run (chart labels and tooltips' text included)
        found["texts"][path.relative_to(site).as_posix()] = pg.inner_text("body").splitlines()
    ctx.close()
    return found


def test_every_page_runs_clean_stays_inside_and_links_resolve(browser, site):
    """One crawl of every page (a crawl per test would repeat the slowest part of the module):
    no JavaScript error, no request outside the site's folder, every internal link resolves."""
    crawl = _crawl(browser, site)
    assert crawl["errors"] == []
    shown = {
        page: [line for line in lines if PLACEHOLDER.search(line) or WHOLE_PLACEHOLDER.match(line)]
        for page, lines in crawl["texts"].items()
    }
    assert {page: lines for page, lines in shown.items() if lines} == {}
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


# --- the SQL console ---------------------------------------------------------------------------


def open_console(page, site: Path) -> None:
    page.goto((site / "console.html").as_uri())
    page.wait_for_function("document.getElementById('console').dataset.state !== 'loading'")
    assert page.get_attribute("#console", "data-state") == "ready", page.inner_text("#error")


def cli_rows(package: Path, name: str, *params: str) -> list[dict]:
    args = ["query", name, "--format", "json", "--package", str(package)]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def as_lists(columns: list[str], rows: list[dict]) -> list[list]:
    """The CLI's rows as the console's arrays; SQLite's 1/0 for true/false (True == 1 in Python)."""
    return [[int(r[c]) if isinstance(r[c], bool) else r[c] for c in columns] for r in rows]


def test_the_console_runs_every_saved_query_and_shows_the_clis_rows(page, site, package):
    open_console(page, site)
    saved = saved_queries(package)
    assert saved
    for name, q in saved.items():
        if not q.portable:  # listed with the command that runs it, not offered to run
            item = page.locator("li", has=page.locator(f"code:text-is('{name}')"))
            assert f"csto-alignment query {name}" in item.inner_text()
            assert item.locator("button").count() == 0
            continue
        page.click(f'button[data-query="{name}"]')
        page.wait_for_function(
            "['done', 'error'].includes(document.getElementById('console').dataset.state)"
        )
        assert page.get_attribute("#console", "data-state") == "done", page.inner_text("#error")
        result = page.evaluate("window.consoleResult")
        expected = cli_rows(package, name)
        assert result["columns"] == list(expected[0]) if expected else True, name
        assert result["rows"] == as_lists(result["columns"], expected), name
        shown = page.locator("#result tbody tr").count()
        assert shown == min(len(expected), 1000), name
        for name_, value in q.params.items():  # each parameter is a field holding its default
            assert page.input_value(f"#param-{name_}") == value
    assert page.errors == []


def test_the_console_applies_a_parameter_given_in_its_field(page, site, package):
    open_console(page, site)
    page.click('button[data-query="speaker_at_meetings"]')
    page.fill("#param-speaker", "vladimir-putin")
    page.click("#run")
    page.wait_for_function("document.getElementById('console').dataset.state === 'done'")
    result = page.evaluate("window.consoleResult")
    expected = cli_rows(package, "speaker_at_meetings", "speaker=vladimir-putin")
    assert expected and result["rows"] == as_lists(result["columns"], expected)


def test_wrong_sql_shows_its_error_and_the_console_stays_usable(page, site):
    open_console(page, site)
    page.fill("#sql", "SELECT * FROM votes")
    page.click("#run")
    page.wait_for_function("document.getElementById('console').dataset.state === 'error'")
    assert "no such table: votes" in page.inner_text("#error")
    assert page.is_visible("#error") and page.locator("button.saved").count() > 0
    page.fill("#sql", "SELECT actor_id FROM actors WHERE actor_id = $id")
    page.fill("#param-id", "csto")  # a field appears for the parameter written in the SQL
    page.click("#run")
    page.wait_for_function("document.getElementById('console').dataset.state === 'done'")
    assert page.is_hidden("#error")
    assert page.evaluate("window.consoleResult.rows") == [["csto"]]
    assert page.errors == []


def test_results_link_their_keys_and_count_the_evidence(page, site, package):
    open_console(page, site)
    page.evaluate("window.consoleRun('claims_vs_record')")
    links = page.eval_on_selector_all("#result a[href]", "as => as.map(a => a.href)")
    assert links
    for link in links:  # every key links to a page (and anchor) that exists
        parts = urlsplit(link)
        target = Path(unquote(parts.path))
        assert target.is_file(), link
        if parts.fragment:
            assert f'id="{unquote(parts.fragment)}"' in target.read_text(encoding="utf-8"), link
    result = page.evaluate("window.consoleResult")
    named: dict[str, set] = {}
    for r in result["rows"]:
        row = dict(zip(result["columns"], r, strict=True))
        for table, key in (("statements", "statement_id"), ("un_resolutions", "resolution_id"),
                           ("claims", "claim_id"), ("claim_evidence", "evidence_id")):  # fmt: skip
            if row[key] is not None:
                named.setdefault(table, set()).add(row[key])
    sources, excerpts = set(), set()
    for table, keys in named.items():  # the same count, read from the CSV files
        with open(package / "data" / f"{table}.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row[next(iter(row))] not in keys:
                    continue
                for col in row:
                    if col.endswith("source_id") and row[col]:
                        sources.add(row[col])
                        excerpt = row.get(col[: -len("id")] + "excerpt")
                        if excerpt:
                            excerpts.add((row[col], excerpt))
    note = page.locator("#evidence")
    assert note.get_attribute("data-sources") == str(len(sources))
    assert note.get_attribute("data-excerpts") == str(len(excerpts))
    assert (
        f"{len(sources)} distinct sources and {len(excerpts)} distinct excerpts"
        in note.inner_text()
    )


def test_the_csv_download_is_the_clis_csv(page, site, package):
    open_console(page, site)
    page.evaluate("window.consoleRun('timeline')")
    with page.expect_download() as download:
        page.click("#download")
    got = Path(download.value.path()).read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main, ["query", "timeline", "--format", "csv", "--package", str(package)]
    )
    assert got == result.stdout


def test_each_claim_page_holds_one_claim_review_per_evidence_row(browser, site, package):
    with open(package / "data" / "claim_evidence.csv", encoding="utf-8") as fh:
        evidence = list(csv.DictReader(fh))
    with open(package / "data" / "claims.csv", encoding="utf-8") as fh:
        claims = [r["claim_id"] for r in csv.DictReader(fh)]
    ctx = browser.new_context()
    pg = ctx.new_page()
    for cid in claims:
        pg.goto((site / "claims" / f"{slug(cid)}.html").as_uri())
        docs = pg.eval_on_selector_all(
            'script[type="application/ld+json"]', "ss => ss.map(s => JSON.parse(s.textContent))"
        )
        reviews = [d for d in docs if d.get("@type") == "ClaimReview"]
        mine = [e for e in evidence if e["claim_id"] == cid]
        assert len(reviews) == len(docs) == len(mine), cid
        for review in reviews:
            e = next(e for e in mine if e["evidence_id"] == review["identifier"])
            assert review["reviewRating"]["alternateName"] == e["verdict"].replace("_", " ")
            # the review's address resolves, against the page, to the evidence on this page
            resolved = pg.evaluate("u => new URL(u, document.baseURI).href", review["url"])
            assert resolved == pg.url + "#evidence-" + slug(e["evidence_id"])
            assert pg.locator(f"#evidence-{slug(e['evidence_id'])}").count() == 1
    ctx.close()


# --- a vote matrix of every UN member ------------------------------------------------------------


@pytest.fixture(scope="module")
def site_193(package) -> Path:
    """The site of a package whose every resolution has a complete roll call of the 193 UN
    member states (generated: tests/helpers.complete_roll_calls)."""
    pkg = package.parent / "pkg193"
    shutil.copytree(package, pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:  # generated rows: no recorded release hashes
        r.pop("hash", None)
        r.pop("bytes", None)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    assert complete_roll_calls(pkg) == 193
    out = package.parent / "site193"
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--package", str(pkg)])
    assert result.exit_code == 0, result.stderr
    return out


def _cells(page) -> list[str]:
    return page.eval_on_selector_all(
        '#matrix svg path[aria-label^="vote: "]',
        "els => els.map(e => e.getAttribute('aria-label'))",
    )


def _states_in_order(page) -> list[str]:
    """The y axis' labels, top to bottom."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#matrix svg g[aria-label*="Y-axis"] text')]
              .map(t => [t.getBoundingClientRect().top, t.textContent])
              .sort((a, b) => a[0] - b[0]).map(x => x[1])"""
    )


def test_a_matrix_of_193_states_fits_800_pixels_and_filters_and_orders(browser, site_193):
    ctx = browser.new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_chart(page, site_193, "vote-matrix.html")
    assert len(_cells(page)) == 193 * 7
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at 800 px: {width}"
    states = _states_in_order(page)
    assert len(states) == 193 and all("(CSTO)" in s for s in states[:6])  # CSTO members first
    page.fill('#matrix-controls input[name="search"]', "kaz")
    page.wait_for_timeout(300)
    assert {c.split(", ")[1].split(":")[0] for c in _cells(page)} == {"KAZ"}
    page.fill('#matrix-controls input[name="search"]', "")
    page.check('#matrix-controls input[value="CSTO members only"]')
    page.wait_for_timeout(300)
    assert {c.split(", ")[1].split(":")[0] for c in _cells(page)} == {
        "ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"
    }  # fmt: skip
    page.check('#matrix-controls input[value="all states"]')
    page.select_option('#matrix-controls select[name="order"]', "by name")
    page.wait_for_timeout(300)
    by_name = _states_in_order(page)
    assert by_name == sorted(by_name, key=lambda s: s.replace(" (CSTO)", ""))
    legend = page.eval_on_selector_all(
        '#matrix svg g[aria-label^="Symbol legend"] text', "ts => ts.map(t => t.textContent)"
    )
    assert "yes" in legend  # the generated roll calls record votes in favour
    assert errors == []
    ctx.close()


def test_a_resolutions_page_holds_its_full_roll_call(browser, site_193, package):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto((site_193 / "resolutions" / "a-res-es-11-1.html").as_uri())
    rows = page.eval_on_selector_all(
        "table.roll-call tbody tr",
        "trs => trs.map(tr => [...tr.children].map(td => td.textContent.trim()))",
    )
    with open(package / "data" / "un_resolutions.csv", encoding="utf-8") as fh:
        tally = next(r for r in csv.DictReader(fh) if r["resolution_id"] == "A/RES/ES-11/1")
    got = {words: counts for words, counts, _ in rows}
    for vote, words in VOTE_WORDS.items():
        assert got[words] == f"{tally[vote]} / {tally[vote]}", words  # recorded / official
    ctx.close()
