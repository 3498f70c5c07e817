"""Parsing, the line tables' part: the parser's builder methods for `lines` blocks and the aggregates over them.

A base of `parser._Builder`, like parse_tables.py; it needs no lark: tokens are read by their text.
"""

from __future__ import annotations

from lark import v_args

from attain.diagnostics import Span
from attain.dsl import nodes as n
from attain.dsl.line_nodes import LineAggregate, LineTable, SplitRule


def _unquote(tok) -> str:
    s = str(tok)
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s


class LineParts:
    """`lines deals` blocks, `split share per deal`, and `sum(x of deals where c, else v)`."""

    def _tspan(self, tok) -> Span:
        raise NotImplementedError  # the builder's

    def _span(self, meta) -> Span:
        raise NotImplementedError  # the builder's

    @v_args(meta=True)
    def lines_decl(self, meta, items):
        name, label, *body = items
        inputs = tuple(x for x in body if isinstance(x, n.Input))
        values = tuple(x for x in body if isinstance(x, n.Definition))
        splits = [x for x in body if isinstance(x, SplitRule)]
        # A second split rule is the checker's to report; the first one stands.
        return LineTable(str(name), _unquote(label) if label is not None else None, inputs, values,
                         splits[0] if splits else None, span=self._tspan(name), extra_splits=tuple(splits[1:]))

    @v_args(meta=True)
    def split_rule(self, meta, items):
        share, per, overlay = items
        return SplitRule(str(share), str(per), overlay, span=self._span(meta))

    def split_overlay(self, items):
        return items[0]

    def line_where(self, items):
        return items[0]

    def line_else(self, items):
        return items[-1]

    @v_args(meta=True)
    def line_of(self, meta, items):
        func, _lpar, value, table, where, otherwise, _rpar = items
        return LineAggregate(str(func), value, str(table), where, otherwise, span=self._span(meta),
                             table_span=self._tspan(table))

    @v_args(meta=True)
    def line_count(self, meta, items):
        func, _lpar, table, where, otherwise, _rpar = items
        return LineAggregate(str(func), None, str(table), where, otherwise, span=self._span(meta),
                             table_span=self._tspan(table))
