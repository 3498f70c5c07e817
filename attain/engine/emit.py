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
from attain.dsl.model import Model
from attain.dsl.types import Type
from attain.engine import runtime
from attain.engine.plan import Layout, Output, Plan, expressions
from attain.engine.writer import Body, Code, Pair, Writer, fits_python, pair, pair_of, product

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
        source = "".join(f"def stage{k}(R, H, S, A):\n    raise Fallback('nested too deeply')\n\n"
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


class Emitter(Writer):
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
        """`def stage{k}(R, H, S, A)` for each stage, in order."""
        out = []
        for k in range(len(self.layout.levels)):
            self.lines = []
            self.depth = 1
            self._stage(k)
            out.append(f"def stage{k}(R, H, S, A):")
            out.extend(self.lines)
            out.append("")
        return "\n".join(out) + "\n"

    def _stage(self, k: int) -> None:
        """Read the inputs and earlier stages' values stage k uses, then compute and keep its definitions."""
        layout = self.layout
        names = [name for name in layout.needed if layout.stage_of[name] == k]
        used: set[str] = set()
        for name in names:
            for expr in expressions(self.model.definitions[name]):
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
            return [(v, "text")] + [(f"{v}_{_ident(f)}", _kind_of_type(ft)) for f, ft in t.fields]
        return [(v, _kind_of_type(t))]

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
        return _kind_of_type(self.model.type_of(e))

    def value(self, e: object, kind: str | None = None) -> Code:
        kind = kind or self.kind(e)
        emit: dict[str, Callable[[object], Code]] = {"num": self.num, "bool": self.boolean, "text": self.text}
        return emit[kind](e)

    # ------------------------------------------------------------ expressions
    def num(self, e: object) -> Pair:
        match e:
            case n.Number(value=v):
                return str(v.numerator), str(v.denominator)
            case n.Name(id=name):
                return pair_of(self.var[name])
            case n.Field(base=base, field=field):
                return pair_of(f"{self.var[base.id]}_{_ident(field)}")
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
        raise AssertionError(e)

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
            case n.Call(func="given", args=(n.Name(id=given),)):  # the checker allows only an input's name
                var = self.var[given]
                return f"({var}_n is not MISSING)" if self.model.types[given].numeric else f"({var} is not MISSING)"
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{_ident(field)}"
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
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{_ident(field)}"
            case n.Conditional():
                return self.conditional(e, "text")
            case n.Previous():
                return self.previous(e, "text")
        raise AssertionError(e)

    # ------------------------------------------------------------ definitions
    def definition(self, name: str) -> None:
        d = self.model.definitions[name]
        target = self.var[name]
        if isinstance(d, n.FlagDecl):
            self.emit(f"{target} = {self.boolean(d.condition)}")
            return
        t = self.model.types[name]
        kind = _kind_of_type(t) if t.kind != "tier" else "tier"
        self.gated(d, name, kind)
        if kind == "num":
            self.emit(f"if {target}_d > {_NORMALISE_ABOVE}:")
            self.emit(f"    g = _gcd({target}_n, {target}_d); {target}_n //= g; {target}_d //= g")

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
            case _:
                # Any other body is a formula; num, boolean and text raise on a node they cannot emit.
                self.assign(target, self.value(body, kind), kind)

    def _branch(self, d: n.Definition, name: str, kind: str) -> Body:
        def emit() -> None:
            self.gated(d, name, kind)

        return emit

    def _result_body(self, expr: object, target: str, kind: str) -> Body:
        def emit() -> None:
            self.assign(target, self.value(expr, kind), kind)

        return emit

    # ------------------------------------------------------------ tables
    def band(self, band: n.Band, target: str, kind: str) -> None:
        s = self.num(band.subject)
        rows, other = [], None
        for row in band.rows:
            if row.op == "otherwise":
                other = row
                continue
            rows.append((self._interval_code(s, row.interval()), self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else self.raising("no band row")
        self.chain(rows, otherwise)

    def _interval_code(self, s: Pair, iv: tuple) -> str:
        lo, lo_c, hi, hi_c = iv
        parts = []
        if lo is not None:
            parts.append(self.less(s, pair(lo), ">=" if lo_c else ">"))
        if hi is not None:
            parts.append(self.less(s, pair(hi), "<=" if hi_c else "<"))
        return " and ".join(parts) or "True"

    def lookup(self, lk: n.Lookup, target: str, kind: str) -> None:
        key = self.text(lk.subject)
        rows, other = [], None
        for row in lk.rows:
            if row.key is None:
                other = row
                continue
            rows.append((f"{key} == {self.const(row.key)}", self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else self.raising("no lookup row")
        self.chain(rows, otherwise)

    def tiers(self, tiers: n.Tiers, name: str) -> None:
        target = self.var[name]
        t = self.model.types[name]
        fields = dict(t.fields)

        def body(row: n.TierRow) -> Body:
            def emit() -> None:
                self.emit(f"{target} = {self.const(row.name)}")
                given = {r.name: r.value for r in row.results}
                for field, ftype in fields.items():
                    fkind = _kind_of_type(ftype)
                    expr = given.get(field, n.Text(""))
                    self.assign(f"{target}_{_ident(field)}", self.value(expr, fkind), fkind)

            return emit

        # Conditions after the first must be evaluated only when earlier ones failed (they may
        # divide by values the earlier tiers guard), so each row is guarded by a flag saying
        # whether one matched: flat, however many rows the table has.
        done = f"{self.tmp()}_c"
        for i, row in enumerate(tiers.rows):
            if i:
                self.emit(f"if not {done}:")
                self.depth += 1
            if row.condition is None:
                body(row)()
            else:
                self.emit(f"{done} = {self.boolean(row.condition)}")
                self.emit(f"if {done}:")
                self.depth += 1
                body(row)()
                self.depth -= 1
            if i:
                self.depth -= 1
            if row.condition is None:
                return
        self.emit(f"if not {done}: raise Fallback('no tier')")

    def brackets(self, br: n.Brackets, target: str) -> None:
        amount = self.num(br.amount)
        base = self.num(br.base) if br.base is not None else ("1", "1")
        if br.kind == "retroactive":
            self._retroactive(br, amount, base, target)
            return
        total: Pair = ("0", "1")
        lower: Pair = ("0", "1")
        for row in br.rows:
            if row.upto is None:
                top = amount
            else:
                upper = self.mul(base, pair(row.upto.value))
                top = self.pick(amount, upper, "<")
            part = self.add(top, lower, "-")
            acc = self.tmp()
            self.emit(f"if {part[0]} > 0:")
            self.depth += 1
            pay = self.mul(part, self.num(row.rate))
            new_total = self.add(total, pay)
            self.assign(acc, new_total, "num")
            self.depth -= 1
            self.emit("else:")
            self.depth += 1
            self.assign(acc, total, "num")
            self.depth -= 1
            total = (f"{acc}_n", f"{acc}_d")
            if row.upto is not None:
                lower = upper
        self.assign(target, total, "num")

    def _retroactive(self, br: n.Brackets, amount: Pair, base: Pair, target: str) -> None:
        """The whole amount at the rate of the first bracket it fits under."""
        rows = []
        last = None
        for row in br.rows:
            if row.upto is None:
                last = row
                continue
            bound = self.mul(base, pair(row.upto.value))
            rows.append((self.less(amount, bound, "<="), self._rate_times(amount, row.rate, target)))
        if last is None:
            raise AssertionError("brackets end with an `above` row (the checker sees to it)")
        self.chain(rows, self._rate_times(amount, last.rate, target))

    def _rate_times(self, amount: Pair, rate: object, target: str) -> Body:
        def emit() -> None:
            self.assign(target, self.mul(amount, self.num(rate)), "num")

        return emit


def _kind_of_type(t: Type | None) -> str:
    """The kind of code holding a value of type `t`; a tier reads as its name, so it is held like a text."""
    if t is None:
        raise AssertionError("no type")
    if t.numeric:
        return "num"
    if t.kind == "bool":
        return "bool"
    if t.kind in ("text", "date", "tier"):
        return "text"
    raise AssertionError(f"no emission for a value of type {t.kind!r}")


def _ident(field: str) -> str:
    """A tier result's name as part of a Python identifier (Unicode names stay ASCII-safe)."""
    return "f" + field.encode("utf-8").hex()
