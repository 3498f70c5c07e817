"""The language's vocabulary, declared once: built-in functions, group functions, rounding modes,
period kinds, version switches, input types and block kinds.

The checker, every evaluator, the formatter and `docs/language.md` read these
declarations; a test proves that each evaluator implements every function
declared here, so adding a function is one entry below plus its evaluation in
each evaluator.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Function:
    """A built-in function such as `min(a, b)`: its arity, argument and result types, and meaning.

    `args` says what each argument must be ("number": any numeric type; "name": the name
    of a value; "condition": true or false; "step", "mode", "periods": a literal the
    checker reads); the last entry repeats when `variadic`. `result` is "same" (the
    argument types unified), "number", "count" or "bool". `history` functions read the
    employee's earlier periods. `exact` is false for nothing today: every function keeps
    exact rational values, and a function that could not would say so here.
    """

    name: str
    args: tuple[str, ...]
    result: str
    description: str
    usage: str  # as the docs show it: clamp(x, low, high)
    optional: int = 0  # how many trailing arguments may be left out
    variadic: bool = False
    history: bool = False
    exact: bool = True

    @property
    def min_args(self) -> int:
        return len(self.args) - self.optional

    @property
    def max_args(self) -> int | None:
        return None if self.variadic else len(self.args)



def _functions(*fs: Function) -> dict[str, Function]:
    return {f.name: f for f in fs}


FUNCTIONS = _functions(
    Function("min", ("number", "number"), "same", "the smallest of the values", "min(a, b, ...)", variadic=True),
    Function("max", ("number", "number"), "same", "the largest of the values", "max(a, b, ...)", variadic=True),
    Function("clamp", ("number", "number", "number"), "same",
             "x held between a low and a high bound", "clamp(x, low, high)"),
    Function("abs", ("number",), "same", "x without its sign", "abs(x)"),
    Function("sign", ("number",), "number", "-1 when x is below zero, 0 at zero, 1 above zero", "sign(x)"),
    Function("round", ("number", "step", "mode"), "same",
             "x rounded to a multiple of the step (0.01, 1, 5), half up unless a mode is named",
             "round(x, step, mode)", optional=1),
    Function("given", ("input",), "bool", "whether the data has a value for an input without a default",
             "given(input)"),
    Function("streak", ("condition",), "count",
             "how many periods in a row, up to this one, the condition has held", "streak(condition)",
             history=True),
    Function("rolling_sum", ("name", "periods"), "same", "the sum of x over the last n periods",
             "rolling_sum(x, n)", history=True),
    Function("rolling_mean", ("name", "periods"), "same", "the mean of x over the last n periods",
             "rolling_mean(x, n)", history=True),
    Function("rolling_min", ("name", "periods"), "same", "the smallest x over the last n periods",
             "rolling_min(x, n)", history=True),
    Function("rolling_max", ("name", "periods"), "same", "the largest x over the last n periods",
             "rolling_max(x, n)", history=True),
)

# Functions taking plain values: each evaluator implements exactly these in one table.
VALUE_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.args and f.args[0] == "number" and f.name != "round")
HISTORY_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.history)


@attrs.frozen
class GroupFunction:
    """`mean(sales within region)`: a value over the employee's group in the same period."""

    name: str
    result: str  # "same", "count" or "percent"
    description: str
    needs_value: bool = True
    except_self: bool = True  # whether `except self` makes sense


GROUP_FUNCTIONS = {g.name: g for g in (
    GroupFunction("mean", "same", "the mean of x over the group"),
    GroupFunction("sum", "same", "the sum of x over the group"),
    GroupFunction("count", "count", "how many employees the group has", needs_value=False),
    GroupFunction("min", "same", "the smallest x in the group"),
    GroupFunction("max", "same", "the largest x in the group"),
    GroupFunction("rank", "count", "1 for the highest x; ties share the best rank", except_self=False),
    GroupFunction("percentile", "percent", "the share of the rest of the group whose x is lower (alone: 100%)",
                  except_self=False),
)}

ROUND_MODES = {
    "half_up": "halves away from zero (the default)",
    "half_even": "halves to the even neighbour (banker's rounding)",
    "half_down": "halves toward zero",
    "down": "toward zero",
    "up": "away from zero",
    "floor": "toward minus infinity",
    "ceiling": "toward plus infinity",
}

PERIOD_KINDS = ("month", "quarter", "half", "year", "week")
# `version switch RULE` in a header: how a period that a version starts or ends within is computed.
VERSION_SWITCHES = {
    "on last day": "the version in force on the period's last day computes the whole period",
    "prorated by days": "each version in force during the period computes it; an output is the mean of their "
                        "values weighted by the days each was in force (money, percent and number outputs only; "
                        "`, rounded to 0.01` rounds the money)",
}
# What `prorated by days` can weight: amounts and rates, never a text, a tier, a flag, a date or a count.
PRORATED_TYPES = ("money", "percent", "number")
INPUT_TYPES = ("money", "percent", "number", "count", "bool", "text", "date")
COMBINE = ("sum", "mean", "min", "max", "first", "last")
# `written as`: how a percent column's plain numbers (those without a % sign) are read.
WRITTEN = {"points": "95 is 95%", "decimals": "0.95 is 95% and 2 is 200% (as without `written as`)"}

# Words of the language that cannot name an input, a value or a tier: where a name may stand,
# a formula or a row would read them as the word (`true` is yes, `first` starts a tier table,
# `otherwise` is a catch-all row). The grammar's other words (period, day, to, by, ...) are
# read as words only after the word that leads to them, so they stay free as names.
RESERVED = frozenset({
    "true", "false", "not", "and", "or", "if", "else", "unless", "when", "otherwise",
    "previous", "within", "except", "self", "everyone",
    "band", "lookup", "weighted", "first", "marginal", "retroactive",
    "input", "output", "payout", "flag", "refuse", "variants",
    "table", "curve",
})

# Block kinds: the keyword an author writes, and what the block means.
BLOCKS = {
    "band": "a step function of one value: the row whose range holds the value gives the result",
    "lookup": "a table keyed by text: the row whose key equals the value gives the result",
    "weighted": "a scorecard: each score times its weight, summed; weights add up to 100%",
    "first match": "tiers: the first row whose condition holds is the value, with the results it carries",
    "marginal": "progressive brackets: each part of the amount is paid at its own bracket's rate",
    "retroactive": "whole-amount brackets: the whole amount is paid at the rate of the bracket reached",
    "variants by": "values defined differently for each value of a text input, such as a role",
    # rate tables and curves (table_nodes.py)
    "curve": "an interpolated curve: points such as `100% -> 100%`, the value on the straight line between the "
             "two points around the subject; rows such as `below 70% -> 0%` say what holds outside them",
    "table": "a rate table defined once (`table rates`), used in formulas as `rates(x)`, or as a grid "
             "`rates(row, column)`; its rows and columns are ranges, texts or a curve's points, or a CSV or xlsx "
             "file beside the policy (`table rates from \"rates.csv\"`)",
}


def suggestion(name: str, known) -> str:
    """'did you mean ...?' for a misspelt name, or ''."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def reference_markdown() -> str:
    """The vocabulary as the tables `docs/language.md` shows (a test keeps them the same)."""
    out = ["| function | gives | what it is |", "|---|---|---|"]
    result = {"same": "the same unit", "number": "a number", "count": "a count", "bool": "yes or no"}
    for f in FUNCTIONS.values():
        note = " (reads earlier periods)" if f.history else ""
        out.append(f"| `{f.usage}` | {result[f.result]} | {f.description}{note} |")
    out += ["", "| group function | what it is |", "|---|---|"]
    out += [f"| `{g.name}({'' if not g.needs_value else 'x '}within GROUP)` | {g.description} |"
            for g in GROUP_FUNCTIONS.values()]
    out += ["", "| rounding mode | rounds |", "|---|---|"]
    out += [f"| `{name}` | {meaning} |" for name, meaning in ROUND_MODES.items()]
    out += ["", "| block | what it is |", "|---|---|"]
    out += [f"| `{keyword}` | {meaning} |" for keyword, meaning in BLOCKS.items()]
    out += ["", "| header line | computes a period a version starts or ends within |", "|---|---|"]
    out += [f"| `version switch {rule}` | {meaning} |" for rule, meaning in VERSION_SWITCHES.items()]
    return "\n".join(out) + "\n"
