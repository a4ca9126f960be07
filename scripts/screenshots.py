"""Build the site and save screenshots of its main pages (docs/screenshots/ by default).

    python scripts/screenshots.py [--out docs/screenshots] [--package .]

Needs the 'test' extra (Playwright) and Debian's chromium at /usr/bin/chromium. The screenshots in
docs/analysts.md are made by this script, never edited by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from toolkit.package.tableschema import load_package
from toolkit.site.build import build_site

CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "vote-matrix.png": "vote-matrix.html",
    "timeline.png": "timeline.html",
    "statement.png": "statements/ferris-most-csto-members-abstained.html",
}


def shoot(site: Path, out: Path, pages: dict[str, str] = PAGES) -> list[Path]:
    """Open each page of the built site in headless Chromium and save its screenshot."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, rel in pages.items():
            if not (site / rel).exists():
                continue
            page.goto((site / rel).as_uri())
            if page.locator("[data-chart]").count():
                page.wait_for_selector(".chart[data-rendered]")
                page.locator(".chart").first.screenshot(path=str(out / name))  # the chart itself
            else:
                page.screenshot(path=str(out / name), full_page=True)
            written.append(out / name)
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
