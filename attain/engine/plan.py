"""Plans: a checked `Model` -> its `Layout` (stages, slots, history and group specs), and the `Plan` it compiles to.

The layout is decided before any code is emitted: which definitions the
outputs need, which stage computes each (a definition that reads a group value
runs after the stage that computes that value's inputs), where a row keeps
each value between stages and periods (its slot), which earlier periods and
group values the stages read, and how many decimal places an output has.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import attrs

from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.dsl.model import Model
from attain.dsl.org import manager_input
from attain.exact import decimal_places


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
    node: n.Previous | n.Call
    name: str | None
    back: int
    slot: int


@attrs.frozen
class AggregateSpec:
    """A value over the employee's group in the same period, ready before stage `level` runs."""

    node: n.Aggregate
    func: str
    name: str | None
    slot: int | None
    group: int | None  # index of the grouping input in a row's inputs; None for everyone
    except_self: bool
    level: int
    reports: str | None = None  # "direct" or "all": over the employee's reports (`group`: the manager input)


@attrs.define
class Plan:
    """A compiled policy: stages of generated code that fill each row's slots, then the outputs.

    A row is computed by `S = plan.new_slots()` and `stage(R, H, S, A, P)` (P: the period's days, or None) for each
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
    convert: Callable[[list], tuple]  # slots -> output values, generated

    def new_slots(self) -> list:
        return self.blank[:]

    @functools.cached_property
    def blank(self) -> list:
        """A row's slots before any stage runs; a streak not reached this period (its branch
        not taken) counts 0, as in the reference evaluator."""
        slots: list[int | None] = [None] * self.nslots
        for spec in self.history:
            if spec.kind == "streak":
                slots[spec.slot] = 0
        return slots

    def aggregates_at(self, level: int) -> tuple:
        return tuple(a for a in self.aggregates if a.level == level)


class Layout:
    """Where a compiled policy computes and keeps each value.

    `needed` lists the definitions to compute, in evaluation order; stage k runs
    those whose `stage_of` is k. `slots` places the values a row keeps (outputs,
    and values read from earlier periods, by a later stage or by a group value);
    each streak's count takes a slot after them. `aggregates` and `history` are
    the specs the runner fills A and H from; `agg_index` and `hist_index` give a
    node's place in them.
    """

    def __init__(self, model: Model):
        self.model = model
        self.input_order: list[str] = list(model.inputs)
        self.needed = needed(model)
        self.level = _levels(model, self.needed)
        self.levels = sorted({0} | {self.level[name] for name in self.needed})
        # Stage numbers are dense: stage k runs the definitions of the k-th level.
        self.stage_of = {name: self.levels.index(self.level[name]) for name in self.needed}
        self.slots: dict[str, int] = {}
        self.nslots = 0
        self._place_slots()
        self.aggregates: list[AggregateSpec] = []
        self.history: list[HistorySpec] = []
        self.agg_index: dict[n.Aggregate, int] = {}
        self.hist_index: dict[object, int] = {}
        self.node_stage: dict[object, int] = {}
        for name in self.needed:
            for expr in n.formulas(model.definitions[name]):
                for node in n.walk(expr):
                    self._spec(node, name)

    def _place_slots(self) -> None:
        model = self.model
        used_later: set[str] = set()
        for name in self.needed:
            for dep in model.deps.get(name, ()):
                if dep in self.stage_of and self.stage_of[dep] < self.stage_of[name]:
                    used_later.add(dep)
        # A refusal is kept so that a row the plan hands to the reference evaluator is refused there too.
        keep = set(model.outputs) | set(model.history_refs) | set(model.refusals) | used_later
        for name in self.needed:
            for node in _aggregates(model, name):
                value = _aggregated(node)
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

    def _spec(self, node: object, owner: str) -> None:
        """Record `node` if it reads a group value or an earlier period (once per node)."""
        if isinstance(node, n.Aggregate) and node not in self.agg_index:
            value = _aggregated(node)
            by = manager_input(self.model.inputs, node) if node.reports else node.group
            group = self.input_order.index(by) if by else None
            lv = (self.level.get(value, 0) if value else 0) + 1
            self.agg_index[node] = len(self.aggregates)
            self.aggregates.append(AggregateSpec(node, node.func, value, self.slots.get(value) if value else None,
                                                 group, node.except_self, self.levels.index(
                                                     min(x for x in self.levels if x >= lv)), node.reports))
        elif isinstance(node, n.Previous) and node not in self.hist_index:
            self.hist_index[node] = len(self.history)
            name = name_of(node.value)
            self.history.append(HistorySpec("previous", node, name, node.back, self.slots[name]))
        elif isinstance(node, n.Call) and node.func in n.HISTORY_FUNCTIONS and node not in self.hist_index:
            self.hist_index[node] = len(self.history)
            self.node_stage[node] = self.stage_of[owner]
            if node.func == "streak":
                slot = self.nslots
                self.nslots += 1
                self.history.append(HistorySpec("streak", node, None, 1, slot))
            else:
                name = name_of(node.args[0])
                back = periods_of(node.args[1]) if len(node.args) > 1 else 0  # year_to_date(x): the plan year's
                self.history.append(HistorySpec(node.func, node, name, back, self.slots[name]))

    def outputs(self) -> tuple[Output, ...]:
        model = self.model
        return tuple(Output(name, str(model.types[name]), self.slots[name], self.places(name))
                     for name in model.outputs)

    def input_types(self) -> tuple[str, ...]:
        return tuple(self.model.inputs[name].type for name in self.input_order)

    def places(self, name: str) -> int | None:
        """Decimal places fixed by rounding, followed through names, + and - and both sides of if/else.

        A value's `unless` gate makes it 0, which has no places of its own: the rounded line keeps its places."""
        d = self.model.definitions.get(name)
        if d is None or isinstance(d, (n.FlagDecl, n.Refusal)):
            return None
        return self._places(d.body, frozenset())

    def _places(self, e: object, seen: frozenset[str]) -> int | None:
        match e:
            case n.Round(step=n.Number(value=step)):
                return decimal_places(step)
            case n.Name(id=name) if name in self.model.definitions and name not in seen:
                d = self.model.definitions[name]
                if isinstance(d, (n.FlagDecl, n.Refusal)):
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
            case n.Call(func=func, args=(n.Name() as subject,)) if func in ACCRUAL_FUNCTIONS:
                return self._places(subject, seen)  # a sum of values rounded to 0.01 keeps 0.01
            case n.Choice(branches=branches):
                # Every variant must round alike for the output to keep a fixed number of places.
                found = {self._places(d.body, seen) for _keys, d in branches}
                return found.pop() if len(found) == 1 else None
        return None  # any other formula: its places are not known in advance


def needed(model: Model) -> list[str]:
    """Definitions the outputs, the refusals and the values kept for later periods depend on, in evaluation order."""
    keep: set[str] = set()
    stack = [*model.outputs, *model.history_refs, *model.refusals]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(model.deps.get(name, ()))
    return [name for name in model.order if name in keep]



def name_of(e: n.Expr) -> str:
    """The name a checked policy guarantees at this place (what previous/rolling read)."""
    if not isinstance(e, n.Name):
        raise AssertionError(f"expected a name, got {e!r}")
    return e.id


def periods_of(e: n.Expr) -> int:
    """The whole number of periods a checked policy guarantees at this place (how far rolling looks back)."""
    if not isinstance(e, n.Number):
        raise AssertionError(f"expected a number of periods, got {e!r}")
    return int(e.value)


def _aggregated(node: n.Aggregate) -> str | None:
    """The named value a group value is taken over, if it is a name."""
    return node.value.id if isinstance(node.value, n.Name) else None


def _aggregates(model: Model, name: str) -> Iterator[n.Aggregate]:
    for expr in n.formulas(model.definitions[name]):
        for node in n.walk(expr):
            if isinstance(node, n.Aggregate):
                yield node


def _levels(model: Model, names: list[str]) -> dict[str, int]:
    """Each definition's level: that of its deepest dependency, and one past any value it takes a group value of."""
    level: dict[str, int] = {name: 0 for name in model.inputs}
    for name in names:
        lv = max((level.get(dep, 0) for dep in model.deps.get(name, ())), default=0)
        for node in _aggregates(model, name):
            value = _aggregated(node)
            lv = max(lv, (level.get(value, 0) if value else 0) + 1)
        level[name] = lv
    return level
