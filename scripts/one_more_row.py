"""Prove that the tests never count the real data: a fresh clone of this repository with one more
valid row in each of meetings, statements, un_votes and military_exercises, added with `add` or
typed into the CSV files by hand, committed; then, with --test, the README's test command there.

Usage: python scripts/one_more_row.py DEST [--by-hand] [--test] [--workers N]

DEST is a new folder; the clone is DEST/csto-alignment, beside a link DEST/shared to this
repository's ../shared (the source texts the excerpt checks read). The rows are made up, for this
proof only, and valid: their excerpts are copied from rows citing the same source, their keys and
references exist, their dates fit the rules (the statement falls within its meeting, the exercise
starts after the meeting that triggered it), and the vote, on a resolution whose votes are not all
recorded, stays within its official tally.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMENTARY = "lukashenko-says-what-putin-thinks"
MEETING = "proof-meeting-2022-05-30"

ROWS = {
    "meetings": {
        "meeting_id": MEETING,
        "name": "A meeting added by the proof",
        "meeting_type": "bilateral",
        "date_start": "2022-05-30",
        "date_end": "2022-05-30",
        "date_precision": "day",
        "location": "Minsk",
        "description": "One more row, made up for the proof that the tests never count the data.",
        "source_id": COMMENTARY,
        "source_excerpt": "The 16 May CSTO meeting demonstrated the closeness of Belarus and "
        "Russia’s political positions.",
    },
    "statements": {
        "statement_id": "proof-statement-2022-05-30",
        "speaker_id": "alexander-lukashenko",
        "date_start": "2022-05-30",
        "date_end": "2022-05-30",
        "date_precision": "day",
        "meeting_id": MEETING,
        "statement_type": "remark",
        "topics": "ukraine-war",
        "mentions_ukraine": "true",
        "mentions_nato": "false",
        "summary": "One more row, made up for the proof that the tests never count the data.",
        "source_id": COMMENTARY,
        "source_excerpt": "The 16 May CSTO meeting demonstrated the closeness of Belarus and "
        "Russia’s political positions.",
    },
    "un_votes": {},  # a vote not recorded yet (one_more_vote: the data decides which)
    "military_exercises": {
        "exercise_id": "proof-exercise-2022-06",
        "name": "An exercise added by the proof",
        "conducting_actor_id": "belarus-armed-forces",
        "exercise_type": "exercise",
        "date_start": "2022-06-01",
        "date_end": "2022-06-03",
        "date_precision": "span",
        "triggered_by_meeting_id": MEETING,
        "stated_reason": "to determine its combat readiness",
        "source_id": COMMENTARY,
        "source_excerpt": "the Belarusian army engaged in snap exercises and mass inspections to "
        "determine its combat readiness",
    },
}


def table(clone: Path, resource: str) -> list[dict[str, str]]:
    with (clone / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def one_more_vote(clone: Path) -> dict[str, str]:
    """A 'yes' of a current member state on a resolution whose recorded 'yes' votes are fewer than
    its official tally and which has no row for that state, quoting a row of that resolution."""
    votes = table(clone, "un_votes")
    states = sorted(
        a["actor_id"]
        for a in table(clone, "actors")
        if a["actor_type"] == "state" and not a["role"].startswith("Former")
    )
    for res in table(clone, "un_resolutions"):
        rid = res["resolution_id"]
        rows = [v for v in votes if v["resolution_id"] == rid]
        yes = sum(v["vote"] == "yes" for v in rows)
        voted = {v["country_iso3"] for v in rows}
        free = [s for s in states if s not in voted]
        if rows and res["yes"] and yes < int(res["yes"]) and len(free) > 1:
            quoted = rows[0]
            return {
                "resolution_id": rid,
                "country_iso3": free[0],
                "vote": "yes",
                "source_id": quoted["source_id"],
                "source_excerpt": quoted["source_excerpt"],
            }
    raise SystemExit("no resolution has room for one more recorded vote")


def fields(clone: Path, resource: str) -> list[str]:
    schema = json.loads((clone / "schemas" / f"{resource}.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"]]


def as_csv(names: list[str], row: dict[str, str], header: bool) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    if header:
        w.writeheader()
    w.writerow(row)
    return out.getvalue()


def run(args: list[str], cwd: Path, **kw) -> None:
    print("$", " ".join(map(str, args)), flush=True)
    subprocess.run(args, cwd=cwd, check=True, **kw)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--by-hand", action="store_true", help="append the rows to the CSV files")
    parser.add_argument("--test", action="store_true", help="then run the README's test command")
    parser.add_argument("--workers", default="2", help="pytest -n (default 2)")
    a = parser.parse_args(argv)
    a.dest.mkdir(parents=True)
    clone = a.dest / "csto-alignment"
    run(["git", "clone", "-q", str(ROOT), str(clone)], cwd=a.dest)
    if (ROOT.parent / "shared").is_dir():
        (a.dest / "shared").symlink_to((ROOT.parent / "shared").resolve())
    env = {**os.environ, "PYTHONPATH": str(clone)}  # the clone's toolkit, whatever is installed
    ROWS["un_votes"] = one_more_vote(clone)
    for resource, row in ROWS.items():
        names = fields(clone, resource)
        if a.by_hand:
            data = clone / "data" / f"{resource}.csv"
            with data.open("a", encoding="utf-8", newline="") as fh:
                fh.write(as_csv(names, row, header=False))
        else:
            file = a.dest / f"one-more-{resource}.csv"
            file.write_text(as_csv(names, row, header=True), encoding="utf-8")
            run(
                [sys.executable, "-m", "toolkit", "add", str(file), "-r", resource],
                cwd=clone,
                env=env,
            )
    how = "typed in by hand" if a.by_hand else "added with add"
    git = ["git", "-c", "user.name=proof", "-c", "user.email=proof@example.invalid"]
    run([*git, "commit", "-qam", f"One more row in four tables ({how})"], cwd=clone)
    run([sys.executable, "-m", "toolkit", "validate"], cwd=clone, env=env)
    if a.test:  # the README's test command, with -n for this machine's cores
        run(["python3", "-m", "venv", ".venv"], cwd=clone)
        run([".venv/bin/pip", "install", "-q", "-c", "constraints.txt", "-e", ".[test]"], cwd=clone)
        run([".venv/bin/pytest", "-q", "-n", a.workers], cwd=clone)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
