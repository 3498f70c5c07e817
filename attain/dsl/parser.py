"""Parsing: policy text -> `nodes.Policy`. The only module that imports lark.

The grammar is built once per process (LALR, contextual lexer, cached). Syntax
errors become `Diagnostic`s with an HR-readable sentence, chosen from a
catalogue of typical mistakes (syntax_errors.py). A file with a syntax error is
parsed again statement by statement, so that one run reports every mistake in
it, each with its own position. The tree is built without recursion, so a
formula may be as deep as `limits.MAX_NESTING`; deeper is refused with P117.
"""

from __future__ import annotations

import datetime
import functools
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

from lark import Lark, Token, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput
from lark.indenter import DedentError, Indenter
from lark.visitors import Transformer_NonRecursive

from attain.diagnostics import AttainError, Diagnostic, Span, source_lines
from attain.dsl import nodes as n
from attain.dsl.builtins import FUNCTIONS, PERIOD_VALUES
from attain.dsl.nesting import too_deep
from attain.dsl.org import OrgParts, Reports
from attain.dsl.parse_lines import LineParts
from attain.dsl.parse_tables import TableParts
from attain.dsl.recovery import MAX_SYNTAX_ERRORS, Refused, recover
from attain.dsl.syntax_errors import TabIndent, dedent_line, syntax_diagnostic
from attain.files import read_text
from attain.i18n.messages import say
from attain.limits import MAX_DIGITS

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")


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
                raise TabIndent(token)
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


class _Builder(LineParts, TableParts, OrgParts, Transformer_NonRecursive):
    """Builds frozen nodes from the parse tree; every node gets its span.

    A token the grammar accepts but the language cannot (a date that does not
    exist, a number too long) is noted in `problems` and stands in as a harmless
    value, so that one pass finds all of them.
    """

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.problems: list[Diagnostic] = []

    def _problem(self, code: str, message: str, tok: Token, hint: str = "", label: str = "") -> None:
        self.problems.append(Diagnostic(code, message, token_span(self.file, tok), label=label, hint=hint))

    def _digits(self, tok: Token) -> bool:
        """Whether a number token is short enough to convert; if not, say so at the token."""
        count = sum(ch.isdigit() for ch in tok)
        if count <= MAX_DIGITS:
            return True
        self._problem("P118", say("P118", count=f"{count:,}", limit=MAX_DIGITS), tok, label=say("P118.label"),
                      hint=say("P118.hint"))
        return False

    def _number(self, tok: Token, span: Span, negative: bool = False) -> n.Number:
        text = str(tok)
        percent = text.endswith("%")
        value = Fraction(text.rstrip("%").replace("_", "")) if self._digits(tok) else Fraction(0)
        if percent:
            value /= 100
        if negative:
            value = -value
            text = "-" + text
        return n.Number(value, percent, text, span=span)

    def _whole(self, tok: Token) -> int:
        """A number the grammar needs whole (a day of the month, periods back)."""
        text = str(tok).replace("_", "")
        if not self._digits(tok):
            return 1
        if not text.isdigit():
            self._problem("P116", say("P116", tok=tok), tok, hint=say("P116.hint"))
            return 1
        return int(text)

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
        if "plan year" in fields:
            fields["plan_year"] = fields.pop("plan year")
        if "version switch" in fields:
            fields["switch"], fields["switch_rounding"] = fields.pop("version switch")
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
        value = (str(kind), self._whole(day) if day is not None else None)
        return ("period", value, self._line_span(meta, day if day is not None else kind))

    def combine(self, items):
        return str(items[0])

    def written(self, items):
        return items[0]

    @v_args(meta=True)
    def uses(self, meta, items):
        return ("uses", _unquote(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def switch(self, meta, items):
        *words, rounding = items
        value = (" ".join(map(str, words)), rounding[:2] if rounding is not None else None)
        return ("version switch", value, self._line_span(meta, rounding[2] if rounding is not None else words[-1]))

    def switch_rounding(self, items):
        *words, step = items
        return (" ".join(map(str, words)), str(step), step)

    @v_args(meta=True)
    def currency(self, meta, items):
        return ("currency", _unquote(items[0]), self._line_span(meta, items[0]))

    @v_args(meta=True)
    def plan_year(self, meta, items):
        return ("plan year", str(items[0]), self._line_span(meta, items[0]))

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
        name, label, _eq, (body, gate) = items
        label = _unquote(label) if label is not None else None
        return n.Definition(str(name), body, gate, False, label, span=self._tspan(name))

    def payout(self, items):
        name, label, _eq, (body, gate) = items
        label = _unquote(label) if label is not None else None
        return n.Definition(str(name), body, gate, True, label, span=self._tspan(name))

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
        return self._number(tok, self._span(meta), negative=minus is not None)

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
            n.Name(str(name), span=self._tspan(name)), self._number(pct, self._tspan(pct)), span=self._span(meta)
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

    @v_args(meta=True)
    def through_row(self, meta, items):
        _and, bound, rate = items
        return n.BracketRow(bound, rate, span=self._span(meta), words="up to and including")

    @v_args(meta=True)
    def below_row(self, meta, items):
        bound, rate = items
        return n.BracketRow(bound, rate, span=self._span(meta), including=False, words="below")

    # -- rate tables and curves: the ranges and keys are TableParts'
    @v_args(meta=True)
    def table_decl(self, meta, items):
        name, label, *rest = items
        source = sheet = source_span = None
        columns: tuple = ()
        rows = []
        for item in rest:
            if isinstance(item, tuple) and item[0] == "file":
                _, source, sheet, source_span = item
            elif isinstance(item, tuple) and item[0] == "columns":
                columns = item[1]
            else:
                rows.append(item)
        return n.Table(str(name), _unquote(label) if label is not None else None, columns, tuple(rows),
                       source, sheet, span=self._tspan(name), source_span=source_span)

    @v_args(meta=True)
    def table_row(self, meta, items):
        key, _arrow, *cells = items
        return n.TableRow(self._key(key), tuple(c for c in cells if isinstance(c, n.Number)), span=self._span(meta))

    @v_args(meta=True)
    def table_cell(self, meta, items):
        minus, tok = items
        if tok.type == "MONEY":
            number = self.money([tok])
            if minus is None:
                return number
            return n.Number(-number.value, False, "-" + number.text, span=self._span(meta), money=True)
        return self._number(tok, self._span(meta), negative=minus is not None)

    @v_args(meta=True)
    def curve(self, meta, items):
        subject, gate, *rows = items
        return n.Curve(subject, tuple(r for r in rows if isinstance(r, n.TableRow)), span=self._span(meta)), gate

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
        return self._number(items[0], self._tspan(items[0]))

    percent = number

    def money(self, items):
        tok = items[0]
        text = str(tok)
        value = Fraction(text[1:].replace("_", "")) if self._digits(tok) else Fraction(0)
        return n.Number(value, False, text, span=self._tspan(tok), money=True)

    def text(self, items):
        return n.Text(_unquote(items[0]), span=self._tspan(items[0]))

    def date(self, items):
        tok = items[0]
        try:
            value = datetime.date.fromisoformat(str(tok))
        except ValueError:
            self._problem("P115", say("C231", value=tok), tok, hint=say("C231.hint"))
            value = datetime.date.min
        return n.Date(value, span=self._tspan(tok))

    def boolean(self, items):
        tok = items[0]
        return n.Bool(tok.type == "TRUE", span=self._tspan(tok))

    def name(self, items):
        if str(items[0]) in PERIOD_VALUES:  # `period_start`: the period's first day, never a name
            return n.PeriodValue(str(items[0]), span=self._tspan(items[0]))
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
        if str(func) not in FUNCTIONS:
            # Not a built-in: the cell of a named table (an unknown name is the checker's C210).
            return n.TableLookup(str(func), given, span=self._span(meta))
        # Any other call, a `round` with a wrong number of values or a mode that is not a bare
        # word included: the checker reports those against the function's declaration.
        return n.Call(str(func), given, span=self._span(meta))

    @v_args(meta=True)
    def previous(self, meta, items):
        _lpar, value, back, _else, otherwise, _rpar = items
        return n.Previous(value, self._whole(back) if back is not None else 1, otherwise, span=self._span(meta))

    @v_args(meta=True)
    def aggregate(self, meta, items):
        func, _lpar, value, group, except_, _rpar = items
        reach, group = (group.reach, group.of) if isinstance(group, Reports) else (None, group)
        return n.Aggregate(str(func), value, group, except_ is not None, reach, span=self._span(meta))

    def group(self, items):
        if items and isinstance(items[0], Reports):
            return items[0]
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


def _unquote(tok) -> str:
    s = str(tok)
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s


def parse(text: str, file: str = "<policy>") -> n.Policy:
    """Parse policy text into a `Policy`; raise `AttainError` with every P1xx diagnostic of the text.

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
    try:
        header, statements = _build(source, file)
    except Refused as refused:
        problems = refused.problems
        if refused.syntax:
            problems = recover(source, file, problems[0], _build)
        raise AttainError(problems[:MAX_SYNTAX_ERRORS]) from None
    return n.Policy(header, statements, file=file, source=text)


def _build(source: str, file: str):
    """(header, statements) of a whole text; raise `Refused` with its problems."""
    parser = grammar_parser()
    try:
        tree = parser.parse(source)
    except (TabIndent, DedentError, UnexpectedInput) as e:
        raise Refused([_syntax_problem(parser, e, source, file)], syntax=True) from None
    builder = _Builder(file)
    header, statements = builder.transform(tree)
    problems = builder.problems + too_deep(statements)
    if problems:
        raise Refused(problems, syntax=False)
    return header, statements


def _syntax_problem(parser: Lark, e: Exception, source: str, file: str) -> Diagnostic:
    if isinstance(e, DedentError):
        line = dedent_line(source, str(e))
        return Diagnostic(
            "P114", say("P114"), Span(file, line, 1, line, 2), hint=say("P114.hint"))
    if isinstance(e, UnexpectedEOF):
        line = len(source_lines(source))
        return Diagnostic("P100", say("P100.early"), Span(file, line, 1, line, 2), hint=say("P100.early_hint"))
    return syntax_diagnostic(parser, e, source, file)


def parse_file(path: str | Path) -> n.Policy:
    return parse(read_text(path, say("what.policy_file")), str(path))
