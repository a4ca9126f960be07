"""Both ways of reading a CSV give the same rows and exact physical line numbers."""

from __future__ import annotations

import duckdb
import pytest
from helpers import ROOT, report

from toolkit.checks import csvread
from toolkit.package.tableschema import load_package

VOTES = load_package(ROOT).resource("un_votes")
HEADER = ",".join(VOTES.field_names)
PAD = "," * (len(VOTES.field_names) - 4)  # the columns after source_id, left empty
ROW = "A/RES/ES-11/1,{c},yes,a-source" + PAD


@pytest.mark.parametrize(
    ("name", "text", "fast", "lines"),
    [
        ("plain", f"{HEADER}\n{ROW.format(c='AAA')}\n{ROW.format(c='BBB')}\n", True, [2, 3]),
        (
            "bom_crlf",
            f"\ufeff{HEADER}\r\n{ROW.format(c='AAA')}\r\n{ROW.format(c='BBB')}\r\n",
            True,
            [2, 3],
        ),
        ("no_final_newline", f"{HEADER}\n{ROW.format(c='AAA')}", True, [2]),
        ("trailing_blank_lines", f"{HEADER}\n{ROW.format(c='AAA')}\n\n\n", True, [2]),
        ("comments", f"# a comment\n# another\n{HEADER}\n{ROW.format(c='AAA')}\n", True, [4]),
        (
            "blank_line_inside",
            f"{HEADER}\n{ROW.format(c='AAA')}\n\n{ROW.format(c='BBB')}\n",
            False,
            [2, 4],
        ),
        (  # DuckDB reads it; the line break inside the cell is counted in SQL
            "line_break_in_cell",
            f'{HEADER}\nA/RES/ES-11/1,AAA,"ye\ns",src{PAD}\n{ROW.format(c="BBB")}\n',
            True,
            [2, 4],
        ),
        (  # a carriage return inside a cell: the slow path counts the lines
            "carriage_return_in_cell",
            f'{HEADER}\nA/RES/ES-11/1,AAA,"ye\r\ns",src{PAD}\n{ROW.format(c="BBB")}\n',
            False,
            [2, 4],
        ),
    ],
)
def test_line_numbers(tmp_path, monkeypatch, name, text, fast, lines):
    used = []
    real = csvread._try_fast
    monkeypatch.setattr(csvread, "_try_fast", lambda *a: used.append(real(*a)) or used[-1])
    f = tmp_path / f"{name}.csv"
    f.write_bytes(text.encode("utf-8"))
    con = duckdb.connect()
    out = csvread.load_csv(con, "t", f, VOTES, name)
    got = [r[0] for r in con.execute(f"SELECT {out.line_sql} FROM t ORDER BY 1").fetchall()]
    assert got == lines
    assert (used[0] is not None) is fast  # the SQL of the rows' lines, or None: the slow path
    blank = [i.code for i in out.issues]
    assert blank == (["blank-row"] if name == "blank_line_inside" else [])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a,b\n",
        b"a,b\n1,2",
        b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n",
        b"a,b\n1,2\n" + b"\r\n" * 5000,  # empty lines longer than the block read back from the end
        b"a,b\n" + b"1,2\n" * 3000 + b"x\x00y\n",  # a NUL byte far from the start
        b"\r\n\r\n",
        b"a" * 70000 + b"\n1\n",  # no line end in the head
        "é".encode() * 40000 + b"\n1\n",  # nor a place to cut between characters at 64 KiB
        b"a,b\n" + b"1,2\n" * 20000,  # a head cut after a line end
    ],
)
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_facts_read_in_blocks_equal_facts_of_the_whole_file(tmp_path, data, chunk):
    f = tmp_path / "f.csv"
    f.write_bytes(data)
    assert csvread._Facts.of_file(f, chunk) == csvread._Facts.of_bytes(data)


def test_line_breaks_in_cells_are_counted_in_sql_as_the_slow_path_counts_them(
    check_json, monkeypatch
):
    numbered: list[bool] = []
    real = csvread._number_rows
    monkeypatch.setattr(
        csvread, "_number_rows", lambda *a: numbered.append(real(*a)) or numbered[-1]
    )
    fast = check_json("embedded_newline.csv")
    assert numbered == [True]  # DuckDB read it; the line breaks inside cells were counted in SQL
    monkeypatch.setattr(csvread, "_number_rows", lambda *a: False)  # Python's csv module reads it
    slow = check_json("embedded_newline.csv")
    assert fast.stdout == slow.stdout
    assert [(e["row"], e["code"]) for e in report(fast)["errors"]] == [(4, "enum-error")]


def test_line_breaks_in_several_columns_number_every_row_and_leave_its_cells(tmp_path):
    excerpt = '"first line\nsecond\nthird"'
    rows = [
        f"A/RES/ES-11/1,AAA,yes,src,{excerpt}{PAD[1:]}",
        f"A/RES/ES-11/1,BBB,yes,src,plain{PAD[1:]}",
        'A/RES/ES-11/1,CCC,yes,src,"a\nb",,,"c\nd"',
        f"A/RES/ES-11/1,DDD,no,src,x{PAD[1:]}",
    ]
    f = tmp_path / "breaks.csv"
    f.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    con = duckdb.connect()
    out = csvread.load_csv(con, "t", f, VOTES, "breaks.csv")
    got = con.execute(
        f"SELECT country_iso3, source_excerpt, {out.line_sql} FROM t ORDER BY 3"
    ).fetchall()
    assert got == [
        ("AAA", "first line\nsecond\nthird", 2),
        ("BBB", "plain", 5),
        ("CCC", "a\nb", 6),
        ("DDD", "x", 9),  # CCC has two cells of two lines each
    ]


def test_a_correction_of_rows_with_line_breaks_names_the_line_of_its_bad_row(run, pkg, tmp_path):
    # The package's own roll-call rows quote excerpts over several lines; a correction of three
    # of them, the last given a vote no one can cast, is judged with its own line numbers.
    import csv

    with (pkg / "data" / "un_votes.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if "\n" in (r["source_excerpt"] or "")][:3]
    assert len(rows) == 3, "the package's roll calls quote excerpts over several lines"
    rows[-1]["vote"] = "maybe"
    f = tmp_path / "correction.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=VOTES.field_names, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    line = 2 + sum(1 + sum(v.count("\n") for v in r.values()) for r in rows[:-1])
    result = run("check", f, "-r", "un_votes", "--replace", "--package", pkg, "--format", "json")
    assert result.exit_code == 1
    assert [(e["code"], e["row"]) for e in report(result)["errors"]] == [("enum-error", line)]
