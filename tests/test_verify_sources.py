"""`verify-sources` against a local HTTP server on 127.0.0.1, started by the tests: each excerpt of
a package is looked for on the page its source cites.

The package is tests/fixtures/review/base with its sources' URLs pointed at the server, whose pages
(tests/fixtures/pages, and a few made by the handler) hold every case: an article with curly quotes,
a page that moved (301), a page gone (404), a slow page, a huge page, a PDF, a page whose text
differs by a no-break space, a page whose words differ, and a page robots.txt disallows.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import FIXTURES, REVIEW, git, lay, review_repo

from toolkit.review.fetch import Fetcher, Refused, public_address, user_agent

PAGES = FIXTURES / "pages"
SLOW = 2.0  # seconds the slow page waits; the tests' --timeout is far below
ROUTES = {
    "lukashenko-says-what-putin-thinks": "/commentary.html",
    "meduza-csto-summit-2022-05-16": "/nbsp.html",
    "csto-heads-of-state-meeting-2022-05-16": "/private/kremlin.html",
    "un-media-5th-es-11-1": "/gone.html",
    "wiki-es11-1": "/moved",
    "armradio-es-11-1": "/other.html",
    "masa-es11-1": "/slow",
    "newsam-es-11-1": "/huge",
    "asiatoday-diplomat-es-11-1": "/report.pdf",
}
TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".txt": "text/plain"}


class Handler(BaseHTTPRequestHandler):
    user_agents: list[str] = []

    def log_message(self, *args: object) -> None:
        """No request log on stderr."""

    def _send(self, status: int, body: bytes, ctype: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.user_agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/wiki.html")
            self.end_headers()
        elif path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/file")
            self.end_headers()
        elif path == "/slow":
            time.sleep(SLOW)
            with contextlib.suppress(OSError):  # the client gave up long ago
                self._send(200, b"<p>late</p>", TYPES[".html"])
        elif path == "/huge":  # no Content-Length: the cap must hold while reading
            body = b"<p>" + b"filler " * 20_000 + b"</p>"
            self._send(200, body, TYPES[".html"], length=False)
        else:
            file = PAGES / path.lstrip("/")
            if ".." in path or not file.is_file():
                self._send(404, b"not found", "text/plain")
                return
            self._send(200, file.read_bytes(), TYPES.get(file.suffix, "text/plain"))


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def served(tmp_path, server) -> Path:
    """The review fixture's base package, its sources on the local server; the meeting's excerpt
    with a straight apostrophe where the page has a curly one."""
    pkg = tmp_path / "pkg"
    shutil.copytree(REVIEW / "base", pkg)
    sources = read_rows(pkg / "data" / "sources.csv")
    for s in sources:
        s["url"] = server + ROUTES[s["source_id"]]
    write_rows(pkg / "data" / "sources.csv", sources)
    meetings = read_rows(pkg / "data" / "meetings.csv")
    meetings[0]["source_excerpt"] = meetings[0]["source_excerpt"].replace("’", "'")
    write_rows(pkg / "data" / "meetings.csv", meetings)
    return pkg


def verify(run, pkg, *args):
    return run(
        "verify-sources", "--package", pkg, "--timeout", "0.5", "--max-bytes", "50000",
        "--delay", "0", *args,
    )  # fmt: skip


def results(result) -> dict[tuple[str, str, str], dict]:
    doc = json.loads(result.stdout)
    return {(r["resource"], r["key"], r["field"]): r for r in doc["results"]}


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_every_case_is_reported_per_excerpt(run, served):
    before = digest(served)
    result = verify(run, served, "--allow-private-addresses", "--format", "json")
    assert result.exit_code == 1
    r = results(result)
    # An article with curly quotes: found, and found after folding the quotes of a straight one.
    assert r["statements", "lukashenko-csto-lacks-unity", "source_excerpt"]["status"] == "found"
    assert r["actors", "BLR", "source_excerpt"]["status"] == "found"  # across a line break
    meeting = r["meetings", "csto-summit-2022-05-16", "source_excerpt"]
    assert meeting["status"] == "found-folded" and meeting["folded"] == ["quotes"]
    assert "a curly apostrophe (’) where the excerpt has a straight apostrophe" in meeting["detail"]
    # A no-break space.
    japarov = r["actors", "sadyr-japarov", "source_excerpt"]
    assert japarov["status"] == "found-folded" and japarov["folded"] == ["whitespace"]
    assert "a no-break space where the excerpt has a space" in japarov["detail"]
    # A page that moved: found where it went.
    moved = r["un_resolutions", "A/RES/ES-11/1", "date_source_excerpt"]
    assert moved["status"] == "found" and moved["final_url"].endswith("/wiki.html")
    # Words that differ: the nearest passage.
    other = r["un_votes", "A/RES/ES-11/1/ARM", "source_excerpt"]
    assert other["status"] == "not-found"
    assert other["passage"].endswith("Thirty-five members, among them Armenia, abstained.")
    # Unreachable: 404, too slow, too large, not a web page, disallowed by robots.txt.
    gone = r["un_votes", "A/RES/ES-11/1/BLR", "source_excerpt"]
    assert (gone["status"], gone["http_status"], gone["detail"]) == (
        "unreachable", 404, "HTTP 404 Not Found",
    )  # fmt: skip
    assert r["un_votes", "A/RES/ES-11/1/KAZ", "source_excerpt"]["detail"] == (
        "timed out after 0.5 s"
    )
    assert r["un_votes", "A/RES/ES-11/1/KGZ", "source_excerpt"]["detail"] == (
        "larger than 50,000 bytes: not read (--max-bytes)"
    )
    assert r["un_votes", "A/RES/ES-11/1/TJK", "source_excerpt"]["detail"] == (
        "not a web page or plain text (application/pdf)"
    )
    assert r["meetings", "csto-summit-2022-05-16", "location_source_excerpt"]["detail"] == (
        "robots.txt of the site disallows fetching it"
    )
    assert digest(served) == before  # nothing in the package changed


def test_a_clear_line_per_excerpt_and_the_counts(run, served):
    result = verify(run, served, "--allow-private-addresses")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 16  # 15 excerpts and the counts
    assert any(
        line.startswith(
            "not-found     un_votes A/RES/ES-11/1/ARM source_excerpt <- armradio-es-11-1"
        )
        and "nearest passage: 'Russia was joined" in line
        for line in lines
    )
    assert lines[-1] == (
        "15 excerpt(s) on 9 page(s): 6 found, 2 found after folding, 1 not found, 6 unreachable"
    )


def test_all_found_is_exit_code_0(run, served):
    result = verify(
        run, served, "--allow-private-addresses",
        "--source-id", "lukashenko-says-what-putin-thinks", "--source-id", "wiki-es11-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("7 excerpt(s) on 2 page(s): 6 found, 1 found")


def test_private_addresses_are_refused_unless_allowed(run, served):
    result = verify(run, served, "--source-id", "wiki-es11-1", "--format", "json")
    assert result.exit_code == 1
    [r] = json.loads(result.stdout)["results"]
    assert r["status"] == "unreachable"
    assert r["detail"] == (
        "127.0.0.1 resolves to 127.0.0.1, a loopback address: refused "
        "(--allow-private-addresses fetches it)"
    )


def test_unknown_source_id_is_a_usage_error(run, served):
    result = verify(run, served, "--source-id", "wiki-es-11-1")
    assert result.exit_code == 2
    assert "'wiki-es-11-1' is not a source of the package; did you mean 'wiki-es11-1'?" in (
        result.stderr
    )


def test_the_user_agent_names_the_project_and_its_url(run, served):
    Handler.user_agents.clear()
    verify(
        run, served, "--allow-private-addresses", "--source-id", "wiki-es11-1",
        "--contact", "https://example.org/csto-alignment",
    )  # fmt: skip
    assert Handler.user_agents and set(Handler.user_agents) == {
        user_agent("https://example.org/csto-alignment")
    }
    assert Handler.user_agents[0].startswith("csto-alignment/")
    assert "+https://example.org/csto-alignment" in Handler.user_agents[0]


def test_changed_since_verifies_the_rows_a_branch_changed(run, tmp_path, server):
    repo = review_repo(tmp_path / "repo")
    lay("head", repo)  # the working tree: a statement added, a vote changed, one removed
    sources = read_rows(repo / "data" / "sources.csv")
    for s in sources:
        s["url"] = server + ROUTES[s["source_id"]]
    write_rows(repo / "data" / "sources.csv", sources)  # every source changed: all re-verified
    result = run(
        "verify-sources", "--changed-since", "main", "--package", repo, "--repo", repo,
        "--allow-private-addresses", "--delay", "0", "--timeout", "0.5", "--format", "json",
    )  # fmt: skip
    assert len(json.loads(result.stdout)["results"]) == 15  # every excerpt of the head
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "sources on the test server")
    git(repo, "checkout", "-qb", "branch")
    p = repo / "data" / "un_votes.csv"
    p.write_text(p.read_text(encoding="utf-8").replace(",abstain,", ",no,", 1), encoding="utf-8")
    result = run(
        "verify-sources", "--changed-since", "main", "--package", repo, "--repo", repo,
        "--allow-private-addresses", "--delay", "0", "--format", "json",
    )  # fmt: skip
    [r] = json.loads(result.stdout)["results"]
    assert (r["resource"], r["key"], r["status"]) == ("un_votes", "A/RES/ES-11/1/ARM", "not-found")


def test_a_missing_html_parser_is_a_usage_error_with_the_fix(run, served, monkeypatch):
    monkeypatch.setitem(sys.modules, "selectolax.lexbor", None)
    result = verify(run, served)
    assert result.exit_code == 2
    assert "pip install -c constraints.txt -e '.[verify]'" in result.stderr


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1"]
)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(Refused):
        public_address(address, 80)
    assert public_address(address, 80, allow_private=True) == address


def test_a_public_address_is_allowed():
    assert public_address("93.184.215.14", 443) == "93.184.215.14"


def test_a_redirect_to_another_scheme_is_refused(server):
    got = Fetcher(delay=0, allow_private=True, robots=False).fetch(server + "/to-ftp")
    assert not got.ok and "not an http(s) address: refused" in got.error
