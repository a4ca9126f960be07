"""`add`'s merge, set-based in DuckDB, writes byte for byte what the csv-module merge wrote: on
generated files (unsorted existing rows, duplicate keys, --replace, composite keys and none,
quotes, commas, line feeds and carriage returns in cells, non-ASCII keys, empty cells, comment
lines, CRLF, a BOM, columns in another order) and on hand-made ones DuckDB reads its own way."""

from __future__ import annotations

import csv
import heapq
import io
import operator
import random
from pathlib import Path

import pytest

from toolkit.checks.csvread import leading_comments
from toolkit.package.tableschema import Field, Resource
from toolkit.release.diff import cell_changes
from toolkit.store.merge import staged_merge

# --- The merge as `add` wrote it before it ran in DuckDB: the reference. ---------------------


def ref_read_rows(path: Path, resource: Resource) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text[leading_comments(text)[1] :], newline=""))
    header = next(reader, [])
    where = [header.index(f) for f in resource.field_names]
    return [[cells[i] if i < len(cells) else "" for i in where] for cells in reader if any(cells)]


def ref_merged_rows(resource: Resource, existing: list, new: list) -> list[list[str]]:
    names = resource.field_names
    key = operator.itemgetter(*[names.index(k) for k in (resource.primary_key or names)])
    return list(heapq.merge(existing, sorted(new, key=key), key=key))


def ref_canonical_csv(resource: Resource, rows: list[list[str]]) -> str:
    names = resource.field_names
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(names)
    w.writerows(rows)
    text = out.getvalue()
    if "\r" not in text:
        return text
    out = io.StringIO()
    w, quoted = (
        csv.writer(out, lineterminator="\n"),
        csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL),
    )
    w.writerow(names)
    for row in rows:
        (quoted if any("\r" in c for c in row) else w).writerow(row)
    return out.getvalue()


def reference(resource: Resource, data: Path, file: Path, replace: bool):
    """(merged text, rows added, rows replaced, corrections), as add_contribution computed them."""
    new = ref_read_rows(file, resource)
    key = [resource.field_names.index(k) for k in resource.primary_key]

    def key_of(row):
        return tuple(row[i] for i in key)

    existing = ref_read_rows(data, resource)
    corrected = []
    if replace and key:
        by_key = {key_of(r): r for r in new}
        old_rows = {key_of(r): r for r in existing if key_of(r) in by_key}
        corrected = [(old_rows[key_of(r)], r) for r in new if key_of(r) in old_rows]
        existing = [by_key.get(key_of(r), r) for r in existing]
        added = [r for r in new if key_of(r) not in old_rows]
    else:
        added = new
    merged = ref_canonical_csv(resource, ref_merged_rows(resource, existing, added))
    corrections = []
    for old, row in corrected:
        changes = {
            n: (o, c) for n, o, c in zip(resource.field_names, old, row, strict=True) if o != c
        }
        if changes:
            corrections.append(f"{'/'.join(key_of(row))}: {cell_changes(changes)}")
    return merged, len(added), len(corrected), corrections


# --- Generated cases. ---------------------------------------------------------------------------

TOKENS = [
    "a",
    "b",
    "Z",
    "Å",
    "é",
    "e\u0301",
    "z",
    "10",
    "9",
    ",",
    '"',
    "\n",
    "\r",
    "\r\n",
    " ",
    "#",
]


def resource_of(n_fields: int, key: int) -> Resource:
    """A resource of `n_fields` text columns whose primary key is its first `key` columns."""
    fields = tuple(Field(name=f"f{i}", type="string") for i in range(n_fields))
    return Resource(
        name="t",
        path="data/t.csv",
        schema_path="schemas/t.json",
        description="",
        fields=fields,
        primary_key=tuple(f.name for f in fields[:key]),
        foreign_keys=(),
    )


def cell(rng: random.Random, hostile: bool) -> str:
    pool = TOKENS if hostile else TOKENS[:9]
    return "".join(rng.choice(pool) for _ in range(rng.choice([0, 1, 1, 2, 3])))


def rows(rng: random.Random, n: int, width: int, hostile: bool, keys: list) -> list[list[str]]:
    out = []
    for _ in range(n):
        row = [cell(rng, hostile) for _ in range(width)]
        if keys and rng.random() < 0.3:  # a key seen before: duplicates, corrections
            row[: len(keys[0])] = list(rng.choice(keys))
        out.append(row)
    return out


def write_csv(path: Path, resource: Resource, body: list[list[str]], rng: random.Random) -> None:
    """The rows as a contributor's or an editor's file may hold them."""
    names = resource.field_names
    order = list(range(len(names)))
    if rng.random() < 0.3:
        rng.shuffle(order)
    out = io.StringIO()
    w = csv.writer(
        out,
        lineterminator=rng.choice(["\n", "\r\n"]),
        quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    )
    w.writerow([names[i] for i in order])
    for row in body:
        w.writerow([row[i] for i in order])
        if rng.random() < 0.05:
            out.write("\n")  # a blank line
    text = out.getvalue()
    if rng.random() < 0.2:
        text = rng.choice(["# a comment, with a comma\n", '# and "a quote\n']) + text
    if rng.random() < 0.1:
        text = text.rstrip("\r\n")
    prefix = b"\xef\xbb\xbf" if rng.random() < 0.15 else b""
    path.write_bytes(prefix + text.encode("utf-8"))


def check_same(tmp_path: Path, resource: Resource, data: Path, file: Path, replace: bool) -> bool:
    """Assert both merges agree; whether DuckDB read both files."""
    expected, added, replaced, corrections = reference(resource, data, file, replace)
    staged, merge = staged_merge(resource, data, file, replace)
    try:
        got = staged.read_bytes()
    finally:
        staged.unlink()
    assert got == expected.encode("utf-8")
    assert (merge.added, merge.replaced) == (added, replaced)
    assert merge.corrections_made == corrections
    return merge.read_by_duckdb


@pytest.mark.parametrize(
    "cases", [15, pytest.param(60, marks=pytest.mark.slow)], ids=["first_15", "all_60"]
)
@pytest.mark.parametrize("hostile", [False, True], ids=["plain_cells", "hostile_cells"])
def test_the_duckdb_merge_writes_what_the_csv_module_merge_wrote(tmp_path, hostile, cases):
    """Generated cases (the inner loop runs the first 15 of each kind, the whole suite all 60)."""
    rng = random.Random(20240521 + hostile)
    (tmp_path / "data").mkdir()
    data, file = tmp_path / "data" / "t.csv", tmp_path / "contribution.csv"
    fast = 0
    for _ in range(cases):
        width = rng.choice([1, 2, 3, 4])
        key = rng.choice([0] + list(range(1, min(width, 2) + 1)))
        resource = resource_of(width, key)
        existing = rows(rng, rng.randint(0, 12), width, hostile, [])
        if rng.random() < 0.5:  # the package's files are in key order; a hand edit may break it
            existing.sort(key=lambda r: r[: key or width])
        keys = [r[:key] for r in existing] if key else []
        new = rows(rng, rng.randint(1, 12), width, hostile, keys)
        write_csv(data, resource, existing, rng)
        write_csv(file, resource, new, rng)
        for replace in (False, True):
            fast += check_same(tmp_path, resource, data, file, replace)
    # Most plain files take the set-based path; hostile ones often look like what DuckDB reads
    # its own way, and the csv module reads them (see canonical.py's doc).
    assert fast > (cases if not hostile else cases // 4)


@pytest.mark.parametrize(
    ("name", "body", "duckdb"),
    [
        ("quote_after_quoted_cell", 'f0,f1\nb,"x"y\na,y\n', False),
        ("bare_cr_ends_unquoted_row", "f0,f1\rb,x\ra,y\r", True),
        ("mixed_line_ends", "f0,f1\nb,x\r\na,y\n", False),
        ("bare_cr_in_comment", "# note\rmore\nf0,f1\nb,x\n", False),
        ("quote_in_comment", '# a "quote\n# more\nf0,f1\nb,x\n', False),
        ("spaces_inside_quotes", 'f0,f1\nb,"x, ""y"" "\na," "\n', True),
        ("ragged_row", "f0,f1\nb,x\na\n", False),
        ("padded_by_a_spreadsheet", "# note,,\nf0,f1,\nb,x,\na,y,\n", True),
        ("cr_in_quoted_cell", 'f0,f1\nb,"x\ry"\na,"y\r\nz"\n', True),
        ("empty_and_quoted_empty_cells", 'f0,f1\nb,""\na,\n"",""\n,\n', True),
        ("hash_cells", 'f0,f1\nb,# x\na,"#,y"\n', True),
        ("lone_cell_rows", "f0,f1\nZ,\nÅ,x\né,y\nz,\n", True),
    ],
)
def test_files_duckdb_reads_its_own_way_merge_as_before(tmp_path, name, body, duckdb):
    resource = resource_of(2, 1)
    (tmp_path / "data").mkdir()
    data, file = tmp_path / "data" / "t.csv", tmp_path / f"{name}.csv"
    data.write_text("f0,f1\nb,old\nc,x\n", encoding="utf-8")
    file.write_bytes(body.encode("utf-8"))
    for replace in (False, True):
        assert check_same(tmp_path, resource, data, file, replace) is duckdb


def merged(tmp_path: Path, existing: str, contribution: str) -> tuple[str, bool]:
    """The merge of two files' text (columns f0, f1; key f0): the merged text, and whether DuckDB
    read both files."""
    resource = resource_of(2, 1)
    (tmp_path / "data").mkdir()
    data, file = tmp_path / "data" / "t.csv", tmp_path / "new.csv"
    data.write_text(existing, encoding="utf-8")
    file.write_text(contribution, encoding="utf-8")
    staged, merge = staged_merge(resource, data, file)
    try:
        return staged.read_text(encoding="utf-8"), merge.read_by_duckdb
    finally:
        staged.unlink()


def test_new_rows_go_before_the_first_existing_row_whose_key_is_greater(tmp_path):
    # 'm' was appended by hand out of order: it stays where it is. 'n' goes after 'd' (no row up to
    # 'd' is greater than 'n'), 'c' before 'm'; 'Z' sorts before 'a', and 'Å' after 'z'.
    text, by_duckdb = merged(tmp_path, "f0,f1\na,1\nm,2\nd,3\nz,4\n", "f0,f1\nn,5\nc,6\nÅ,7\nZ,8\n")
    assert by_duckdb
    assert text == "f0,f1\nZ,8\na,1\nc,6\nm,2\nd,3\nn,5\nz,4\nÅ,7\n"


def test_spaces_around_quoted_cells_are_dropped_as_the_check_drops_them(tmp_path):
    """`check` reads a file with DuckDB, which drops spaces between a delimiter and a quote; the
    merge keeps the cells so judged (the csv module would split `b, "x, y"` into ` "x` and ` y"`)."""
    text, by_duckdb = merged(tmp_path, "f0,f1\nb,old\nc,x\n", 'f0,f1\nb, "x, y"\na,"y"  \n')
    assert by_duckdb
    assert text == 'f0,f1\na,y\nb,old\nb,"x, y"\nc,x\n'
