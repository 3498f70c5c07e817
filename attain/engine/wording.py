"""Wording: how explanations and evaluation errors show values and say what the evaluator saw.

`display` gives a value as a person reads it (575,000 / 115% / 0.8 /
≈0.333333), `describe` a fact about earlier periods or a group, `sentence` a
note of a `Trace` (trace.py). The renderers word every note with these; the
evaluator uses `display` and `describe` only for the message of an error.
This module needs no I/O: its number text is the standard library's decimal
formatting, the same text `attain.io.numtext` writes (a test holds them equal).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from attain.engine import trace as t
from attain.exact import to_decimal
from attain.i18n.messages import joined, say


def display(value: object, kind: str = "number", places: int | None = None) -> str:
    """A value as a person reads it in an explanation: 575,000 / 115% / 0.8 / ≈0.333333."""
    if isinstance(value, t.TierValue):
        return value.name + (f" ({value.label})" if value.label else "")
    if isinstance(value, bool):
        return say("x.yes" if value else "x.no")
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return say("x.missing")
    if kind in ("days", "months") and isinstance(value, Fraction):
        unit = kind if value != 1 else kind[:-1]
        return say(f"x.{unit}", n=_number_text(value, False, places))
    if isinstance(value, Fraction):
        if kind == "percent":
            return _number_text(value * 100, False, None) + "%"
        return _number_text(value, kind == "money", places)
    return str(value)


def _number_text(f: Fraction, grouped: bool, places: int | None) -> str:
    v = to_decimal(f.numerator, f.denominator, places)
    if isinstance(v, Fraction):
        return _approximate(v, grouped)
    return _decimal_text(v, grouped)


def _decimal_text(d: Decimal, grouped: bool) -> str:
    """A finite Decimal keeping its scale, with thousands separators if grouped; never "-0"."""
    sign = "-" if d.is_signed() and not d.is_zero() else ""
    return sign + format(d.copy_abs(), ",f" if grouped else "f")


def _approximate(f: Fraction, grouped: bool) -> str:
    """A value with no finite decimal: six places, half up, after "≈" (in integers)."""
    q = (abs(f.numerator) * 10**6 * 2 + f.denominator) // (2 * f.denominator)
    whole, frac = divmod(q, 10**6)
    # Through Decimal: any number of digits, where int's own text stops at 4,300.
    text = format(Decimal(whole), ",f" if grouped else "f") + f".{frac:06d}".rstrip("0").rstrip(".")
    return ("≈-" if f < 0 else "≈") + text


# ---------------------------------------------------------------- facts


def describe(fact: t.HistoryFact | t.GroupFact | t.ReportsFact | None) -> str:
    """A fact about earlier periods or a group, as a phrase; "" for none (data without periods)."""
    match fact:
        case None:
            return ""
        case t.NoPeriod(period):
            return say("fact.no_period", period=period)
        case t.FromPeriod(period):
            return say("fact.from", period=period)
        case t.NoEarlierPeriod():
            return say("fact.no_earlier")
        case t.StreakUpTo(count, period):
            return say("fact.streak", count=count, period=period)
        case t.AccruedOver(periods, span):
            if not periods:
                return say(f"acc.over_none_{span}")
            return say(f"acc.over_{span}", first=periods[0], last=periods[-1])
        case t.RollingOver(first, last, periods):
            return say("fact.rolling" if periods != 1 else "fact.rolling_one", first=first, last=last, n=periods)
        case t.GroupFact():
            return _group_text(fact)
        case t.ReportsFact():
            return reports_text(fact)
    raise TypeError(f"no wording for {type(fact).__name__}")


def _group_text(g: t.GroupFact) -> str:
    where = "everyone" if g.column is None else f'{g.column} "{g.key}"'
    within = f"{g.value_name} within {where}" if g.value_name else f"within {where}"
    formula = f"{g.func}({within}{' except self' if g.except_self else ''})"
    shown = display(g.value, g.kind) if g.value is not None else say("fact.no_one")
    return say("fact.group" if g.size != 1 else "fact.group_one", formula=formula, value=shown, n=g.size)


SHOWN = 8  # reports listed per level of an explanation before "and N more"


def reports_text(r: t.ReportsFact) -> str:
    """`sum(sales within direct reports) = 9,000.00 over 2 direct reports of M1: R1 5,000.00, R2 4,000.00`;
    over all reports, level by level."""
    words = "direct reports" if r.reach == "direct" else "all reports"
    formula = f"{r.func}({r.value_name + ' ' if r.value_name else ''}within {words})"
    shown = display(r.value, r.kind) if r.value is not None else ""
    if not r.members:
        if r.value is None:  # what an error says: E348
            return say("org.none", manager=r.manager, words=words)
        return say("org.fact_none", formula=formula, value=shown, manager=r.manager)
    kind = r.kind if r.kind in ("money", "percent", "days", "months") else "number"
    levels: dict[int, list] = {}
    for who, level, value in r.members:
        levels.setdefault(level, []).append(who if value is None else f"{who} {display(value, kind)}")
    parts = []
    for level, items in levels.items():
        more = [say("org.more", n=len(items) - SHOWN)] if len(items) > SHOWN else []
        listed = joined([joined(items[:SHOWN]), *more], "")
        parts.append(listed if r.reach == "direct" else say("org.level", level=level, n=len(items), items=listed))
    return say("org.fact" if r.reach == "direct" else "org.fact_all", formula=formula, value=shown,
               manager=r.manager, n=len(r.members), list=joined(parts, "; "))


# ---------------------------------------------------------------- notes


def sentence(note: t.Note) -> str:
    """A note of an explanation, as the line a person reads under the value."""
    match note:
        case t.Unless(condition, holds):
            return say("x.unless_yes" if holds else "x.unless_no", condition=condition)
        case t.Given(name, given):
            return say("x.given_yes" if given else "x.given_no", name=name)
        case t.Streak(call, count, holds, before):
            return say("x.streak_holds" if holds else "x.streak_not", call=call, count=count, before=describe(before))
        case t.Rolling(call, value, kind, over, values):
            return say("x.rolling", call=call, value=display(value, kind), over=describe(over),
                       values=joined(display(x, kind) for x in values))
        case t.Accrued(call, value, kind, terms, places):
            # Period by period: `2023-04 1,200.00 + 2023-05 900.00 = 2,100.00`.
            if not terms:
                return say("acc.none_quarter" if "quarter" in call else "acc.none_year", call=call,
                           value=display(value, kind, places))
            shown = " + ".join(f"{period} {display(v, kind, places)}" for period, v in terms)
            return say("acc.terms", call=call, terms=shown, value=display(value, kind, places))
        case t.PlanPeriod(word, value, period, start):
            return say("acc.word_yes" if value else "acc.word_no", word=word, period=period,
                       start=say(f"acc.month.{start}"),
                       edge=say(f"acc.{word.split('_')[0]}_{word.rsplit('_', 1)[1]}"))
        case t.Previous(call, value, kind, came):
            return say("x.previous", call=call, value=display(value, kind), came=describe(came))
        case t.PreviousElse(call, missing, value, kind):
            return say("x.previous_else", call=call, missing=describe(missing), value=display(value, kind))
        case t.GroupFact() | t.ReportsFact():
            return describe(note)
        case t.Variant(subject, key, keys, line, body):
            if keys is None:
                return say("x.variant_else", subject=subject, key=key, line=line, body=body.splitlines()[0])
            return say("x.variant", subject=subject, key=key, which=joined(f'"{k}"' for k in keys), line=line,
                       body=body.splitlines()[0])
        case t.BandRow(subject, value, kind, row, matched):
            if matched:
                return say("x.band_matched", subject=subject, value=display(value, kind), row=row)
            return say("x.band_not", row=row, value=display(value, kind))
        case t.LookupRow(key, row):
            return say("x.lookup", key=key, row=row)
        case t.WeightedRow(name, score, weight, part):
            return f"{name} {display(score)} × {weight} = {display(part)}"
        case t.TierRow(name, matched, condition, read):
            return _tier_sentence(name, matched, condition, read)
        case t.WholeBracket(amount, kind, row, rate):
            return say("x.whole_bracket", amount=display(amount, kind), row=row, rate=display(rate, "percent"))
        case t.MarginalBracket(lower, upper, part, rate, pay, kind):
            where = say("x.bracket_between", lower=display(lower, kind), upper=display(upper, kind)) \
                if upper is not None else say("x.bracket_above", lower=display(lower, kind))
            return say("x.bracket", where=where, part=display(part, kind), rate=display(rate, "percent"),
                       pay=display(pay, kind))
        case t.PeriodDays(call, value, kind, period, first, last, still):
            return say("x.period_days", call=call, value=display(value, kind), period=period, first=first, last=last,
                       employed=say("x.still_employed") if still else "")
        case t.TableCell() | t.CurveSegment():
            return _table_sentence(note)
    raise TypeError(f"no wording for {type(note).__name__}")


def _tier_sentence(name: str, matched: bool, condition: str | None,
                   read: tuple[tuple[str, object, str], ...]) -> str:
    if condition is None:
        return say("x.tier_otherwise", name=name)
    # The condition as written, followed by the values of the names it read.
    shown = joined(say("x.is", name=m, value=display(v, kind)) for m, v, kind in read)
    text = say("x.with_values", condition=condition, values=shown) if read else condition
    return say("x.tier_matched" if matched else "x.tier_not", name=name, condition=text)


def _table_sentence(note: t.TableCell | t.CurveSegment) -> str:
    """`rates(attainment = 85%): row `50% to 100%` -> 3% (line 9)`, or a curve's interpolation with its numbers."""
    if isinstance(note, t.TableCell):
        looked = joined(say("x.is", name=what, value=display(v, kind)) for what, v, kind in note.looked_up)
        head = say("x.table_head", table=note.table, looked=looked) if note.table \
            else say("x.curve_head", looked=looked)
        column = say("x.column", column=note.column) if note.column is not None else ""
        return say("x.table_cell", head=head, row=note.row, column=column, value=display(note.value, note.kind),
                   where=note.where)
    (x0, y0), (x1, y1) = note.points

    def x(v):
        return display(v, note.x_kind)

    def y(v):
        return display(v, note.kind)

    at = f"{note.table}({note.subject} = {x(note.x)})" if note.table else f"{note.subject} = {x(note.x)}"
    formula = f"{y(y0)} + ({y(y1)} - {y(y0)}) × ({x(note.x)} - {x(x0)}) / ({x(x1)} - {x(x0)}) = {y(note.value)}"
    return say("x.curve", head=at, x0=x(x0), y0=y(y0), x1=x(x1), y1=y(y1), where=note.where, formula=formula)
