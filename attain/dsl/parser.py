"""Parsing: policy text -> `nodes.Policy`. The only module that imports lark.

The grammar is built once per process (LALR, contextual lexer, cached). Syntax
errors become `Diagnostic`s with an HR-readable sentence, chosen from a
catalogue of typical mistakes with `match_examples`.
"""

from __future__ import annotations

import datetime
import functools
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, VisitError
from lark.indenter import DedentError, Indenter

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.dsl import nodes as n
from attain.dsl.syntax_errors import syntax_diagnostic
from attain.files import read_text

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")

class _BadDate(Exception):
    def __init__(self, token: Token):
        self.token = token


class _TabIndent(Exception):
    def __init__(self, token: Token):
        self.token = token


class PolicyIndenter(Indenter):
    """Turns indentation into _INDENT/_DEDENT tokens; joins continuation lines; refuses tabs."""

    NL_type = "_NL"
    OPEN_PAREN_types: ClassVar[list[str]] = ["LPAR"]
    CLOSE_PAREN_types: ClassVar[list[str]] = ["RPAR"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 4

    def process(self, stream):
        return super().process(self._refuse_tabs(stream))

    def _refuse_tabs(self, stream):
        for token in stream:
            if token.type == self.NL_type and "\t" in token.rsplit("\n", 1)[-1]:
                raise _TabIndent(token)
            yield token


@functools.lru_cache(maxsize=1)
def grammar_parser(strict: bool = False) -> Lark:
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        postlex=PolicyIndenter(),
        propagate_positions=True,
        maybe_placeholders=True,
        strict=strict,
        cache=not strict,
    )


def token_span(file: str, tok: Token) -> Span:
    """Where a token stands; the lexer sets every position, lark's types only allow them to be missing."""
    line, col = tok.line or 1, tok.column or 1
    return Span(file, line, col, tok.end_line or line, tok.end_column or col + 1)


def _number(tokens, meta_span, negative=False) -> n.Number:
    tok = tokens
    text = str(tok)
    percent = text.endswith("%")
    digits = text.rstrip("%").replace("_", "")
    value = Fraction(digits)
    if percent:
        value /= 100
    if negative:
        value = -value
        text = "-" + text
    return n.Number(value, percent, text, span=meta_span)


class _Builder(Transformer):
    """Builds frozen nodes from the parse tree; every node gets its span."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta) -> Span:
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, tok: Token) -> Span:
        return token_span(self.file, tok)

    # -- the file
    def start(self, items):
        header, *statements = items
        return header, tuple(statements)

    @v_args(meta=True)
    def header(self, meta, items):
        name, *rest = items
        fields = {key: value for key, value, _span in rest}  # a repeated line: the last one, as written
        if "period" in fields:
            fields["period"], fields["month_ends_on"] = fields["period"]
        lines = tuple((key, span) for key, _value, span in rest)
        return n.Header(_unquote(name), span=self._span(meta), lines=lines, **fields)

    # Each header line gives (word, value, span); the span runs from its word to the end of its value.
    def _line_span(self, meta, last: Token) -> Span:
        end = self._tspan(last)
        return Span(self.file, meta.line, meta.column, end.end_line, end.end_col)

    @v_args(meta=True)
    def version(self, meta, items):
        return ("version", _unquote(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def effective(self, meta, items):
        return ("effective", str(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def until(self, meta, items):
        return ("until", str(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def period(self, meta, items):
        kind, day = items
        value = (str(kind), _whole(day) if day is not None else None)
        return ("period", value, self._line_span(meta, day if day is not None else kind))

    def combine(self, items):
        return str(items[0])

    def written(self, items):
        return items[0]

    @v_args(meta=True)
    def uses(self, meta, items):
        return ("uses", _unquote(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def gaps(self, meta, items):
        return ("gaps", str(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def input_decl(self, meta, items):
        name, type_, label, written, rng, choices, default, combine = items
        low, high = rng if rng else (None, None)
        return n.Input(
            str(name),
            str(type_),
            _unquote(label) if label is not None else None,
            low,
            high,
            tuple(choices or ()),
            default,
            combine,
            str(written) if written is not None else None,
            span=self._tspan(name),
            type_span=self._tspan(type_),
            written_span=self._tspan(written) if written is not None else None,
        )

    def in_range(self, items):
        return tuple(items)

    def one_of(self, items):
        return [_unquote(s) for s in items]

    def default(self, items):
        (value,) = items
        if isinstance(value, Token):
            return n.Text(_unquote(value), span=self._tspan(value))
        return value

    def definition(self, items):
        name, _eq, (body, gate) = items
        return n.Definition(str(name), body, gate, False, span=self._tspan(name))

    def payout(self, items):
        name, _eq, (body, gate) = items
        return n.Definition(str(name), body, gate, True, span=self._tspan(name))

    def flag_decl(self, items):
        name, label, cond = items
        return n.FlagDecl(str(name), _unquote(label) if label else None, cond, span=self._tspan(name))

    @v_args(meta=True)
    def refusal(self, meta, items):
        message, cond = items
        return n.Refusal(_unquote(message), cond, span=self._span(meta))

    @v_args(meta=True)
    def output_decl(self, meta, items):
        return n.OutputDecl(tuple(n.Name(str(t), span=self._tspan(t)) for t in items), span=self._span(meta))

    def gate(self, items):
        return items[0]

    def plain(self, items):
        expr, gate = items
        return expr, gate

    # -- bands
    @v_args(meta=True)
    def band(self, meta, items):
        subject, gate, *rows = items
        return n.Band(subject, tuple(rows), span=self._span(meta)), gate

    @v_args(meta=True)
    def band_row(self, meta, items):
        (op, low, high), _arrow, result = items
        return n.BandRow(op, low, high, result, span=self._span(meta))

    def cmp(self, items):
        return items[0]

    def cmp_range(self, items):
        op, bound = items
        return (str(op), bound, None)

    def below_range(self, items):
        return ("below", items[0], None)

    def above_range(self, items):
        return ("above", items[0], None)

    def to_range(self, items):
        return ("to", items[0], items[1])

    def otherwise_range(self, items):
        return ("otherwise", None, None)

    @v_args(meta=True)
    def bound(self, meta, items):
        minus, tok = items
        return _number(tok, self._span(meta), negative=minus is not None)

    # -- lookups, scorecards, tiers, brackets
    @v_args(meta=True)
    def lookup(self, meta, items):
        subject, gate, *rows = items
        return n.Lookup(subject, tuple(rows), span=self._span(meta)), gate

    @v_args(meta=True)
    def lookup_row(self, meta, items):
        key, _arrow, result = items
        k = None if key.type == "ELSE" else _unquote(key)
        return n.LookupRow(k, result, span=self._span(meta))

    @v_args(meta=True)
    def weighted(self, meta, items):
        gate, *rows = items
        return n.Weighted(tuple(rows), span=self._span(meta)), gate

    @v_args(meta=True)
    def weight_row(self, meta, items):
        name, pct = items
        return n.WeightRow(
            n.Name(str(name), span=self._tspan(name)), _number(pct, self._tspan(pct)), span=self._span(meta)
        )

    @v_args(meta=True)
    def tiers(self, meta, items):
        gate, *rows = items
        return n.Tiers(tuple(rows), span=self._span(meta)), gate

    @v_args(meta=True)
    def tier_row(self, meta, items):
        name, label, cond, *rest = items
        results = rest[0] if rest else ()
        condition = None if isinstance(cond, Token) and cond.type == "OTHERWISE" else cond
        return n.TierRow(
            str(name), _unquote(label) if label else None, condition, tuple(results), span=self._span(meta)
        )

    def tier_results(self, items):
        return items[1:]

    @v_args(meta=True)
    def tier_result(self, meta, items):
        name, value = items
        return n.TierResult(str(name), value, span=self._span(meta))

    @v_args(meta=True)
    def brackets(self, meta, items):
        kind, amount, base, gate, *rows = items
        return n.Brackets(str(kind), amount, base, tuple(rows), span=self._span(meta)), gate

    def relative(self, items):
        return items[0]

    @v_args(meta=True)
    def upto_row(self, meta, items):
        bound, rate = items
        return n.BracketRow(bound, rate, span=self._span(meta))

    @v_args(meta=True)
    def above_row(self, meta, items):
        return n.BracketRow(None, items[0], span=self._span(meta))

    # -- expressions
    @v_args(meta=True)
    def if_else(self, meta, items):
        then, cond, otherwise = items
        return n.Conditional(then, cond, otherwise, span=self._span(meta))

    @v_args(meta=True)
    def logic(self, meta, items):
        left, op, right = items
        return n.Binary(str(op), left, right, span=self._span(meta))

    @v_args(meta=True)
    def not_(self, meta, items):
        return n.Unary("not", items[0], span=self._span(meta))

    @v_args(meta=True)
    def compare(self, meta, items):
        left, op, right = items
        return n.Binary(str(op), left, right, span=self._span(meta))

    @v_args(meta=True)
    def arith(self, meta, items):
        left, op, right = items
        return n.Binary(str(op), left, right, span=self._span(meta))

    @v_args(meta=True)
    def neg(self, meta, items):
        _minus, operand = items
        if isinstance(operand, n.Number) and not operand.text.startswith("-"):
            return n.Number(-operand.value, operand.percent, "-" + operand.text, span=self._span(meta),
                            money=operand.money)
        return n.Unary("-", operand, span=self._span(meta))

    def number(self, items):
        return _number(items[0], self._tspan(items[0]))

    percent = number

    def money(self, items):
        tok = items[0]
        text = str(tok)
        value = Fraction(text[1:].replace("_", ""))
        return n.Number(value, False, text, span=self._tspan(tok), money=True)

    def text(self, items):
        return n.Text(_unquote(items[0]), span=self._tspan(items[0]))

    def date(self, items):
        tok = items[0]
        try:
            value = datetime.date.fromisoformat(str(tok))
        except ValueError:
            raise _BadDate(tok) from None
        return n.Date(value, span=self._tspan(tok))

    def boolean(self, items):
        tok = items[0]
        return n.Bool(tok.type == "TRUE", span=self._tspan(tok))

    def name(self, items):
        return n.Name(str(items[0]), span=self._tspan(items[0]))

    @v_args(meta=True)
    def field(self, meta, items):
        base, fld = items
        return n.Field(n.Name(str(base), span=self._tspan(base)), str(fld), span=self._span(meta))

    @v_args(meta=True)
    def call(self, meta, items):
        func, _lpar, *args, _rpar = items
        given = tuple(a for a in args if a is not None)
        if str(func) == "round" and (len(given) == 2 or (len(given) == 3 and isinstance(given[2], n.Name))):
            mode = given[2] if len(given) == 3 else None
            return n.Round(given[0], given[1], mode.id if mode else None, span=self._span(meta),
                           mode_span=mode.span if mode else None)
        # Any other call, a `round` with a wrong number of values or a mode that is not a bare
        # word included: the checker reports those against the function's declaration.
        return n.Call(str(func), given, span=self._span(meta))

    @v_args(meta=True)
    def previous(self, meta, items):
        _lpar, value, back, _else, otherwise, _rpar = items
        return n.Previous(value, _whole(back) if back is not None else 1, otherwise, span=self._span(meta))

    @v_args(meta=True)
    def aggregate(self, meta, items):
        func, _lpar, value, group, except_, _rpar = items
        return n.Aggregate(str(func), value, group, except_ is not None, span=self._span(meta))

    def group(self, items):
        return str(items[0]) if items else None

    @v_args(meta=True)
    def variants(self, meta, items):
        subject, *cases = items
        return n.Variants(n.Name(str(subject), span=self._tspan(subject)), tuple(cases), span=self._span(meta))

    @v_args(meta=True)
    def variant_case(self, meta, items):
        keys, defs = [], []
        is_else = False
        for item in items:
            if isinstance(item, Token):
                if item.type == "ELSE":
                    is_else = True
                else:
                    keys.append(_unquote(item))
            else:
                defs.append(item)
        return n.VariantCase(None if is_else else tuple(keys), tuple(defs), span=self._span(meta))

    def paren(self, items):
        return items[1]


class _NotWhole(Exception):
    def __init__(self, token: Token):
        self.token = token


def _whole(tok: Token) -> int:
    """A number the grammar needs whole (a day of the month, periods back)."""
    text = str(tok).replace("_", "")
    if not text.isdigit():
        raise _NotWhole(tok)
    return int(text)


def _unquote(tok) -> str:
    s = str(tok)
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s


def parse(text: str, file: str = "<policy>") -> n.Policy:
    """Parse policy text into a `Policy`; raise `AttainError` with one P1xx diagnostic on a syntax error.

    The error carries the text, so its caret excerpt needs no file on disk.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _parse(text, file)
    except AttainError as e:
        e.sources.setdefault(file, text)
        raise


def _parse(text: str, file: str) -> n.Policy:
    source = text if text.endswith("\n") else text + "\n"
    parser = grammar_parser()
    try:
        tree = parser.parse(source)
    except _TabIndent as e:
        tok = e.token
        line = tok.end_line or 1
        raise AttainError([Diagnostic(
            "P112", "this line is indented with a tab", Span(file, line, 1, line, len(tok.rsplit("\n", 1)[-1]) + 1),
            label="tab", hint="indent with spaces only, so every reader sees the same rows")]) from None
    except DedentError as e:
        line = _dedent_line(source, str(e))
        raise AttainError([Diagnostic(
            "P114", "this line's indentation does not match any line above it", Span(file, line, 1, line, 2),
            hint="indent rows of one block by the same amount, and put the next definition at the start of a line",
        )]) from None
    except UnexpectedEOF:
        lines = source.splitlines()
        line = len(lines)
        raise AttainError([Diagnostic("P100", "the policy ends too early", Span(file, line, 1, line, 2),
                                      hint="finish the last definition")]) from None
    except UnexpectedInput as e:
        raise AttainError([syntax_diagnostic(parser, e, source, file)]) from None
    try:
        header, statements = _Builder(file).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, _NotWhole):
            tok = e.orig_exc.token
            raise AttainError([Diagnostic("P116", f"'{tok}' must be a whole number here", token_span(file, tok),
                                          hint="write for example `ending day 25` or `previous(sales, 2, else 0)`")
                               ]) from None
        if isinstance(e.orig_exc, _BadDate):
            tok = e.orig_exc.token
            raise AttainError([Diagnostic("P115", f"'{tok}' is not a real date", token_span(file, tok),
                                          hint="write dates as YYYY-MM-DD")]) from None
        raise e.orig_exc from e
    return n.Policy(header, statements, file=file, source=text)


def _dedent_line(source: str, message: str) -> int:
    """Find the first line whose indentation is not on the stack of open indents."""
    stack = [0]
    for no, raw in enumerate(source.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent > stack[-1]:
            stack.append(indent)
            continue
        while indent < stack[-1]:
            stack.pop()
        if indent != stack[-1]:
            return no
    return 1


def parse_file(path: str | Path) -> n.Policy:
    return parse(read_text(path, "policy file"), str(path))
