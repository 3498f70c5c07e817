"""Emitting: a checked `Model` and its `Layout` -> the Python source of a `Plan`'s stages and output converter.

Every number is an exact rational held as two Python ints (numerator,
denominator > 0), so each operation is a handful of machine-integer
multiplications: exact like `Fraction`, without its per-operation objects and
normalisation. Values are computed in dependency order with no tree walking
and no type dispatch per row.

Only identifiers we make (`i3_n`, `v7_d`, `t12`), the names `runtime` binds,
and integer literals enter the generated source; texts from the policy travel
in a constants table, so no user text is ever compiled or executed.

The generated functions are optimistic: they compute every needed value
eagerly. When a row divides by zero, uses a missing cell, or falls outside
every band row, they raise `Fallback`; the caller then evaluates that row with
the reference evaluator, whose lazy semantics decide whether it is a real
error (and name it exactly) or a value the policy guards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.dsl.model import Model
from attain.engine import accrual, runtime
from attain.engine.emit_blocks import BlockEmitter, ident, kind_of_type
from attain.engine.plan import Layout, Output, Plan
from attain.engine.writer import Body, Code, Pair, fits_python, pair, pair_of, product

_NORMALISE_ABOVE = 10**12


def compile_model(model: Model) -> Plan:
    """Lay out a checked policy, emit its stages and output converter, and load them as a `Plan`."""
    layout = Layout(model)
    emitter = Emitter(model, layout)
    source = emitter.stages_source()
    if not fits_python(source):
        # Nesting beyond what Python's compiler takes (blocks 100 deep, parentheses 200 deep) can only
        # come from a formula nested that deep: its rows go to the reference evaluator, which gives
        # the same values, slower.
        source = "".join(f"def stage{k}(R, H, S, A, P):\n    raise Fallback('nested too deeply')\n\n"
                         for k in range(len(layout.levels)))
    defined = runtime.execute(source, f"<attain plan {model.policy.file}>", emitter.constants)
    outputs = layout.outputs()
    convert = runtime.execute(converter_source(model, outputs), "<attain outputs>")["convert"]
    return Plan(
        model=model,
        inputs=tuple(layout.input_order),
        input_types=layout.input_types(),
        outputs=outputs,
        stages=tuple(defined[f"stage{k}"] for k in range(len(layout.levels))),
        history=tuple(layout.history),
        aggregates=tuple(layout.aggregates),
        slots=dict(layout.slots),
        nslots=layout.nslots,
        stage_of=dict(layout.stage_of),
        node_stage=dict(layout.node_stage),
        source=source,
        convert=cast(Callable[[list], tuple], convert),
    )


def converter_source(model: Model, outputs: tuple[Output, ...]) -> str:
    """`convert(slots)`: each output as an exact Decimal (a Fraction if it has no finite decimal),
    a text or a flag. A rounded value is already a multiple of its step, so it becomes a Decimal
    directly from its numerator."""
    lines = ["def convert(S):"]
    values = []
    for i, out in enumerate(outputs):
        t = model.types[out.name]
        if not t.numeric:
            # An output that copies an empty cell: the reference evaluator names the missing input.
            lines.append(f"    o{i} = S[{out.slot}]")
            lines.append(f"    if o{i} is MISSING: raise Fallback('missing output')")
            values.append(f"o{i}")
            continue
        lines.append(f"    n, d = S[{out.slot}]")
        lines.append("    if n is MISSING: raise Fallback('missing output')")
        if out.places is not None:
            scale = 10**out.places
            lines.append(f"    o{i} = scaleb(Decimal(n * ({scale} // d)), -{out.places}) if {scale} % d == 0 "
                         f"else exact(n, d, {out.places})")
        else:
            lines.append(f"    o{i} = Decimal(n) if d == 1 else exact(n, d, None)")
        values.append(f"o{i}")
    lines.append("    return (" + "".join(v + ", " for v in values) + ")")
    return "\n".join(lines) + "\n"


class Emitter(BlockEmitter):
    """Emits the stage functions, one statement per line, with integer-pair arithmetic."""

    def __init__(self, model: Model, layout: Layout):
        super().__init__()
        self.model = model
        self.layout = layout
        self.var: dict[str, str] = {}
        for i, name in enumerate(layout.input_order):
            self.var[name] = f"i{i}"
        for i, name in enumerate(model.order):
            self.var[name] = f"v{i}"

    # ------------------------------------------------------------ stages
    def stages_source(self) -> str:
        """`def stage{k}(R, H, S, A, P)` for each stage, in order (P: the period's days, dates.PeriodDays)."""
        out = []
        for k in range(len(self.layout.levels)):
            self.lines = []
            self.depth = 1
            self._stage(k)
            out.append(f"def stage{k}(R, H, S, A, P):")
            out.extend(self.lines)
            out.append("")
        return "\n".join(out) + "\n"

    def _stage(self, k: int) -> None:
        """Read the inputs and earlier stages' values stage k uses, then compute and keep its definitions."""
        layout = self.layout
        names = [name for name in layout.needed if layout.stage_of[name] == k]
        used: set[str] = set()
        for name in names:
            for expr in n.formulas(self.model.definitions[name]):
                used.update(x.id for x in n.walk(expr) if isinstance(x, n.Name))
        for i, name in enumerate(layout.input_order):
            if name not in used and not (k == 0 and name in layout.slots):
                continue
            if self.model.types[name].numeric:
                self.emit(f"i{i}_n, i{i}_d = R[{i}]")
            else:
                self.emit(f"i{i} = R[{i}]")
            if k == 0 and name in layout.slots:
                self.store(name)
        for name in sorted(used, key=lambda x: layout.slots.get(x, -1)):
            if name in layout.stage_of and layout.stage_of[name] < k:
                self.load(name)
        for name in names:
            self.emit(f"# {name}")
            self.definition(name)
            if name in layout.slots:
                self.store(name)
        if not names:
            self.emit("pass")

    def _vars_of(self, name: str) -> list[tuple[str, str]]:
        """(variable, kind) pairs a named value occupies, in slot order."""
        t = self.model.types[name]
        v = self.var[name]
        if t.kind == "tier":
            return [(v, "text")] + [(f"{v}_{ident(f)}", kind_of_type(ft)) for f, ft in t.fields]
        return [(v, kind_of_type(t))]

    def store(self, name: str) -> None:
        for offset, (var, kind) in enumerate(self._vars_of(name)):
            value = f"({var}_n, {var}_d)" if kind == "num" else var
            self.emit(f"S[{self.layout.slots[name] + offset}] = {value}")

    def load(self, name: str) -> None:
        for offset, (var, kind) in enumerate(self._vars_of(name)):
            target = f"{var}_n, {var}_d" if kind == "num" else var
            self.emit(f"{target} = S[{self.layout.slots[name] + offset}]")

    # ------------------------------------------------------------ kinds
    def kind(self, e: object) -> str:
        """'num', 'bool' or 'text' for any expression of a checked policy, from its checked type."""
        return kind_of_type(self.model.type_of(e))

    def value(self, e: object, kind: str | None = None) -> Code:
        kind = kind or self.kind(e)
        emit: dict[str, Callable[[object], Code]] = {"num": self.num, "bool": self.boolean, "text": self.text}
        return emit[kind](e)

    # ------------------------------------------------------------ expressions
    # long: one case per expression class, in one match, read as a table
    def num(self, e: object) -> Pair:
        match e:
            case n.Number(value=v):
                return str(v.numerator), str(v.denominator)
            case n.Name(id=name):
                return pair_of(self.var[name])
            case n.Field(base=base, field=field):
                return pair_of(f"{self.var[base.id]}_{ident(field)}")
            case n.PeriodValue(name="period_days"):
                return "P.days", "1"
            case n.Binary(op="-", left=l, right=r) if self.model.type_of(l).kind == "date":
                t = self.tmp()
                self.emit(f"{t} = _days_between({self.text(r)}, {self.text(l)})")
                return t, "1"
            case n.Call(func=func, args=args) if func in n.DATE_FUNCTIONS:
                return self.date_call(func, args), "1"
            case n.Unary(op="-", operand=x):
                xn, xd = self.num(x)
                t = self.tmp()
                self.emit(f"{t} = -{xn}")
                return t, xd
            case n.Binary(op="+", left=l, right=r):
                return self.add(self.num(l), self.num(r))
            case n.Binary(op="-", left=l, right=r):
                return self.add(self.num(l), self.num(r), "-")
            case n.Binary(op="*", left=l, right=r):
                return self.mul(self.num(l), self.num(r))
            case n.Binary(op="/", left=l, right=r):
                return self.div(self.num(l), self.num(r))
            case n.Conditional():
                return pair_of(self.conditional(e, "num"))
            case n.Previous():
                return pair_of(self.previous(e, "num"))
            case n.Aggregate():
                k = self.layout.agg_index[e]
                t = self.tmp()
                self.emit(f"{t} = A[{k}]")
                self.emit(f"if {t} is None: raise Fallback('no group value')")
                self.emit(f"{t}_n, {t}_d = {t}")
                return f"{t}_n", f"{t}_d"
            case n.Call(func="streak", args=args):
                j = self.layout.hist_index[e]
                cond = self.boolean(args[0])
                t = self.tmp()
                self.emit(f"{t} = H[{j}] + 1 if {cond} else 0")
                self.emit(f"S[{self.layout.history[j].slot}] = {t}")
                return t, "1"
            case n.Call(func=func, args=args) if func in ACCRUAL_FUNCTIONS:
                # The earlier periods' values in H, plus this period's when the sum includes it.
                j = self.layout.hist_index[e]
                xn, xd = self.num(args[0]) if ACCRUAL_FUNCTIONS[func][1] else ("0", "1")
                t = self.tmp()
                self.emit(f"{t}_n, {t}_d = _rolling('rolling_sum', H[{j}], {xn}, {xd})")
                return f"{t}_n", f"{t}_d"
            case n.Call(func=func, args=args) if func in n.HISTORY_FUNCTIONS:
                j = self.layout.hist_index[e]
                xn, xd = self.num(args[0])
                t = self.tmp()
                self.emit(f"{t}_n, {t}_d = _rolling({self.const(func)}, H[{j}], {xn}, {xd})")
                return f"{t}_n", f"{t}_d"
            case n.Round():
                return self.round(e)
            case n.Call(func=func, args=args):
                return self.call(func, args)
            case n.TableLookup(table=name, args=args):
                table = self.model.tables[name]
                return self.table_cell(table.rows, table.columns, args)
        raise AssertionError(e)

    def date_call(self, func: str, args: tuple) -> str:
        """A date function giving a whole number of days or months (dates.py); returns its variable."""
        t = self.tmp()
        if func in ("days_employed", "months_employed"):
            # An empty leave date means still employed; an empty hire date falls back to the reference
            # evaluator, which names it.
            left = self.text(args[1]) if len(args) > 1 else "None"
            if len(args) > 1 and not (isinstance(args[1], n.Name) and args[1].id in self.model.inputs):
                self.emit(f"if {left} is MISSING: raise Fallback('missing value')")
            self.emit(f"{t} = _{func}(P, {self.text(args[0])}, {left})")
            return t
        a, b = (self.text(x) for x in args)
        self.emit(f"{t} = _{func}({a}, {b})")
        return t

    def table_cell(self, rows: tuple, columns: tuple, args: tuple) -> Pair:
        """A rate table's cell or a curve's value: `runtime.table_cell` over the values, as pairs or texts."""
        values = []
        for arg in args:
            if self.kind(arg) == "num":
                xn, xd = self.num(arg)
                values.append(f"({xn}, {xd})")
            else:
                values.append(self.text(arg))
        t = self.tmp()
        self.emit(f"{t}_n, {t}_d = _table({self.const(rows)}, {self.const(columns)}, {', '.join(values)})")
        return f"{t}_n", f"{t}_d"

    def previous(self, e: n.Previous, kind: str) -> str:
        """The value `back` periods ago, or the `otherwise` value; returns the variable that holds it."""
        j = self.layout.hist_index[e]
        t = self.tmp()
        self.emit(f"{t}_h = H[{j}]")
        self.emit(f"if {t}_h is None:")
        self.depth += 1
        self.assign(t, self.value(e.otherwise, kind), kind)
        self.depth -= 1
        self.emit("else:")
        self.depth += 1
        self.emit(f"{t}_n, {t}_d = {t}_h" if kind == "num" else f"{t} = {t}_h")
        self.depth -= 1
        return t

    def conditional(self, e: n.Conditional, kind: str) -> str:
        """`then if condition else otherwise`; returns the variable that holds the result."""
        if isinstance(e.otherwise, n.Conditional):
            return self._conditional_chain(e, kind)
        t = self.tmp()
        cond = self.boolean(e.condition)
        self.emit(f"if {cond}:")
        self.depth += 1
        self.assign(t, self.value(e.then, kind), kind)
        self.depth -= 1
        self.emit("else:")
        self.depth += 1
        self.assign(t, self.value(e.otherwise, kind), kind)
        self.depth -= 1
        return t

    def _conditional_chain(self, e: n.Conditional, kind: str) -> str:
        """`a if c1 else b if c2 else ... else z` as a flat sequence of guarded steps, not nested blocks,
        so a chain of any length stays within Python's 100 levels of indentation. Each condition is
        computed only when the ones before it were false; `{t}_c` says whether one held."""
        t = self.tmp()
        done = f"{t}_c"
        links: list[tuple[object, object]] = []
        last: object = e
        while isinstance(last, n.Conditional):
            links.append((last.condition, last.then))
            last = last.otherwise
        for i, (condition, then) in enumerate([*links, (None, last)]):
            if i:
                self.emit(f"if not {done}:")
                self.depth += 1
            if condition is None:
                self.assign(t, self.value(then, kind), kind)
            else:
                self.emit(f"{done} = {self.boolean(condition)}")
                self.emit(f"if {done}:")
                self.depth += 1
                self.assign(t, self.value(then, kind), kind)
                self.depth -= 1
            if i:
                self.depth -= 1
        return t

    def round(self, e: n.Round) -> Pair:
        xn, xd = self.num(e.value)
        assert isinstance(e.step, n.Number)  # the checker refuses any other step
        step = e.step.value
        t = self.tmp()
        self.emit(f"{t} = _round({product(xn, str(step.denominator))}, {product(xd, str(step.numerator))}, "
                  f"{self.const(e.mode or 'half_up')})")
        if step.numerator != 1:
            self.emit(f"{t} = {t} * {step.numerator}")
        return t, str(step.denominator)

    def call(self, func: str, args: tuple) -> Pair:
        if func == "sign":
            xn, _xd = self.num(args[0])
            t = self.tmp()
            self.emit(f"{t} = ({xn} > 0) - ({xn} < 0)")
            return t, "1"
        if func == "abs":
            xn, xd = self.num(args[0])
            t = self.tmp()
            self.emit(f"{t} = abs({xn})")
            return t, xd
        if func == "clamp":
            x, lo, hi = (self.num(a) for a in args)
            return self.pick(self.pick(x, lo, ">"), hi, "<")
        if func in ("min", "max"):
            values = [self.num(a) for a in args]
            result = values[0]
            for v in values[1:]:
                result = self.pick(result, v, "<" if func == "min" else ">")
            return result
        raise AssertionError(f"no emission for function {func!r}")

    def boolean(self, e: object) -> str:
        match e:
            case n.Bool(value=v):
                return "True" if v else "False"
            case n.Call(func="in_period", args=(day,)):
                return f"(P.first <= {self.text(day)} <= P.last)"
            case n.PeriodValue(name=word):  # first_period_of_year ... last_period_of_quarter
                header = self.model.policy.header
                edge, span = accrual.word_parts(word)
                week, length = int(header.period == "week"), accrual.MONTHS_IN.get(header.period or "", 1)
                return (f"_plan_edge(P, {accrual.start_month(header)}, {12 if span == 'year' else 3}, {week}, "
                        f"{length}, {edge})")
            case n.Call(func="given", args=(n.Name(id=given),)):  # the checker allows only an input's name
                var = self.var[given]
                return f"({var}_n is not MISSING)" if self.model.types[given].numeric else f"({var} is not MISSING)"
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{ident(field)}"
            case n.Unary(op="not", operand=x):
                # `not not ... x`: only the count's parity matters (bool() keeps a missing x refused).
                odd = True
                while isinstance(x, n.Unary) and x.op == "not":
                    x, odd = x.operand, not odd
                inner = self.boolean(x)
                return f"(not {inner})" if odd else f"bool({inner})"
            case n.Binary(op="and" | "or", left=l, right=r):
                return self._logic(e.op, l, r)
            case n.Binary(op=op, left=l, right=r) if op in n.COMPARISONS:
                kind = self.kind(l) if not isinstance(l, n.Number) else self.kind(r)
                if kind == "num":
                    pyop = {"=": "==", "!=": "!="}.get(op, op)
                    return self.less(self.num(l), self.num(r), pyop)
                # Texts and tiers compare with = and != only (the checker sees to it); dates with all six.
                a, b = self.value(l, kind), self.value(r, kind)
                return f"({a} {'==' if op == '=' else op} {b})"
            case n.Conditional():
                return self.conditional(e, "bool")
            case n.Previous():
                return self.previous(e, "bool")
        raise AssertionError(e)

    def _logic(self, op: str, left: object, right: object) -> str:
        """`and`/`or`: the right side is computed only when the left does not decide."""
        t = self.tmp()
        self.emit(f"{t} = {self.boolean(left)}")
        self.emit(f"if {'' if op == 'and' else 'not '}{t}:")
        self.depth += 1
        mark = len(self.lines)
        right_code = self.boolean(right)
        if len(self.lines) == mark:
            # The right side needs no statements: one short-circuit expression will do.
            self.depth -= 1
            self.lines.pop()
            left_code = self.take_back_assignment(t)
            self.emit(f"{t} = ({left_code} {op} {right_code})")
            return t
        self.emit(f"{t} = {right_code}")
        self.depth -= 1
        return t

    def text(self, e: object) -> str:
        match e:
            case n.Text(value=v) | n.Date(value=v):
                return self.const(v)
            case n.PeriodValue(name="period_start"):
                return "P.first"
            case n.PeriodValue(name="period_end"):
                return "P.last"
            case n.Binary(op="+" | "-", left=l, right=r):  # a date moved by days (the checker allows no other)
                date_left = self.model.type_of(l).kind == "date"
                day = self.text(l if date_left else r)
                dn, dd = self.num(r if date_left else l)
                t = self.tmp()
                self.emit(f"{t} = _shift({day}, {'-' if e.op == '-' else ''}{dn}, {dd})")
                return t
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{ident(field)}"
            case n.Conditional():
                return self.conditional(e, "text")
            case n.Previous():
                return self.previous(e, "text")
        raise AssertionError(e)

    # ------------------------------------------------------------ definitions
    def definition(self, name: str) -> None:
        d = self.model.definitions[name]
        target = self.var[name]
        if isinstance(d, (n.FlagDecl, n.Refusal)):
            self.emit(f"{target} = {self.boolean(d.condition)}")
            if isinstance(d, n.Refusal):
                # The reference evaluator words the refusal, with the values that made it hold.
                self.emit(f"if {target}: raise Fallback('refused')")
            return
        t = self.model.types[name]
        kind = kind_of_type(t) if t.kind != "tier" else "tier"
        self.gated(d, name, kind)
        if kind == "num":
            # (a copy of an empty cell falls back here too: MISSING refuses the comparison)
            self.emit(f"if {target}_d > {_NORMALISE_ABOVE}:")
            self.emit(f"    g = _gcd({target}_n, {target}_d); {target}_n //= g; {target}_d //= g")
            return
        # A flag, text or date (or a tier's result) that copies an empty cell: the reference evaluator
        # fails the row where it computes the value, so the plan hands the row over here as well, not
        # later, when the value is written out or looked back at (by then the row has joined groups).
        for var, held in self._vars_of(name)[1 if kind == "tier" else 0:]:
            self.emit(f"if {var + '_n' if held == 'num' else var} is MISSING: raise Fallback('missing value')")

    def gated(self, d: n.Definition, name: str, kind: str) -> None:
        """The body, or 0 when its `unless` holds."""
        if d.gate is None:
            self.body(d.body, name, kind)
            return
        self.emit(f"if {self.boolean(d.gate)}:")
        self.depth += 1
        self.assign(self.var[name], ("0", "1"), "num")
        self.depth -= 1
        self.emit("else:")
        self.depth += 1
        self.body(d.body, name, kind)
        self.depth -= 1

    def body(self, body: object, name: str, kind: str) -> None:
        target = self.var[name]
        match body:
            case n.Choice(subject=subject, branches=branches):
                key = self.text(subject)
                rows, other = [], None
                for keys, d in branches:
                    emit = self._branch(d, name, kind)
                    if keys is None:
                        other = emit
                    else:
                        rows.append((f"{key} in {self.const(frozenset(keys))}", emit))
                self.chain(rows, other or self.raising("no variant"))
            case n.Band():
                self.band(body, target, kind)
            case n.Lookup():
                self.lookup(body, target, kind)
            case n.Weighted(rows=rows):
                total: Pair | None = None
                for row in rows:
                    w = row.weight.value
                    part = self.mul(self.num(row.name), pair(w))
                    total = part if total is None else self.add(total, part)
                if total is None:
                    raise AssertionError("a weighted sum without rows")
                self.assign(target, total, "num")
            case n.Tiers():
                self.tiers(body, name)
            case n.Brackets():
                self.brackets(body, target)
            case n.Curve(subject=subject, rows=rows):
                self.assign(target, self.table_cell(rows, (), (subject,)), "num")
            case _:
                # Any other body is a formula; num, boolean and text raise on a node they cannot emit.
                self.assign(target, self.value(body, kind), kind)

    def _branch(self, d: n.Definition, name: str, kind: str) -> Body:
        def emit() -> None:
            self.gated(d, name, kind)

        return emit

