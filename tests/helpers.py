"""What the tests share: paths, the bad fixtures and the broken-package cases, and small helpers
to read a report. Fixtures (pytest's) are in conftest.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import Result

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
REVIEW = FIXTURES / "review"  # base (main) and head (a branch) of a repository, and source texts


def copy_package(dest: Path) -> Path:
    """Copy the repository's package (descriptor, schemas, data, saved queries, changelog, the
    records of releases) to `dest`."""
    dest.mkdir()
    for name in ("datapackage.json", "CHANGELOG.md"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("data", "schemas", "queries", "releases"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` as a test author; its standard output (a failure raises)."""
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def lay(side: str, repo: Path) -> None:
    """Make the working tree of `repo` (.git aside) the side `base` or `head` of
    fixtures/review."""
    for item in repo.iterdir():
        if item.name != ".git":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    shutil.copytree(REVIEW / side, repo, dirs_exist_ok=True)


def review_repo(repo: Path) -> Path:
    """A new git repository at `repo` whose branch main holds fixtures/review/base, committed."""
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    lay("base", repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "data")
    return repo


def report(result: Result) -> dict:
    """The JSON report a command printed."""
    return json.loads(result.stdout)


def codes(result: Result) -> list[str]:
    """The codes of the errors of a JSON report, in order."""
    return [e["code"] for e in report(result)["errors"]]


def edit(pkg: Path, resource: str, old: str, new: str) -> None:
    """Replace the first `old` in the resource's data file of the package copy by `new`."""
    p = pkg / "data" / f"{resource}.csv"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


# fixture file -> (resource, expected error codes, line of the first error)
BAD = {
    "bad_date.csv": ("statements", ["type-error"], 2),
    "date_in_words.csv": ("statements", ["type-error"], 2),
    "enum_wrong_case.csv": ("statements", ["enum-error"], 2),
    "enum_stray_spaces.csv": ("statements", ["enum-error"], 2),
    "formula_cell.csv": ("statements", ["formula-injection"], 2),
    "primary_key_collision.csv": ("statements", ["primary-key"], 2),
    "dangling_speaker.csv": ("statements", ["foreign-key"], 2),
    "outside_meeting.csv": ("statements", ["statement-outside-meeting"], 2),
    "date_end_before_start.csv": ("statements", ["date-order", "date-precision"], 2),
    "response_before_statement.csv": ("statements", ["response-before-statement"], 3),
    "embedded_newline.csv": ("statements", ["enum-error"], 4),
    "ragged_rows.csv": ("statements", ["missing-cell", "extra-cell"], 2),
    "semicolon_separated.csv": ("statements", ["wrong-separator"], 1),
    "tab_separated.csv": ("statements", ["wrong-separator"], 1),
    "misspelt_and_missing_header.csv": (
        "statements",
        ["blank-header", "extra-header", "missing-header", "missing-header"],
        1,
    ),
    "extra_header.csv": ("statements", ["extra-header"], 1),
    "duplicate_header.csv": ("statements", ["duplicate-header"], 1),
    "latin1.csv": ("statements", ["encoding-error"], 2),
    "empty.csv": ("statements", ["empty-file"], None),
    "header_only.csv": ("statements", ["no-rows"], 1),
    "required_empty.csv": ("statements", ["required", "required"], 2),
    "un_votes_tally_exceeded.csv": ("un_votes", ["tally-exceeded"], 5),
    "un_votes_not_a_state.csv": ("un_votes", ["pattern-error", "not-a-state"], 2),
    "cr_only_mac.csv": ("un_votes", ["enum-error"], 3),
    # `template --describe` saved by a spreadsheet padding every row to its widest: no
    # blank-header hiding the row's error
    "template_padded_by_spreadsheet.csv": ("statements", ["type-error"], 23),
    # errors in one round: the cross-row rule's finding with the cell's, none on the bad date
    "bad_date_and_missing_excerpt.csv": ("statements", ["type-error", "excerpt-required"], 2),
}

# (resource, text in its data file, what it becomes, the error codes validate then reports)
CASES = [
    (
        "statements",
        ",2022-05-23,2022-05-23,day,,,putin-lukashenko-sochi-2022-05-23,remark,poland;regional",
        ",2022-05-23,2022-05-22,day,,,putin-lukashenko-sochi-2022-05-23,remark,poland;regional",
        ["date-order", "date-precision", "statement-outside-meeting"],
    ),
    ("un_votes", "A/RES/ES-11/1,ARM,abstain", "A/RES/ES-11/9,ARM,abstain", ["foreign-key"]),
    ("un_votes", "A/RES/ES-11/1,ARM,abstain", "A/RES/ES-11/1,ARM,absent", ["enum-error"]),
    ("un_resolutions", ",141,5,35,12,", ",141,1,35,12,", ["tally-exceeded"]),
    (
        "military_exercises",
        ",2022-05-01,,within,,lukashenko-military-leadership-2022-05,",
        ",2022-04-01,2022-04-10,within,,csto-summit-2022-05-16,",
        ["exercise-before-meeting"],
    ),
    (
        "memberships",
        "FIN,nato,applicant,2022-05-18,2023-04-04",
        "FIN,nato,applicant,2022-05-18,2023-05-04",
        ["membership-overlap"],
    ),
    (
        "actors",
        "alexander-lukashenko,Alexander Lukashenko,person,BLR",
        "alexander-lukashenko,Alexander Lukashenko,person,BY",
        ["pattern-error", "foreign-key"],
    ),
]


def complete_roll_calls(pkg: Path) -> int:
    """Make every resolution's roll call complete in the package at `pkg`, as the full General
    Assembly records will be: every UN member state (the state actors but the former ones) gets a
    vote, the recorded ones kept and the others filled in to meet the official tally (yes first,
    then abstain, no, non_voting; where non_voting has no tally, the rest do not vote). The added
    rows cite the resolution's own source. Returns the number of states: a fixture of 193 states
    for the site's tests, never a claim about how anyone voted."""
    import csv

    def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
        with open(pkg / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)

    _, actors = read("actors")
    states = sorted(
        a["actor_id"]
        for a in actors
        if a["actor_type"] == "state" and not (a["role"] or "").startswith("Former")
    )
    _, resolutions = read("un_resolutions")
    header, votes = read("un_votes")
    for res in resolutions:
        rid = res["resolution_id"]
        have = {v["country_iso3"]: v["vote"] for v in votes if v["resolution_id"] == rid}
        left = {k: int(res[k]) if res[k] else None for k in ("yes", "abstain", "no", "non_voting")}
        for vote in have.values():
            if left[vote] is not None:
                left[vote] -= 1  # type: ignore[operator]
        for state in (s for s in states if s not in have):
            vote = next((k for k, n in left.items() if n), "non_voting")
            if left[vote]:
                left[vote] -= 1  # type: ignore[operator]
            votes.append(
                {
                    "resolution_id": rid,
                    "country_iso3": state,
                    "vote": vote,
                    "source_id": res["source_id"],
                    "source_excerpt": f"{state}: {vote} (test fixture)",
                }  # fmt: skip
            )
    votes.sort(key=lambda v: (v["resolution_id"], v["country_iso3"]))
    with open(pkg / "data" / "un_votes.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(votes)
    return len(states)


def make_room(pkg: Path, resource: str, fixture: Path) -> None:
    """Remove from the package copy the rows whose primary key a fixture's rows hold, so that a
    fixture tests its own failure whatever rows the real data holds (one more true row, say the
    vote of a state the fixture names, must not turn its test into a key collision)."""
    import csv
    import io

    schema = json.loads((pkg / "schemas" / f"{resource}.json").read_text(encoding="utf-8"))
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    try:
        text = fixture.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return  # a fixture that is not UTF-8 fails before any row is compared
    lines = [x for x in text.splitlines() if not x.startswith("#")]
    taken = {
        tuple(r.get(k) or "" for k in key) for r in csv.DictReader(io.StringIO("\n".join(lines)))
    }
    data = pkg / "data" / f"{resource}.csv"
    with data.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        names = list(rows[0]) if rows else []
    kept = [r for r in rows if tuple(r.get(k) or "" for k in key) not in taken]
    if key and len(kept) < len(rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
        data.write_text(out.getvalue(), encoding="utf-8")
