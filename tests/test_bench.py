"""The benchmark's generator (bench/generate.py) at a small size: its rows are what the package's
schemas accept, and `check` and `validate` report exactly the errors it injects (the benchmark
itself, at 1.3 and 13 million votes, is not a test: `python bench/run.py`)."""

from __future__ import annotations

import json
import sys

import pytest
from helpers import ROOT, report

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

RESOLUTIONS = 200  # enough roll calls untouched by an injected error to draw the others from


@pytest.mark.slow
def test_the_generated_rows_are_valid_and_the_injected_errors_exactly_found(run, tmp_path):
    meta = generate.generate(tmp_path, RESOLUTIONS)
    truth = meta["injected"]
    sources = tmp_path / "sources"

    clean = run("validate", tmp_path / "clean", "--sources", sources, "--format", "json")
    assert clean.exit_code == 0, clean.stdout
    added = run(
        "add", tmp_path / "clean_votes.csv", "-r", "un_votes", "--package", tmp_path / "add",
        "--sources", sources, "--format", "json",
    )  # fmt: skip
    assert added.exit_code == 0, added.stdout

    checked = run(
        "check", tmp_path / "votes.csv", "-r", "un_votes", "--package", tmp_path / "pkg",
        "--sources", sources, "--format", "json",
    )  # fmt: skip
    found = {(e["row"], e["code"]) for e in report(checked)["errors"]}
    assert found == {(t["line"], t["code"]) for t in truth if t["file"] == "votes.csv"}

    validated = report(run("validate", tmp_path / "full", "--sources", sources, "--format", "json"))
    found = {(e["resource"], e["row"], e["code"]) for e in validated["errors"]}
    resource = {"votes.csv": "un_votes", "full/data/un_resolutions.csv": "un_resolutions"}
    assert found == {(resource[t["file"]], t["line"], t["code"]) for t in truth}
    assert validated["warnings"] == []
    assert json.loads((tmp_path / "truth.json").read_text())["vote_rows"] == meta["vote_rows"]


def test_the_readme_shows_the_machine_and_the_rows_with_a_target_of_the_last_run(tmp_path):
    import run as bench_run

    rows = [
        {"size": "1.3M", "command": "floor", "runs": 5, "wall": 0.4, "ratio": 1.0, "peak": 190,
         "counts": None, "target": None, "ok": None, "code": 0, "error": ""},
        {"size": "1.3M", "command": "check", "runs": 5, "wall": 1.5, "ratio": 3.9, "peak": 474,
         "counts": (130, 130, 0), "target": (2, None), "ok": False, "code": 1, "error": ""},
        {"size": "1.3M", "command": "query (warm)", "runs": 5, "wall": 0.4, "ratio": 1.1,
         "peak": 83, "counts": None, "target": None, "ok": None, "code": 0, "error": ""},
    ]  # fmt: skip
    text = "\n".join(["```text", "1.3M: ...", "Machine: 2 cores", "Commit abc1234, ...", "```",
                      "", bench_run.table(rows)])  # fmt: skip
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{bench_run.SUMMARY[0]} -->\nold\n{bench_run.SUMMARY[1]}\nend\n")
    bench_run.write_block(bench_run.summary(text), readme, bench_run.SUMMARY)
    page = readme.read_text()
    assert "Machine: 2 cores" in page and "Commit abc1234" in page and "old" not in page
    assert "| `check` |" in page and "DuckDB bare read (the floor)" in page
    assert "query (warm)" not in page and "1.3M: ..." not in page
    assert page.endswith(f"{bench_run.SUMMARY[1]}\nend\n")
