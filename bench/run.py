"""Benchmark validation and queries at UN scale, as whole processes, against DuckDB's own floor.

    python bench/run.py [--runs 3] [--frictionless-runs 1] [--scale 1.0]

Generates the data with bench/generate.py (fixed seed) unless it is already there, then times each
command several times and prints a Markdown table: median wall time, peak memory (max RSS of the
process), injected errors found, and the ratio to the floor (DuckDB's bare typed read of the CSV).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BIN = Path(sys.executable).parent
CLI = str(BIN / "csto-alignment")
QUESTION = (
    "SELECT a.name AS state, v.vote, count(*) AS votes FROM un_votes v "
    "JOIN actors a ON a.actor_id = v.country_iso3 GROUP BY ALL ORDER BY state, vote"
)
FLOOR = (
    'import duckdb, sys; duckdb.sql("SELECT count(*) FROM read_csv(\'" + sys.argv[1] + "\', header=true, '
    "auto_detect=false, delim=',', quote='\\\"', columns={'resolution_id': 'VARCHAR', 'country_iso3': "
    "'VARCHAR', 'vote': 'VARCHAR', 'source_id': 'VARCHAR'})\").fetchall()"
)
# The same read, kept in a table as the toolkit must keep it (a reference, not the floor).
READ_INTO_TABLE = FLOOR.replace(
    "SELECT count(*) FROM read_csv", "CREATE TABLE t AS SELECT * FROM read_csv"
).replace(".fetchall()", "")
# Runs a command and prints its wall time and peak RSS (KiB), so each is measured in isolation.
MEASURE = (
    "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
    "p = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], 'wb'), stderr=subprocess.DEVNULL); "
    "w = time.perf_counter() - t; "
    "print(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode]))"
)


def _once(cmd: list[str], out: Path) -> tuple[float, float]:
    res = subprocess.run(
        [sys.executable, "-c", MEASURE, str(out), *cmd], capture_output=True, text=True, check=True
    )
    wall, rss, _code = json.loads(res.stdout)
    return wall, rss / 1024


def measure_all(
    cmds: dict[str, list[str]], runs: int, before: dict | None = None
) -> dict[str, tuple[float, float, bytes]]:
    """Median wall time, peak memory and last output of each command; the runs are interleaved so
    that a busy moment of the machine weighs on every command alike."""
    before = before or {}
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    peaks: dict[str, list[float]] = {k: [] for k in cmds}
    outs = {k: Path(tempfile.mkstemp(prefix="bench-")[1]) for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            if k in before:
                before[k]()
            w, m = _once(cmd, outs[k])
            walls[k].append(w)
            peaks[k].append(m)
    result = {k: (statistics.median(walls[k]), max(peaks[k]), outs[k].read_bytes()) for k in cmds}
    for f in outs.values():
        f.unlink()
    return result


def found_by_toolkit(output: bytes, truth: list[dict], files: set[str]) -> int:
    errors = json.loads(output)["errors"]
    got = {(e["row"], e["code"], e["resource"]) for e in errors}
    hits = 0
    for t in truth:
        if t["file"] not in files:
            continue
        resource = "un_resolutions" if "un_resolutions" in t["file"] else "un_votes"
        hits += (t["line"], t["code"], resource) in got
    return hits


def found_by_frictionless(output: bytes, truth: list[dict]) -> int:
    report = json.loads(output)
    rows: set[tuple[str, int]] = set()
    for task in report.get("tasks", []):
        name = task.get("name") or task.get("resource", {}).get("name", "")
        for e in task.get("errors", []):
            if e.get("rowNumber"):
                rows.add((name, e["rowNumber"]))
    hits = 0
    for t in truth:
        resource = "un_resolutions" if "un_resolutions" in t["file"] else "un_votes"
        hits += (resource, t["line"]) in rows
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--frictionless-runs", type=int, default=1, help="frictionless takes ~40 s a run"
    )
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 6,700 roll calls x 193 states")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--skip-frictionless", action="store_true")
    a = ap.parse_args()
    n = int(6700 * a.scale)
    truth_file = a.out / "truth.json"
    if not truth_file.exists() or json.loads(truth_file.read_text())["resolutions"] != n:
        generate.generate(a.out, n)
    meta = json.loads(truth_file.read_text())
    truth = meta["injected"]
    votes = str(a.out / "votes.csv")
    clean = a.out / "clean"

    cache = a.out / "query-cache"  # the typed query cache of these runs (toolkit/db/query.py)
    os.environ["CSTO_ALIGNMENT_CACHE"] = str(cache)

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    query = [CLI, "query", QUESTION, "--package", str(clean), "--format", "csv"]
    cmds = {
        "floor": [sys.executable, "-c", FLOOR, votes],
        "table": [sys.executable, "-c", READ_INTO_TABLE, votes],
        "check": [
            CLI,
            "check",
            votes,
            "-r",
            "un_votes",
            "--package",
            str(a.out / "pkg"),
            "--format",
            "json",
        ],
        "validate": [CLI, "validate", str(a.out / "full"), "--format", "json"],
        "cold": query,
        "warm": query,
    }
    m = measure_all(cmds, a.runs, before={"cold": cold})
    votes_truth = [t for t in truth if t["file"] == "votes.csv"]
    full_truth = [
        dict(t, file="full/data/un_votes.csv") if t["file"] == "votes.csv" else t for t in truth
    ]
    floor_wall = m["floor"][0]
    rows: list[tuple[str, float, float, str]] = [
        ("DuckDB typed read_csv + count (the floor)", m["floor"][0], m["floor"][1], "-"),
        ("DuckDB typed read_csv into a table (reference)", m["table"][0], m["table"][1], "-"),
        (
            "`csto-alignment check` (contribution vs package)",
            m["check"][0],
            m["check"][1],
            f"{found_by_toolkit(m['check'][2], votes_truth, {'votes.csv'})}/{len(votes_truth)}",
        ),
        (
            "`csto-alignment validate` (whole package)",
            m["validate"][0],
            m["validate"][1],
            f"{found_by_toolkit(m['validate'][2], full_truth, {t['file'] for t in full_truth})}/{len(full_truth)}",
        ),
    ]
    if not a.skip_frictionless:
        fr = [str(BIN / "frictionless"), "validate", "--json", str(a.out / "full/datapackage.json")]
        f = measure_all({"f": fr}, a.frictionless_runs)["f"]
        rows.append(
            (
                "`frictionless validate` (whole package, default settings)",
                f[0],
                f[1],
                f"{found_by_frictionless(f[2], full_truth)}/{len(full_truth)}",
            )
        )
    rows.append(
        (
            "`csto-alignment query` grouped join, cold (builds the cache)",
            m["cold"][0],
            m["cold"][1],
            "-",
        )
    )
    rows.append(("`csto-alignment query` grouped join, warm", m["warm"][0], m["warm"][1], "-"))

    print(
        f"{meta['vote_rows']:,} vote rows ({meta['resolutions']:,} roll calls x {meta['states']} states), "
        f"{len(truth)} injected errors; median of {a.runs} interleaved runs (frictionless: {a.frictionless_runs})."
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or platform.platform()}, "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}\n"
    )
    print("| command | wall (s) | peak memory (MB) | injected errors found | x floor |")
    print("|---|---|---|---|---|")
    for name, wall, mem, found in rows:
        print(f"| {name} | {wall:.2f} | {mem:.0f} | {found} | {wall / floor_wall:.1f} |")


if __name__ == "__main__":
    main()
