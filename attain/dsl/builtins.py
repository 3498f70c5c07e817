"""The language's vocabulary, declared once: built-in functions, group functions, rounding modes,
period kinds, version switches, currencies, input types and block kinds.

The checker, every evaluator, the formatter and `docs/language.md` read these
declarations; a test proves that each evaluator implements every function
declared here, so adding a function is one entry below plus its evaluation in
each evaluator.
"""

from __future__ import annotations

import attrs

from attain.i18n.messages import say


@attrs.frozen
class Function:
    """A built-in function such as `min(a, b)`: its arity, argument and result types, and meaning.

    `args` says what each argument must be ("number": any numeric type; "name": the name
    of a value; "condition": true or false; "step", "mode", "periods": a literal the
    checker reads; "date": a date); the last entry repeats when `variadic`. `result` is
    "same" (the argument types unified), "number", "count", "bool", "days" or "months".
    `history` functions read the employee's earlier periods; `period` functions read the
    first and last day of the period computed. `exact` is false for nothing today: every function keeps
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
    period: bool = False

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

# ---------------------------------------------------------------- dates and periods
# Days are counted in whole calendar days. A stretch of days "from A to B" includes both A
# and B (hired on 10 July, still employed on 31 July: 22 days); a difference of two dates
# does not (10 July to 31 July is 21 days later). A missing leave date means still employed.
FUNCTIONS.update(_functions(
    Function("days_between", ("date", "date"), "days",
             "the days from the first date to the second (31 July is 21 days after 10 July; negative when "
             "the second date is earlier)", "days_between(a, b)"),
    Function("months_between", ("date", "date"), "months",
             "the whole calendar months from the first date to the second (10 January to 9 April is 2, to "
             "10 April 3; the 31st reaches the end of a shorter month)", "months_between(a, b)"),
    Function("in_period", ("date",), "bool", "whether the date is one of the period's days, first and last included",
             "in_period(d)", period=True),
    Function("days_employed", ("date", "date"), "days",
             "the days of the period from the hire date to the leave date, both included; an empty leave "
             "date (or none given) means still employed", "days_employed(hired, left)", optional=1, period=True),
    Function("months_employed", ("date", "date"), "months",
             "the months of the period (calendar months, or the windows of `ending day N`) employed on every "
             "day, hire and leave dates included", "months_employed(hired, left)", optional=1, period=True),
))

# Words that stand for the period being computed, as a formula reads them: name -> (type, meaning).
PERIOD_VALUES = {
    "period_start": ("date", "the first day of the period (with `period month ending day 25`, the 26th of the "
                             "month before)"),
    "period_end": ("date", "the last day of the period (the 25th, with `ending day 25`)"),
    "period_days": ("days", "how many days the period has, first and last included (31 for July)"),
}

# ---------------------------------------------------------------- the plan year (accumulation)
# A plan year starts in the month the header names (`plan year starts April`; January without
# the line); its quarters are the plan year's quarters. A sum "to date" holds the plan year's (or
# plan quarter's) periods of the employee's unbroken history up to and including this one; an
# "earlier" sum the same periods before this one (0 in the first), so a value may read its own.
FUNCTIONS.update(_functions(
    Function("year_to_date", ("name",), "same",
             "the sum of x over the plan year's periods up to and including this one", "year_to_date(x)",
             history=True),
    Function("earlier_this_year", ("name",), "same",
             "the sum of x over the plan year's periods before this one (0 in its first); x may read it",
             "earlier_this_year(x)", history=True),
    Function("quarter_to_date", ("name",), "same",
             "the sum of x over the plan quarter's periods up to and including this one", "quarter_to_date(x)",
             history=True),
    Function("earlier_this_quarter", ("name",), "same",
             "the sum of x over the plan quarter's periods before this one (0 in its first); x may read it",
             "earlier_this_quarter(x)", history=True),
))
# function -> (the span it sums: "year" or "quarter", whether it includes this period)
ACCRUAL_FUNCTIONS = {"year_to_date": ("year", True), "earlier_this_year": ("year", False),
                     "quarter_to_date": ("quarter", True), "earlier_this_quarter": ("quarter", False)}
PLAN_WORDS = {
    "first_period_of_year": ("bool", "whether this is the plan year's first period (April, with `plan year "
                                     "starts April` and months)"),
    "last_period_of_year": ("bool", "whether this is the plan year's last period (March, with `plan year "
                                    "starts April` and months)"),
    "first_period_of_quarter": ("bool", "whether this is the plan quarter's first period"),
    "last_period_of_quarter": ("bool", "whether this is the plan quarter's last period"),
}
PERIOD_VALUES.update(PLAN_WORDS)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

# Functions taking plain values: each evaluator implements exactly these in one table.
VALUE_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.args and f.args[0] == "number" and f.name != "round")
HISTORY_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.history)
# Functions of dates: each evaluator implements exactly these in one table too.
DATE_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.args and f.args[0] == "date")
PERIOD_FUNCTIONS = tuple(f.name for f in FUNCTIONS.values() if f.period)


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
INPUT_TYPES = ("money", "percent", "number", "count", "bool", "text", "date", "employee")
# `currency "CNY"` in a header: the one currency a policy pays in, as an ISO 4217 code, a name or a sign. The
# data's money cells may carry a sign (¥ ￥ $ € £) and a row an ISO code (a `currency` column); each must be
# one the policy's currency is written with. A sign stands for every currency written with it.
ISO_CURRENCIES = frozenset((
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF "
    "CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD "
    "HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD "
    "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN "
    "PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY "
    "TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL").split())
_DOLLARS = ("USD AUD BBD BMD BND BSD BZD CAD FJD GYD HKD JMD KYD LRD NAD NZD SBD SGD SRD TTD TWD XCD "
            "ARS CLP COP CUP DOP MXN UYU").split()
CURRENCY_SIGNS = {"¥": ("CNY", "JPY"), "￥": ("CNY", "JPY"), "$": tuple(_DOLLARS), "€": ("EUR",), "£": ("GBP",),
                  "₩": ("KRW",), "₹": ("INR",)}
CURRENCY_NAMES = {"RMB": "CNY", "元": "CNY", "人民币": "CNY", "円": "JPY", "US$": "USD", "HK$": "HKD",
                  "NT$": "TWD", "S$": "SGD", "A$": "AUD", "C$": "CAD", "CN¥": "CNY", "JP¥": "JPY"}


def currency_codes(written: str | None) -> tuple[str, ...]:
    """The ISO 4217 codes a currency as written stands for: "¥" -> CNY, JPY; "RMB" -> CNY; () when unknown."""
    text = (written or "").strip()
    if text in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[text]
    if text in CURRENCY_NAMES:
        return (CURRENCY_NAMES[text],)
    return (text.upper(),) if text.upper() in ISO_CURRENCIES else ()


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
    *PERIOD_VALUES,  # a formula reads them as the period's days
    "table", "curve",
    "lines", "split",  # a line table, and its crediting rule's first word within one
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
    return say("did_you_mean", close=f"'{close[0]}'") if close else ""


def reference_markdown() -> str:
    """The vocabulary as the tables `docs/language.md` shows (a test keeps them the same)."""
    out = ["| function | gives | what it is |", "|---|---|---|"]
    result = {"same": "the same unit", "number": "a number", "count": "a count", "bool": "yes or no",
              "days": "days", "months": "months"}
    for f in FUNCTIONS.values():
        note = " (reads earlier periods)" if f.history else " (reads the period)" if f.period else ""
        out.append(f"| `{f.usage}` | {result[f.result]} | {f.description}{note} |")
    out += ["", "| period word | gives | what it is |", "|---|---|---|"]
    out += [f"| `{name}` | {'a date' if kind == 'date' else 'yes or no' if kind == 'bool' else kind} | {meaning} |"
            for name, (kind, meaning) in PERIOD_VALUES.items()]
    out += ["", "| group function | what it is |", "|---|---|"]
    out += [f"| `{g.name}({'' if not g.needs_value else 'x '}within GROUP)` | {g.description} |"
            for g in GROUP_FUNCTIONS.values()]
    out += ["", "| rounding mode | rounds |", "|---|---|"]
    out += [f"| `{name}` | {meaning} |" for name, meaning in ROUND_MODES.items()]
    out += ["", "| block | what it is |", "|---|---|"]
    out += [f"| `{keyword}` | {meaning} |" for keyword, meaning in BLOCKS.items()]
    out += ["", "| header line | computes a period a version starts or ends within |", "|---|---|"]
    out += [f"| `version switch {rule}` | {meaning} |" for rule, meaning in VERSION_SWITCHES.items()]
    out += ["", "| `currency` as written | stands for |", "|---|---|"]
    out += [f"| `{sign}` | {', '.join(codes)} |" for sign, codes in CURRENCY_SIGNS.items()]
    out += [f"| `{name}` | {code} |" for name, code in CURRENCY_NAMES.items()]
    out.append("| an ISO 4217 code (`CNY`, `USD`, `EUR`, ...) | that currency |")
    return "\n".join(out) + "\n"
