"""Binding: a data `Table` -> validated rows of a plan's inputs (data errors found here, all at once).

Columns are matched to inputs by name, or by the input's label. Each cell is
checked against its input's type, range and choices. A bad cell is reported as
`file:line:column: expected money, got "12,3x"`; nothing is computed until every
cell is good.
"""

from __future__ import annotations

import re
from fractions import Fraction

import attrs

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.engine.compile import MISSING, MISSING_NUMBER, Plan
from attain.engine.io import CellError, Table, parse_cell
from attain.engine.periods import Period, expected_label, parse_period, period_of_date

ID_COLUMNS = ("id", "employee", "employee_id", "工号", "员工编号", "编号")
PERIOD_COLUMNS = ("period", "期间", "考核周期", "周期")
DATE_COLUMNS = ("date", "日期")
MAX_REPORTED = 50
_PLAIN = re.compile(r"(-?)(\d+)(?:\.(\d+))?", re.ASCII)


@attrs.frozen
class Record:
    """One employee's row: who, where it came from, and its input values (None where empty)."""

    who: str
    line: int
    values: tuple  # per plan input: (num, den) for numbers, str/bool/date, or None when empty
    fast: tuple  # the same with defaults filled in and MISSING for empty cells
    period: Period | None = None


@attrs.frozen
class Bound:
    """A data file bound to a plan: the records, and which column fed each input."""

    file: str
    id_column: str
    columns: dict  # input name -> column name (absent when the input's default is used)
    records: tuple
    positions: dict  # column name -> 1-based column number
    period_column: str | None = None

    def source(self, record: Record, name: str) -> str:
        column = self.columns.get(name)
        if column is None:
            return "default"
        return f"{self.file}:{record.line}:{self.positions[column]}, column {column}"


def _pair(kind: str, text: str):
    """A cell as (numerator, denominator), fast for plain decimals, exact always."""
    m = _PLAIN.fullmatch(text)
    if m is not None:
        sign, whole, frac = m.groups()
        if frac:
            num, den = int(whole + frac), 10 ** len(frac)
        else:
            num, den = int(whole), 1
        if sign:
            num = -num
        if kind == "count" and (den != 1 and num % den or num < 0):
            raise CellError("count (a whole number, 0 or more)")
        return num, den
    value = parse_cell(kind, text)
    return value.numerator, value.denominator


def bind(plan: Plan, table: Table, id_column: str | None = None) -> Bound:
    model = plan.model
    diags: list[Diagnostic] = []
    positions = {c: i + 1 for i, c in enumerate(table.columns)}
    header = Span(table.file, 1, 1, 1, 2)

    if id_column is None:
        id_column = next((c for c in ID_COLUMNS if c in positions), None)
        if id_column is None:
            raise AttainError([Diagnostic(
                "D410", "the data has no column that names the employee", header,
                hint="add a column named " + " or ".join(f"'{c}'" for c in ID_COLUMNS[:2])
                + ", or name it with --id-column")])
    elif id_column not in positions:
        raise AttainError([Diagnostic("D410", f"the data has no column '{id_column}'", header,
                                      hint="columns: " + ", ".join(table.columns))])

    columns: dict[str, str] = {}
    for name in plan.inputs:
        inp = model.inputs[name]
        if name in positions:
            columns[name] = name
        elif inp.label and inp.label in positions:
            columns[name] = inp.label
        elif inp.default is None:
            import difflib

            close = difflib.get_close_matches(name, list(table.columns), n=1)
            wanted = f"'{name}'" + (f" or '{inp.label}'" if inp.label else "")
            diags.append(Diagnostic(
                "D411", f"the data has no column for input {wanted}", header,
                hint=f"did you mean '{close[0]}'?" if close else "add the column, or give the input a default"))
    if diags:
        raise AttainError(diags)

    specs = []
    for name in plan.inputs:
        inp = model.inputs[name]
        t = model.types[name]
        default = _default_value(inp, t)
        low = (inp.low.value, inp.high.value) if inp.low is not None else None
        specs.append((name, inp.type, t.numeric, columns.get(name), default, low, frozenset(inp.choices)))

    header_info = model.policy.header
    period_kind = header_info.period
    period_column = next((c for c in PERIOD_COLUMNS if c in positions), None) if period_kind else None
    date_column = None
    if period_kind and period_column is None:
        date_column = next((c for c in DATE_COLUMNS if c in positions), None)
        if date_column is None and (model.history_refs or plan.history):
            raise AttainError([Diagnostic(
                "D415", "this policy looks at earlier periods, so the data needs a period column", header,
                hint=f"add a column 'period' holding {expected_label(period_kind)}, or a 'date' column")])

    records = []
    seen: dict = {}
    for row in table.rows:
        who = row.cells.get(id_column)
        if who is None:
            diags.append(_cell_error(table, row.line, positions[id_column], id_column,
                                     "an employee id", None))
            continue
        period = None
        if period_column is not None:
            label = row.cells.get(period_column)
            period = parse_period(period_kind, label) if label is not None else None
            if period is None:
                diags.append(_cell_error(table, row.line, positions[period_column], period_column,
                                         expected_label(period_kind), label))
                continue
        elif date_column is not None:
            try:
                day = parse_cell("date", row.cells.get(date_column) or "")
            except CellError as err:
                diags.append(_cell_error(table, row.line, positions[date_column], date_column, err.expected,
                                         row.cells.get(date_column)))
                continue
            period = period_of_date(period_kind, day, header_info.month_ends_on)
        key = (who, period)
        if key in seen and date_column is None:
            when = f" in {period}" if period is not None else ""
            diags.append(Diagnostic(
                "D414", f"employee '{who}' appears twice{when} (lines {seen[key]} and {row.line})",
                Span(table.file, row.line, positions[id_column], row.line, positions[id_column] + 1),
                hint="give each employee one row" + (" per period" if period is not None else "")
                + ("" if period_kind else "; if the data holds several periods, add `period month` (or quarter...) "
                   "to the policy header and a 'period' column")))
        seen[key] = row.line
        values, fast = [], []
        for name, kind, numeric, column, default, low, choices in specs:
            text = row.cells.get(column) if column is not None else None
            if text is None:
                values.append(None)
                if default is not None:
                    fast.append(default)
                else:
                    fast.append(MISSING_NUMBER if numeric else MISSING)
                continue
            try:
                if numeric:
                    value = _pair(kind, text)
                    if low is not None and not _within(value, low):
                        raise CellError(f"{kind} in {_show(low[0])} .. {_show(low[1])}")
                else:
                    value = parse_cell(kind, text)
                    if choices and value not in choices:
                        raise CellError("one of " + ", ".join(f'"{c}"' for c in sorted(choices)))
            except CellError as err:
                diags.append(_cell_error(table, row.line, positions[column], column, err.expected, text))
                values.append(None)
                fast.append(MISSING)
                continue
            values.append(value)
            fast.append(value)
        records.append(Record(who, row.line, tuple(values), tuple(fast), period))
        if len(diags) >= MAX_REPORTED:
            break
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    if date_column is not None:
        records = _combine_dated(plan, table, records, positions)
    return Bound(table.file, id_column, columns, tuple(records), positions, period_column or date_column)


def _combine_dated(plan: Plan, table: Table, records: list, positions: dict) -> list:
    """Dated rows of one employee in one period become one record: amounts and counts add up.

    Any other input (a percent, a text, a flag) must be the same on every row of the period.
    """
    groups: dict = {}
    for r in records:
        groups.setdefault((r.who, r.period), []).append(r)
    combined, diags = [], []
    for (who, period), rows in groups.items():
        if len(rows) == 1:
            combined.append(rows[0])
            continue
        values, fast = list(rows[0].values), list(rows[0].fast)
        for i, name in enumerate(plan.inputs):
            kind = plan.input_types[i]
            cells = [r.values[i] for r in rows]
            if kind in ("money", "count", "number"):
                present = [c for c in cells if c is not None]
                if present:
                    total = sum((Fraction(*c) for c in present), Fraction(0))
                    values[i] = fast[i] = (total.numerator, total.denominator)
            elif len({c for c in cells if c is not None}) > 1:
                diags.append(Diagnostic(
                    "D416", f"employee '{who}' has different values of '{name}' within {period} "
                    f"(lines {rows[0].line} and {rows[-1].line})",
                    Span(table.file, rows[-1].line, 1, rows[-1].line, 2),
                    hint="dated rows of one period add up their amounts; other values must agree"))
        combined.append(Record(who, rows[0].line, tuple(values), tuple(fast), period))
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    return combined


def _default_value(inp, t):
    if inp.default is None:
        return None
    v = inp.default.value
    if isinstance(v, Fraction):
        return v.numerator, v.denominator
    return v


def _within(pair, bounds) -> bool:
    num, den = pair
    lo, hi = bounds
    return lo.numerator * den <= num * lo.denominator and num * hi.denominator <= hi.numerator * den


def _show(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else format(f.numerator / f.denominator, "g")


def _cell_error(table: Table, line: int, col: int, column: str, expected: str, text) -> Diagnostic:
    got = "an empty cell" if text is None else f'"{text}"'
    where = "" if table.file.endswith(".csv") or table.file == "<stdin>" else f" (record {line}, field '{column}')"
    return Diagnostic("D413", f"expected {expected}, got {got}{where}", Span(table.file, line, col, line, col + 1),
                      label=column)


def reference_inputs(plan: Plan, record: Record) -> dict:
    """A record's values as the reference evaluator takes them: Fractions, texts, None for empty."""
    out = {}
    for name, numeric, v in zip(plan.inputs, (plan.model.types[n].numeric for n in plan.inputs), record.values):
        out[name] = Fraction(*v) if (numeric and v is not None) else v
    return out
