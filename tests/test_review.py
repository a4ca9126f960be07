"""`review`: what a maintainer reads on a pull request, tested on a temporary git repository whose
branch adds a statement with a misquoted excerpt, corrects one vote and removes one row.

The repository is made of tests/fixtures/review: `base` (main) and `head` (the branch), six
resources cut to a few rows of the package, and `texts`, passages of the commentary as the project
holds its text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import REVIEW, git, lay, review_repo

from toolkit.review.review import LIMIT, markdown, review_refs

TEXTS = REVIEW / "texts"
LINK = (
    "https://rusi.org/explore-our-research/publications/commentary/lukashenko-says-what-putin-thinks"
    "#:~:text=speaking%20after%20Lukashenko%2C%20the,the%20security%20priority%20area"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main holds `base`; the branch `branch` holds `head`."""
    repo = review_repo(tmp_path / "repo")
    git(repo, "checkout", "-qb", "branch")
    lay("head", repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a statement, a vote corrected, a vote removed")
    git(repo, "checkout", "-q", "main")
    return repo


def review(run, repo, *args):
    return run("review", *args, "--repo", repo, "--sources", TEXTS)


def test_markdown_lists_the_three_changes_the_failed_excerpt_the_link_and_the_release(run, repo):
    result = review(run, repo, "main", "branch", "--format", "markdown")
    assert result.exit_code == 1  # the branch has an error: the check fails
    md = result.stdout
    assert "**Release this implies: minor** (from 0.4.0): 1 row(s) added to `statements`; " in md
    assert "1 row(s) removed from `un_votes` (also patch: 1 row(s) changed in `un_votes`)" in md
    assert "| `statements` | 1 | 0 | 0 | 0 | 1 | 0 |" in md
    assert "| `un_votes` | 0 | 1 | 1 | 0 | 0 | 0 |" in md
    assert "**added** `japarov-csto-summit-speech` — `data/statements.csv` line 2" in md
    assert "**changed** `A/RES/ES-11/1/ARM` — `data/un_votes.csv` line 2" in md
    assert "| `vote` | no | abstain |" in md
    assert "**removed** `A/RES/ES-11/1/TJK`" in md
    # The failed excerpt, with the nearest passage of the text the project holds.
    assert "- **error** `excerpt-not-in-source` `data/statements.csv` line 2" in md
    assert (
        "❌ NOT in the source's text: not found; nearest passage: 'speaking after Lukashenko" in md
    )
    assert "Tajikistan failed to mention Ukraine at all" in md
    assert f"[open the page at the excerpt]({LINK})" in md
    # The summary comes first; the rows are folded.
    assert md.index("| resource |") < md.index("<details>")


def test_json_has_every_row_with_its_citations_and_findings(run, repo):
    result = review(run, repo, "main", "branch", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["release"]["level"] == "minor" and doc["valid"] is False and doc["errors"] == 1
    rows = {(r["status"], r["resource"], r["key"]): r for r in doc["rows"]}
    assert set(rows) == {
        ("added", "statements", "japarov-csto-summit-speech"),
        ("changed", "un_votes", "A/RES/ES-11/1/ARM"),
        ("removed", "un_votes", "A/RES/ES-11/1/TJK"),
    }
    added = rows["added", "statements", "japarov-csto-summit-speech"]
    [error] = added["errors"]
    assert (error["code"], error["file"], error["row"]) == (
        "excerpt-not-in-source", "data/statements.csv", 2,
    )  # fmt: skip
    [citation] = added["citations"]
    assert citation["held"] == "not-found" and citation["link"] == LINK
    assert citation["source"]["publisher"] == "Royal United Services Institute (RUSI)"
    assert citation["source"]["accessed"] == "2026-11-28"
    changed = rows["changed", "un_votes", "A/RES/ES-11/1/ARM"]
    assert changed["cells"] == {"vote": {"old": "no", "new": "abstain"}}
    assert changed["line"] == 2 and changed["citations"][0]["held"] == "no-text"


def test_an_excerpt_in_the_held_text_is_found(run, repo):
    doc = json.loads(review(run, repo, "main", "branch", "--format", "json").stdout)
    git(repo, "checkout", "-q", "branch")
    p = repo / "data" / "statements.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("did not mention", "failed to mention"))
    result = review(run, repo, "main", "--format", "json")  # HEAD: the working tree
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["head"] == "working tree" and doc["valid"] is True
    [added] = [r for r in doc["rows"] if r["status"] == "added"]
    assert added["citations"][0]["held"] == "found"


def test_no_change_says_so(run, repo):
    result = review(run, repo, "main", "main")
    assert result.exit_code == 0 and "No change to the data." in result.stdout


def test_an_unknown_revision_is_a_usage_error(run, repo):
    result = review(run, repo, "no-such-branch", "branch")
    assert result.exit_code == 2 and "neither a package folder nor a git revision" in result.stderr


def test_folders_can_be_reviewed_too(run):
    result = run("review", REVIEW / "base", REVIEW / "head", "--sources", TEXTS)
    assert result.exit_code == 1 and "**Release this implies: minor**" in result.stdout


def test_contributed_values_cannot_write_markdown_or_mention_anyone(repo):
    git(repo, "checkout", "-q", "branch")
    p = repo / "data" / "statements.csv"
    text = p.read_text(encoding="utf-8")
    p.write_text(
        text.replace(
            "Speaking after Lukashenko, the president", "@octocat <img src=x> | **b** [l](j)"
        ),
        encoding="utf-8",
    )
    md = markdown(review_refs("main", None, repo, TEXTS))
    assert "@\u2060octocat" in md and "@octocat" not in md
    assert "&lt;img src=x&gt;" in md and "<img" not in md
    assert "\\| \\*\\*b\\*\\* \\[l\\](j)" in md


def test_a_long_review_leaves_rows_out_and_says_how_to_see_them(repo):
    result = review_refs("main", "branch", repo, TEXTS)
    md = markdown(result, limit=3000)
    assert len(md) <= 3000 + 500
    assert "row(s) left out to keep this comment under GitHub's size limit" in md
    assert "csto-alignment review main branch" in md
    assert len(markdown(result)) < LIMIT
