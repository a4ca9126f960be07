"""`query` within limits a user can raise: a wall-clock timeout, a memory limit, a row limit for
the screen; Ctrl-C stops a running query every time; empty SQL and control characters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT

ENDLESS = "SELECT count(*) FROM range(10000000000000)"


def test_a_query_is_stopped_at_the_timeout(run, pkg_ro):
    run("query", "SELECT 1", "--package", pkg_ro)  # build the cache first
    started = time.monotonic()
    result = run("query", ENDLESS, "--timeout", "0.5", "--package", pkg_ro)
    assert time.monotonic() - started < 15
    assert result.exit_code == 2
    assert "stopped after 0.5 s" in result.stderr and "--timeout" in result.stderr


def test_a_query_beyond_the_memory_limit_is_stopped_saying_how_to_raise_it(run, pkg_ro):
    sql = "SELECT list(range) FROM range(100000000)"
    result = run("query", sql, "--memory", "64MB", "--format", "csv", "--package", pkg_ro)
    assert result.exit_code == 2
    assert "more memory than the limit of 64MB" in result.stderr and "--memory" in result.stderr


def test_a_memory_limit_that_is_not_a_size_is_a_usage_error(run, pkg_ro):
    result = run("query", "SELECT 1", "--memory", "1GB'; SET x='1", "--package", pkg_ro)
    assert result.exit_code == 2 and "not a size such as 512MB" in result.stderr


def test_the_table_shows_a_thousand_rows_and_counts_the_rest(run, pkg_ro):
    result = run("query", "SELECT * FROM range(5000)", "--package", pkg_ro)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2 + 1000
    assert "showing 1,000 of 5,000 rows (4,000 left out)" in result.stderr
    more = run("query", "SELECT * FROM range(5000)", "--limit", "0", "--package", pkg_ro)
    assert len(more.stdout.splitlines()) == 2 + 5000 and "left out" not in more.stderr


def test_csv_and_json_are_whole_unless_limited(run, pkg_ro):
    whole = run("query", "SELECT * FROM range(5000)", "--format", "csv", "--package", pkg_ro)
    assert len(whole.stdout.splitlines()) == 1 + 5000 and "left out" not in whole.stderr
    cut = run(
        "query",
        "SELECT * FROM range(5000)",
        "--format",
        "csv",
        "--limit",
        "10",
        "--package",
        pkg_ro,
    )
    assert len(cut.stdout.splitlines()) == 1 + 10
    assert "(4,990 left out)" in cut.stderr


@pytest.mark.parametrize("sql", ["", ";", "  ; ;\n", " -- nothing\n", "/* nothing */;"])
def test_empty_sql_is_a_usage_error_saying_what_to_give(run, pkg_ro, sql):
    result = run("query", sql, "--package", pkg_ro)
    assert result.exit_code == 2
    assert "no SQL to run" in result.stderr
    assert "Exception" not in result.stderr and "Error: Binder" not in result.stderr


def test_control_characters_are_escaped_in_table_and_markdown_output(run, pkg_ro):
    sql = "SELECT chr(27) || '[2J' || chr(8238) || 'evil' AS t"
    for fmt in ("table", "markdown"):
        out = run("query", sql, "--format", fmt, "--package", pkg_ro).stdout
        assert "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[2J\\u202eevil" in out


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_ctrl_c_stops_a_running_query_every_time(pkg_ro, attempt):
    subprocess.run(
        [sys.executable, "-m", "toolkit", "query", "SELECT 1", "--package", pkg_ro],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )  # the cache is built: the query is running when the signal comes
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "query", ENDLESS, "--package", pkg_ro],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(1.5 + 0.3 * attempt)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    # One line, whether the signal came while the query ran or (on a loaded machine) before the
    # command had reached it.
    [line] = err.strip().splitlines()
    assert line in ("Error: interrupted: the query was stopped (Ctrl-C)", "Error: interrupted")


@pytest.mark.parametrize("sql", ["ATTACH '{cache}' AS again", "ATTACH '{cache}' AS a (READ_ONLY)"])
def test_attaching_the_cache_itself_is_refused(run, pkg_ro, sql, query_cache):
    assert run("query", "SELECT 1", "--package", pkg_ro).exit_code == 0
    cache = next(query_cache.glob("query-*.duckdb"))
    result = run("query", sql.format(cache=cache), "--package", pkg_ro)
    assert result.exit_code == 2 and "refused" in result.stderr


def test_a_folder_left_in_the_cache_cannot_be_written_into(run, pkg, query_cache):
    left = query_cache / "query-0123456789abcdef0123.duckdb.tmp"
    left.mkdir(parents=True)
    sql = f"COPY (SELECT 1 AS x) TO '{left}/out.csv'"
    result = run("query", sql, "--package", pkg)
    assert result.exit_code == 2 and "refused" in result.stderr
    assert list(left.iterdir()) == []
