"""Parsing, the rate tables' part: the parser's builder methods for ranges, table keys and table files.

A base of `parser._Builder`, which gives every node its span; kept apart so that the
tables' syntax (table_nodes.py) has one place in the parser. It needs no lark: tokens are
read by their `type` and text.
"""

from __future__ import annotations

from attain.diagnostics import Span
from attain.dsl import nodes as n


def _unquote(tok) -> str:
    s = str(tok)
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s


class TableParts:
    """Ranges that say their sides (`above 8% up to and including 10%`), a table's keys, columns and file."""

    file: str

    def _tspan(self, tok) -> Span:
        raise NotImplementedError  # the builder's

    def from_range(self, items):
        return ("from", items[0], None)

    def through_range(self, items):
        return ("through", items[-1], None)

    def from_through_range(self, items):
        return ("from-through", items[0], items[-1])

    def above_through_range(self, items):
        return ("above-through", items[0], items[-1])

    def from_below_range(self, items):
        return ("from-below", items[0], items[1])

    def above_below_range(self, items):
        return ("above-below", items[0], items[1])

    def table_file(self, items):
        path, sheet = items
        return ("file", _unquote(path), _unquote(sheet) if sheet is not None else None, self._tspan(path))

    def table_columns(self, items):
        return ("columns", tuple(self._key(k) for k in items if getattr(k, "type", None) != "PIPE"))

    def _key(self, key) -> n.TableKey:
        if isinstance(key, n.TableKey):
            return key
        op, low, high = key  # a band row's range
        first = low if low is not None else None
        span = first.span if first is not None else None
        if low is not None and high is not None and low.span is not None and high.span is not None:
            span = Span(self.file, low.span.line, low.span.col, high.span.end_line, high.span.end_col)
        return n.TableKey(op, low, high, span=span)

    def point_key(self, items):
        return n.TableKey("point", items[0], span=items[0].span)

    def text_key(self, items):
        return n.TableKey("text", text=_unquote(items[0]), span=self._tspan(items[0]))

    def else_key(self, items):
        return n.TableKey("else", span=self._tspan(items[0]))

