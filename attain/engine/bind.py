"""Binding: a data `Table` -> validated rows of a plan's inputs (data errors found here, all at once).

Columns are matched to inputs by name, or by the input's label (see `columns`).
Each cell is checked against its input's type, range and choices. A bad cell is
reported as `file:line:column: expected money, got "12,3x"`; a total row or a
percent column typed as points is refused (see `screen`); nothing is computed
until every cell is good.
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from typing import NamedTuple

import attrs

from attain.diagnostics import AttainError, Diagnostic, Label, Span
from attain.dsl.nodes import Input, Number
from attain.dsl.org import EMPLOYEE
from attain.engine.columns import input_columns
from attain.engine.currency import CODE_COLUMNS, Currencies
from attain.engine.org import refuse_bad_managers
from attain.engine.periods import Period, coarsen, expected_label, parse_period, period_of_date
from attain.engine.plan import Plan
from attain.engine.runtime import MISSING, MISSING_NUMBER
from attain.engine.screen import percent_points, total_row
from attain.exact import to_decimal
from attain.i18n.messages import joined, number, say
from attain.io import CellError, ExactCell, Table, format_number, parse_cell
from attain.io.cells import DATE_EXPECTED, date_hint, shown
from attain.limits import MAX_DIGITS

ID_COLUMNS = ("id", "employee", "employee_id", "工号", "员工编号", "编号")
PERIOD_COLUMNS = ("period", "期间", "考核周期", "周期")
FINER = {"quarter": ("month",), "half": ("month", "quarter"), "year": ("month", "quarter", "half")}
DATE_COLUMNS = ("date", "日期")
MAX_REPORTED = 50
_FAST = re.compile(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)", re.ASCII)


_NO_MISSING: frozenset[int] = frozenset()


class Record(NamedTuple):
    """One employee's row (or one period of it): who, where it came from, and its input values."""

    who: str
    line: int
    fast: tuple  # per plan input: (num, den), text, bool or date; defaults filled in; MISSING where empty
    period: Period | None = None
    missing: frozenset[int] = _NO_MISSING  # inputs whose cell was empty (a default may stand in)
    lines: tuple = ()  # per input, the data lines a combined record took its value from

    @property
    def values(self) -> tuple:
        """The cells as given: None where a cell was empty, even if a default stands in for it."""
        if not self.missing:
            return self.fast
        return tuple(None if i in self.missing else v for i, v in enumerate(self.fast))


@attrs.frozen
class Bound:
    """A data file bound to a plan: the records, and which column fed each input."""

    file: str
    id_column: str
    columns: dict  # input name -> column name (absent when the input's default is used)
    records: tuple
    positions: dict  # column name -> 1-based column number
    period_column: str | None = None
    inputs: tuple = ()  # the plan's inputs, in the order records hold them
    rules: dict = attrs.Factory(dict)  # input -> how combined rows rolled up ("sum", "last", ...)
    warnings: tuple = ()  # what binding read but says (a column matched by a near name)
    notes: dict = attrs.Factory(dict)  # (line, input) -> where a value not read from the file came from

    def source(self, record: Record, name: str) -> str:
        if (record.line, name) in self.notes:  # a measure of line tables (attain/engine/lines.py)
            return self.notes[(record.line, name)]
        column = self.columns.get(name)
        if column is None:
            return "default"
        if record.lines:
            taken = record.lines[self.inputs.index(name)]
            if len(taken) > 1:
                rule = self.rules.get(name, "combined")
                return say("x.src_lines", file=self.file, lines=", ".join(map(str, taken)), rule=rule, column=column)
            if taken:
                return say("x.src_cell", file=self.file, line=taken[0], col=self.positions[column], column=column)
        return say("x.src_cell", file=self.file, line=record.line, col=self.positions[column], column=column)


def _converter(kind: str, numeric: bool, bounds: tuple[Number, Number] | None, choices: frozenset[str],
               points: bool = False):
    """A function from a cell's text to its exact value, raising CellError; fast for plain numbers.

    Plain decimals, well-formed thousands groups and (for percents) a trailing % are read
    with one regular expression and integer arithmetic; anything else goes to `parse_cell`,
    which knows every accepted form and says what was expected. `points`: 95 is 95%.
    """
    if not numeric:
        if choices:
            expected = say("cell.one_of", choices=joined(f'"{c}"' for c in sorted(choices)))

            def convert_choice(text):
                value = parse_cell(kind, text)
                if value not in choices:
                    raise CellError(expected)
                return value

            return convert_choice
        return lambda text: parse_cell(kind, text)

    fast = _FAST.fullmatch
    percent_ok = kind == "percent"
    count = kind == "count"
    if bounds is not None:
        lo, hi = bounds  # the bounds as written (Number nodes), shown the same way in the message
        in_range = say("cell.in_range", kind=say(f"type.{kind}"), low=lo.text, high=hi.text)
        lo_n, lo_d, hi_n, hi_d = lo.value.numerator, lo.value.denominator, hi.value.numerator, hi.value.denominator

    def convert(text):
        if type(text) is ExactCell:  # a result of the policy this one `uses`: already exact
            value = Fraction(text.value)
            num, den = value.numerator, value.denominator
            if bounds is not None and not (lo_n * den <= num * lo_d and num * hi_d <= hi_n * den):
                raise CellError(in_range)
            return num, den
        m = fast(text) if len(text) <= MAX_DIGITS else None  # longer: parse_cell counts its digits
        if m is not None and (percent_ok or not m.group(4)):
            sign, whole, frac, pct = m.groups()
            if "," in whole:
                whole = whole.replace(",", "")
            if frac:
                num, den = int(whole + frac), 10 ** len(frac)
            else:
                num, den = int(whole), 1
            if sign:
                num = -num
            if pct or points:
                den *= 100
            if count and (num < 0 or num % den):
                raise CellError(say("cell.count"))
        else:
            value = parse_cell(kind, text)
            num, den = value.numerator, value.denominator
            den *= 100 if points and "%" not in text and "％" not in text else 1
        if bounds is not None and not (lo_n * den <= num * lo_d and num * hi_d <= hi_n * den):
            raise CellError(in_range)
        return num, den

    return convert


def _row_reader(plan: Plan, columns: dict, specs: list):
    """Generate one function that reads a row's cells into exact values, raising CellError on a bad cell.

    Plain numbers (with thousands groups, and % for percents) are parsed inline with
    integer arithmetic, so binding costs about what parsing Decimals by hand would;
    other forms and other types call the input's converter. Column names travel in
    a constants table; only our own identifiers enter the source.
    """
    lines = ["def read(cells):", "    get = cells.get", "    missing = ()"]
    namespace = {"FAST": _FAST.fullmatch, "CellError": CellError, "frozenset": frozenset,
                 "POW": tuple(10**k for k in range(64))}
    for i, name in enumerate(plan.inputs):
        column, convert, default = specs[i]
        namespace[f"D{i}"] = default
        namespace[f"V{i}"] = convert
        if column is None:
            lines += [f"    f{i} = D{i}", f"    missing += ({i},)"]
            continue
        namespace[f"C{i}"] = column
        inp = plan.model.inputs[name]
        lines += [f"    t = get(C{i})", "    if t is None:", f"        f{i} = D{i}", f"        missing += ({i},)"]
        if not plan.model.types[name].numeric:
            lines += ["    else:", f"        f{i} = V{i}(t)"]
            continue
        if plan.model.policy.header.uses or plan.model.lines is not None:  # exact cells: roll-ups, measures
            lines += [f"    elif type(t) is EXACT: f{i} = V{i}(t)"]
            namespace["EXACT"] = ExactCell
        lines += _number_lines(i, inp)
        lines.append(f"        f{i} = (n, d)")
    values = ", ".join(f"f{i}" for i in range(len(plan.inputs)))
    lines.append(f"    return ({values}{',' if len(plan.inputs) == 1 else ''}), "
                 "(frozenset(missing) if missing else EMPTY)")
    namespace["EMPTY"] = _NO_MISSING
    exec(compile("\n".join(lines) + "\n", "<attain row reader>", "exec"), namespace)
    return namespace["read"]


def _number_lines(i: int, inp: Input) -> list[str]:
    """The generated lines that read input i's cell `t` into an exact (n, d), checking count and range.

    A percent `written as points` reads every form as a number of percent (95 and 95% are 95%):
    its denominators carry two more places.
    """
    percent = inp.type == "percent"
    points = percent and inp.written == "points"
    extra = 2 if points else 0
    lines = [
        "    else:",
        # Plain whole numbers and decimals take a few string methods and int(); ASCII only,
        # and no underscores, which int() would accept but data must not. A long text goes to the
        # converter, which refuses a number of more than MAX_DIGITS digits before any int().
        f"        if len(t) > {MAX_DIGITS}: n, d = V{i}(t)",
        "        elif t.isdigit() and t.isascii():",
        f"            n = int(t); d = {10**extra}",
        "        else:",
        "            w, dot, fr = t.partition('.')",
        "            if t.isascii() and '_' not in t and (w.isdigit() or w[:1] == '-' and w[1:].isdigit())"
        " and (not dot or fr.isdigit()) and len(fr) < 60:",
        f"                n = int(w + fr) if fr else int(w); d = POW[len(fr){' + 2' if points else ''}]",
        "            else:",
        "                m = FAST(t)",
        f"                if m is None{'' if percent else ' or m[4]'} or len(m[3] or '') > 60:",
        f"                    n, d = V{i}(t)",
        "                else:",
        "                    s, w, fr, pc = m.groups()",
        "                    if ',' in w: w = w.replace(',', '')",
        "                    if fr: n = int(w + fr); d = POW[len(fr)]",
        "                    else: n = int(w); d = 1",
        "                    if s: n = -n",
    ]
    if points:
        lines.append("                    d *= 100")
    elif percent:
        lines.append("                    if pc: d *= 100")
    if inp.type == "count":
        lines.append("        if n < 0 or n % d: raise CellError('count')")
    if inp.bounds is not None:
        lo, hi = inp.bounds[0].value, inp.bounds[1].value
        lines.append(f"        if not ({lo.numerator} * d <= n * {lo.denominator} and "
                     f"n * {hi.denominator} <= {hi.numerator} * d): raise CellError('range')")
    return lines


def find_id_column(table: Table, id_column: str | None = None) -> str:
    """The column naming the employee: the one asked for, or the first of ID_COLUMNS present."""
    header = Span(table.file, 1, 1, 1, 2)
    if id_column is None:
        id_column = next((c for c in ID_COLUMNS if c in table.columns), None)
        if id_column is None:
            raise AttainError([Diagnostic(
                "D410", say("D410"), header,
                hint=say("D410.hint", names=joined((f"'{c}'" for c in ID_COLUMNS[:2]), "or")))])
    elif id_column not in table.columns:
        raise AttainError([Diagnostic("D410", say("D410.named", column=id_column), header,
                                      hint=say("columns", names=joined(table.columns)))])
    return id_column


def only(table: Table, id_column: str, who: str) -> Table:
    """The rows of one employee: all an explanation needs when no value looks at colleagues.

    The table keeps what its reader knew (cell places, warnings), so a bad cell is named as `run` names it.
    """
    return attrs.evolve(table, rows=tuple(r for r in table.rows if r.cells.get(id_column) == who))


def bind(plan: Plan, table: Table, id_column: str | None = None, allow_ids=()) -> Bound:
    """Every row of `table` as a Record of exact values for `plan`; every bad cell is reported, nothing is guessed.

    A row whose id reads like a total (合计, Total) is refused unless its id is in `allow_ids`.
    """
    positions = {c: i + 1 for i, c in enumerate(table.columns)}
    id_column = find_id_column(table, id_column)
    columns, warnings = input_columns(plan, table, {id_column, *PERIOD_COLUMNS, *DATE_COLUMNS})
    _refuse_points(plan, table, columns, positions)
    currencies = Currencies(plan.model.policy.header.currency)
    specs = _cell_specs(plan, columns, currencies)
    read_row = _row_reader(plan, columns, specs)
    time = _time_columns(plan, table, positions)
    code_column = next((c for c in CODE_COLUMNS if c in positions), None)
    allowed = frozenset(allow_ids)
    records, orders, diags = [], [], []
    seen: dict = {}
    finer = False
    for row in table.rows:
        who = row.cells.get(id_column)
        total = total_row(table, row, id_column, who, positions) if who not in allowed else None
        if total is not None:
            diags.append(total)
            continue
        if who is None:
            diags.append(_cell_error(table, row.line, positions[id_column], id_column, "an employee id", None))
            continue
        placed = _row_period(plan, table, row, time, positions, diags)
        if placed is None:
            continue
        period, order, fine = placed
        finer = finer or fine is not None
        duplicate = _duplicate(table, row, who, period, fine, time, seen, id_column, positions[id_column])
        if duplicate is not None:
            diags.append(duplicate)
        currencies.line = row.line
        if code_column is not None and (code := row.cells.get(code_column)) is not None:
            try:
                currencies.code(code)
            except CellError as err:
                diags.append(_cell_error(table, row.line, positions[code_column], code_column, err.expected, code,
                                         err.code))
        try:
            fast, missing = read_row(row.cells)
        except CellError:
            diags.extend(_bad_cells(table, row, specs, positions))
            continue
        records.append(Record(who, row.line, fast, period, missing))
        orders.append(order)
        if len(diags) >= MAX_REPORTED:
            break
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    rules: dict = {}
    if time.date is not None or finer:
        records, rules = _combine(plan, table, records, orders, dated=time.date is not None)
    _refuse_gaps(plan, table, records, time, positions)
    refuse_bad_managers(plan, table, records, columns, positions)
    return Bound(table.file, id_column, columns, tuple(records), positions, time.period or time.date,
                 tuple(plan.inputs), rules, tuple(warnings), getattr(table, "notes", {}))


def _refuse_gaps(plan: Plan, table: Table, records: list[Record], time: _Time, positions: dict) -> None:
    """E310 at the row after each gap in an employee's periods, when the policy looks back and does not restart.

    Found here, from the data alone, so that run and explain refuse the same rows, and the
    message points at the period (or date) cell of the row after the gap.
    """
    if not plan.history or time.kind is None or plan.model.policy.header.gaps == "restart":
        return
    column = time.period or time.date
    if column is None:
        return
    periods: dict[str, dict[int, Record]] = {}
    for r in records:
        if r.period is not None:
            periods.setdefault(r.who, {})[r.period.index] = r
    looks_back = Label(plan.history[0].node.span, say("E310.looks_back"))
    found = []
    for who, mine in periods.items():
        ordered = sorted(mine)
        for last, index in itertools.pairwise(ordered):
            if index == last + 1:
                continue
            kind = time.kind
            missing, upto = Period(kind, last + 1), Period(kind, index - 1)
            span = missing if missing == upto else say("E310.span", first=missing, last=upto)
            row = mine[index]
            place = table.cell(row.line, column, positions[column])
            named = say("cell.where", place=place.name) if place.name else ""
            found.append(Diagnostic(
                "E310", say("E310", who=who, span=span, before=Period(kind, last), after=row.period, named=named),
                place.span, label=say("E310.label", who=who), notes=(looks_back,), hint=say("E310.hint")))
    if found:
        found.sort(key=lambda d: (d.span.line, d.span.col) if d.span else (0, 0))
        raise AttainError(found[:MAX_REPORTED])


def _refuse_points(plan: Plan, table: Table, columns: dict[str, str], positions: dict) -> None:
    """D431 for each percent column (without `written as`) whose plain numbers look like points."""
    found = []
    for name, column in columns.items():
        inp = plan.model.inputs[name]
        if inp.type == "percent" and inp.written is None:
            diag = percent_points(table, column, inp, positions[column])
            if diag is not None:
                found.append(diag)
    if found:
        raise AttainError(found)


def _cell_specs(plan: Plan, columns: dict[str, str], currencies: Currencies | None = None) -> list:
    """(column or None, converter, value for an empty cell) for each input, in the plan's order; money's
    converter checks the currency sign of a cell that has one (against `currencies`, the run's)."""
    currencies = currencies or Currencies(plan.model.policy.header.currency)
    specs = []
    for name in plan.inputs:
        inp = plan.model.inputs[name]
        t = plan.model.types[name]
        default = _default_value(inp, t)
        kind = str(t) if inp.type == EMPLOYEE else inp.type  # an employee id is read as a text
        convert = _converter(kind, t.numeric, inp.bounds, frozenset(inp.choices), inp.written == "points")
        if inp.type == "money":
            convert = currencies.money(convert)
        if default is None:
            default = MISSING_NUMBER if t.numeric else MISSING
        specs.append((columns.get(name), convert, default))
    return specs


class _Time(NamedTuple):
    """How rows find their period: the policy's period kind, and a period or a date column (or neither)."""

    kind: str | None
    period: str | None
    date: str | None


def _time_columns(plan: Plan, table: Table, positions: dict) -> _Time:
    model = plan.model
    kind = model.policy.header.period
    period_column = next((c for c in PERIOD_COLUMNS if c in positions), None) if kind else None
    date_column = None
    if kind and period_column is None:
        date_column = next((c for c in DATE_COLUMNS if c in positions), None)
        if date_column is None and (model.history_refs or plan.history or model.reads_period):
            looks = say("D415.history") if model.history_refs or plan.history else say("D415.days")
            raise AttainError([Diagnostic(
                "D415", say("D415", looks=looks), Span(table.file, 1, 1, 1, 2),
                hint=say("D415.hint", example=expected_label(kind)))])
    return _Time(kind, period_column, date_column)


def _row_period(plan: Plan, table: Table, row, time: _Time, positions: dict, diags: list):
    """(period, order, finer period or None) of one row, or None after reporting a bad period or date cell.

    Rows of one period combine in time order, then file order; a finer period (a month
    in a quarterly policy) rolls up into the coarser one.
    """
    if time.kind is None:  # a policy without periods looks for neither a period nor a date column
        return None, (0, row.line), None
    if time.period is not None:
        label = row.cells.get(time.period)
        period = parse_period(time.kind, label) if label is not None else None
        if period is None and label is not None:
            fine = next((p for k in FINER.get(time.kind, ()) if (p := parse_period(k, label))), None)
            if fine is not None:
                return coarsen(fine, time.kind), (fine.index, row.line), fine
        if period is None:
            diags.append(_cell_error(table, row.line, positions[time.period], time.period,
                                     expected_label(time.kind), label))
            return None
        return period, (0, row.line), None
    if time.date is not None:
        try:
            day = parse_cell("date", row.cells.get(time.date) or "")
        except CellError as err:
            diags.append(_cell_error(table, row.line, positions[time.date], time.date, err.expected,
                                     row.cells.get(time.date)))
            return None
        return period_of_date(time.kind, day, plan.model.policy.header.month_ends_on), (day.toordinal(), row.line), None
    return None, (0, row.line), None


def _duplicate(table: Table, row, who: str, period, fine, time: _Time, seen: dict, id_column: str, id_col: int):
    """D414 when an employee has a second row for the same period (dated rows may repeat)."""
    key = (who, fine or period)
    found = None
    if key in seen and time.date is None:
        when = say("D414.in", period=fine or period) if period is not None else ""
        place = table.cell(row.line, id_column, id_col)
        # A sheet's rows and a list's records are not lines: the place names the cell (S!A4, record 4, field 'id').
        rows = say("D414.rows", first=seen[key], second=row.line, place=place.name) if place.name else \
            say("D414.lines", first=seen[key], second=row.line)
        found = Diagnostic(
            "D414", say("D414", who=who, when=when, rows=rows), place.span,
            hint=say("D414.hint", per=say("D414.per") if period is not None else "",
                     more="" if time.kind else say("D414.more")))
    seen[key] = row.line
    return found


def _bad_cells(table: Table, row, specs: list, positions: dict) -> list[Diagnostic]:
    """Every bad cell of a row the fast reader refused, each with its column."""
    found = []
    for column, convert, _default in specs:
        text = row.cells.get(column) if column is not None else None
        if text is not None:
            try:
                convert(text)
            except CellError as err:
                found.append(_cell_error(table, row.line, positions[column], column, err.expected, text, err.code))
    return found


def _combine(plan: Plan, table: Table, records: list[Record], orders: list[tuple[int, int]],
             dated: bool) -> tuple[list[Record], dict[str, str]]:
    """The rows of one employee within one period become one record, by each input's `combine` rule.

    Dated rows (transactions) add up their amounts and counts unless the input says
    otherwise; rows of finer periods (the months of a quarter) must agree on any input
    without a rule. Rows are taken in time order for `first` and `last`.
    """
    groups: dict = {}
    for record, order in zip(records, orders, strict=True):  # bind() appends to both together
        groups.setdefault((record.who, record.period), []).append((order, record))
    rules = {name: plan.model.inputs[name].combine
             or ("sum" if dated and plan.model.inputs[name].type in ("money", "count") else "agree")
             for name in plan.inputs}
    combined, diags = [], []
    for (who, period), members in groups.items():
        rows = [r for _, r in sorted(members, key=lambda m: (m[0], m[1].line))]
        if len(rows) == 1:
            combined.append(rows[0])
            continue
        fast = list(rows[0].fast)
        missing = set()
        taken = []
        for i, name in enumerate(plan.inputs):
            inp = plan.model.inputs[name]
            rule = rules[name]
            having = [r for r in rows if r.values[i] is not None]
            present = [r.values[i] for r in having]
            taken.append(tuple(r.line for r in having))
            if not present:
                missing.add(i)
                continue
            if rule == "agree":
                # 5000 and 5000.00 are the same amount: compare values, not how they were written.
                if len({Fraction(*v) if type(v) is tuple else v for v in present}) > 1:
                    diags.append(Diagnostic(
                        "D416", say("D416", who=who, name=name, period=period,
                                    lines=joined(str(r.line) for r in having)),
                        Span(table.file, having[-1].line, 1, having[-1].line, 2),
                        hint=_combine_hint(name, inp, present)))
                fast[i] = present[0]
            elif rule in ("first", "last"):
                fast[i] = present[0] if rule == "first" else present[-1]
                taken[-1] = (having[0].line,) if rule == "first" else (having[-1].line,)
            else:
                v = _roll_up(rule, [Fraction(*v) for v in present])
                bounds = inp.bounds
                if bounds is not None and not (bounds[0].value <= v <= bounds[1].value):
                    diags.append(Diagnostic(
                        "D418", say("D418", rule=say(f"rule.{rule}"), name=name, who=who, period=period,
                                    value=number(_show(v)), low=bounds[0].text, high=bounds[1].text),
                        Span(table.file, having[-1].line, 1, having[-1].line, 2),
                        hint=say("D418.hint", lines=joined(str(r.line) for r in having))))
                fast[i] = (v.numerator, v.denominator)
        combined.append(Record(who, rows[0].line, tuple(fast), period, frozenset(missing), tuple(taken)))
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    return combined, {name: ("the same on every row" if rule == "agree" else rule) for name, rule in rules.items()}


def _combine_hint(name: str, inp: Input, present: list) -> str:
    """D416's help: what each `combine` rule would give for these rows, so that none is chosen blind.

    A hint must not lead to a result that is silently wrong (a rule that "runs" but pays
    another amount than the plan says), so it names no one rule: it shows what each gives.
    """
    numeric = bool(present) and all(type(v) is tuple for v in present)
    rules = ("sum", "mean", "min", "max") if numeric else ()
    values = [Fraction(*v) for v in present] if numeric else []
    shown_by = [say("D416.gives", rule=rule, value=number(_show(_roll_up(rule, values)))) for rule in rules]
    for rule, v in (("first", present[0]), ("last", present[-1])):
        text = _show(Fraction(*v)) if numeric else format_number(v) if isinstance(v, (bool, str)) else str(v)
        shown_by.append(say("D416.gives", rule=rule, value=number(text) if numeric else repr(text)))
    return say("D416.hint", name=name, type=inp.type, values=joined(shown_by))


def _roll_up(rule: str, values: list[Fraction]) -> Fraction:
    """sum, mean, min or max of an input's values over the rows of one period."""
    if rule == "sum":
        return sum(values, Fraction(0))
    if rule == "mean":
        return sum(values, Fraction(0)) / len(values)
    if rule in ("min", "max"):
        return min(values) if rule == "min" else max(values)
    raise AssertionError(f"no roll-up {rule!r}")


def _show(f: Fraction) -> str:
    return format_number(to_decimal(f.numerator, f.denominator))


def _default_value(inp, t):
    if inp.default is None:
        return None
    v = inp.default.value
    if isinstance(v, Fraction):
        return v.numerator, v.denominator
    return v


def _cell_error(table: Table, line: int, col: int, column: str, expected: str, text,
                code: str = "D413") -> Diagnostic:
    """D413 (or `code`) for one cell, pointing at the cell itself: its characters in a CSV line, its sheet cell,
    its JSON value."""
    got = say("cell.empty") if text is None else say("cell.got", text=shown(text))
    place = table.place(line, column)
    if place is None:  # a table made by hand, or one whose reader cannot tell
        where = "" if table.file.endswith(".csv") or table.file == "<stdin>" else \
            say("cell.where", place=say("place.record", line=line, column=column))
        span = Span(table.file, line, col, line, col + 1)
    else:
        span, where = place.span, say("cell.where", place=place.name) if place.name else ""
    hint = date_hint(text) if expected == DATE_EXPECTED else ""
    return Diagnostic(code, say("D413", expected=expected, got=got, where=where), span, label=column, hint=hint)


def reference_inputs(plan: Plan, record: Record) -> dict:
    """A record's values as the reference evaluator takes them: Fractions, texts, None for empty."""
    out = {}
    numeric_inputs = (plan.model.types[n].numeric for n in plan.inputs)
    for name, numeric, v in zip(plan.inputs, numeric_inputs, record.values, strict=True):  # one value per input
        out[name] = Fraction(*v) if (numeric and v is not None) else v
    return out
