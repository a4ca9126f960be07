"""Build the site and save screenshots of its main pages at 1400 and 800 px (docs/screenshots/).

    python scripts/screenshots.py [--out docs/screenshots] [--package .]

Needs the 'test' extra (Playwright) and Debian's chromium at /usr/bin/chromium. The screenshots in
docs/analysts.md are made by this script, never edited by hand: NAME-1400.png and NAME-800.png,
a wide screen's and the narrowest width the site is laid out for.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.package.tableschema import load_package
from toolkit.site.build import build_site

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1400, 800)
MAX_HEIGHT = 1400  # a chart of 193 states is cut here: its top shows what it looks like


@dataclass(frozen=True)
class Shot:
    name: str
    page: str
    run: str = ""  # a saved query the console runs before the picture
    full_page: bool = True


SHOTS = (
    Shot("vote-matrix", "vote-matrix.html", full_page=False),
    Shot("timeline", "timeline.html", full_page=False),
    Shot("statement", "statements/ferris-most-csto-members-abstained.html"),
    Shot("claim", "claims/ferris-most-csto-members-abstained.html"),
    Shot("console", "console.html", run="claims_vs_record"),
)


def shoot(site: Path, out: Path, shots=SHOTS, widths=WIDTHS) -> list[Path]:
    """Open each page of the built site in headless Chromium at each width and save it."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width in widths:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for shot in shots:
                if not (site / shot.page).exists():
                    continue
                target = out / f"{shot.name}-{width}.png"
                page.goto((site / shot.page).as_uri())
                if page.locator("[data-chart]").count():
                    page.wait_for_selector(".chart[data-rendered]")
                if shot.run:
                    page.wait_for_function(
                        "document.getElementById('console').dataset.state !== 'loading'"
                    )
                    page.evaluate(f"window.consoleRun({shot.run!r})")
                if not shot.full_page and not shot.run:  # the page's top, to the chart's end
                    height = page.evaluate(
                        "Math.min(document.documentElement.scrollHeight, "
                        f"document.querySelector('.chart').getBoundingClientRect().bottom + 20, "
                        f"{MAX_HEIGHT})"
                    )
                    page.screenshot(
                        path=str(target),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height},
                    )
                else:
                    page.screenshot(path=str(target), full_page=shot.full_page)
                written.append(target)
            page.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--package", default=".")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = build_site(load_package(args.package), Path(tmp) / "site").out
        for path in shoot(site, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
