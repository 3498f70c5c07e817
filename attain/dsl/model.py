"""The checked model: what the checker hands every engine (names, types, dependencies, order).

Every expression's type and unit is decided once, by the checker, and recorded
here; engines and explanations read it instead of inferring types again.
"""

from __future__ import annotations

import attrs

from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.types import Type


@attrs.frozen
class Model:
    """A checked policy: what each name is, its type, what it uses, and the order to compute it."""

    policy: n.Policy
    inputs: dict[str, n.Input]
    definitions: dict[str, n.Definition | n.FlagDecl | n.Refusal]
    types: dict[str, Type]  # name -> its type
    deps: dict[str, tuple[str, ...]]  # name -> the names its formula uses in the same period
    order: tuple[str, ...]  # definitions in an order where each comes after what it uses
    outputs: tuple[str, ...]  # output names, in the order written
    history_refs: frozenset[str] = frozenset()  # values some formula reads from an earlier period
    # id(expression node) -> its type, for every expression the checker typed. Keyed by
    # identity: the model keeps the tree alive, and equal subtrees in different places
    # may differ (a bare literal is a number alone but money beside money).
    expression_types: dict[int, Type] = attrs.field(factory=dict, repr=False)
    # the keys in `definitions` of the `refuse ... when` conditions: every row computes them
    refusals: tuple[str, ...] = ()
    # the policy's named tables, those kept in files with the rows read from them (`table rates ...`)
    tables: dict[str, n.Table] = attrs.field(factory=dict, repr=False)
    # whether a formula reads the period's days (period_start, in_period, days_employed, ...)
    reads_period: bool = False
    # the line tables and the measures read from them (attain.dsl.check_lines.Lines), or None
    lines: object = attrs.field(default=None, repr=False)

    def is_input(self, name: str) -> bool:
        return name in self.inputs

    def depending_on(self, *names: str) -> frozenset[str]:
        """`names` and every definition whose value depends on one of them in the same period."""
        found = set(names)
        for d in self.order:
            if any(dep in found for dep in self.deps.get(d, ())):
                found.add(d)
        return frozenset(found)

    def type_of(self, node: object) -> Type:
        """The checked type of an expression of this policy."""
        found = self.expression_types.get(id(node))
        if found is None:
            raise KeyError(f"the checker recorded no type for {type(node).__name__}")
        return found

    def kind_of(self, node: object) -> str:
        """'money', 'percent', 'number', 'count', 'bool', 'text', 'date' or 'tier' for an expression."""
        return str(ty.concrete(self.type_of(node)))
