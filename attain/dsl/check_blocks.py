"""Checking, part three: the blocks (bands, lookups, scorecards, tiers, brackets, variants).

A mixin of the checker: each block's rows are typed, and the number line its
bounds cut is checked for gaps, overlaps and rows that can never match (the
maths is in `coverage`). Each block class has one handler in `_BLOCK`.
"""

from __future__ import annotations

from fractions import Fraction

from attain.diagnostics import Label
from attain.dsl import coverage as cv
from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import suggestion
from attain.dsl.check_expressions import ExpressionChecker
from attain.dsl.types import Type, UnitError
from attain.i18n.messages import joined, say


class BlockChecker(ExpressionChecker):
    """Types the right-hand side of each definition, blocks included."""

    _BLOCK = n.Dispatch("the checker's blocks", n.BLOCKS)

    defs: dict[str, n.Definition | n.FlagDecl | n.Refusal]

    # ------------------------------------------------------------ definitions
    def _type_of_definition(self, name: str):
        d = self.defs[name]
        if isinstance(d, (n.FlagDecl, n.Refusal)):
            self._condition(d.condition, say("C205.flag") if isinstance(d, n.FlagDecl) else say("C205.refusal"))
            self.types[name] = ty.BOOL
            return
        t = self._body(d.body, name)
        if d.gate is not None:
            self._condition(d.gate, say("C205.unless"))
            if t.kind not in ty.NUMERIC and t is not ty.ERROR:
                self.error("C236", say("C236", name=name, type=ty.said(t)), d.gate.span)
        if not (self.learning and t is ty.LITERAL):
            t = ty.concrete(t)
        if d.payout and t is not ty.ERROR and not t.is_money:
            self.error("C221", say("C221", name=name, type=ty.said(t)), d.span, label=say("C221.label"),
                       hint=say("C221.hint"))
        self.types[name] = t

    def _body(self, body, name: str) -> Type:
        """The type of a definition's right-hand side: a block, or else a formula."""
        if type(body) not in self._BLOCK.table:
            return self._expr(body)
        t = self._BLOCK(self, body, name)
        self.expression_types[id(body)] = t
        return t

    @_BLOCK.on(n.Choice)

    def _choice(self, choice: n.Choice, name: str) -> Type:
        subject_t = self._expr(choice.subject)
        if subject_t is not ty.ERROR and not (choice.subject.id in self.inputs and subject_t is ty.TEXT):
            self.error("C242", say("C242", name=choice.subject.id), choice.subject.span, hint=say("C242.hint"))
        result = None
        for _keys, d in choice.branches:
            t = self._body(d.body, name)
            if d.gate is not None:
                self._condition(d.gate, say("C205.unless"))
            result = t if result is None else self._unify_rows(result, t, d.body if hasattr(d.body, "span")
                                                               else d)
        choices = self.inputs[choice.subject.id].choices if choice.subject.id in self.inputs else ()
        has_else = any(k is None for k in choice.cases)
        if choices and not has_else:
            covered = {k for keys in choice.cases for k in keys or ()}
            missing = [c for c in choices if c not in covered]
            if missing:
                self.error("C243", say("C243", name=name, missing=joined(f'"{m}"' for m in missing)),
                           choice.span, hint=say("C243.hint"))
        elif not choices and not has_else:
            self.error("C243", say("C243.open"), choice.span, hint=say("C243.open_hint", name=choice.subject.id))
        return result or ty.ERROR

    # ------------------------------------------------------------ bands
    @_BLOCK.on(n.Band)
    def _band(self, band: n.Band, name: str = "") -> Type:
        subject_t = self._expr(band.subject)
        if subject_t is not ty.ERROR and not subject_t.numeric:
            self.error("C213", say("C213", type=ty.said(subject_t)), band.subject.span, hint=say("C213.hint"))
            subject_t = ty.ERROR
        result = None
        for row in band.rows:
            t = self._expr(row.result)
            result = t if result is None else self._unify_rows(result, t, row)
            for b in (row.low, row.high):
                if b is not None and subject_t.is_money and b.percent:
                    self.error("C206", say("C206.band_money"), b.span, label=say("C206.band_money_label"))
        self._otherwise_last(band.rows, lambda r: r.op == "otherwise", "band")
        for row in band.rows:
            if row.op == "to" and row.low is not None and row.high is not None and row.low.value >= row.high.value:
                self.error("C214", say("C214", low=row.low.text, high=row.high.text), row.span, hint=say("C214.hint"))
        if subject_t is not ty.ERROR:
            self._coverage(band, subject_t)
        return result or ty.ERROR

    def _unify_rows(self, a: Type, b: Type, row) -> Type:
        try:
            return ty.unify(a, b, say("C206.rows"))
        except UnitError as err:
            result = getattr(row, "result", None) or getattr(row, "value", None) or row
            self.error("C206", err.args[0], getattr(result, "span", None) or row.span, label=say("C206.label"))
            return ty.ERROR

    def _otherwise_last(self, rows, is_otherwise, what):
        for i, row in enumerate(rows):
            if is_otherwise(row) and i != len(rows) - 1:
                self.error("C215", say(f"C215.{what.replace(' ', '_')}"), row.span, label=say("C215.label"),
                           hint=say("C215.hint"))

    def _domain(self, subject, t: Type):
        """(low, high, integral) bounds of the values a band's subject can take."""
        integral = t.kind == "count"
        low = high = None
        if isinstance(subject, n.Name) and subject.id in self.defs:
            d = self.defs[subject.id]
            if isinstance(d, n.Definition) and d.gate is None:
                subject = d.body  # a named streak or rank is still a streak or rank
        if isinstance(subject, n.Name) and subject.id in self.inputs:
            inp = self.inputs[subject.id]
            if inp.bounds is not None:
                low, high = inp.bounds[0].value, inp.bounds[1].value
            elif integral:
                low = Fraction(0)
        elif isinstance(subject, n.Call) and subject.func == "streak":
            low = Fraction(0)
        elif isinstance(subject, n.Aggregate) and subject.func in ("count", "rank"):
            low = Fraction(1 if subject.func == "rank" else 0)
        elif isinstance(subject, n.Call) and subject.func in n.DATE_FUNCTIONS:
            integral = True  # whole days or months
            low = Fraction(0) if subject.func.endswith("_employed") else None
        elif isinstance(subject, n.PeriodValue):
            integral, low = True, Fraction(1)
        return low, high, integral

    def _coverage(self, band: n.Band, t: Type):
        rows = [r for r in band.rows if r.op != "otherwise"]
        has_otherwise = len(rows) != len(band.rows)
        low, high, integral = self._domain(band.subject, t)
        points = {v for r in rows for v in cv.interval_points(r.interval())}
        for v in (low, high):
            if v is not None:
                points.add(v)
        pieces = cv.pieces(sorted(points), low, high, integral)
        percent = any(b is not None and b.percent for r in rows for b in (r.low, r.high))
        gaps: list[cv.Piece] = []
        overlaps: dict[tuple[int, int], tuple] = {}
        matched = {id(r): False for r in rows}
        for piece in pieces:
            holders = [r for r in rows if r.contains(piece.sample)]
            if not holders:
                gaps.append(piece)
                continue
            matched[id(holders[0])] = True
            if len(holders) > 1:
                overlaps.setdefault((id(holders[0]), id(holders[1])), (holders[0], holders[1], []))[2].append(piece)
        for first, second, where in overlaps.values():
            self.error("C217", say("C217", where=cv.describe(cv.merge(where), percent)), second.span,
                       label=say("C217.label"), notes=[Label(first.span, say("C217.note"))], hint=say("C217.hint"))
        for r in rows:
            if not matched[id(r)] and not any(p for p in pieces if r.contains(p.sample)):
                self.error("C218", say("C218"), r.span, label=say("C218.label"), hint=cv.never_hint(low, high, percent))
        if gaps and not has_otherwise:
            ranges = cv.merge(gaps)
            text = joined(cv.describe([g], percent) for g in ranges)
            self.error("C216", say("C216", ranges=text), band.span, label=say("C216.label"),
                       hint=say("C216.hint", first=cv.describe(ranges[:1], percent)))
        if has_otherwise and not gaps and pieces:
            last = band.rows[-1]
            self.warning("C219", say("C219"), last.span)

    # ------------------------------------------------------------ lookups, scorecards
    @_BLOCK.on(n.Lookup)
    def _lookup(self, lk: n.Lookup, name: str = "") -> Type:
        subject_t = self._expr(lk.subject)
        if subject_t is not ty.ERROR and not ty.textlike(subject_t):
            self.error("C222", say("C222", type=ty.said(subject_t)), lk.subject.span, hint=say("C222.hint"))
        result: Type | None = None
        seen: dict[str, n.LookupRow] = {}
        for row in lk.rows:
            t = self._expr(row.result)
            result = t if result is None else self._unify_rows(result, t, row)
            if row.key is not None:
                if row.key in seen:
                    self.error("C223", say("C223.key", key=row.key), row.span,
                               notes=[Label(seen[row.key].span, say("C223.first_listed"))])
                seen[row.key] = row
        self._otherwise_last(lk.rows, lambda r: r.key is None, "lookup")
        self._text_keys_cover([(row.key, row.span) for row in lk.rows], self._choices(lk.subject, subject_t),
                              lk.span)
        return result or ty.ERROR

    def _text_keys_cover(self, keys: list, choices, at, table: bool = False) -> None:
        """C224 for a text key the looked-up value never takes, C225 for a value no key takes (without an
        `else`), or for an open value without one. `keys`: (text or None for `else`, span), as written; `at`:
        the lookup, or a table's use. A table says its own words and points its C224 at the use."""
        part, more = (".table", "table_") if table else ("", "")
        has_else = any(text is None for text, _ in keys)
        if choices is None:
            if not has_else:
                self.error("C225", say(f"C225.{more}open"), at, label=say(f"C225.{more}open_label"),
                           hint=say(f"C225.{more}open_hint"))
            return
        for text, span in keys:
            if text is not None and text not in choices:
                self.error("C224", say("C224" + part, key=text), span,
                           notes=[Label(at, say("C224.looked_up"))] if table else [],
                           hint=suggestion(text, list(choices)) or say("C224.values", values=joined(choices)))
        written = {text for text, _ in keys}
        missing = [c for c in choices if c not in written]
        if missing and not has_else:
            self.error("C225", say("C225" + part, missing=joined(f'"{m}"' for m in missing)), at,
                       hint=say(f"C225.{more}hint"))

    def _choices(self, subject, t: Type):
        if t.kind == "tier":
            return t.tiers
        if isinstance(subject, n.Name) and subject.id in self.inputs and self.inputs[subject.id].choices:
            return self.inputs[subject.id].choices
        return None

    @_BLOCK.on(n.Weighted)
    def _weighted(self, w: n.Weighted, name: str = "") -> Type:
        total = Fraction(0)
        seen: dict[str, n.WeightRow] = {}
        for row in w.rows:
            t = self._expr(row.name)
            if t is not ty.ERROR and (not t.numeric or t.is_money):
                self.error("C206", say("C206.scorecard", name=row.name.id, type=ty.said(t)), row.name.span)
            if row.name.id in seen:
                self.error("C223", say("C223.weighted", name=row.name.id), row.span,
                           notes=[Label(seen[row.name.id].span, say("C223.first_weighted"))])
            seen[row.name.id] = row
            total += row.weight.value
        if total != 1:
            self.error("C226", say("C226", total=cv.pct(total)), w.span, label=say("C226.label"),
                       hint=say("C226.remove" if total > 1 else "C226.add", amount=cv.pct(abs(1 - total))))
        return ty.NUMBER

    # ------------------------------------------------------------ tiers
    @_BLOCK.on(n.Tiers)
    def _tiers(self, tiers: n.Tiers, name: str) -> Type:
        fields: dict[str, Type] = {}
        where: dict[str, list] = {}
        names: dict[str, n.TierRow] = {}
        for row in tiers.rows:
            if row.name in names:
                self.error("C223", say("C223.tier", name=row.name), row.span,
                           notes=[Label(names[row.name].span, say("C223.first_named"))])
            names[row.name] = row
            if row.condition is not None:
                self._condition(row.condition, say("C205.tier"))
            seen_here = set()
            for res in row.results:
                if res.name in seen_here:
                    self.error("C223", say("C223.result", name=row.name, result=res.name), res.span)
                seen_here.add(res.name)
                t = self._expr(res.value)
                if res.name in fields:
                    fields[res.name] = self._unify_rows(fields[res.name], t, res)
                else:
                    fields[res.name] = t
                where.setdefault(res.name, []).append(row)
        self._otherwise_last(tiers.rows, lambda r: r.condition is None, "tier table")
        for field, rows in where.items():
            t = fields[field]
            if len(rows) != len(tiers.rows) and (t.numeric or t.kind == "bool"):
                missing = [r.name for r in tiers.rows if r not in rows]
                example = "false" if t.kind == "bool" else "0"
                message = say("C227", tier=missing[0], field=field) if len(missing) == 1 else \
                    say("C227.tiers", tiers=joined(f"'{m}'" for m in missing), field=field)
                self.error("C227", message, tiers.span, label=say("C227.label", field=field),
                           hint=say("C227.hint", field=field, example=example))
        self._tier_coverage(tiers)
        ftypes = tuple((f, ty.concrete(t)) for f, t in fields.items())
        return Type("tier", ftypes, tuple(r.name for r in tiers.rows))

    def _tier_coverage(self, tiers: n.Tiers):
        """Three-valued reading of tier conditions along the value most of them compare."""
        counts: dict[str, int] = {}
        for row in tiers.rows:
            if row.condition is not None:
                for s in {c for c in cv.compared_names(row.condition)}:
                    counts[s] = counts.get(s, 0) + 1
        if not counts:
            return
        subject = max(counts, key=lambda s: (counts[s], s))
        t = self.types.get(subject, ty.ERROR)
        if not t.numeric:
            return
        points = set()
        for row in tiers.rows:
            if row.condition is not None:
                points.update(cv.constants_against(row.condition, subject))
        low, high, integral = self._domain(n.Name(subject), t)
        pieces = cv.pieces(sorted(points | {v for v in (low, high) if v is not None}), low, high, integral)
        if not pieces:
            return
        percent = True if t.kind == "percent" else False
        can_match = {row.name: False for row in tiers.rows}
        gaps: list = []
        partial: dict = {}
        for piece in pieces:
            decided = False
            maybes = []
            for row in tiers.rows:
                truth = True if row.condition is None else cv.truth(row.condition, subject, piece.sample)
                if truth is False:
                    continue
                can_match[row.name] = True
                if truth is True:
                    decided = True
                    break
                maybes.append(row.name)
            if not decided:
                gaps.append(piece)
                partial.setdefault(tuple(maybes), []).append(piece)
        for row in tiers.rows:
            if not can_match[row.name]:
                self.error("C228", say("C228", name=row.name), row.span, label=say("C228.label"),
                           hint=say("C228.hint"))
        if gaps:
            for maybes, where in partial.items():
                text = joined(cv.describe([g], percent) for g in cv.merge(where))
                if maybes:
                    self.error("C229", say("C229.unless", subject=subject, ranges=text,
                                           maybes=joined((f"'{m}'" for m in maybes), "or")), tiers.span,
                               label=say("C229.label"), hint=say("C229.hint"))
                else:
                    self.error("C229", say("C229", subject=subject, ranges=text), tiers.span,
                               label=say("C229.label"), hint=say("C229.hint"))

    # ------------------------------------------------------------ brackets
    @_BLOCK.on(n.Brackets)
    def _brackets(self, br: n.Brackets, name: str = "") -> Type:
        amount_t = self._expr(br.amount)
        if amount_t is not ty.ERROR and not amount_t.numeric:
            self.error("C206", say("C206.brackets", type=ty.said(amount_t)), br.amount.span)
            amount_t = ty.ERROR
        if br.base is not None:
            base_t = self._expr(br.base)
            try:
                ty.comparable(amount_t, base_t)
            except UnitError as err:
                self.error("C206", say("C206.relative", reason=err.args[0]), br.base.span)
        prev = None
        for i, row in enumerate(br.rows):
            rate_t = self._expr(row.rate)
            if rate_t is not ty.ERROR and (not rate_t.numeric or rate_t.is_money):
                self.error("C206", say("C206.rate", type=ty.said(rate_t)), row.rate.span)
            if row.upto is None:
                if i != len(br.rows) - 1:
                    self.error("C215", say("C215.above"), row.span)
                continue
            if br.base is None and row.upto.percent and amount_t.is_money:
                self.error("C206", say("C206.bracket_money"), row.upto.span)
            if prev is not None and row.upto.value <= prev.value:
                self.error("C214", say("C214.rise", bound=row.upto.text, before=prev.text), row.span)
            prev = row.upto
        if br.rows and br.rows[-1].upto is not None:
            self.error("C215", say("C215.last_bracket", bound=br.rows[-1].upto.text), br.rows[-1].span,
                       hint=say("C215.last_bracket_hint"))
        return amount_t if amount_t is not ty.ERROR else ty.ERROR
