"""Fuzzing: mutated library policies and sample data never make attain fail with anything but coded diagnostics.

Every library policy is mutated (characters and tokens deleted, repeated and swapped;
deep nesting, numbers of thousands of digits, CJK punctuation, control characters and
random Unicode put in) and goes through parse, check, compile, fmt, and a run of its
sample data on both engines; the sample data, as CSV, JSON, YAML and Excel, is mutated
byte by byte and cell by cell and goes through the readers and a run. The property:
every outcome is a result or an `AttainError` whose diagnostics carry declared codes
(and render), never another exception. A few examples go through the command line,
which must exit 0, 1 or 2 without a traceback.

The budget is fixed and the examples derandomized, so the suite is repeatable (about
20 seconds); ATTAIN_FUZZ=N runs N examples per test with fresh random ones, to search.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import attain
from attain.cli import main
from attain.codes import CODES
from attain.diagnostics import AttainError, Diagnostic, render_all, to_json
from attain.dsl.formatter import format_policy
from attain.io import read_table
from attain.io.workbook import Layout, render_workbook

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "policies"
POLICIES = sorted(LIBRARY.rglob("*.policy"))
TEXTS = {p: p.read_text(encoding="utf-8") for p in POLICIES}

SEARCH = int(os.environ.get("ATTAIN_FUZZ", "0"))


def budget(examples: int):
    return settings(max_examples=SEARCH or examples, derandomize=not SEARCH, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def sample_for(policy: Path) -> Path:
    """The sample data of a library policy: the CSV of its folder that goes with it."""
    csvs = {p.stem: p for p in policy.parent.glob("*.csv")}
    for stem, want in (("window", "sample-window"), ("top5", "sample-regions"), (policy.stem, policy.stem)):
        if stem in policy.stem and want in csvs:
            return csvs[want]
    return csvs.get("sample") or next(iter(csvs.values()))


# ---------------------------------------------------------------- what goes in

DEEP = "(1 + " * 1001 + "1" + ")" * 1001
SPICE = [
    "9" * 5000, "1" * 301, "0." + "3" * 400, "¥" + "9" * 400, DEEP, "(" * 600, ")" * 20, "not " * 300,
    " + a" * 700, "1 if a > 0 else " * 300 + "0",
    "，", "：", "（", "）", "＝", "％", "＜", "、", "。", "“", "”",
    "\x00", "\x1b[31m", "\t", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\ufeff", "\u200b", "\U0001f600", "\ud7ff",
    '"', "#", "->", "\n", "\n    ", "\n\t", "if", "else", "unless", "previous(", "round(", "¥", "%", "..", "=",
    "2023-02-30", "9999-99-99", "within", "except self", "output ", "uses \"x.policy\"\n",
]
TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)


def _span(draw, n: int) -> tuple[int, int]:
    i = draw(st.integers(0, n))
    return i, min(n, i + draw(st.integers(0, 30)))


def _delete(draw, items):
    i, j = _span(draw, len(items))
    return items[:i] + items[j:]


def _duplicate(draw, items):
    i, j = _span(draw, len(items))
    return items[:j] + items[i:j] + items[j:]


def _swap(draw, items):
    if len(items) < 2:
        return items
    i, j = sorted((draw(st.integers(0, len(items) - 1)), draw(st.integers(0, len(items) - 1))))
    return items[:i] + items[j:j + 1] + items[i + 1:j] + items[i:i + 1] + items[j + 1:]


def _insert(draw, items, piece):
    i = draw(st.integers(0, len(items)))
    return items[:i] + piece + items[i:]


@st.composite
def mutated_text(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "spice", "unicode", "tokens", "formula"]))
        if op in ("delete", "duplicate", "swap"):
            text = {"delete": _delete, "duplicate": _duplicate, "swap": _swap}[op](draw, text)
        elif op == "spice":
            text = _insert(draw, text, draw(st.sampled_from(SPICE)))
        elif op == "unicode":
            text = _insert(draw, text, draw(st.text(max_size=6)))
        elif op == "tokens":
            tokens = TOKEN.findall(text)
            edit = draw(st.sampled_from([_delete, _duplicate, _swap]))
            text = "".join(edit(draw, tokens))
        else:  # a formula replaced by something deep, long or huge
            starts = [m.end() for m in re.finditer(r"^\w+ = ", text, re.MULTILINE)]
            if starts:
                at = draw(st.sampled_from(starts))
                end = text.find("\n", at)
                text = text[:at] + draw(st.sampled_from(SPICE[:10])) + text[end if end >= 0 else len(text):]
    return text


@st.composite
def mutated_policy(draw) -> tuple[Path, str]:
    path = draw(st.sampled_from(POLICIES))
    return path, draw(mutated_text(TEXTS[path]))


# ---------------------------------------------------------------- the property


def assert_coded(e: AttainError) -> None:
    assert e.diagnostics, "an AttainError without diagnostics"
    for d in e.diagnostics:
        assert isinstance(d, Diagnostic) and d.code in CODES, d
    render_all(e.diagnostics, e.sources)
    json.loads(to_json(e.diagnostics))


def exercise_policy(path: Path, text: str) -> None:
    """Load (parse, check, compile), format, and run the sample on both engines: results or coded errors."""
    try:
        formatted = format_policy(text, str(path))
    except AttainError as e:
        assert_coded(e)
    else:
        assert format_policy(formatted, str(path)) == formatted  # fmt is idempotent on whatever it accepts
    try:
        policy = attain.loads(text, str(path))  # `uses` is read beside the library policy
    except AttainError as e:
        assert_coded(e)
        return
    for engine in ("python", "reference"):
        try:
            policy.run(str(sample_for(path)), engine=engine)
        except AttainError as e:
            assert_coded(e)


@budget(150)
@given(mutated_policy())
def test_mutated_library_policies(case):
    exercise_policy(*case)


def test_the_library_itself_passes():
    for path in POLICIES:
        exercise_policy(path, TEXTS[path])


# ---------------------------------------------------------------- data

DATA = sorted({sample_for(p) for p in POLICIES})
POLICY_OF = {sample_for(p): p for p in POLICIES if "as-written" not in p.name}


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _as(kind: str, rows: list[dict], cells=None) -> bytes:
    """The rows as a file of `kind`; `cells` replaces some values first ({(row, column): value})."""
    rows = [dict(r) for r in rows]
    for (i, column), value in (cells or {}).items():
        rows[i % len(rows)][column] = value
    if kind == "json":
        return json.dumps(rows, ensure_ascii=False).encode("utf-8")
    if kind == "yaml":
        return "".join("- " + "\n  ".join(f'"{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in r.items())
                       + "\n" for r in rows).encode("utf-8")
    # attain's own workbook writer: equal rows give equal bytes (hypothesis replays examples), plain
    # numbers become Excel numbers and the rest text cells.
    columns = list(rows[0])
    return render_workbook(columns, [{c: _excel_value(r[c]) for c in columns} for r in rows], None,
                           Layout(totals=False))


def _excel_value(text):
    return Decimal(text) if re.fullmatch(r"-?\d{1,15}(\.\d{1,6})?", text or "") else text


CELL_VALUES = st.one_of(st.sampled_from([s for s in SPICE if len(s) < 6000]), st.text(max_size=8),
                        st.integers().map(str), st.sampled_from(["1e400", "-0", "nan", "inf", "1,2,3", "١٢٣"]))
BYTES_SPICE = [s.encode("utf-8", "surrogatepass") for s in SPICE[:12]] + [
    "销售额".encode("gbk"), b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b"\x80", b'"', b",", b"\n", b"\r", b"\r\n",
    b"{", b"]", b": ", b"- ", b"&a *a", b"!!python/object:os.system", b"PK\x03\x04"]


@st.composite
def mutated_data(draw) -> tuple[Path, str, bytes]:
    source = draw(st.sampled_from(DATA))
    kind = draw(st.sampled_from(["csv", "json", "yaml", "xlsx"]))
    rows = _rows(source)
    cells = {}
    if kind != "csv" or draw(st.booleans()):
        for _ in range(draw(st.integers(0, 3))):
            cells[(draw(st.integers(0, 50)), draw(st.sampled_from(list(rows[0]))))] = draw(CELL_VALUES)
    data = source.read_bytes() if kind == "csv" and not cells else (
        _as(kind, rows, cells) if kind != "csv" else _csv_bytes(rows, cells))
    if kind != "xlsx" or draw(st.integers(0, 4)) == 0:
        for _ in range(draw(st.integers(0 if cells else 1, 3))):
            op = draw(st.sampled_from(["delete", "duplicate", "swap", "spice"]))
            if op == "spice":
                data = _insert(draw, data, draw(st.sampled_from(BYTES_SPICE)))
            else:
                data = {"delete": _delete, "duplicate": _duplicate, "swap": _swap}[op](draw, data)
    return source, kind, data


def _csv_bytes(rows: list[dict], cells: dict) -> bytes:
    rows = [dict(r) for r in rows]
    for (i, column), value in cells.items():
        rows[i % len(rows)][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def exercise_data(source: Path, kind: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data.{kind}"
        path.write_bytes(data)
        try:
            table = read_table(str(path))
        except AttainError as e:
            assert_coded(e)
            return
        policy = attain.load(POLICY_OF[source])
        for engine in ("python", "reference"):
            try:
                policy.run(table, engine=engine)
            except AttainError as e:
                assert_coded(e)


@budget(150)
@given(mutated_data())
def test_mutated_sample_data(case):
    exercise_data(*case)


# ---------------------------------------------------------------- the command line


def _cli(*args, input=None):
    r = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in r.output + r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.exit_code in (0, 1, 2), (r.exit_code, r.stderr, r.exception)
    return r


@budget(20)
@given(mutated_policy(), mutated_data())
def test_the_command_line_never_shows_a_traceback(case, data):
    path, text = case
    source, kind, content = data
    with tempfile.TemporaryDirectory() as folder:
        policy = Path(folder) / "p.policy"
        policy.write_text(text, encoding="utf-8", errors="surrogatepass")
        table = Path(folder) / f"d.{kind}"
        table.write_bytes(content)
        _cli("check", policy)
        _cli("fmt", "--check", "-", input=text.encode("utf-8", "surrogatepass"))
        _cli("run", POLICY_OF[source], "--data", table, "--format", "csv")
        _cli("run", policy, "--data", sample_for(path), "--format", "json")


@pytest.mark.parametrize("name", ["DEEP", "9" * 5000])
def test_spice_is_what_it_says(name):
    # The fuzzer's deep formula passes the nesting limit, and its long number the digit limit.
    text = 'policy "x"\ninput a : number\nb = ' + (DEEP if name == "DEEP" else name) + "\n"
    with pytest.raises(AttainError) as e:
        attain.loads(text)
    assert e.value.diagnostics[0].code == ("P117" if name == "DEEP" else "P118")
