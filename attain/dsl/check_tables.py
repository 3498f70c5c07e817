"""Checking, part four: rate tables and curves (`table NAME`, `curve x`, and their use `NAME(x)` or `NAME(x, y)`).

A mixin of the checker. A table is checked once where it is defined (its shape, its
keys, the order of a curve's points, overlapping rows, the unit of its cells), its file
read first when it is kept in one; each use is checked with what it looks up (a number
for ranges, a text for texts), and a range the subject can take that no row holds is
reported at the use, where the subject's own range is known.
"""

from __future__ import annotations

import itertools

from attain.diagnostics import AttainError, Diagnostic, Label
from attain.dsl import coverage as cv
from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import FUNCTIONS, suggestion
from attain.dsl.check_blocks import BlockChecker
from attain.dsl.table_files import TableReader, table_of
from attain.dsl.types import Type
from attain.i18n.messages import joined, say


class TableChecker(BlockChecker):
    """Declares, reads and checks the policy's tables; types their uses and the `curve` blocks."""

    tables: dict[str, n.Table]
    table_types: dict[str, Type]
    read_table: TableReader | None
    diags: list[Diagnostic]

    # ------------------------------------------------------------ definitions
    def _check_tables(self) -> None:
        for name, table in list(self.tables.items()):
            if table.source is not None:
                table = self._read_file(table)
                self.tables[name] = table
                if not table.rows:  # unread, or no rows: reported; its uses say nothing more
                    self.table_types[name] = ty.ERROR
                    continue
            self.table_types[name] = self._table_shape(table.rows, table.columns, table.name)

    def _read_file(self, table: n.Table) -> n.Table:
        """The table with the rows of its file, read relative to the policy's folder."""
        import os

        source = table.source or ""
        path = os.path.join(os.path.dirname(self.policy.file), source)
        if self.read_table is None or "\0" in source:
            self.error("C280", say("C280.here", source=source), table.source_span, hint=say("C280.here_hint"))
            return table
        if "@" in self.policy.file and not os.path.exists(self.policy.file):
            # A policy read from a git revision (`x.policy@HEAD~1`): the file on disk may be another version's
            # table, which would compare the revision with today's rates without a word. Refuse instead.
            self.error("C280", say("C280.git", source=source, file=self.policy.file), table.source_span,
                       hint=say("C280.git_hint"))
            return table
        try:
            grid = self.read_table(path, table.sheet)
        except AttainError as e:
            first = e.diagnostics[0]
            notes = [Label(d.span, d.message) for d in e.diagnostics if d.span is not None][:3]
            self.error("C280", say("C280.read", source=source, reason=first.message), table.source_span,
                       label=say("C280.label"), notes=notes, hint=first.hint or say("C250.hint"))
            return table
        loaded, problems = table_of(table, grid)
        self.diags.extend(problems)
        return loaded

    def _table_shape(self, rows: tuple[n.TableRow, ...], columns: tuple[n.TableKey, ...], name: str) -> Type:
        """The type of a table's cells, after checking its rows' shape, keys and cells."""
        width = len(columns) or 1
        what = say("tbl.table", name=name) if name else say("tbl.this_curve")
        for row in rows:
            if len(row.cells) != width:
                need = say("C282.per_column", width=width) if columns else say("C282.one")
                self.error("C282", say("C282", what=what, count=len(row.cells), need=need),
                           row.span, label=say("C282.label"), hint=say("C282.hint"))
        self._keys([r.key for r in rows], "row", what, curve_allowed=not columns)
        if columns:
            self._keys(list(columns), "column", what, curve_allowed=False)
        result: Type | None = None
        for row in rows:
            for cell in row.cells:
                t = self._expr(cell)
                result = t if result is None else self._unify_rows(result, t, cell)
        return ty.concrete(result) if result is not None else ty.ERROR

    def _keys(self, keys: list[n.TableKey], what: str, table: str, curve_allowed: bool) -> None:
        """A dimension's keys: all texts or all numbers; texts once each; ranges that do not overlap; points
        of a curve in rising order."""
        numeric = [k for k in keys if k.numeric]
        texts = [k for k in keys if not k.numeric]
        if numeric and texts:
            odd = texts[0] if len(texts) <= len(numeric) else numeric[0]
            self.error("C284", say(f"C284.mix_{what}s", table=table), odd.span, label=say("C284.mix_label"),
                       hint=say("C284.mix_hint"))
            return
        catch_all = "else" if texts else "otherwise"
        for i, k in enumerate(keys):
            if k.op in ("else", "otherwise") and i != len(keys) - 1:
                self.error("C215", say(f"C215.last_{what}", word=catch_all), k.span,
                           label=say(f"C215.after_{what}s"), hint=say("C215.move"))
        if texts:
            seen: dict[str, n.TableKey] = {}
            for k in texts:
                if k.text is not None and k.text in seen:
                    self.error("C223", say("C223.key", key=k.text), k.span,
                               notes=[Label(seen[k.text].span, say("C223.first_listed"))])
                if k.text is not None:
                    seen.setdefault(k.text, k)
            return
        points = [k for k in keys if k.op == "point"]
        if points and not curve_allowed:
            self.error("C284", say(f"C284.point_{what}s", point=points[0].words()), points[0].span,
                       hint=say("C284.point_hint"))
            return
        if len(points) == 1:
            self.error("C284", say("C284.two"), points[0].span, hint=say("C284.two_hint"))
        for a, b in itertools.pairwise(points):
            if a.low is not None and b.low is not None and b.low.value <= a.low.value:
                self.error("C283", say("C283", point=b.words(), before=a.words()), b.span, label=say("C283.label"),
                           notes=[Label(a.span, say("C283.note"))], hint=say("C283.hint"))
        for k in numeric:
            lo, lo_c, hi, hi_c = k.interval() if k.op != "otherwise" else (None, False, None, False)
            if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_c and hi_c))):
                self.error("C214", say("C214.key", range=k.words()), k.span, hint=say("C214.hint"))
        self._key_coverage(numeric, None, None, False, None, what)

    def _intervals(self, keys: list[n.TableKey]) -> list[tuple[tuple, n.TableKey]]:
        """Each range key's interval; a curve's points together hold one, from the first to the last."""
        points = [k for k in keys if k.op == "point" and k.low is not None]
        out = [(k.interval(), k) for k in keys if k.op not in ("point", "otherwise")]
        if len(points) >= 2:
            out.append(((points[0].low.value, True, points[-1].low.value, True), points[0]))  # type: ignore[union-attr]
        return out

    def _key_coverage(self, keys: list[n.TableKey], subject, t: Type | None, at_use: bool,
                      use: n.TableLookup | n.Curve | None, what: str = "row") -> None:
        """Overlapping ranges (where the table is defined); at a use, the subject's values no row holds."""
        if any(k.op == "otherwise" for k in keys):
            if not at_use:
                return self._coverage_of(self._intervals(keys), None, None, False, overlaps_only=True, use=None,
                                         what=what)
            return None
        low, high, integral = self._domain(subject, t) if at_use and t is not None else (None, None, False)
        return self._coverage_of(self._intervals(keys), low, high, integral, overlaps_only=not at_use, use=use,
                                 what=what)

    def _coverage_of(self, intervals, low, high, integral, overlaps_only: bool, use,  # long: as bands
                     what: str = "row") -> None:
        points = {v for iv, _ in intervals for v in cv.interval_points(iv)}
        points.update(v for v in (low, high) if v is not None)
        pieces = cv.pieces(sorted(points), low, high, integral)
        percent = any(b is not None and b.percent for _, k in intervals for b in (k.low, k.high))
        gaps: list[cv.Piece] = []
        overlaps: dict[tuple[int, int], tuple] = {}
        for piece in pieces:
            holders = [k for iv, k in intervals if n.interval_contains(iv, piece.sample)]
            if not holders:
                gaps.append(piece)
            elif len(holders) > 1:
                overlaps.setdefault((id(holders[0]), id(holders[1])), (holders[0], holders[1], []))[2].append(piece)
        if overlaps_only:
            for first, second, where in overlaps.values():
                self.error("C217", say(f"C217.table_{what}s", where=cv.describe(cv.merge(where), percent)),
                           second.span, label=say(f"C217.earlier_{what}"),
                           notes=[Label(first.span, say(f"C217.{what}"))], hint=say("C217.table_hint"))
            return
        if gaps and use is not None:
            ranges = cv.merge(gaps)
            text = joined(cv.describe([g], percent) for g in ranges)
            what = say("tbl.table", name=use.table) if isinstance(use, n.TableLookup) else say("tbl.the_curve")
            self.error("C216", say("C216.table", what=what, ranges=text), use.span, label=say("C216.table_label"),
                       hint=say("C216.table_hint", first=cv.describe(ranges[:1], percent)))

    # ------------------------------------------------------------ uses
    @BlockChecker._TYPE.on(n.TableLookup)
    def _table_lookup(self, e: n.TableLookup) -> Type:
        table = self.tables.get(e.table)
        if table is None:
            for a in e.args:
                self._expr(a)
            tables = say("C210.tables", tables=joined(self.tables)) if self.tables else ""
            self.error("C210", say("C210", func=e.table), e.span,
                       hint=say("C210.hint", functions=joined(FUNCTIONS),
                                more=joined([tables, _did_you_mean(e.table, [*FUNCTIONS, *self.tables])], "")))
            return ty.ERROR
        if self.table_types.get(e.table) is ty.ERROR and not table.rows:
            for a in e.args:
                self._expr(a)
            return ty.ERROR
        if len(e.args) != table.dimensions:
            want = say("C211.one_value") if table.dimensions == 1 else say("C211.two_values")
            self.error("C211", say("C211.table", func=e.table, want=want, count=len(e.args)), e.span,
                       notes=[Label(table.span, say("C211.the_table"))])
            for a in e.args:
                self._expr(a)
            return ty.ERROR
        dims = [[r.key for r in table.rows], list(table.columns)][: table.dimensions]
        for arg, keys in zip(e.args, dims, strict=True):
            self._subject(arg, keys, e)
        return self.table_types.get(e.table, ty.ERROR)

    def _subject(self, arg, keys: list[n.TableKey], use: n.TableLookup | n.Curve) -> None:
        """What a use looks up by fits the table's keys: a number for ranges, a text for texts."""
        t = self._expr(arg)
        if t is ty.ERROR or not keys:
            return
        if keys[0].numeric:
            if not t.numeric:
                self.error("C213", say("C213.table", type=ty.said(t)), arg.span, hint=say("C213.table_hint"))
                return
            if t.is_money and any(b is not None and b.percent for k in keys for b in (k.low, k.high)):
                self.error("C206", say("C206.table_money"), arg.span, label=say("ty.money"),
                           notes=[Label(keys[0].span, say("C206.table_percent"))])
                return
            self._key_coverage(keys, arg, t, True, use)
            return
        if not ty.textlike(t):
            self.error("C222", say("C222.table", type=ty.said(t)), arg.span, hint=say("C222.table_hint"))
            return
        self._text_coverage(arg, t, keys, use)

    def _text_coverage(self, arg, t: Type, keys: list[n.TableKey], use) -> None:
        self._text_keys_cover([(None if k.op == "else" else k.text, k.span) for k in keys], self._choices(arg, t),
                              use.span, table=True)

    @BlockChecker._BLOCK.on(n.Curve)
    def _curve(self, curve: n.Curve, name: str = "") -> Type:
        t = self._table_shape(curve.rows, (), "")
        if not any(r.key.op == "point" for r in curve.rows):
            self.error("C284", say("C284.points"), curve.span, hint=say("C284.points_hint"))
        self._subject(curve.subject, [r.key for r in curve.rows], curve)
        return t


def _did_you_mean(name: str, known) -> str:
    s = suggestion(name, known)
    return say("also", more=s) if s else ""

