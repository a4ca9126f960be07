"""Post `csto-alignment review`'s Markdown as ONE comment on a pull request, updated on each push.

The comment is found again by a hidden marker (MARKER, an HTML comment GitHub does not show) among
the comments written by the workflow's own account, and edited (PATCH); only when there is none is a
new one created (POST). The page of `verify-sources` output, when given, is added folded. The body is
cut to fit GitHub's limit of 65,536 characters.

Usage (in a GitHub workflow; GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL from its env):
    python scripts/post_review.py review.md --pr NUMBER [--verify verify.txt] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

MARKER = "<!-- csto-alignment-review -->"
LIMIT = 65_000  # GitHub refuses a comment body over 65,536 characters
AUTHOR = "github-actions[bot]"

# (method, path, payload) -> the decoded JSON answer
Transport = Callable[[str, str, dict[str, Any] | None], Any]


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`, so the text cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def comment_body(review: str, verify: str | None = None) -> str:
    """The comment: the marker, the review, and verify-sources' lines folded; cut to LIMIT."""
    body = f"{MARKER}\n{review.rstrip()}\n"
    if verify is not None and verify.strip():
        f = fence(verify)
        tail = verify.strip().splitlines()[-1]
        body += (
            f"\n<details>\n<summary>Excerpts looked for on their pages (verify-sources): "
            f"{tail.replace('<', '&lt;')}</summary>\n\n{f}text\n{verify.rstrip()}\n{f}\n\n</details>\n"
        )
    if len(body) > LIMIT:
        note = (
            "\n\n… cut to fit GitHub's comment size limit: run the review locally to see it all.\n"
        )
        body = body[: LIMIT - len(note)] + note
    return body


def find_comment(comments: list[dict[str, Any]], author: str = AUTHOR) -> int | None:
    """The id of the review comment posted before: the marker, written by `author`."""
    for c in comments:
        if MARKER in (c.get("body") or "") and (c.get("user") or {}).get("login") == author:
            return int(c["id"])
    return None


def post(
    transport: Transport, repo: str, pr: int, body: str, author: str = AUTHOR
) -> tuple[str, int]:
    """Edit the earlier review comment or create one: ("updated" | "created", comment id)."""
    comments: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = transport(
            "GET", f"/repos/{repo}/issues/{pr}/comments?per_page=100&page={page}", None
        )
        comments += batch
        if len(batch) < 100:
            break
        page += 1
    found = find_comment(comments, author)
    if found is not None:
        transport("PATCH", f"/repos/{repo}/issues/comments/{found}", {"body": body})
        return "updated", found
    made = transport("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": body})
    return "created", int(made["id"])


def github(api: str, token: str) -> Transport:
    """GitHub's REST API over urllib, with the workflow's token."""

    def call(method: str, path: str, payload: dict[str, Any] | None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            api.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "csto-alignment-review",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    return call


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("review", type=Path, help="the Markdown of `csto-alignment review`")
    parser.add_argument("--pr", type=int, required=True, help="the pull request's number")
    parser.add_argument("--verify", type=Path, help="the text output of verify-sources")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""))
    parser.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--author", default=AUTHOR, help="the account whose comment is edited")
    parser.add_argument("--dry-run", action="store_true", help="print the comment, post nothing")
    args = parser.parse_args(argv)
    verify = args.verify.read_text(encoding="utf-8") if args.verify else None
    body = comment_body(args.review.read_text(encoding="utf-8"), verify)
    if args.dry_run:
        print(body)
        return 0
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token or not args.repo:
        print(
            "post_review: GITHUB_TOKEN and --repo (GITHUB_REPOSITORY) are needed", file=sys.stderr
        )
        return 2
    what, comment = post(github(args.api, token), args.repo, args.pr, body, args.author)
    print(f"{what} comment {comment} on pull request #{args.pr}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
