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
from attain.engine.values import decimal_places, rolling, round_ratio, to_decimal


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
    """One output column: its name, type, where the row keeps it, and the decimal places a rounding fixes."""

    name: str
    type: str
    slot: int
    places: int | None


@attrs.frozen
class HistorySpec:
    """A formula that reads an employee's earlier periods.

    kind "previous": the value in `slot`, `back` periods ago; "streak": the count
    kept in `slot` last period; "rolling_*": the values in `slot` of the last
    `back` - 1 periods.
    """

    kind: str
    node: object
    name: str | None
    back: int
    slot: int


@attrs.frozen
class AggregateSpec:
    """A value over the employee's group in the same period, ready before stage `level` runs."""

    node: object
    func: str
    name: str | None
    slot: int | None
    group: int | None  # index of the grouping input in a row's inputs; None for everyone
    except_self: bool
    level: int


@attrs.define
class Plan:
    """A compiled policy: stages of generated code that fill each row's slots, then the outputs.

    A row is computed by `S = plan.new_slots()` and `stage(R, H, S, A)` for each
    stage in order, where R holds the inputs, H the earlier periods' values the
    history specs ask for, and A the group values the stage's aggregates give.
    Policies without group values have one stage.
    """

    model: Model
    inputs: tuple  # input names, in the order rows carry them
    input_types: tuple
    outputs: tuple  # Output
    stages: tuple  # generated functions, in order
    history: tuple  # HistorySpec
    aggregates: tuple  # AggregateSpec
    slots: dict  # name -> slot (tiers: the name; their results follow)
    nslots: int
    stage_of: dict  # name -> the stage that computes it
    node_stage: dict  # history node -> the stage that computes it
    source: str  # the generated Python, kept for review and debugging

    def new_slots(self) -> list:
        return [None] * self.nslots

    def convert(self, slots: list) -> tuple:
        out = []
        for spec in self.outputs:
            v = slots[spec.slot]
            out.append(to_decimal(v[0], v[1], spec.places) if type(v) is tuple else v)
        return tuple(out)

    def aggregates_at(self, level: int) -> tuple:
        return tuple(a for a in self.aggregates if a.level == level)


def compile_model(model: Model) -> Plan:
    gen = _Gen(model)
    source, namespace = gen.build()
    code = compile(source, f"<attain plan {model.policy.file}>", "exec")
    exec(code, namespace)  # generated from the checked tree only; see the module docstring
    outputs = tuple(Output(name, str(model.types[name]), gen.slots[name], gen.places(name))
                    for name in model.outputs)
    types = tuple(model.inputs[name].type for name in gen.input_order)
    stages = tuple(namespace[f"stage{k}"] for k in range(len(gen.levels)))
    return Plan(model, tuple(gen.input_order), types, outputs, stages, tuple(gen.history), tuple(gen.aggregates),
                dict(gen.slots), gen.nslots, dict(gen.stage_of), dict(gen.node_stage), source)


def _needed(model: Model) -> list[str]:
    """Definitions the outputs (and the values kept for later periods) depend on, in evaluation order."""
    keep, stack = set(), [*model.outputs, *model.history_refs]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(model.deps.get(name, ()))
    return [name for name in model.order if name in keep]


def _expressions(d) -> list:
    if isinstance(d, n.FlagDecl):
        return [d.condition]
    return [d.body] + ([d.gate] if d.gate is not None else [])


class _Gen:
    """Emits the stage functions, one statement per line, with integer-pair arithmetic."""

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
        self.needed = _needed(model)
        self._plan_stages()

    # ------------------------------------------------------------ stages, slots, specs
    def _plan_stages(self):
        model = self.model
        level: dict[str, int] = {name: 0 for name in model.inputs}
        self.aggregates: list[AggregateSpec] = []
        self.history: list[HistorySpec] = []
        self.agg_index: dict = {}
        self.hist_index: dict = {}
        self.node_stage: dict = {}
        for name in self.needed:
            lv = max((level.get(dep, 0) for dep in model.deps.get(name, ())), default=0)
            for expr in _expressions(model.definitions[name]):
                for node in n.walk(expr):
                    if isinstance(node, n.Aggregate):
                        value = node.value.id if isinstance(node.value, n.Name) else None
                        lv = max(lv, (level.get(value, 0) if value else 0) + 1)
            level[name] = lv
        self.level = level
        self.levels = sorted({0} | {level[name] for name in self.needed})
        # Stage numbers are dense: stage k runs the definitions of the k-th level.
        self.stage_of = {name: self.levels.index(level[name]) for name in self.needed}
        used_later: set[str] = set()
        for name in self.needed:
            for dep in model.deps.get(name, ()):
                if dep in self.stage_of and self.stage_of[dep] < self.stage_of[name]:
                    used_later.add(dep)
        keep = set(model.outputs) | set(model.history_refs) | used_later
        self.slots: dict[str, int] = {}
        self.nslots = 0
        for name in self.needed:
            for expr in _expressions(model.definitions[name]):
                for node in n.walk(expr):
                    if isinstance(node, n.Aggregate) and node not in self.agg_index:
                        value = node.value.id if isinstance(node.value, n.Name) else None
                        if value:
                            keep.add(value)
        for name in self.needed:
            if name in keep:
                self.slots[name] = self.nslots
                t = model.types[name]
                self.nslots += 1 + (len(t.fields) if t.kind == "tier" else 0)
        for name in model.inputs:
            if name in keep:  # an input that is an output or aggregated is kept like a value
                self.slots[name] = self.nslots
                self.nslots += 1
        for name in self.needed:
            for expr in _expressions(model.definitions[name]):
                for node in n.walk(expr):
                    self._spec(node, name)

    def _spec(self, node, owner: str):
        if isinstance(node, n.Aggregate) and node not in self.agg_index:
            value = node.value.id if isinstance(node.value, n.Name) else None
            group = self.input_order.index(node.group) if node.group else None
            lv = (self.level.get(value, 0) if value else 0) + 1
            self.agg_index[node] = len(self.aggregates)
            self.aggregates.append(AggregateSpec(node, node.func, value, self.slots.get(value) if value else None,
                                                 group, node.except_self, self.levels.index(
                                                     min(x for x in self.levels if x >= lv))))
        elif isinstance(node, n.Previous) and node not in self.hist_index:
            self.hist_index[node] = len(self.history)
            self.history.append(HistorySpec("previous", node, node.value.id, node.back,
                                            self.slots[node.value.id]))
        elif isinstance(node, n.Call) and node.func in n.HISTORY_FUNCTIONS and node not in self.hist_index:
            self.hist_index[node] = len(self.history)
            self.node_stage[node] = self.stage_of[owner]
            if node.func == "streak":
                slot = self.nslots
                self.nslots += 1
                self.history.append(HistorySpec("streak", node, None, 1, slot))
            else:
                name = node.args[0].id
                self.history.append(HistorySpec(node.func, node, name, int(node.args[1].value), self.slots[name]))

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
        """Decimal places fixed by rounding, followed through names, + and - and both sides of if/else."""
        d = self.model.definitions.get(name)
        if d is None or isinstance(d, n.FlagDecl) or d.gate is not None:
            return None
        return self._places(d.body, set())

    def _places(self, e, seen) -> int | None:
        match e:
            case n.Call(func="round", args=args) if isinstance(args[1], n.Number):
                return decimal_places(args[1].value)
            case n.Name(id=name) if name in self.model.definitions and name not in seen:
                d = self.model.definitions[name]
                if isinstance(d, n.FlagDecl) or d.gate is not None:
                    return None
                return self._places(d.body, seen | {name})
            case n.Binary(op="+" | "-", left=l, right=r):
                a, b = self._places(l, seen), self._places(r, seen)
                return max(a, b) if a is not None and b is not None else None
            case n.Conditional(then=t, otherwise=o):
                a, b = self._places(t, seen), self._places(o, seen)
                return max(a, b) if a is not None and b is not None else None
            case n.Number(value=v) if v.denominator == 1:
                return 0
        return None

    def build(self):
        out = []
        for k, lv in enumerate(self.levels):
            self.lines = []
            self.depth = 1
            names = [name for name in self.needed if self.stage_of[name] == k]
            used = set()
            for name in names:
                for expr in _expressions(self.model.definitions[name]):
                    used.update(x.id for x in n.walk(expr) if isinstance(x, n.Name))
            for i, name in enumerate(self.input_order):
                if name not in used and not (k == 0 and name in self.slots):
                    continue
                if self.model.types[name].numeric:
                    self.emit(f"i{i}_n, i{i}_d = R[{i}]")
                else:
                    self.emit(f"i{i} = R[{i}]")
                if k == 0 and name in self.slots:
                    self.store(name)
            for name in sorted(used, key=lambda x: self.slots.get(x, -1)):
                if name in self.stage_of and self.stage_of[name] < k:
                    self.load(name)
            for name in names:
                self.emit(f"# {name}")
                self.definition(name)
                if name in self.slots:
                    self.store(name)
            if not names:
                self.emit("pass")
            out.append(f"def stage{k}(R, H, S, A):")
            out.extend(self.lines)
            out.append("")
        namespace = {"Fallback": Fallback, "_round": round_ratio, "_gcd": gcd, "_rolling": rolling}
        for i, c in enumerate(self.constants):
            namespace[f"K{i}"] = c
        return "\n".join(out) + "\n", namespace

    def _vars_of(self, name: str) -> list[tuple[str, str]]:
        """(variable, kind) pairs a named value occupies, in slot order."""
        t = self.model.types[name]
        v = self.var[name]
        if t.kind == "tier":
            return [(v, "text")] + [(f"{v}_{_ident(f)}", self._kind_of_type(ft)) for f, ft in t.fields]
        return [(v, self._kind_of_type(t))]

    def store(self, name: str):
        for offset, (var, kind) in enumerate(self._vars_of(name)):
            value = f"({var}_n, {var}_d)" if kind == "num" else var
            self.emit(f"S[{self.slots[name] + offset}] = {value}")

    def load(self, name: str):
        for offset, (var, kind) in enumerate(self._vars_of(name)):
            target = f"{var}_n, {var}_d" if kind == "num" else var
            self.emit(f"{target} = S[{self.slots[name] + offset}]")

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
            case n.Previous(value=v):
                return self.kind(v)
            case n.Call() | n.Aggregate():
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
            case n.Previous():
                return self.previous(e, "num")
            case n.Aggregate():
                k = self.agg_index[e]
                t = self.tmp()
                self.emit(f"{t} = A[{k}]")
                self.emit(f"if {t} is None: raise Fallback('no group value')")
                self.emit(f"{t}_n, {t}_d = {t}")
                return f"{t}_n", f"{t}_d"
            case n.Call(func="streak", args=args):
                j = self.hist_index[e]
                cond = self.boolean(args[0])
                t = self.tmp()
                self.emit(f"{t} = H[{j}] + 1 if {cond} else 0")
                self.emit(f"S[{self.history[j].slot}] = {t}")
                return t, "1"
            case n.Call(func=func, args=args) if func in n.HISTORY_FUNCTIONS:
                j = self.hist_index[e]
                xn, xd = self.num(args[0])
                t = self.tmp()
                self.emit(f"{t}_n, {t}_d = _rolling({self.const(func)}, H[{j}], {xn}, {xd})")
                return f"{t}_n", f"{t}_d"
            case n.Call(func=func, args=args):
                return self.call(func, args)
        raise AssertionError(e)

    def previous(self, e: n.Previous, kind: str):
        j = self.hist_index[e]
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
        return (f"{t}_n", f"{t}_d") if kind == "num" else t

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
            case n.Previous():
                return self.previous(e, "bool")
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
            case n.Previous():
                return self.previous(e, "text")
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
        self.gated(d, name, kind)
        if kind == "num":
            self.emit(f"if {target}_d > {_NORMALISE_ABOVE}:")
            self.emit(f"    g = _gcd({target}_n, {target}_d); {target}_n //= g; {target}_d //= g")

    def gated(self, d: n.Definition, name: str, kind: str):
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

    def body(self, body, name: str, kind: str):
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
                self._chain(rows, other or _fallback(self, "no variant"))
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

    def _branch(self, d, name, kind):
        def emit():
            self.gated(d, name, kind)

        return emit

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
