"""Formatting, after parsing: a policy printed back from its syntax tree in canonical layout, comments kept."""

from __future__ import annotations

import bisect
import re
import unicodedata

import attrs

from attain.dsl import nodes as n
from attain.dsl import org
from attain.dsl.line_nodes import LineAggregate, LineTable, SplitRule
from attain.dsl.parser import parse
from attain.limits import deep

__all__ = ["format_policy"]

INDENT = "    "
MAX_WIDTH = 100  # a tier row longer than this puts its results on a continuation line
HEADER_ORDER = ("policy", "version", "effective", "until", "version switch", "period", "plan year starts", "gaps",
                "uses", "currency")


@deep  # a formula may nest up to limits.MAX_NESTING levels; printing it recurses as deep
def format_policy(text: str, file: str = "<policy>") -> str:
    """The canonical layout of a policy: same statements, rows and comments, in the author's order.

    Raises `AttainError` (from the parser) when the text is not a policy.
    """
    return _Printer(parse(text, file)).render()


# ---------------------------------------------------------------- text helpers


def _width(s: str) -> int:
    """Columns a line takes on screen: East-Asian wide and full-width characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def _rpad(s: str, w: int) -> str:
    return " " * (w - _width(s)) + s


def _quote(s: str) -> str:
    return f'"{s}"'


def _split_comment(line: str) -> tuple[str, str | None]:
    """A source line's code and its comment: the first `#` outside a double-quoted text starts it."""
    inside = False
    for i, ch in enumerate(line):
        if ch == '"':
            inside = not inside
        elif ch == "#" and not inside:
            return line[:i], line[i:].rstrip()
    return line, None


# ---------------------------------------------------------------- expressions

# Binding strength, weakest first, as in the grammar's ladder; a child weaker
# than its position needs is the only thing that gets parentheses.
_CONDITIONAL, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)
_BINARY_LEVEL = {"or": _OR, "and": _AND, "+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}
_BINARY_LEVEL.update({op: _COMPARE for op in n.COMPARISONS})


def _level(e) -> int:
    match e:
        case n.Conditional():
            return _CONDITIONAL
        case n.Binary(op=op):
            return _BINARY_LEVEL[op]
        case n.Unary(op="not"):
            return _NOT
        case n.Unary():
            return _UNARY
        case n.Number(text=t) if t.startswith("-"):
            return _UNARY  # the parser folds `-5` into the literal
    return _ATOM


def expr(e, at_least: int = _CONDITIONAL) -> str:
    """An expression on one line, parenthesised only where its position binds tighter than it does."""
    s = _expr(e)
    return f"({s})" if _level(e) < at_least else s


def _expr(e) -> str:
    return _PRINT(None, e)


_PRINT = n.Dispatch("the formatter", n.EXPRESSIONS)


@_PRINT.on(n.Number)
def _print_number(_, e: n.Number) -> str:
    return e.text or _number_text(e)


@_PRINT.on(n.Text)
def _print_text(_, e: n.Text) -> str:
    return _quote(e.value)


@_PRINT.on(n.Date)
def _print_date(_, e: n.Date) -> str:
    return e.value.isoformat()


@_PRINT.on(n.Bool)
def _print_bool(_, e: n.Bool) -> str:
    return "true" if e.value else "false"


@_PRINT.on(n.Name)
def _print_name(_, e: n.Name) -> str:
    return e.id


@_PRINT.on(n.PeriodValue)
def _print_period_value(_, e: n.PeriodValue) -> str:
    return e.name


@_PRINT.on(n.Field)
def _print_field(_, e: n.Field) -> str:
    return f"{e.base.id}.{e.field}"


@_PRINT.on(n.Call)
def _print_call(_, e: n.Call) -> str:
    return f"{e.func}({', '.join(expr(a) for a in e.args)})"


@_PRINT.on(n.TableLookup)
def _print_table_lookup(_, e: n.TableLookup) -> str:
    return f"{e.table}({', '.join(expr(a) for a in e.args)})"


@_PRINT.on(n.Round)
def _print_round(_, e: n.Round) -> str:
    return f"round({expr(e.value)}, {expr(e.step)}{', ' + e.mode if e.mode else ''})"


@_PRINT.on(n.Previous)
def _print_previous(_, e: n.Previous) -> str:
    parts = [expr(e.value)]
    if e.back != 1:
        parts.append(str(e.back))
    if e.otherwise is not None:
        parts.append("else " + expr(e.otherwise))
    return f"previous({', '.join(parts)})"


@_PRINT.on(n.Aggregate)
def _print_aggregate(_, e: n.Aggregate) -> str:
    inner = (expr(e.value) + " " if e.value is not None else "") + "within " + (
        org.words(e) if e.reports is not None else e.group if e.group is not None else "everyone")
    return f"{e.func}({inner}{' except self' if e.except_self else ''})"


@_PRINT.on(LineAggregate)
def _print_line_aggregate(_, e: LineAggregate) -> str:
    inner = (expr(e.value) + " of " if e.value is not None else "") + e.table
    inner += f" where {expr(e.where)}" if e.where is not None else ""
    return f"{e.func}({inner}{', else ' + expr(e.otherwise) if e.otherwise is not None else ''})"


@_PRINT.on(n.Unary)
def _print_unary(_, e: n.Unary) -> str:
    if e.op == "not":
        return "not " + expr(e.operand, _NOT)
    inner = expr(e.operand, _UNARY)
    # `--x` reads as a typo; `-(-x)` says what it means.
    return e.op + (f"({inner})" if inner.startswith("-") else inner)


@_PRINT.on(n.Binary)
def _print_binary(_, e: n.Binary) -> str:
    lvl = _BINARY_LEVEL[e.op]
    if lvl == _COMPARE:  # comparisons do not chain: both sides are sums
        return f"{expr(e.left, _SUM)} {e.op} {expr(e.right, _SUM)}"
    return f"{expr(e.left, lvl)} {e.op} {expr(e.right, lvl + 1)}"


@_PRINT.on(n.Conditional)
def _print_conditional(_, e: n.Conditional) -> str:
    return f"{expr(e.then, _OR)} if {expr(e.condition, _OR)} else {expr(e.otherwise, _CONDITIONAL)}"


def _number_text(num: n.Number) -> str:
    value = num.value * 100 if num.percent else num.value
    text = str(value.numerator) if value.denominator == 1 else str(float(value))
    return text + ("%" if num.percent else "")


# ---------------------------------------------------------------- layout


@attrs.define
class _Anchor:
    """Printed lines that come from one place in the source: a header line, a statement head, a row.

    Comments attach to anchors: the ones above it (`leading`) and the one at the end of its last line.
    """

    first: int  # source line where it starts
    indent: str
    lines: list[str]
    zone: str = "body"  # "header" lines are kept together, then one blank line
    last: int = 0  # source line where its code ends
    leading: list[tuple[int, str]] = attrs.Factory(list)
    trailing: str | None = None


class _Printer:
    def __init__(self, policy: n.Policy):
        self.policy = policy
        self.source = [line.rstrip("\r") for line in policy.source.split("\n")]
        self.code_lines, self.blank_lines, self.comments = set(), set(), []
        for no, line in enumerate(self.source, 1):
            code, comment = _split_comment(line)
            if code.strip():
                self.code_lines.add(no)
            elif comment is None:
                self.blank_lines.add(no)
            if comment is not None:
                self.comments.append((no, comment, not code.strip()))
        self.anchors: list[_Anchor] = []

    def render(self) -> str:
        body_start = len(self.source) + 1
        if self.policy.statements:
            body_start = _first_line(self.policy.statements[0])
        self.header(body_start)
        self.statements(self.policy.statements, "")
        eof = self.attach_comments()
        return self.emit(eof)

    # -- building anchors, in output order

    def add(self, first: int, indent: str, lines: list[str], zone: str = "body") -> None:
        self.anchors.append(_Anchor(first, indent, lines, zone))

    def header(self, body_start: int) -> None:
        h = self.policy.header
        values = {
            "policy": _quote(h.name),
            "version": _quote(h.version) if h.version is not None else None,
            "effective": h.effective,
            "until": h.until,
            "period": (h.period + (f" ending day {h.month_ends_on}" if h.month_ends_on is not None else ""))
            if h.period is not None else None,
            "plan year starts": h.plan_year,
            "gaps": h.gaps,
            "uses": _quote(h.uses) if h.uses is not None else None,
            "currency": _quote(h.currency) if h.currency is not None else None,
            "version switch": None if h.switch is None else h.switch + (
                f", {h.switch_rounding[0]} {h.switch_rounding[1]}" if h.switch_rounding is not None else ""),
        }
        # Header items are found by their first word. A repeated item is an error the checker
        # reports, so its earlier lines are kept as written (the parser keeps the last value).
        found: dict[str, list[int]] = {}
        for no in range(_first_line(h), body_start):
            if no in self.code_lines:
                # `version switch` is the one header item of two words.
                word = re.match(r"\s*(version\s+switch\b|\w*)", self.source[no - 1]).group(1)  # type: ignore[union-attr]
                word = "version switch" if word.startswith("version") and word != "version" else word
                word = "plan year starts" if word == "plan" else word
                found.setdefault(word, []).append(no)
        for word in HEADER_ORDER:
            lines = found.pop(word, None)
            if word == "policy" and not lines:
                lines = [_first_line(h)]
            if not lines:
                continue
            for no in lines[:-1]:
                self.add(no, "", [_split_comment(self.source[no - 1])[0].strip()], "header")
            self.add(lines[-1], "", [f"{word} {values[word]}"] if values[word] is not None else [], "header")
        for lines in found.values():  # cannot happen with the current grammar; keep comments anyway
            for no in lines:
                self.add(no, "", [], "header")

    def statements(self, statements, indent: str) -> None:
        run: list[n.Input] = []
        for s in statements:
            if isinstance(s, n.Input):
                if run and self.blank_between(_first_line(run[-1]), _first_line(s)):
                    self.inputs(run, indent)
                    run = []
                run.append(s)
                continue
            if run:
                self.inputs(run, indent)
                run = []
            self.statement(s, indent)
        if run:
            self.inputs(run, indent)

    def blank_between(self, a: int, b: int) -> bool:
        return any(no in self.blank_lines for no in range(a + 1, b))

    def inputs(self, run: list[n.Input], indent: str) -> None:
        rows = [_input_parts(i) for i in run]
        name_w = max(_width(r[0]) for r in rows)
        type_w = max(_width(r[1]) for r in rows)
        for i, (name, type_, rest) in zip(run, rows, strict=True):
            line = f"input {_pad(name, name_w)} : " + (f"{_pad(type_, type_w)} {rest}" if rest else type_)
            self.add(_first_line(i), indent, [indent + line])

    def statement(self, s, indent: str) -> None:
        match s:
            case n.Definition():
                self.definition(s, indent)
            case n.FlagDecl(name=name, label=label, condition=c):
                lbl = f" {_quote(label)}" if label is not None else ""
                self.add(_first_line(s), indent, [f"{indent}flag {name}{lbl} when {expr(c)}"])
            case n.Refusal(message=message, condition=c):
                self.add(_first_line(s), indent, [f"{indent}refuse {_quote(message)} when {expr(c)}"])
            case n.OutputDecl(names=names):
                self.add(_first_line(s), indent, [f"{indent}output {', '.join(x.id for x in names)}"])
            case n.Table():
                self.rate_table(s, indent)
            case LineTable(name=name, label=label):  # line tables (line_nodes.py): inputs, values, split rule
                self.add(_first_line(s), indent, [f"{indent}lines {name}" + (f" {_quote(label)}" if label else "")])
                self.statements(sorted([*s.inputs, *s.values, *([s.split] if s.split else [])], key=_first_line),
                                indent + INDENT)
            case SplitRule(share=share, per=per, overlay=overlay):
                more = f", overlay when {expr(overlay)}" if overlay is not None else ""
                self.add(_first_line(s), indent, [f"{indent}split {share} per {per}{more}"])
            case n.Variants(subject=subject, cases=cases):
                self.add(_first_line(s), indent, [f"{indent}variants by {subject.id}"])
                inner = indent + INDENT
                for case in cases:
                    keys = "else" if case.keys is None else ", ".join(_quote(k) for k in case.keys)
                    self.add(_first_line(case), inner, [f"{inner}{keys}:"])
                    self.statements(case.definitions, inner + INDENT)
            case _:
                raise TypeError(f"cannot format {type(s).__name__}")

    def definition(self, d: n.Definition, indent: str) -> None:
        body = d.body
        match body:
            case n.Band(subject=subject):
                head = f"band {expr(subject)}"
            case n.Lookup(subject=subject):
                head = f"lookup {expr(subject)}"
            case n.Weighted():
                head = "weighted"
            case n.Tiers():
                head = "first match"
            case n.Brackets(kind=kind, amount=amount, base=base):
                head = f"{kind} {expr(amount)}" + (f" relative to {expr(base)}" if base is not None else "")
            case n.Curve(subject=subject):
                head = f"curve {expr(subject)}"
            case _:
                head = expr(body)
        gate = f" unless {expr(d.gate)}" if d.gate is not None else ""
        payout = "payout " if d.payout else ""
        label = f" {_quote(d.label)}" if d.label is not None else ""
        self.add(_first_line(d), indent, [f"{indent}{payout}{d.name}{label} = {head}{gate}"])
        rows = getattr(body, "rows", None)
        if rows is None:
            return
        inner = indent + INDENT
        match body:
            case n.Band():
                self.table(rows, inner, [band_range(r) for r in rows], [f" -> {expr(r.result)}" for r in rows])
            case n.Lookup():
                keys = ["else" if r.key is None else _quote(r.key) for r in rows]
                self.table(rows, inner, keys, [f" -> {expr(r.result)}" for r in rows])
            case n.Weighted():
                weights = [r.weight.text or _number_text(r.weight) for r in rows]
                w = max(_width(x) for x in weights)
                self.table(rows, inner, [r.name.id for r in rows], [" " + _rpad(x, w) for x in weights])
            case n.Brackets():
                lefts = ["above" if r.upto is None else f"{r.words} {expr(r.upto)}" for r in rows]
                self.table(rows, inner, lefts, [f" at {expr(r.rate)}" for r in rows])
            case n.Tiers():
                for r in rows:
                    self.add(_first_line(r), inner, _tier_lines(r, inner))
            case n.Curve():
                self.grid(rows, (), inner, _first_line(d))

    # -- rate tables (table_nodes.py)
    def rate_table(self, t: n.Table, indent: str) -> None:
        label = f" {_quote(t.label)}" if t.label is not None else ""
        head = f"{indent}table {t.name}{label}"
        if t.source is not None:
            sheet = f" sheet {_quote(t.sheet)}" if t.sheet is not None else ""
            self.add(_first_line(t), indent, [f"{head} from {_quote(t.source)}{sheet}"])
            return
        self.add(_first_line(t), indent, [head])
        self.grid(t.rows, t.columns, indent + INDENT, _first_line(t))

    def grid(self, rows, columns, indent: str, head_line: int) -> None:
        """A table's rows (and its `columns` line), keys aligned, and each column of cells aligned."""
        keys = [r.key.words(expr) for r in rows]
        cells = [[expr(c) for c in r.cells] for r in rows]
        heads = [k.words(expr) for k in columns]
        left = max(_width(x) for x in keys + (["columns"] if columns else []))
        widths = [max([_width(h) for h in heads[i:i + 1]] + [_width(r[i]) for r in cells if i < len(r)])
                  for i in range(max([len(heads)] + [len(r) for r in cells]))]

        def joined(values: list[str]) -> str:
            padded = [_pad(v, widths[i]) for i, v in enumerate(values)]
            return " | ".join(padded).rstrip()

        if columns:
            spans = [k.span.line for k in columns if k.span is not None]
            self.add(min(spans) if spans else head_line + 1, indent,
                     [f"{indent}{_pad('columns', left)}    {joined(heads)}"])
        for r, key, row in zip(rows, keys, cells, strict=True):
            self.add(_first_line(r), indent, [f"{indent}{_pad(key, left)} -> {joined(row)}"])

    def table(self, rows, indent: str, lefts: list[str], rights: list[str]) -> None:
        w = max(_width(x) for x in lefts)
        for r, left, right in zip(rows, lefts, rights, strict=True):
            self.add(_first_line(r), indent, [indent + _pad(left, w) + right])

    # -- comments

    def attach_comments(self) -> list[tuple[int, str]]:
        """Give each comment to an anchor; return the ones after the last anchor."""
        by_source = sorted(self.anchors, key=lambda a: a.first)
        starts = [a.first for a in by_source]
        for a in by_source:
            a.last = a.first
        for no in sorted(self.code_lines):
            owner = _owner(by_source, starts, no)
            if owner is not None:
                owner.last = max(owner.last, no)
        eof = []
        for no, text, full in self.comments:
            owner = _owner(by_source, starts, no)
            if owner is not None and not full and no == owner.last and owner.lines:
                owner.trailing = text
            elif owner is not None and no <= owner.last:
                owner.leading.append((no, text))  # a comment inside the anchor's lines moves above it
            else:
                following = bisect.bisect_right(starts, no)
                if following < len(by_source):
                    by_source[following].leading.append((no, text))
                else:
                    eof.append((no, text))
        return eof

    # -- printing

    def emit(self, eof: list[tuple[int, str]]) -> str:
        units = []  # (zone, first source line, last source line, printed lines)
        for a in self.anchors:
            top = a.zone == "header" and a.first == _first_line(self.policy.header)
            for no, text in a.leading:
                units.append(("top" if top else a.zone, no, no, [a.indent + text]))
            lines = list(a.lines)
            if a.trailing is not None:
                lines[-1] += "  " + a.trailing
            if lines:
                units.append((a.zone, a.first, a.last, lines))
        for no, text in eof:
            units.append(("body", no, no, [text]))
        out: list[str] = []
        prev = None
        for zone, first, last, lines in units:
            if prev is not None:
                prev_zone, prev_last = prev
                if prev_zone == "header":
                    blank = zone != "header"
                else:
                    blank = self.blank_between(prev_last, first)
                if blank:
                    out.append("")
            out.extend(line.rstrip() for line in lines)
            prev = (zone, last)
        return "\n".join(out) + "\n"


def _owner(anchors: list[_Anchor], starts: list[int], line: int) -> _Anchor | None:
    """The anchor whose code a source line belongs to: the last one starting on or before it."""
    i = bisect.bisect_right(starts, line) - 1
    return anchors[i] if i >= 0 else None


def _first_line(s) -> int:
    """The line a parsed statement or row starts on (a node built by hand has no span: the first line)."""
    return s.span.line if s.span is not None else 1


def _input_parts(i: n.Input) -> tuple[str, str, str]:
    rest = []
    if i.label is not None:
        rest.append(_quote(i.label))
    if i.written is not None:
        rest.append("written as " + i.written)
    if i.low is not None and i.high is not None:
        rest.append(f"in {expr(i.low)} .. {expr(i.high)}")
    if i.choices:
        rest.append("one of " + ", ".join(_quote(c) for c in i.choices))
    if i.default is not None:
        rest.append("default " + expr(i.default))
    if i.combine is not None:
        rest.append("combine " + i.combine)
    return i.name, i.type, " ".join(rest)


def band_range(r: n.BandRow) -> str:
    """A band row's range as written: `>= 120%`, `100% to 120%`, `otherwise`."""
    return n.range_words(r.op, expr(r.low) if r.low is not None else "", expr(r.high) if r.high is not None else "")


def _tier_lines(r: n.TierRow, indent: str) -> list[str]:
    label = f" {_quote(r.label)}" if r.label is not None else ""
    cond = "otherwise" if r.condition is None else expr(r.condition)
    left = f"{indent}{r.name}{label} : {cond}"
    if not r.results:
        return [left]
    results = "-> " + ", ".join(f"{x.name} {expr(x.value)}" for x in r.results)
    one = f"{left} {results}"
    if _width(one) <= MAX_WIDTH:
        return [one]
    return [left, indent + INDENT + results]
