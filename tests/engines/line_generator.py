"""Engines, generated policies with line tables: a `lines` block, aggregates over it, and its data.

A policy draws per-line values (money and conditions over a deal line's inputs), a crediting rule
(split shares, sometimes overlay lines), and several aggregates (`sum`, `count`, `mean`, `min`,
`max`, with or without `where` and `else`) that employee formulas combine. Its data is an
employee table and a deals table whose split deals always credit exactly 100%; some employees
and months have no lines, so the `else` values and the zero sums are met.
"""


import attrs
import hypothesis.strategies as st
from hypothesis.strategies import DrawFn as Draw  # a draw function: Draw, not Draw[...]
from policy_generator import BOUNDARY

from attain.io import Row, Table

FUNCS = ("sum", "count", "mean", "min", "max")
AMOUNTS = ("100", "250.50", "99.99", "1,000", "0", "33.33", "7")
SHARES = (("100%",), ("50%", "50%"), ("60%", "40%"), ("33.33%", "33.33%", "33.34%"), ("0.7", "0.3"))
PRODUCTS = ("A", "B", "C")
DAYS = ("01", "10", "15", "28")
BOUNDARY_EVERY = 3


@attrs.frozen
class LineCase:
    """A generated policy with a line table, and its two tables."""

    text: str
    people: Table
    deals: Table


def _money(draw: Draw, names: list[str]) -> str:
    return draw(st.sampled_from((
        "amount * share", "amount", "units * ¥2.5", "amount * share * 3% + units * ¥1",
        f"{draw(st.sampled_from(names))} if units > 1 else ¥0", "round(amount / 3, 0.01)",
        "amount * share if product = \"B\" else amount * 10%")))


def _condition(draw: Draw, periodic: bool) -> str:
    options = ['product = "B"', "amount >= 100", "units > 1", 'product != "C" and amount < 500',
               "not (units = 0)", "closed >= 2023-02-01"]
    if periodic:
        options.append("in_period(closed)")
    return draw(st.sampled_from(options))


@st.composite
def line_cases(draw: Draw) -> LineCase:  # long: one policy and its two tables, drawn together
    periodic = draw(st.booleans())
    split = draw(st.integers(0, 2))  # 0: no rule; 1: split; 2: split with overlay lines
    header = ['policy "generated lines"', *(["period month"] if periodic else [])]
    lines = ["input target : money", "lines deals", "    input deal    : text", "    input amount  : money",
             "    input units   : count", '    input product : text one of "A", "B", "C"',
             "    input share   : percent", '    input role    : text one of "split", "overlay"',
             "    input closed  : date"]
    if split:
        lines.append("    split share per deal" + (', overlay when role = "overlay"' if split == 2 else ""))
    values: list[str] = []
    conditions: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        name = f"v{i}"
        lines.append(f"    {name} = {_money(draw, values or ['amount'])}")
        values.append(name)
    for i in range(draw(st.integers(1, 2))):
        name = f"c{i}"
        lines.append(f"    {name} = {_condition(draw, periodic)}")
        conditions.append(name)
    measures = ["m0"]  # money, read by `ratio`
    where0 = f" where {draw(st.sampled_from(conditions))}" if draw(st.booleans()) else ""
    lines.append(f"m0 = sum(v0 of deals{where0})")
    for i, func in enumerate(draw(st.lists(st.sampled_from(FUNCS), min_size=1, max_size=5)), 1):
        where = f" where {draw(st.sampled_from(conditions))}" if draw(st.booleans()) else ""
        if func == "count":
            body = f"count(deals{where})"
        else:
            value = draw(st.sampled_from([*values, "amount", "units", "share"]))
            fallback = ""
            if func in ("mean", "min", "max"):
                unit = {"units": "0", "share": "0%"}.get(value, "¥0")
                fallback = f", else {unit}" if draw(st.integers(0, 5)) else ""
            body = f"{func}({value} of deals{where}{fallback})"
        lines.append(f"m{i} = {body}")
        measures.append(f"m{i}")
    lines.append("ratio = m0 / target if target > 0 else 0")
    lines.append(f"payout pay = round(ratio * ¥100 + count(deals) * ¥1, {draw(st.sampled_from(('0.01', '1')))})")
    lines.append("output " + ", ".join([*measures, "ratio"]))
    text = "\n".join([*header, *lines]) + "\n"
    return LineCase(text, *_tables(draw, periodic, split))


def _tables(draw: Draw, periodic: bool, split: int) -> tuple[Table, Table]:  # long: both tables, drawn together
    # one case in BOUNDARY_EVERY: amounts, units and targets that cross 2^63 and 2^127 (and tiny ones), more lines
    boundary = draw(st.integers(0, BOUNDARY_EVERY - 1)) == 0
    amounts = AMOUNTS + BOUNDARY["money"] if boundary else AMOUNTS
    units_pool = ("0", "1", "3") + (BOUNDARY["count"] if boundary else ())
    people = draw(st.integers(1, 4))
    months = draw(st.integers(1, 3)) if periodic else 1
    keys = [(f"E{p}", f"2023-{m:02d}" if periodic else None) for p in range(people) for m in range(1, months + 1)]
    targets = ("0", "1000", "250.50") + (BOUNDARY["money"] if boundary else ())
    rows = [{"id": who, **({"period": period} if periodic else {}),
             "target": draw(st.sampled_from(targets))} for who, period in keys]
    deals = []
    for n in range(draw(st.integers(0, 12 if boundary else 8))):
        who, period = draw(st.sampled_from(keys))
        month = period[5:] if period else "01"
        shares = draw(st.sampled_from(SHARES)) if split else ("100%",)
        owners = [who] + [draw(st.sampled_from([k for k in keys if k[1] == period]))[0] for _ in shares[1:]]
        amount, units, product = (draw(st.sampled_from(amounts)), draw(st.sampled_from(units_pool)),
                                  draw(st.sampled_from(PRODUCTS)))
        closed = f"2023-{month}-{draw(st.sampled_from(DAYS))}"
        for owner, share in zip(owners, shares, strict=True):
            deals.append(_deal(owner, period, f"D{n}", amount, units, product, share, "split", closed))
        if split == 2 and draw(st.booleans()):
            deals.append(_deal(draw(st.sampled_from(keys))[0], period, f"D{n}", amount, units, product,
                               draw(st.sampled_from(("100%", "25%", "0%"))), "overlay", closed))
    deals = draw(st.permutations(deals))
    columns = ("id", *(("period",) if periodic else ()))
    people_table = Table("people.csv", (*columns, "target"),
                         tuple(Row(i + 2, r) for i, r in enumerate(rows)))
    deal_columns = (*columns, "deal", "amount", "units", "product", "share", "role", "closed")
    deal_table = Table("deals.csv", deal_columns,
                       tuple(Row(i + 2, {c: d.get(c) for c in deal_columns}) for i, d in enumerate(deals)))
    return people_table, deal_table


def _deal(who: str, period: str | None, deal: str, amount: str, units: str, product: str, share: str, role: str,
          closed: str) -> dict:
    return {"id": who, **({"period": period} if period else {}), "deal": deal, "amount": amount, "units": units,
            "product": product, "share": share, "role": role, "closed": closed}
