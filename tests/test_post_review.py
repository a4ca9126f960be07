"""scripts/post_review.py: one review comment per pull request, found by its marker and edited on
each push; tested with a fake GitHub API, in memory and on a local HTTP server."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import post_review  # noqa: E402
from post_review import AUTHOR, LIMIT, MARKER, comment_body, find_comment, post  # noqa: E402

BOT = {"login": AUTHOR}


class FakeGitHub:
    """The issue-comments API of one pull request, in memory."""

    def __init__(self, comments):
        self.comments = comments
        self.calls = []

    def __call__(self, method, path, payload):
        self.calls.append((method, path))
        if method == "GET":
            page = int(path.rsplit("page=", 1)[1])
            return self.comments[(page - 1) * 100 : page * 100]
        if method == "PATCH":
            cid = int(path.rsplit("/", 1)[1])
            next(c for c in self.comments if c["id"] == cid)["body"] = payload["body"]
            return {}
        new = {"id": 1000 + len(self.comments), "body": payload["body"], "user": BOT}
        self.comments.append(new)
        return new


def test_the_first_push_creates_the_comment_and_the_next_edits_it():
    api = FakeGitHub([{"id": 1, "body": "Looks good", "user": {"login": "alice"}}])
    assert post(api, "o/r", 7, comment_body("## Data review 1")) == ("created", 1001)
    assert post(api, "o/r", 7, comment_body("## Data review 2")) == ("updated", 1001)
    assert len(api.comments) == 2 and api.comments[1]["body"].startswith(MARKER)
    assert "Data review 2" in api.comments[1]["body"]
    assert api.calls[-1] == ("PATCH", "/repos/o/r/issues/comments/1001")


def test_a_comment_with_the_marker_by_someone_else_is_not_edited():
    comments = [{"id": 5, "body": f"{MARKER} quoted", "user": {"login": "mallory"}}]
    assert find_comment(comments) is None
    assert find_comment([*comments, {"id": 9, "body": MARKER, "user": BOT}]) == 9


def test_every_page_of_comments_is_searched():
    comments = [{"id": i, "body": "chat", "user": {"login": "bob"}} for i in range(150)]
    comments.append({"id": 999, "body": f"{MARKER}\nold", "user": BOT})
    api = FakeGitHub(comments)
    assert post(api, "o/r", 7, comment_body("new")) == ("updated", 999)
    assert [c for c in api.calls if c[0] == "GET"] == [
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=2"),
    ]


def test_verify_output_is_folded_in_a_fence_it_cannot_close():
    body = comment_body("## review", "found  x ```` y\n1 excerpt(s) on 1 page(s): 1 found")
    assert "<summary>Excerpts looked for on their pages (verify-sources): 1 excerpt(s)" in body
    assert "`````text\n" in body and body.rstrip().endswith("</details>")


def test_a_long_review_is_cut_to_githubs_limit():
    body = comment_body("x" * 100_000)
    assert len(body) <= LIMIT and body.startswith(MARKER) and "cut to fit" in body


@pytest.fixture
def fake_api():
    state = {"comments": [{"id": 3, "body": f"{MARKER}\nold", "user": BOT}], "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            """No request log on stderr."""

        def _answer(self, doc):
            data = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            state["requests"].append(("GET", self.path, self.headers["Authorization"]))
            self._answer(state["comments"])

        def do_PATCH(self):  # noqa: N802
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["requests"].append(("PATCH", self.path, payload["body"]))
            self._answer({})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    httpd.server_close()


def test_the_script_patches_the_comment_through_the_api(fake_api, tmp_path, monkeypatch, capsys):
    api, state = fake_api
    review = tmp_path / "review.md"
    review.write_text("## Data review: `main` → `HEAD`\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    code = post_review.main([str(review), "--pr", "12", "--repo", "o/r", "--api", api])
    assert code == 0
    get, patch = state["requests"]
    assert get == ("GET", "/repos/o/r/issues/12/comments?per_page=100&page=1", "Bearer t0ken")
    assert patch[:2] == ("PATCH", "/repos/o/r/issues/comments/3")
    assert patch[2] == f"{MARKER}\n## Data review: `main` → `HEAD`\n"
    assert "updated comment 3 on pull request #12" in capsys.readouterr().err


def test_without_a_token_the_script_says_what_it_needs(tmp_path, monkeypatch, capsys):
    review = tmp_path / "review.md"
    review.write_text("x", encoding="utf-8")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert post_review.main([str(review), "--pr", "1", "--repo", "o/r"]) == 2
    assert "GITHUB_TOKEN" in capsys.readouterr().err


def test_the_workflow_reviews_verifies_posts_and_fails_on_errors():
    import yaml

    flow = yaml.safe_load((ROOT / ".github/workflows/review.yml").read_text(encoding="utf-8"))
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as true
    steps = flow["jobs"]["review"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'csto-alignment review "$BASE" HEAD --format markdown > review.md' in runs
    assert 'verify-sources --changed-since "$BASE"' in runs
    assert "scripts/post_review.py review.md --verify verify.txt" in runs
    last = steps[-1]
    assert last["if"] == "steps.review.outputs.exit != '0'" and "exit 1" in last["run"]
    assert flow["permissions"]["issues"] == "write"
