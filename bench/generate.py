"""Generate, with a fixed seed, UN-scale roll calls as the roll-call import writes them, with known
injected errors.

Every vote row carries its source and a verbatim excerpt, as `csto-alignment rollcall` writes
them: a state listed under a heading ("Against: ...", "Abstaining: ...", "Non-voting: ...")
quotes the heading and the names up to its own when that fits in source_excerpt's maxLength, else
its name as written; the states counted in the remainder (those in favour) quote the sentence with
the tally. Each roll call is one source of type un_voting_record; the project keeps the text of
one in TEXT_EVERY of them (OUT/sources/<source_id>.txt), so that the excerpts of those rows are
compared with a text.

Writes into OUT (default bench/out), streaming (13 million rows never sit in memory):
- votes.csv        the contribution, in the un_votes schema, with injected errors;
- clean_votes.csv  the same roll calls without errors (what `add` merges);
- sources/         the texts the project keeps;
- pkg/             the package with the synthetic resolutions and sources, its own votes only
                   (what `check votes.csv` judges the contribution against);
- full/            pkg with votes.csv as its un_votes and bad dates in un_resolutions (what
                   `validate` and `frictionless validate` run on);
- clean/           pkg with clean_votes.csv as its un_votes (what `query` and `export` read);
- add/             clean/ with the package's own votes only (what `add clean_votes.csv` extends);
- truth.json       every injected error: file, line, code.

Tallies carry one vote of slack in every category, so that no injected error makes another one
elsewhere, except on the resolutions whose yes tally is deliberately set one below the recorded yes
votes (tally-exceeded).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20221605
VOTES = ("yes", "no", "abstain", "non_voting")
WEIGHTS = (0.70, 0.08, 0.12, 0.10)
HEADINGS = {"no": "Against", "abstain": "Abstaining", "non_voting": "Non-voting"}
EXCERPT_MAX = 300
TEXT_EVERY = 10
# The columns a roll-call import fills; any other column of un_votes' schema is left empty.
FILLED = ["resolution_id", "country_iso3", "vote", "source_id", "source_excerpt"]


def schema_fields(name: str) -> list[str]:
    """The fields of one of the package's Table Schemas, in order."""
    schema = json.loads((ROOT / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"]]


VOTE_HEADER = schema_fields("un_votes")
assert VOTE_HEADER[: len(FILLED)] == FILLED, "un_votes' schema no longer starts with these columns"
PAD = [""] * (len(VOTE_HEADER) - len(FILLED))
# Injected into votes.csv: code(s) reported on the row -> how many.
INJECT = {
    "enum-error": 20,
    "required": 15,
    "pattern-error": 10,  # a lower-case code: no actor has it either (also a foreign-key)
    "foreign-key:country": 15,
    "foreign-key:resolution": 15,
    "length-error": 5,
    "excerpt-required": 5,
    "excerpt-not-in-source": 10,
}
DUPLICATES = 15
EXCEEDED = 10
BAD_DATES = ["2022-02-30", "16/05/2022", "1999-13-01", "2022-5-1", "May 2022"]


def states(root: Path) -> list[tuple[str, str]]:
    """(code, name) of every state actor, by code."""
    with (root / "data/actors.csv").open(encoding="utf-8", newline="") as fh:
        return sorted(
            (r["actor_id"], r["name"]) for r in csv.DictReader(fh) if r["actor_type"] == "state"
        )


def source_id(i: int) -> str:
    return f"bench-roll-call-{i + 1}"


def resolution_id(i: int) -> str:
    return f"A/RES/{1 + i // 120}/{9000 + i}"


def copy_package(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    d = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for r in d["resources"]:  # the bench edits data; release hashes would flag it
        r.pop("hash", None)
        r.pop("bytes", None)
    (dest / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    for folder in ("data", "schemas", "queries"):
        shutil.copytree(ROOT / folder, dest / folder)
    shutil.copy(ROOT / "CHANGELOG.md", dest / "CHANGELOG.md")


def link(src: Path, dest: Path) -> None:
    """dest becomes the same file as src (a hard link where possible: gigabytes at 13M)."""
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy(src, dest)


class RollCall:
    """One synthetic roll call: its votes, its published text and each row's excerpt."""

    def __init__(self, i: int, names: list[tuple[str, str]], votes: list[str]) -> None:
        self.i, self.rid, self.sid = i, resolution_id(i), source_id(i)
        self.votes = votes
        counts = dict.fromkeys(VOTES, 0)
        for v in votes:
            counts[v] += 1
        self.counts = counts
        tally = {k: n + 1 for k, n in counts.items()}  # one vote of slack everywhere
        self.tally = tally
        self.sentence = (
            f"The draft resolution was adopted as resolution {self.rid} by a recorded vote of "
            f"{tally['yes']} in favour to {tally['no']} against, with {tally['abstain']} abstentions."
        )
        self.excerpts = [self.sentence] * len(votes)
        parts = [f"{self.rid}: Synthetic resolution {i + 1}", self.sentence]
        for category, heading in HEADINGS.items():
            listed = [k for k, v in enumerate(votes) if v == category]
            if not listed:
                continue
            text = f"{heading}:"
            for n, k in enumerate(listed):
                name = names[k][1]
                text += (" " if n == 0 else ", ") + name
                self.excerpts[k] = text if len(text) <= EXCERPT_MAX else name
            parts.append(text + ".")
        self.text = "\n\n".join(parts) + "\n"

    def rows(self, codes: list[str]) -> list[list[str]]:
        return [
            [self.rid, code, vote, self.sid, ex, *PAD]
            for code, vote, ex in zip(codes, self.votes, self.excerpts, strict=True)
        ]


def _plan(rng: random.Random, n: int, s: int) -> dict[int, str]:
    """Row position -> the error injected there, at distinct positions. Two rows given the same
    made-up key (country ZZZ in one roll call; one state in the made-up resolution) would also
    collide on the primary key: those are drawn apart."""
    plan: dict[int, str] = {}
    keys: set[tuple[str, int]] = set()
    for what, count in INJECT.items():
        for _ in range(count):
            while True:
                if what == "excerpt-not-in-source":  # a roll call whose text is kept
                    pos = rng.randrange(0, n, TEXT_EVERY) * s + rng.randrange(s)
                else:
                    pos = rng.randrange(n * s)
                if what == "length-error" and (pos // s) % TEXT_EVERY == 0:
                    continue  # its text would also flag the longer excerpt
                key = {
                    "foreign-key:country": (what, pos // s),
                    "foreign-key:resolution": (what, pos % s),
                }.get(what)
                if pos in plan or key in keys:
                    continue
                plan[pos] = what
                if key:
                    keys.add(key)
                break
    return plan


def _mutate(what: str, row: list[str], rng: random.Random) -> None:
    """Inject `what` into the row."""
    if what == "enum-error":
        row[2] = rng.choice(["Yes", "abstention", "absent", " no"])
    elif what == "required":
        row[2] = ""
    elif what == "pattern-error":
        row[1] = row[1].lower()
    elif what == "foreign-key:country":
        row[1] = "ZZZ"
    elif what == "foreign-key:resolution":
        row[0] = "A/RES/99/99999"
    elif what == "length-error":
        row[4] = (row[4] + " " + "(recorded vote) " * 20)[: EXCERPT_MAX + 5]
    elif what == "excerpt-required":
        row[4] = ""
    elif what == "excerpt-not-in-source":
        row[4] = row[4][: EXCERPT_MAX - 6] + " [sic]"  # words the text never has


def _codes(what: str) -> list[str]:
    if what == "pattern-error":
        return ["pattern-error", "foreign-key"]
    return [what.split(":")[0]]


def generate(out: Path, n_resolutions: int) -> dict:
    rng = random.Random(SEED)
    names = states(ROOT)
    codes = [c for c, _ in names]
    s = len(codes)
    plan = _plan(rng, n_resolutions, s)
    touched = {pos // s for pos in plan}  # roll calls whose recorded votes an error may change
    spare = [i for i in range(n_resolutions) if i not in touched]
    exceeded = set(rng.sample(spare, EXCEEDED))
    dup_from = {
        i * s + rng.randrange(s): k
        for k, i in enumerate(rng.sample([i for i in spare if i not in exceeded], DUPLICATES))
    }
    truth: list[dict] = []
    duplicates: list[list[str]] = [[] for _ in range(DUPLICATES)]
    last_line: dict[int, int] = {}
    out.mkdir(parents=True, exist_ok=True)
    texts = out / "sources"
    shutil.rmtree(texts, ignore_errors=True)
    texts.mkdir()
    resolutions: list[dict] = []
    sources: list[dict] = []
    with (
        (out / "votes.csv").open("w", encoding="utf-8", newline="") as bad_fh,
        (out / "clean_votes.csv").open("w", encoding="utf-8", newline="") as clean_fh,
    ):
        bad, clean = (csv.writer(f, lineterminator="\n") for f in (bad_fh, clean_fh))
        bad.writerow(VOTE_HEADER)
        clean.writerow(VOTE_HEADER)
        for i in range(n_resolutions):
            call = RollCall(i, names, rng.choices(VOTES, WEIGHTS, k=s))
            rows = call.rows(codes)
            clean.writerows(rows)
            if i % TEXT_EVERY == 0:
                (texts / f"{call.sid}.txt").write_text(call.text, encoding="utf-8")
            for k, row in enumerate(rows):
                pos = i * s + k
                if pos in dup_from:
                    duplicates[dup_from[pos]] = list(row)
                if pos in plan:
                    row = list(row)
                    _mutate(plan[pos], row, rng)
                    rows[k] = row
                    truth += [
                        {"file": "votes.csv", "line": pos + 2, "code": c} for c in _codes(plan[pos])
                    ]
            bad.writerows(rows)
            if i in exceeded:
                last_line[i] = i * s + s + 1
            t = call.tally
            yes = call.counts["yes"] - 1 if i in exceeded else t["yes"]
            year = 1946 + i * 76 // n_resolutions
            resolutions.append(
                {"resolution_id": call.rid, "body": "General Assembly", "session": str(1 + i // 120),
                 "title": f"Synthetic resolution {i + 1}", "date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                 "yes": yes, "no": t["no"], "abstain": t["abstain"], "non_voting": t["non_voting"],
                 "source_id": call.sid, "source_excerpt": call.sentence}
            )  # fmt: skip
            sources.append(
                {"source_id": call.sid, "title": f"Recorded vote on {call.rid} (synthetic)",
                 "publisher": "csto-alignment bench", "published": f"{year}",
                 "source_type": "un_voting_record", "identifier": call.rid,
                 "notes": "Generated by bench/generate.py; not real votes."}
            )  # fmt: skip
        bad.writerows(duplicates)
    n_rows = n_resolutions * s
    truth += [
        {"file": "votes.csv", "line": n_rows + 2 + k, "code": "primary-key"}
        for k in range(DUPLICATES)
    ]
    truth += [
        {"file": "votes.csv", "line": last_line[i], "code": "tally-exceeded"}
        for i in sorted(exceeded)
    ]
    _packages(out, resolutions, sources, exceeded, rng, truth)
    summary = {
        "seed": SEED,
        "resolutions": n_resolutions,
        "states": s,
        "vote_rows": n_rows + DUPLICATES,
        "texts": len(range(0, n_resolutions, TEXT_EVERY)),
        "injected": truth,
    }
    (out / "truth.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _packages(
    out: Path,
    resolutions: list[dict],
    sources: list[dict],
    exceeded: set[int],
    rng: random.Random,
    truth: list[dict],
) -> None:
    def read(name: str) -> tuple[list[str], list[list[str]]]:
        with (ROOT / f"data/{name}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        return rows[0], rows[1:]

    def as_rows(header: list[str], rows: list[dict]) -> list[list]:
        unknown = {k for r in rows[:1] for k in r} - set(header)
        assert not unknown, f"columns the schema no longer has: {unknown}"
        return [[r.get(h, "") for h in header] for r in rows]

    res_header, real_res = read("un_resolutions")
    src_header, real_src = read("sources")
    synthetic = as_rows(res_header, resolutions)
    all_sources = sorted(real_src + as_rows(src_header, sources), key=lambda r: r[0])
    yes = res_header.index("yes")
    # Every resolution with its one vote of slack: the votes of clean/ and add/ are all valid.
    slack = [list(r) for r in synthetic]
    for i in exceeded:
        slack[i][yes] = synthetic[i][yes] + 2  # the tally with its slack back
    for name, rows in (("pkg", synthetic), ("full", synthetic), ("clean", slack), ("add", slack)):
        copy_package(out / name)
        _write(out / name / "data/sources.csv", src_header, all_sources)
        _write(out / name / "data/un_resolutions.csv", res_header, real_res + rows)
    date = res_header.index("date")
    bad_dates = sorted(rng.sample(range(len(synthetic)), len(BAD_DATES)))
    broken = [list(r) for r in synthetic]
    for k, i in enumerate(bad_dates):
        broken[i][date] = BAD_DATES[k]
        line = len(real_res) + i + 2
        truth.append({"file": "full/data/un_resolutions.csv", "line": line, "code": "type-error"})
    _write(out / "full/data/un_resolutions.csv", res_header, real_res + broken)
    link(out / "votes.csv", out / "full/data/un_votes.csv")
    link(out / "clean_votes.csv", out / "clean/data/un_votes.csv")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    ap.add_argument(
        "--resolutions", type=int, default=6700, help="roll calls to generate (x the states)"
    )
    a = ap.parse_args()
    s = generate(a.out, a.resolutions)
    print(f"{s['vote_rows']:,} vote rows, {len(s['injected'])} injected errors -> {a.out}")
