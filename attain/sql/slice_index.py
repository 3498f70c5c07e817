"""Explaining at scale, a large CSV file's kept index: its cells once in Parquet, so that a later explain reads less.

A CSV file cannot be read in part without knowing where its lines start: each `attain
explain` of a large one scanned every byte for the employee's lines (`attain.sql.slice`) and
DuckDB parsed the whole file for their group's members (`attain.sql.slice_groups`). The first
explain of a CSV file of at least `min_bytes()` (16 MiB; `ATTAIN_CSV_INDEX_MIN_BYTES`) keeps,
under the user's cache folder (`$XDG_CACHE_HOME/attain/csv-index`, else
`~/.cache/attain/csv-index`; `ATTAIN_NO_CACHE` turns it off, as it does the tree cache):

- `KEY.parquet`: every record's cells as text, exactly as the members' read parses them
  (the same `read_csv` options: a member's cell is the very text it was), in the file's order,
  so that record r (from 0) is line `header_line + 1 + r`;
- `KEY.meta`: a pickle of where every 64 KiB of the file the next line starts and which line
  it is, with the file's line count, blank lines at its end and whether it holds a quote.

A later explain finds the employee's records by their id cell in the Parquet copy, reads those
lines from the CSV file itself at the offsets kept, and keeps the lines the scan would keep
(parsed by the csv module, the id cell stripped: the same test, on the same bytes); the members
are read from the Parquet copy. Every check, diagnostic and number is thus the CSV's: the
employee's rows are bound from their real lines, and the members' cells are those DuckDB read.

The entry's name is the SHA-256 of attain's version, the file's absolute path, device, inode,
size, mtime_ns and ctime_ns, and the header found (its line and column names): a changed file,
header row or attain never finds an old entry. An entry is kept only of a file that did not
change in the last `RECENT` seconds (a change within the same clock tick would keep its
stat: git's racy case) nor while it was read, whose records are each one line (DuckDB's
record count is the line count), and whose sampled lines read from the offsets kept are the
records kept. An entry that cannot be read, or whose Parquet copy DuckDB refuses, is removed
and explain reads the file as before (and keeps it anew); one that cannot be written (a
read-only folder, a full disk) changes nothing but the time. Both files are written under
temporary names then renamed, the meta last: an entry is whole or absent. The folder keeps the
MAX_ENTRIES indexes used last.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import mmap
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

import attrs

from attain import cache
from attain.io.parquet import is_duckdb_error
from attain.io.tables import Table
from attain.sql.read import quote
from attain.version import __version__

FORMAT = 2  # the entry's layout; a new one never reads an old one
BLOCK = 1 << 16  # a line start kept every 64 KiB
RECENT = 3.0  # seconds: a file changed more recently than this is not indexed (it may change again in its tick)
DEFAULT_MIN_BYTES = 16 << 20
MAX_ENTRIES = 20  # indexes kept (each about two thirds of its CSV file's size); the least recently used go
SAMPLES = 64  # records compared, at the build, with the lines read from the offsets kept


def min_bytes() -> int:
    """The least size of a CSV file indexed: `ATTAIN_CSV_INDEX_MIN_BYTES` (bytes), else 16 MiB."""
    try:
        return int(os.environ.get("ATTAIN_CSV_INDEX_MIN_BYTES", ""))
    except ValueError:
        return DEFAULT_MIN_BYTES


def folder() -> Path | None:
    """Where the indexes are kept; None when the cache is off."""
    return cache.folder("csv-index")


@attrs.frozen
class Index:
    """A kept index of one CSV file."""

    path: str  # the CSV file
    cells: str  # the Parquet copy of its records' cells
    marks: tuple  # (line number, byte offset) of a line start every BLOCK bytes, from (1, 0)
    lines: int  # the file's lines, as `slice._scan` counts them
    trailing: int  # blank lines at its end
    quotes: bool  # whether it holds a quote character
    typed: tuple = ()  # (field, DuckDB type) of each column whose every cell is a plain number, also kept as n{i}

    def source(self, plan: Any, columns: tuple, read: dict[str, str]) -> tuple[str, dict[str, str]]:
        """SQL giving every record's cells c0, c1, ... (`slice.Rows.source`), and the columns it gives as stored
        (`Rows.stored`): those of `typed` that only number inputs read (`read`: input -> column), as
        `slice_parquet.native` chooses for a Parquet file's DECIMAL and integer columns; the others as text."""
        from attain.sql.slice_parquet import native

        stored = native(plan, read, {columns[i]: type_ for i, type_ in self.typed}) if self.typed else {}
        picked = ", ".join(f"n{i} AS c{i}" if name in stored else f"c{i}" for i, name in enumerate(columns))
        return f"(SELECT {picked} FROM read_parquet({quote(self.cells)}))", stored

    def line(self, f: Any, number: int) -> bytes:
        """Line `number` of the file open as `f`, without its newline."""
        k = bisect.bisect_right(self.marks, (number, 1 << 62)) - 1
        first, offset = self.marks[k]
        end = self.marks[k + 1][1] if k + 1 < len(self.marks) else None
        f.seek(offset)
        part = f.read() if end is None else f.read(end - offset)
        return part.split(b"\n")[number - first]


def _stat(path: str) -> tuple | None:
    try:
        s = os.stat(path)
    except OSError:
        return None
    return (s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)


def _key(path: str, stat: tuple, head: Table) -> str:
    digest = hashlib.sha256()
    for part in (__version__, str(FORMAT), os.path.abspath(path), repr(stat), str(head.header_line),
                 repr(tuple(head.columns))):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _placed(path: str) -> tuple[Path, tuple] | None:
    """(the cache's folder, the file's stat) where the CSV file at `path` is one to index: the cache on, the file
    large enough; else None."""
    where, stat = folder(), _stat(path)
    if where is None or stat is None or stat[2] < min_bytes():
        return None
    return where, stat


def wanted(path: str) -> bool:
    """Whether the CSV file at `path` is one to index (the cache on, the file large enough)."""
    return _placed(path) is not None


def find(path: str, head: Table) -> Index | None:
    """The kept index of the CSV file at `path` with this header, if one is kept of the file as it is now."""
    placed = _placed(path)
    if placed is None:
        return None
    where, stat = placed
    key = _key(path, stat, head)
    meta, cells = where / f"{key}.meta", where / f"{key}.parquet"
    try:
        with open(meta, "rb") as f:
            kept = pickle.load(f)
        if kept["key"] != key or os.stat(cells).st_size != kept["size"]:
            raise ValueError("not this file's index")
        index = Index(path, str(cells), tuple(kept["marks"]), kept["lines"], kept["trailing"], kept["quotes"],
                      tuple(kept["typed"]))
    except FileNotFoundError:
        return None
    except Exception:  # cut short, another pickle, its copy gone or changed: removed, and made again
        forget(str(cells))
        return None
    for entry in (meta, cells):
        cache.touch(entry)
    return index


def forget(cells: str) -> None:
    """The entry of the copy `cells` removed (DuckDB refused the copy, or its meta did not read)."""
    cache.remove(Path(cells), (".meta",))


def holding(cell: str, who: str, size: int) -> str:
    """SQL: whether the text `cell` may strip to the id `who` (SQL, `size` bytes in UTF-8), to be confirmed on
    the stripped cell. Such a cell starts with the id or with a space (below "!", or a character beyond ASCII):
    a test DuckDB checks against each Parquet row group's least and greatest cell, so that a file sorted by id
    reads one row group. A cell that is not the id but strips to it is longer in bytes: only those pay for the
    search (DuckDB tests the length first)."""
    return (f"(starts_with({cell}, {who}) OR {cell} < '!' OR {cell} >= '\u0080') AND ({cell} = {who} OR "
            f"(strlen({cell}) > {size} AND contains({cell}, {who})))")


def rows_of(con: Any, index: Index, field: int, who: str, limit: int) -> list[int] | None:
    """The numbers (from 0, in the file's order) of the records whose id cell (field `field`) holds `who`; None
    when more than `limit` do, or DuckDB cannot read the copy (then it is removed)."""
    test = holding(f"c{field}", "$who", len(who.encode("utf-8")))
    try:
        found = con.execute(f"SELECT file_row_number FROM read_parquet({quote(index.cells)}, file_row_number = true)"
                            f" WHERE {test} ORDER BY file_row_number LIMIT {limit + 1}", {"who": who}).fetchall()
    except Exception as e:
        if not is_duckdb_error(e):
            raise
        forget(index.cells)
        return None
    return None if len(found) > limit else [int(r[0]) for r in found]


def keep(con: Any, path: str, head: Table, lines: int, trailing: int, quotes: bool) -> Index | None:
    """The file indexed and kept, when it is large enough, did not change lately nor while read, and its records
    are each one line; None otherwise (and whatever fails in writing: the index only saves time)."""
    placed = _placed(path)
    if placed is None:
        return None
    where, stat = placed
    if time.time_ns() - max(stat[3], stat[4]) < RECENT * 1e9:
        return None  # changed in the last seconds: it may change again within the same tick of the clock
    key = _key(path, stat, head)
    try:
        where.mkdir(parents=True, exist_ok=True)
        return _write(con, path, head, stat, where, key, lines, trailing, quotes)
    except Exception as e:  # a folder that cannot be written, a full disk: explain reads the file as before
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return None


# long: the copy, its checks and the two renames, in order
def _write(con: Any, path: str, head: Table, stat: tuple, where: Path, key: str, lines: int, trailing: int,
           quotes: bool) -> Index | None:
    fd, temporary = tempfile.mkstemp(dir=where, prefix=".cells-", suffix=".parquet")
    os.close(fd)
    meta_fd, meta_temporary = tempfile.mkstemp(dir=where, prefix=".meta-", suffix=".tmp")
    cells, meta = where / f"{key}.parquet", where / f"{key}.meta"
    try:
        fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.columns)))
        # The members' read's own options (attain.sql.slice_groups._scan): each cell the text it reads. The file
        # is parsed once, into a table, which gives the columns' types and then the copy.
        con.execute(f"CREATE OR REPLACE TEMP TABLE __attain_cells AS SELECT * FROM read_csv({quote(path)}, "
                    f"header = false, skip = {head.header_line}, columns = {{{fields}}}, delim = ',', quote = '\"', "
                    "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, "
                    "allow_quoted_nulls = false)").fetchall()
        try:
            records = con.execute("SELECT count(*) FROM __attain_cells").fetchall()[0][0]
            if records != lines - head.header_line - trailing:
                return None  # a record of several lines, or a line DuckDB skips: record r is not line header + 1 + r
            typed = _typed(con, len(head.columns))
            numbers = "".join(f", CAST(c{i} AS {type_}) AS n{i}" for i, type_ in typed)
            # Snappy, not zstd: at 1M rows the group's scan reads it in 50 ms of CPU against 85 (39 MB against 26).
            con.execute(f"COPY (SELECT *{numbers} FROM __attain_cells) TO {quote(temporary)} "
                        "(FORMAT parquet, COMPRESSION snappy)").fetchall()
        finally:
            con.execute("DROP TABLE IF EXISTS __attain_cells").fetchall()
        marks = _marks(path)
        index = Index(path, temporary, marks, lines, trailing, quotes, typed)
        if not _same(con, index, head, records) or _stat(path) != stat:
            return None  # the lines at the offsets kept are not the records (or the file changed meanwhile)
        with os.fdopen(meta_fd, "wb") as f:
            meta_fd = -1
            pickle.dump({"key": key, "size": os.stat(temporary).st_size, "marks": marks, "lines": lines,
                         "trailing": trailing, "quotes": quotes, "typed": typed}, f,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cells)
        os.replace(meta_temporary, meta)  # last: an entry with its meta is whole
    finally:
        if meta_fd >= 0:
            os.close(meta_fd)
        for left in (temporary, meta_temporary):
            if os.path.exists(left):
                os.unlink(left)
    cache.prune(where, "*.meta", MAX_ENTRIES, (".parquet",))
    return attrs.evolve(index, cells=str(cells))


def _typed(con: Any, count: int) -> tuple:
    """(field, type) of each column whose every cell is empty or a plain number: digits without a leading
    zero, perhaps a point and digits, at most 38 digits in all: its DECIMAL(p, s) (BIGINT for integers of at
    most 18 digits), whose value is the number its text is. The members' values are then read from it as they
    are from a Parquet file's DECIMAL or integer column (`slice_parquet.native`), with the same checks."""
    plain = quote("^(0|[1-9][0-9]*)(\\.[0-9]+)?$")
    # The first records sort out the columns that cannot be numbers (ids, names, "88%"), which then cost nothing.
    first = con.execute("SELECT " + ", ".join(f"bool_and(c{i} IS NULL OR regexp_full_match(c{i}, {plain}))"
                                              for i in range(count)) + " FROM (FROM __attain_cells LIMIT 1000)"
                        ).fetchall()[0]
    maybe = [i for i in range(count) if first[i] is not False]
    if not maybe:
        return ()
    parts = []
    for i in maybe:
        c = f"c{i}"
        parts += [f"bool_and({c} IS NULL OR regexp_full_match({c}, {plain}))",
                  f"max(CASE WHEN contains({c}, '.') THEN length({c}) - strpos({c}, '.') ELSE 0 END)",
                  f"max(CASE WHEN contains({c}, '.') THEN strpos({c}, '.') - 1 ELSE length({c}) END)",
                  f"count({c})"]
    found = con.execute(f"SELECT {', '.join(parts)} FROM __attain_cells").fetchall()[0]
    typed = []
    for k, i in enumerate(maybe):
        plain_only, places, whole, filled = found[4 * k: 4 * k + 4]
        if not plain_only or not filled or places + whole > 38:
            continue
        typed.append((i, "BIGINT" if places == 0 and whole <= 18 else f"DECIMAL({max(whole + places, 1)},{places})"))
    return tuple(typed)


def _marks(path: str) -> tuple:
    """(line number, byte offset) of the first line starting at or after every BLOCK-th byte, from (1, 0)."""
    marks = [(1, 0)]
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return tuple(marks)
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            line, start = 1, 0
            for at in range(BLOCK, size, BLOCK):
                if at < start:
                    continue  # within a line longer than a block
                newline = m.find(b"\n", at - 1)
                if newline < 0:
                    break
                following = newline + 1
                if following >= size:
                    break
                line += m[start:following].count(b"\n")
                marks.append((line, following))
                start = following
    return tuple(marks)


def _same(con: Any, index: Index, head: Table, records: int) -> bool:
    """Whether SAMPLES records spread over the file (its first and last included) are the lines at the
    offsets kept, cell for cell as the csv module reads them."""
    if records == 0:
        return True
    picked = sorted({0, records - 1, *(records * k // SAMPLES for k in range(SAMPLES))})
    texts = ", ".join(f"c{i}" for i in range(len(head.columns)))
    found = con.execute(f"SELECT {texts}, file_row_number FROM read_parquet({quote(index.cells)}, "
                        "file_row_number = true) "
                        f"WHERE file_row_number IN ({', '.join(map(str, picked))}) ORDER BY file_row_number"
                        ).fetchall()
    if len(found) != len(picked):
        return False
    with open(index.path, "rb") as f:
        for row in found:
            text = index.line(f, head.header_line + 1 + int(row[-1])).removesuffix(b"\r").decode("utf-8")
            cells = next(csv.reader([text]), [])
            if cells != [c if c is not None else "" for c in row[:-1]]:
                return False
    return True
