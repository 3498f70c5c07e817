"""Compiling: a checked `Model` -> a `Plan` whose row function is generated Python source.

Every number is an exact rational held as two Python ints (numerator,
denominator > 0), so each operation is a handful of machine-integer
multiplications: exact like `Fraction`, without its per-operation objects and
normalisation. Values are computed in dependency order with no tree walking
and no type dispatch per row.

Only identifiers we make (`i3_n`, `v7_d`, `t12`) and integer literals enter
the generated source; texts from the policy travel in a constants table, so
no user text is ever compiled or executed.

The generated function is optimistic: it computes every needed value
eagerly. When a row divides by zero, uses a missing cell, or falls outside
every band row, it raises `Fallback`; the caller then evaluates that row with
the reference evaluator, whose lazy semantics decide whether it is a real
error (and name it exactly) or a value the policy guards.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import attrs

from attain.dsl import nodes as n
from attain.dsl.checker import Model
from attain.engine.values import decimal_places, round_ratio, to_decimal


class Fallback(Exception):
    """The fast path cannot finish this row; the reference evaluator decides what happens."""


class _Missing:
    """A missing data cell: any use of it in the fast path falls back to the reference evaluator."""

    __slots__ = ()

    def _refuse(self, *args):
        raise Fallback("missing value")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __floordiv__ = __rfloordiv__ = __neg__ = __abs__ = __bool__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse
    __hash__ = None

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()
MISSING_NUMBER = (MISSING, MISSING)
_NORMALISE_ABOVE = 10**12
@attrs.frozen
class Output:
    """One output column: its name, type, and the decimal places its rounding fixes (if any)."""

    name: str
    type: str
    places: int | None


@attrs.define
class Plan:
    """A compiled policy: bind a row's input values, call `row`, convert the outputs."""

    model: Model
    inputs: tuple  # input names, in the order rows carry them
    input_types: tuple
    outputs: tuple  # Output
    source: str  # the generated Python, kept for review and debugging
    row: object  # the generated function: tuple of inputs -> tuple of raw outputs

    def convert(self, raw: tuple) -> tuple:
        out = []
        for spec, v in zip(self.outputs, raw):
            if type(v) is tuple:
                out.append(to_decimal(v[0], v[1], spec.places))
            else:
                out.append(v)
        return tuple(out)


def compile_model(model: Model) -> Plan:
    gen = _Gen(model)
    source, namespace = gen.build()
    code = compile(source, f"<attain plan {model.policy.file}>", "exec")
    exec(code, namespace)  # generated from the checked tree only; see the module docstring
    outputs = tuple(Output(name, str(model.types[name]), gen.places(name)) for name in model.outputs)
    types = tuple(model.inputs[name].type for name in gen.input_order)
    return Plan(model, tuple(gen.input_order), types, outputs, source, namespace["row"])


def _needed(model: Model) -> list[str]:
    """Definitions the outputs depend on, in evaluation order."""
    keep, stack = set(), list(model.outputs)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(model.deps.get(name, ()))
    return [name for name in model.order if name in keep]


class _Gen:
    """Emits the row function, one statement per line, with integer-pair arithmetic."""

    def __init__(self, model: Model):
        self.model = model
        self.lines: list[str] = []
        self.depth = 1
        self.counter = 0
        self.constants: list = []
        self.input_order = list(model.inputs)
        self.var = {}
        for i, name in enumerate(self.input_order):
            self.var[name] = f"i{i}"
        for i, name in enumerate(model.order):
            self.var[name] = f"v{i}"

    # ------------------------------------------------------------ plumbing
    def emit(self, line: str):
        self.lines.append("    " * self.depth + line)

    def tmp(self) -> str:
        self.counter += 1
        return f"t{self.counter}"

    def const(self, value) -> str:
        self.constants.append(value)
        return f"K{len(self.constants) - 1}"

    def places(self, name: str) -> int | None:
        """Decimal places fixed by a definition whose whole formula is a round(...)."""
        d = self.model.definitions.get(name)
        body = getattr(d, "body", None)
        if isinstance(body, n.Call) and body.func == "round" and isinstance(body.args[1], n.Number):
            return decimal_places(body.args[1].value)
        return None

    def build(self):
        lines_head = ["def row(R):"]
        for i, name in enumerate(self.input_order):
            t = self.model.types[name]
            if t.numeric:
                self.emit(f"i{i}_n, i{i}_d = R[{i}]")
            else:
                self.emit(f"i{i} = R[{i}]")
        for name in _needed(self.model):
            self.emit(f"# {name}")
            self.definition(name)
        outs = []
        for name in self.model.outputs:
            t = self.model.types[name]
            v = self.var[name]
            if t.numeric:
                outs.append(f"({v}_n, {v}_d)")
            else:
                outs.append(v)
        self.emit("return (" + "".join(o + ", " for o in outs) + ")")
        namespace = {"Fallback": Fallback, "_round": round_ratio, "_gcd": gcd}
        for i, c in enumerate(self.constants):
            namespace[f"K{i}"] = c
        return "\n".join(lines_head + self.lines) + "\n", namespace

    # ------------------------------------------------------------ kinds
    def kind(self, e) -> str:
        """'num', 'bool' or 'text' for any expression of a checked policy."""
        match e:
            case n.Number():
                return "num"
            case n.Text() | n.Date():
                return "text"
            case n.Bool():
                return "bool"
            case n.Name(id=name):
                return self._kind_of_type(self.model.types[name])
            case n.Field(base=base, field=field):
                return self._kind_of_type(self.model.types[base.id].field(field))
            case n.Unary(op="not"):
                return "bool"
            case n.Unary():
                return "num"
            case n.Binary(op=op) if op in n.LOGIC or op in n.COMPARISONS:
                return "bool"
            case n.Binary():
                return "num"
            case n.Conditional(then=t):
                return self.kind(t)
            case n.Call():
                return "num"
        raise AssertionError(e)

    @staticmethod
    def _kind_of_type(t) -> str:
        if t.numeric:
            return "num"
        if t.kind == "bool":
            return "bool"
        return "text"  # text and tiers (a tier reads as its name)

    # ------------------------------------------------------------ arithmetic on code pairs
    def add(self, a, b, sign="+"):
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        if ad == bd:
            self.emit(f"{t}_n = {an} {sign} {bn}")
            return f"{t}_n", ad
        self.emit(f"{t}_n = {_mul(an, bd)} {sign} {_mul(bn, ad)}")
        self.emit(f"{t}_d = {_mul(ad, bd)}")
        return f"{t}_n", f"{t}_d"

    def mul(self, a, b):
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        self.emit(f"{t}_n = {_mul(an, bn)}")
        if ad == "1" or bd == "1":
            return f"{t}_n", (bd if ad == "1" else ad)
        self.emit(f"{t}_d = {_mul(ad, bd)}")
        return f"{t}_n", f"{t}_d"

    def div(self, a, b):
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        if _is_int(bn):
            value = int(bn)
            if value == 0:
                self.emit("raise Fallback('division by zero')")
                return "0", "1"
            sign = -1 if value < 0 else 1
            self.emit(f"{t}_n = {_mul(an, bd) if sign > 0 else '-(' + _mul(an, bd) + ')'}")
            self.emit(f"{t}_d = {_mul(ad, str(abs(value)))}")
            return f"{t}_n", f"{t}_d"
        self.emit(f"if not {bn}: raise Fallback('division by zero')")
        self.emit(f"{t}_n = {_mul(an, bd)}")
        self.emit(f"{t}_d = {_mul(ad, bn)}")
        self.emit(f"if {t}_d < 0: {t}_n = -{t}_n; {t}_d = -{t}_d")
        return f"{t}_n", f"{t}_d"

    def less(self, a, b, op="<") -> str:
        (an, ad), (bn, bd) = a, b
        return f"({_mul(an, bd)} {op} {_mul(bn, ad)})"

    def assign(self, target: str, value, kind: str):
        if kind == "num":
            self.emit(f"{target}_n = {value[0]}")
            self.emit(f"{target}_d = {value[1]}")
        else:
            self.emit(f"{target} = {value}")

    def value(self, e, kind: str | None = None):
        kind = kind or self.kind(e)
        return {"num": self.num, "bool": self.boolean, "text": self.text}[kind](e)

    # ------------------------------------------------------------ expressions
    def num(self, e):
        match e:
            case n.Number(value=v):
                return str(v.numerator), str(v.denominator)
            case n.Name(id=name):
                v = self.var[name]
                return f"{v}_n", f"{v}_d"
            case n.Field(base=base, field=field):
                v = f"{self.var[base.id]}_{_ident(field)}"
                return f"{v}_n", f"{v}_d"
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
                return self.conditional(e, "num")
            case n.Call(func=func, args=args):
                return self.call(func, args)
        raise AssertionError(e)

    def conditional(self, e: n.Conditional, kind: str):
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
        return (f"{t}_n", f"{t}_d") if kind == "num" else t

    def call(self, func, args):
        if func == "round":
            xn, xd = self.num(args[0])
            step = args[1].value
            mode = args[2].id if len(args) == 3 else "half_up"
            t = self.tmp()
            self.emit(f"{t} = _round({_mul(xn, str(step.denominator))}, {_mul(xd, str(step.numerator))}, "
                      f"{self.const(mode)})")
            if step.numerator != 1:
                self.emit(f"{t} = {t} * {step.numerator}")
            return t, str(step.denominator)
        if func == "abs":
            xn, xd = self.num(args[0])
            t = self.tmp()
            self.emit(f"{t} = abs({xn})")
            return t, xd
        if func == "clamp":
            x, lo, hi = (self.num(a) for a in args)
            return self.pick(self.pick(x, lo, ">"), hi, "<")
        values = [self.num(a) for a in args]
        result = values[0]
        for v in values[1:]:
            result = self.pick(result, v, "<" if func == "min" else ">")
        return result

    def pick(self, a, b, op):
        """a if a op b else b: min with '<', max with '>'."""
        t = self.tmp()
        self.emit(f"if {self.less(a, b, op)}: {t}_n = {a[0]}; {t}_d = {a[1]}")
        self.emit(f"else: {t}_n = {b[0]}; {t}_d = {b[1]}")
        return f"{t}_n", f"{t}_d"

    def boolean(self, e) -> str:
        match e:
            case n.Bool(value=v):
                return "True" if v else "False"
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{_ident(field)}"
            case n.Unary(op="not", operand=x):
                return f"(not {self.boolean(x)})"
            case n.Binary(op="and" | "or", left=l, right=r):
                t = self.tmp()
                self.emit(f"{t} = {self.boolean(l)}")
                self.emit(f"if {'' if e.op == 'and' else 'not '}{t}:")
                self.depth += 1
                mark = len(self.lines)
                right = self.boolean(r)
                if len(self.lines) == mark:
                    # The right side needs no statements: one short-circuit expression will do.
                    self.depth -= 1
                    self.lines.pop()
                    left = self.lines_pop_assign(t)
                    self.emit(f"{t} = ({left} {e.op} {right})")
                    return t
                self.emit(f"{t} = {right}")
                self.depth -= 1
                return t
            case n.Binary(op=op, left=l, right=r) if op in n.COMPARISONS:
                kind = self.kind(l) if not isinstance(l, n.Number) else self.kind(r)
                if kind == "num":
                    a, b = self.num(l), self.num(r)
                    pyop = {"=": "==", "!=": "!="}.get(op, op)
                    return self.less(a, b, pyop)
                # Texts and tiers compare with = and != only (the checker sees to it); dates with all six.
                a, b = self.value(l, kind), self.value(r, kind)
                return f"({a} {'==' if op == '=' else op} {b})"
            case n.Conditional():
                return self.conditional(e, "bool")
        raise AssertionError(e)

    def lines_pop_assign(self, t: str) -> str:
        line = self.lines.pop().strip()
        assert line.startswith(f"{t} = ")
        return line[len(t) + 3:]

    def text(self, e) -> str:
        match e:
            case n.Text(value=v) | n.Date(value=v):
                return self.const(v)
            case n.Name(id=name):
                return self.var[name]
            case n.Field(base=base, field=field):
                return f"{self.var[base.id]}_{_ident(field)}"
            case n.Conditional():
                return self.conditional(e, "text")
        raise AssertionError(e)

    # ------------------------------------------------------------ definitions
    def definition(self, name: str):
        d = self.model.definitions[name]
        target = self.var[name]
        if isinstance(d, n.FlagDecl):
            self.emit(f"{target} = {self.boolean(d.condition)}")
            return
        t = self.model.types[name]
        kind = self._kind_of_type(t) if t.kind != "tier" else "tier"
        if d.gate is not None:
            self.emit(f"if {self.boolean(d.gate)}:")
            self.depth += 1
            self.assign(target, ("0", "1"), "num")
            self.depth -= 1
            self.emit("else:")
            self.depth += 1
        self.body(d.body, name, kind)
        if kind == "num":
            self.emit(f"if {target}_d > {_NORMALISE_ABOVE}:")
            self.emit(f"    g = _gcd({target}_n, {target}_d); {target}_n //= g; {target}_d //= g")
        if d.gate is not None:
            self.depth -= 1

    def body(self, body, name: str, kind: str):
        target = self.var[name]
        match body:
            case n.Band():
                self.band(body, target, kind)
            case n.Lookup():
                self.lookup(body, target, kind)
            case n.Weighted(rows=rows):
                total = None
                for row in rows:
                    w = row.weight.value
                    part = self.mul(self.num(row.name), (str(w.numerator), str(w.denominator)))
                    total = part if total is None else self.add(total, part)
                self.assign(target, total, "num")
            case n.Tiers():
                self.tiers(body, name)
            case n.Brackets():
                self.brackets(body, target)
            case _:
                self.assign(target, self.value(body, kind), kind)

    def _chain(self, conditions_and_bodies, otherwise):
        """if/elif/else over (condition code, emit-body) pairs; each body emits its own statements."""
        first = True
        for cond, emit_body in conditions_and_bodies:
            self.emit(f"{'if' if first else 'elif'} {cond}:")
            first = False
            self.depth += 1
            emit_body()
            self.depth -= 1
        self.emit("else:")
        self.depth += 1
        otherwise()
        self.depth -= 1

    def band(self, band: n.Band, target: str, kind: str):
        s = self.num(band.subject)
        rows, other = [], None
        for row in band.rows:
            if row.op == "otherwise":
                other = row
                continue
            rows.append((self._interval_code(s, row.interval()), self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else _fallback(self, "no band row")
        self._chain(rows, otherwise)

    def _interval_code(self, s, iv) -> str:
        lo, lo_c, hi, hi_c = iv
        parts = []
        if lo is not None:
            parts.append(self.less(s, _pair(lo), ">=" if lo_c else ">"))
        if hi is not None:
            parts.append(self.less(s, _pair(hi), "<=" if hi_c else "<"))
        return " and ".join(parts) or "True"

    def _result_body(self, expr, target, kind):
        def emit():
            self.assign(target, self.value(expr, kind), kind)

        return emit

    def lookup(self, lk: n.Lookup, target: str, kind: str):
        key = self.text(lk.subject)
        rows, other = [], None
        for row in lk.rows:
            if row.key is None:
                other = row
                continue
            rows.append((f"{key} == {self.const(row.key)}", self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else _fallback(self, "no lookup row")
        self._chain(rows, otherwise)

    def tiers(self, tiers: n.Tiers, name: str):
        target = self.var[name]
        t = self.model.types[name]
        fields = dict(t.fields)

        def body(row):
            def emit():
                self.emit(f"{target} = {self.const(row.name)}")
                given = {r.name: r.value for r in row.results}
                for field, ftype in fields.items():
                    fkind = self._kind_of_type(ftype)
                    expr = given.get(field, n.Text(""))
                    self.assign(f"{target}_{_ident(field)}", self.value(expr, fkind), fkind)

            return emit

        # Conditions after the first must be evaluated only when earlier ones failed (they may
        # divide by values the earlier tiers guard), so nest instead of precomputing.
        self._tier_rows(list(tiers.rows), body)

    def _tier_rows(self, rows, body):
        if not rows:
            self.emit("raise Fallback('no tier')")
            return
        row, rest = rows[0], rows[1:]
        if row.condition is None:
            body(row)()
            return
        cond = self.boolean(row.condition)
        self.emit(f"if {cond}:")
        self.depth += 1
        body(row)()
        self.depth -= 1
        self.emit("else:")
        self.depth += 1
        self._tier_rows(rest, body)
        self.depth -= 1

    def brackets(self, br: n.Brackets, target: str):
        amount = self.num(br.amount)
        base = self.num(br.base) if br.base is not None else ("1", "1")
        if br.kind == "retroactive":
            rows = []
            last = None
            for row in br.rows:
                if row.upto is None:
                    last = row
                    continue
                bound = self.mul(base, _pair(row.upto.value))
                rows.append((self.less(amount, bound, "<="), self._rate_times(amount, row.rate, target)))
            self._chain(rows, self._rate_times(amount, last.rate, target))
            return
        total = ("0", "1")
        lower = ("0", "1")
        for row in br.rows:
            if row.upto is None:
                top = amount
            else:
                upper = self.mul(base, _pair(row.upto.value))
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

    def _rate_times(self, amount, rate, target):
        def emit():
            self.assign(target, self.mul(amount, self.num(rate)), "num")

        return emit


def _fallback(gen: _Gen, why: str):
    def emit():
        gen.emit(f"raise Fallback({why!r})")

    return emit


def _pair(f: Fraction):
    return str(f.numerator), str(f.denominator)


def _is_int(code: str) -> bool:
    return code.lstrip("-").isdigit()


def _mul(a: str, b: str) -> str:
    if a == "1":
        return b
    if b == "1":
        return a
    if _is_int(a) and _is_int(b):
        return str(int(a) * int(b))
    return f"{_paren(a)} * {_paren(b)}"


def _paren(code: str) -> str:
    return code if code.isidentifier() or _is_int(code) and not code.startswith("-") else f"({code})"


def _ident(field: str) -> str:
    """A tier result's name as part of a Python identifier (Unicode names stay ASCII-safe)."""
    return "f" + field.encode("utf-8").hex()
