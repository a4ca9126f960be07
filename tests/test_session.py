"""The session's two threads: results in order, and a failure stops the other thread's query."""

from __future__ import annotations

import time

import pytest
from helpers import ROOT

from toolkit.checks.session import Session
from toolkit.package.tableschema import load_package


def test_results_come_back_in_the_order_of_the_tasks():
    session = Session(load_package(ROOT))
    tasks = [lambda c, k=k: c.execute(f"SELECT {k}").fetchone()[0] for k in range(7)]
    assert session.parallel(tasks) == list(range(7))


def test_a_failing_task_interrupts_the_query_of_the_other_thread():
    session = Session(load_package(ROOT))

    def endless(c):  # minutes of work, unless interrupted
        return c.execute("SELECT count(*) FROM range(1000000000000)").fetchall()

    def failing(c):
        time.sleep(0.3)
        raise ZeroDivisionError

    start = time.perf_counter()
    with pytest.raises(ZeroDivisionError):
        session.parallel([endless, failing])
    assert time.perf_counter() - start < 20
