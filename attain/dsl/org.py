"""The org chart in the language: `within direct reports` and `within all reports`, parsed, named and checked.

A manager column is an input of type `employee` (another employee's id; an empty cell
is the top of a tree). A group value over reports (`sum(sales within direct reports)`)
is an `Aggregate` whose `reports` is "direct" (the employees whose manager is this one)
or "all" (the whole tree below, the employee left out); its `group` is the employee
input written after `of`, or None when the policy has exactly one. The engines find
the members through `attain.engine.org`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from attain.dsl import nodes as n
from attain.i18n.messages import joined, say

EMPLOYEE = "employee"  # the input type of a manager column
REACHES = {"direct": "direct reports", "all": "all reports"}


class Reports(NamedTuple):
    """`direct reports of manager` as the parser reads it, before it becomes part of an `Aggregate`."""

    reach: str  # "direct" or "all"
    of: str | None


class OrgParts:
    """The parser's builder method for the reports words (a base of `parser._Builder`)."""

    def reports(self, items):
        reach, of = items
        return Reports(str(reach), str(of) if of is not None else None)


def words(node: n.Aggregate) -> str:
    """The words after `within`, as written: `direct reports`, `all reports of manager`."""
    assert node.reports is not None
    return REACHES[node.reports] + (f" of {node.group}" if node.group is not None else "")


def employee_inputs(inputs: dict) -> list[str]:
    """The inputs of type `employee`, in the order the policy declares them."""
    return [name for name, inp in inputs.items() if inp.type == EMPLOYEE]


def manager_input(inputs: dict, node: n.Aggregate) -> str:
    """The employee input whose hierarchy a checked group value over reports follows."""
    if node.group is not None:
        return node.group
    found = employee_inputs(inputs)
    assert len(found) == 1, "the checker sees to one employee input (C297)"
    return found[0]


def reports_nodes(expr) -> Iterator[n.Aggregate]:
    """The group values over reports in a formula."""
    for node in n.walk(expr):
        if isinstance(node, n.Aggregate) and node.reports is not None:
            yield node


def check_reports(checker, e: n.Aggregate) -> None:
    """The reports words of a group value: a function that means something over reports, and one hierarchy.

    `checker` is the checker (its `inputs`, `used` and `error`); rank and percentile, and
    `except self`, are C298; a missing or unclear employee input is C297.
    """
    if e.func in ("rank", "percentile"):
        column = e.group or next(iter(employee_inputs(checker.inputs)), "manager")
        checker.error("C298", say("C298.rank", func=e.func, words=words(e)), e.span,
                      hint=say("C298.rank_hint", func=e.func, column=column,
                               value=e.value.id if isinstance(e.value, n.Name) else "x"))
    if e.except_self:
        checker.error("C298", say("C298.except", words=words(e)), e.span, hint=say("C298.except_hint"))
    if e.group is not None:
        inp = checker.inputs.get(e.group)
        if inp is None or inp.type != EMPLOYEE:
            checker.error("C297", say("C297.of", name=e.group), e.span,
                          hint=say("C297.of_hint", names=joined(employee_inputs(checker.inputs)) or "-"))
        else:
            checker.used.add(e.group)
        return
    found = employee_inputs(checker.inputs)
    if not found:
        checker.error("C297", say("C297.none", words=words(e)), e.span, hint=say("C297.none_hint"))
    elif len(found) > 1:
        checker.error("C297", say("C297.which", words=words(e), names=joined(found)), e.span,
                      hint=say("C297.which_hint", words=words(e), name=found[0]))
    else:
        checker.used.add(found[0])


def recursive_reports(defs: dict, loop: list[str]) -> n.Aggregate | None:
    """In a loop of definitions, the group value over reports that closes it, if one does.

    `team = sales + sum(team within direct reports)` reads itself one level down: the
    tree is finite, but no engine computes a value from itself, so it is refused (C299)
    with the way to say it (`all reports`) instead of the general loop (C204).
    """
    members = set(loop)
    for name in loop:
        for expr in n.formulas(defs[name]):
            for node in reports_nodes(expr):
                if isinstance(node.value, n.Name) and node.value.id in members:
                    return node
    return None
