"""Limits that hold against a hostile package or query: the memory limit bounds the process, source
texts are read from the sources folder only, rollcall stays linear, the lock's timeout is finite."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURES, codes

MB = 1 << 20


def peak_of(args: list[str], env: dict | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """Run the command line in a child process; (the result, the child's peak memory in bytes).
    Each call runs in its own process so that ru_maxrss of the children is this child's."""
    probe = (
        "import resource, subprocess, sys; "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(p.returncode)"
    )
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "toolkit", *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    *err, peak = done.stderr.strip().splitlines()
    done.stderr = "\n".join(err)
    return done, int(peak) * 1024


# 9. `query "SELECT * FROM range(1e12::BIGINT)" --limit 10` reached 12.4 GB against a 2 GB limit
def test_a_row_limit_keeps_a_huge_result_out_of_memory(run, pkg_ro):
    assert run("query", "SELECT 1", "--package", pkg_ro).exit_code == 0  # the cache, built once
    started = time.monotonic()
    sql = "SELECT range, range::VARCHAR AS s FROM range(200000000::BIGINT)"
    done, peak = peak_of(["query", sql, "--limit", "10", "--memory", "256MB", "--package", pkg_ro])
    assert done.returncode == 0, done.stderr
    assert "showing 10 of more than 1,000,010 rows" in done.stderr
    assert len(done.stdout.splitlines()) == 10 + 2  # the header and its rule
    assert peak < 600 * MB, peak
    assert time.monotonic() - started < 60


def test_all_rows_stop_at_the_memory_limit_saying_so(run, pkg_ro):
    assert run("query", "SELECT 1", "--package", pkg_ro).exit_code == 0
    sql = "SELECT range, range::VARCHAR AS s FROM range(10000000::BIGINT)"  # about 1.5 GB whole
    args = ["query", sql, "--format", "csv", "--memory", "128MB", "--package", pkg_ro]
    done, peak = peak_of(args)
    assert done.returncode == 2
    assert "the result needs more memory than the limit of 128MB" in done.stderr
    assert "--limit N" in done.stderr
    assert peak < 700 * MB, peak


# 10. A contributed date_source_id of ../../secret made the excerpt hint quote a file outside
@pytest.mark.parametrize("field", ["date_source", "source"])
@pytest.mark.parametrize("sid", ["../secret", "linked"])
def test_a_source_id_that_is_a_path_reads_no_file(run, pkg_ro, tmp_path, canary, field, sid):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret words of a file outside the package\n", encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "linked.txt").symlink_to(secret)
    text = (FIXTURES / "good_statement.csv").read_text(encoding="utf-8")
    header, row = list(csv.reader(io.StringIO(text)))[:2]
    row[header.index(f"{field}_id")] = sid
    row[header.index(f"{field}_excerpt")] = "the secret wordz"  # not found: the hint would quote
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    f = tmp_path / "row.csv"
    f.write_text(out.getvalue(), encoding="utf-8")
    result = run(
        "check",
        f,
        "-r",
        "statements",
        "--package",
        pkg_ro,
        "--sources",
        sources,
        "--format",
        "json",
    )
    assert "secret words of a file" not in result.stdout + result.stderr
    assert "excerpt-not-in-source" not in codes(result)
    assert canary.unchanged()


def test_source_texts_are_read_by_slug_from_the_folder_only(tmp_path):
    from toolkit.checks.excerpts import source_text

    (tmp_path / "ok-1.txt").write_text("x", encoding="utf-8")
    assert source_text(tmp_path, "ok-1") == tmp_path / "ok-1.txt"
    for sid in ("../ok-1", "/etc/hostname", "OK-1", "a/../ok-1", "", ".", "..", "ok-1\0"):
        assert source_text(tmp_path, sid) is None


ES11_1 = ("--resolution", "A/RES/ES-11/1", "--source-id", "un-media-5th-es-11-1")


# 12. rollcall on a 50,000-character name took 132 s; a 1.8 MB name ran past 300 s
def test_rollcall_refuses_a_huge_name_at_once(run, pkg_ro, tmp_path):
    for size in (50_000, 1_800_000):
        f = tmp_path / "rollcall.txt"
        f.write_text("Against: Belarus" + " ." * (size // 2) + " x\n", encoding="utf-8")
        started = time.monotonic()
        result = run("rollcall", f, *ES11_1, "--package", pkg_ro, "--format", "json")
        assert time.monotonic() - started < 20
        assert result.exit_code == 1
        assert "unknown-state-name" in codes(result)
        assert "characters long; no state's name is longer than 120" in result.stdout


# 23. A NUL byte reached rollcall's output
def test_rollcall_refuses_control_characters(run, pkg_ro, tmp_path):
    f = tmp_path / "rollcall.txt"
    f.write_text("Against: Belarus\x00, Russian Federation\n", encoding="utf-8")
    result = run("rollcall", f, *ES11_1, "--package", pkg_ro)
    assert result.exit_code == 1
    assert "U+0000 (a control character) is not roll-call text" in result.stderr
    assert "\x00" not in result.stdout and result.stdout == ""


# 11. The site did not scale: a scan per page (quadratic), one 66 MB vote-matrix page, and a
#     timeline that fails to draw from 3,000 items
def scaled_package(pkg: Path, resolutions: int, statements: int) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from site_scale import generate
    finally:
        sys.path.pop(0)
    generate(pkg.parent / "scaled", resolutions, statements)
    return pkg.parent / "scaled"


def test_related_rows_are_looked_up_not_scanned(pkg_ro):
    from toolkit.package.tableschema import load_package
    from toolkit.site.data import read_site_data

    class Counted(list):
        scans = 0

        def __iter__(self):
            Counted.scans += 1
            return super().__iter__()

    data = read_site_data(load_package(pkg_ro))
    data.rows["un_votes"] = Counted(data.rows["un_votes"])
    ids = [r["resolution_id"] for r in data.rows["un_resolutions"]] * 50
    found = [data.where("un_votes", resolution_id=i) for i in ids]
    assert Counted.scans == 1
    assert sum(map(len, found)) == 50 * len(data.rows["un_votes"])


@pytest.mark.slow
def test_the_site_pages_the_vote_matrix_and_says_what_the_timeline_leaves_out(run, pkg, tmp_path):

    pytest.importorskip("altair", reason="the site needs the 'site' extra")
    from toolkit.site.build import MATRIX_COLUMNS, TIMELINE_DRAWN

    scaled = scaled_package(pkg, MATRIX_COLUMNS + 10, TIMELINE_DRAWN + 200)
    started = time.monotonic()
    result = run("site", "--out", tmp_path / "site", "--package", scaled)
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 120
    site = tmp_path / "site"
    matrix = [site / "vote-matrix.html", site / "vote-matrix-2.html"]
    assert all(p.exists() for p in matrix) and not (site / "vote-matrix-3.html").exists()
    first = matrix[0].read_text(encoding="utf-8")
    assert 'href="vote-matrix-2.html"' in first and 'aria-current="page"' in first
    for page in matrix:
        assert page.stat().st_size < 4 * MB
    timeline = (site / "timeline.html").read_text(encoding="utf-8")
    assert f"The chart draws the {TIMELINE_DRAWN:,} latest items" in timeline
    assert "synthetic-statement-00001" in timeline  # listed in the table, though not drawn
