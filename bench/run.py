"""Benchmark the toolkit at UN scale, as whole processes, against DuckDB's bare read of the same file.

    python bench/run.py            # 1.3M and 13M votes; writes the table into docs/maintainers.md
    python bench/run.py --quick    # 1.3M only, fewer runs: the day-to-day regression check

Generates the data with bench/generate.py (fixed seed) unless it is already there, then times each
command (interleaved runs, so that a busy moment weighs on every command alike) and prints ONE
table: median wall time, its ratio to the floor (DuckDB's bare read of the contribution), peak
memory (resident set of the whole process tree, sampled), the target and PASS/FAIL, and the
injected errors found (every one must be found, and nothing else reported). Exits 1 if any target
or count fails. This is a benchmark, not a test: CI does not run it.
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
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BIN = Path(sys.executable).parent
CLI = str(BIN / "csto-alignment")
DOC = ROOT / "docs" / "maintainers.md"
START, END = "<!-- bench:start", "<!-- bench:end -->"
# The README shows the rows with a target, from the same run (README's Speed section).
README = ROOT / "README.md"
SUMMARY = ("<!-- bench-summary:start", "<!-- bench-summary:end -->")
SUMMED = ("DuckDB bare read (the floor)", "`check`", "`validate`", "`add`", "`query (cold)`")
QUESTION = (
    "SELECT a.name AS state, v.vote, count(*) AS votes FROM un_votes v "
    "JOIN actors a ON a.actor_id = v.country_iso3 GROUP BY ALL ORDER BY state, vote"
)
COLUMNS = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in generate.VOTE_HEADER) + "}"
FLOOR = (
    'import duckdb, sys; duckdb.sql("SELECT count(*) FROM read_csv(\'" + sys.argv[1] + "\', '
    f"header=true, auto_detect=false, delim=',', quote='\\\"', columns={COLUMNS})\").fetchall()"
)
SIZES = {"1.3M": 6700, "13M": 67000}
GB = 1024  # MB
# size -> command -> (max ratio to the floor, max peak MB or None); commands absent have none.
TARGETS: dict[str, dict[str, tuple[float, float | None]]] = {
    "1.3M": {"check": (2, None), "validate": (2, None), "add": (3, None)},
    "13M": {
        "check": (3, GB),
        "validate": (3, GB),
        "add": (3, GB),
        "query (cold)": (3, GB),
    },
}


@dataclass
class Run:
    walls: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    code: int = 0
    output: bytes = b""
    error: str = ""  # the last line the command wrote to stderr, when its output is not a report

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def _children(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc: each process's parent)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(cmd: list[str], out: Path) -> tuple[float, float, int]:
    """Wall time, peak resident memory of the process tree (MB) and exit code of one run."""
    with out.open("wb") as fh:
        t = time.perf_counter()
        err = out.with_suffix(".err").open("wb")
        p = subprocess.Popen(cmd, stdout=fh, stderr=err)
        peak, tick = 0.0, 0
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            tree = [p.pid] + (_children(p.pid) if tick % 10 == 0 else [])
            peak = max(peak, _rss_mb(tree))
            tick += 1
            time.sleep(0.01)
        wall = time.perf_counter() - t
        err.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    # The kernel's high-water mark of the process too: a peak between two samples is not missed.
    return wall, max(peak, usage.ru_maxrss / 1024), p.returncode


def run_all(cmds: dict[str, list[str]], runs: int, before: dict) -> dict[str, Run]:
    result = {k: Run() for k in cmds}
    outs = {k: Path(tempfile.mkstemp(prefix="bench-")[1]) for k in cmds}
    try:
        for i in range(runs):
            for k, cmd in cmds.items():
                if k in before:
                    before[k]()
                w, m, code = measure(cmd, outs[k])
                r = result[k]
                r.walls.append(w)
                r.peak_mb, r.code = max(r.peak_mb, m), code
            print(
                f"  run {i + 1}/{runs}: "
                + ", ".join(f"{k} {result[k].walls[-1]:.2f}s" for k in cmds),
                file=sys.stderr,
            )
        for k in cmds:
            result[k].output = outs[k].read_bytes()
            lines = outs[k].with_suffix(".err").read_bytes().decode("utf-8", "replace")
            lines = [
                x for x in lines.replace("\r", "\n").splitlines() if x.strip() and "%" not in x
            ]
            result[k].error = lines[-1][:200] if lines else ""
    finally:
        for f in outs.values():
            f.unlink(missing_ok=True)
            f.with_suffix(".err").unlink(missing_ok=True)
    return result


def toolkit_counts(output: bytes, truth: list[dict]) -> tuple[int, int, int] | None:
    """(injected found, injected, other findings) of a toolkit JSON report (None: no report)."""
    try:
        report = json.loads(output)
    except ValueError:
        return None
    got = {(e["resource"], e["row"], e["code"]) for e in report["errors"] + report["warnings"]}
    expected = {(_resource(t), t["line"], t["code"]) for t in truth}
    return len(got & expected), len(expected), len(got - expected)


def frictionless_counts(output: bytes, truth: list[dict]) -> tuple[int, int, int] | None:
    """(injected rows found, injected rows, other rows reported): frictionless by row only."""
    try:
        report = json.loads(output)
    except ValueError:
        return None
    rows: set[tuple[str, int]] = set()
    for task in report.get("tasks", []):
        name = task.get("name") or task.get("resource", {}).get("name", "")
        for e in task.get("errors", []):
            if e.get("rowNumber"):
                rows.add((name, e["rowNumber"]))
    expected = {(_resource(t), t["line"]) for t in truth}
    return len(rows & expected), len(expected), len(rows - expected)


def _resource(t: dict) -> str:
    return "un_resolutions" if "un_resolutions" in t["file"] else "un_votes"


def bench_size(
    label: str, out: Path, runs: int, frictionless_runs: int, skip_reason: str
) -> tuple[list[dict], str]:
    n = SIZES[label]
    truth_file = out / "truth.json"
    if not truth_file.exists() or json.loads(truth_file.read_text())["resolutions"] != n:
        print(f"generating {label} votes in {out} ...", file=sys.stderr)
        generate.generate(out, n)
    meta = json.loads(truth_file.read_text())
    truth = meta["injected"]
    votes, sources = str(out / "votes.csv"), str(out / "sources")
    own_votes = (ROOT / "data/un_votes.csv").read_bytes()
    changelog = (
        (out / "add/CHANGELOG.md").read_bytes() if (out / "add/CHANGELOG.md").exists() else None
    )

    def fresh_add() -> None:  # add/ as generated: its own votes only
        (out / "add/data/un_votes.csv").write_bytes(own_votes)
        if changelog is not None:
            (out / "add/CHANGELOG.md").write_bytes(changelog)

    cache = out / "query-cache"  # the typed query cache of these runs (toolkit/db/query.py)
    os.environ["CSTO_ALIGNMENT_CACHE"] = str(cache)

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def no_export() -> None:
        shutil.rmtree(out / "export", ignore_errors=True)

    fresh_add()
    query = [
        CLI,
        "query",
        QUESTION,
        "--package",
        str(out / "clean"),
        "--format",
        "csv",
        "--timeout",
        "0",
    ]
    cmds = {
        "floor": [sys.executable, "-c", FLOOR, votes],
        "check": [CLI, "check", votes, "-r", "un_votes", "--package", str(out / "pkg"), "--sources", sources, "--format", "json"],
        "validate": [CLI, "validate", str(out / "full"), "--sources", sources, "--format", "json"],
        "add": [CLI, "add", str(out / "clean_votes.csv"), "-r", "un_votes", "--package", str(out / "add"), "--sources", sources, "--format", "json"],
        "query (cold)": query,
        "query (warm)": query,
        "export --format parquet": [CLI, "export", "--format", "parquet", "--out", str(out / "export"), "--package", str(out / "clean")],
    }  # fmt: skip
    print(f"{label}: {meta['vote_rows']:,} vote rows, {runs} runs", file=sys.stderr)
    m = run_all(
        cmds, runs, {"add": fresh_add, "query (cold)": cold, "export --format parquet": no_export}
    )
    fresh_add()
    if frictionless_runs:
        fr = [str(BIN / "frictionless"), "validate", "--json", str(out / "full/datapackage.json")]
        m["frictionless validate"] = run_all({"f": fr}, frictionless_runs, {})["f"]
    floor = m["floor"].median
    votes_truth = [t for t in truth if t["file"] == "votes.csv"]
    rows = []
    for name, r in m.items():
        counts = None
        if name == "check":
            counts = toolkit_counts(r.output, votes_truth)
        elif name == "validate":
            counts = toolkit_counts(r.output, truth)
        elif name == "add":
            counts = toolkit_counts(r.output, [])  # clean rows: nothing to find, and added
        elif name == "frictionless validate":
            counts = frictionless_counts(r.output, truth)
        target = TARGETS[label].get(name)
        ok = None
        failed = name in ("check", "validate", "add", "frictionless validate") and counts is None
        failed = failed or (name.startswith(("query", "export")) and r.code != 0)
        if failed:
            ok = False if target is not None else None
        elif target is not None:
            ratio_ok = r.median / floor <= target[0]
            mem_ok = target[1] is None or r.peak_mb <= target[1]
            found_ok = counts is None or (counts[0] == counts[1] and counts[2] == 0)
            ok = ratio_ok and mem_ok and found_ok and r.code == (1 if counts and counts[1] else 0)
        rows.append({"size": label, "command": name, "runs": len(r.walls), "wall": r.median,
                     "ratio": r.median / floor, "peak": r.peak_mb, "counts": counts,
                     "target": target, "ok": ok, "code": r.code,
                     "error": r.error if failed else ""})  # fmt: skip
    if not frictionless_runs:
        rows.append({"size": label, "command": "frictionless validate", "skipped": skip_reason})
    about = (
        f"{label}: {meta['vote_rows']:,} vote rows ({meta['resolutions']:,} roll calls x "
        f"{meta['states']} states, an excerpt on every row, {meta['texts']:,} source texts kept), "
        f"{len(truth)} injected errors"
    )
    return rows, about


def _target(t: tuple[float, float | None] | None) -> str:
    if t is None:
        return "-"
    return f"<= {t[0]:g}x" + (f", < {t[1] / GB:g} GB" if t[1] else "")


def table(rows: list[dict]) -> str:
    lines = [
        "| votes | command | runs | median wall (s) | x floor | peak RSS (MB) | injected errors found | other findings | target | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.get("skipped"):
            lines.append(
                f"| {r['size']} | {r['command']} | 0 | - | - | - | - | - | - | skipped: {r['skipped']} |"
            )
            continue
        c = r["counts"]
        found = f"{c[0]}/{c[1]}" if c else "-"
        other = str(c[2]) if c else "-"
        verdict = "-" if r["ok"] is None else ("PASS" if r["ok"] else "FAIL")
        if r.get("error"):
            verdict = f"{verdict}: exit {r['code']}, {r['error']}"
        name = "DuckDB bare read (the floor)" if r["command"] == "floor" else f"`{r['command']}`"
        lines.append(
            f"| {r['size']} | {name} | {r['runs']} | {r['wall']:.2f} | {r['ratio']:.1f} | {r['peak']:.0f} "
            f"| {found} | {other} | {_target(r['target'])} | {verdict} |"
        )
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem = int(fh.readline().split()[1]) / 2**20
    return f"{os.cpu_count()} cores, {mem:.0f} GB memory, {model}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return head + (" with uncommitted changes" if dirty else "")


def write_block(text: str, doc: Path = DOC, marks: tuple[str, str] = (START, END)) -> None:
    page = doc.read_text(encoding="utf-8")
    start = page.index(marks[0])
    start = page.index("\n", start) + 1
    end = page.index(marks[1])
    doc.write_text(page[:start] + text + "\n" + page[end:], encoding="utf-8")


def summary(text: str) -> str:
    """The README's part of the table written to DOC: its machine and commit, and the rows of the
    commands with a target."""
    lines = text.splitlines()
    machine_lines = [ln for ln in lines if ln.startswith(("Machine:", "Commit "))]
    table_lines = [ln for ln in lines if ln.startswith("|")]
    kept = table_lines[:2] + [ln for ln in table_lines[2:] if ln.split("|")[2].strip() in SUMMED]
    return "\n".join(["```text", *machine_lines, "```", "", *kept])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="1.3M votes only, 3 runs, no frictionless; no page written",
    )
    ap.add_argument("--runs", type=int, default=5, help="runs at 1.3M votes (median)")
    ap.add_argument("--runs-13m", type=int, default=3, help="runs at 13M votes")
    ap.add_argument(
        "--frictionless-runs", type=int, default=1, help="at 1.3M; it checks ~30,000 rows a second"
    )
    ap.add_argument(
        "--frictionless-13m", action="store_true", help="also at 13M (about 8 minutes a run)"
    )
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    a = ap.parse_args()
    load_before = os.getloadavg()
    rows, about = [], []
    sizes = [("1.3M", 3 if a.quick else a.runs, 0 if a.quick else a.frictionless_runs)]
    if not a.quick:
        sizes.append(("13M", a.runs_13m, 1 if a.frictionless_13m else 0))
    for label, runs, fr in sizes:
        skip = (
            "not run by --quick"
            if a.quick
            else "at ~30,000 rows a second one run takes about 8 minutes (--frictionless-13m runs it)"
        )
        found, line = bench_size(label, a.out / label, runs, fr, skip)
        (a.out / label / "results.json").write_text(
            json.dumps({"about": line, "rows": found}, indent=1)
        )
        rows += found
        about.append(line)
    load_after = os.getloadavg()
    text = "\n".join(
        [
            "```text",
            *about,
            f"Machine: {machine()}",
            f"Commit {commit()}, {time.strftime('%Y-%m-%d')}; load average (1 min) "
            f"{load_before[0]:.1f} before, {load_after[0]:.1f} after",
            "```",
            "",
            table(rows),
        ]
    )
    print(text)
    if not a.quick and not a.no_write:
        write_block(text)
        write_block(summary(text), README, SUMMARY)
        print(f"written to {DOC.relative_to(ROOT)} and {README.name}", file=sys.stderr)
    return 0 if all(r.get("ok") is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
