"""Syntax errors as an HR author reads them: the catalogue of typical mistakes and the wording of the rest.

The parser hands lark's exception here; a mistake that stops the parser in the
same state as a catalogued example gets that example's code, message and hint.
"""

from __future__ import annotations

import functools

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from attain.diagnostics import Diagnostic, Span, source_lines
from attain.i18n.messages import joined, say


class TabIndent(Exception):
    """A line indented with a tab (raised by the parser's indenter at the line break before it)."""

    def __init__(self, token: Token):
        self.token = token


_TERMINAL_WORDS = {
    "NAME": say("P.name"),
    "NUMBER": say("P.number"),
    "PERCENT": say("P.percent"),
    "MONEY": say("P.money"),
    "STRING": say("P.string"),
    "DATE": say("P.date"),
    "ARROW": "'->'",
    "_NL": say("P.end_of_line"),
    "_INDENT": say("P.indent"),
    "_DEDENT": say("P.dedent"),
    "EQ": "'='",
    "GE": "'>='",
    "LE": "'<='",
    "GT": "'>'",
    "LT": "'<'",
    "NE": "'!='",
    "LPAR": "'('",
    "RPAR": "')'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "COMMA": "','",
    "COLON": "':'",
    "DOT": "'.'",
    "AND": "'and'",
    "OR": "'or'",
    "ELSE": "'else'",
    "OTHERWISE": "'otherwise'",
    "$END": say("P.end_of_file"),
}


def _words(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    return "'" + terminal.lower() + "'"


# Typical mistakes: code -> (message, hint, examples that make the same parser state).
_CATALOGUE = {
    "P101": (
        say("P101"),
        say("P101.hint"),
        [
            'policy "x"\na = band b\n    >= 1 100\n',
            'policy "x"\na = band b\n    1 to 2 100\n',
            'policy "x"\na = band b\n    below 1 100\n',
            'policy "x"\na = band b\n    >= 1% 100\n',
            'policy "x"\na = band b\n    1% to 2% 100\n',
            'policy "x"\na = band b\n    below 1% 100\n',
            'policy "x"\na = lookup b\n    "k" 1\n',
            'policy "x"\na = lookup b\n    else 1\n',
        ],
    ),
    "P102": (
        say("P102"),
        say("P102.hint"),
        ['policy "x"\na b\n', 'policy "x"\na 5\n', 'policy "x"\na band\n', 'policy "x"\npayout a b\n',
         'policy "x"\npayout a 5\n', 'policy "x"\na "A" b\n', 'policy "x"\na "A" 5\n', 'policy "x"\na "A" band\n',
         'policy "x"\npayout a "A" b\n', 'policy "x"\npayout a "A" 5\n', 'policy "x"\na "A" (b)\n'],
    ),
    "P103": (
        say("P103"),
        say("P103.hint"),
        ['policy "x"\ninput a money\n', 'policy "x"\ninput a\n'],
    ),
    "P104": (
        say("P104"),
        say("P104.hint"),
        ['policy "x"\na = b +\n', 'policy "x"\na = b *\n', 'policy "x"\na = b /\n', 'policy "x"\na = b -\n'],
    ),
    "P105": (
        say("P105"),
        say("P105.hint"),
        ['policy "x"\na = band b\n>= 1 -> 2\n', 'policy "x"\na = weighted\nb 10%\n', 'policy "x"\na = band b\n'],
    ),
    "P106": (
        say("P106"),
        say("P106.hint"),
        ['policy "x"\na = weighted\n    b 40\n', 'policy "x"\na = weighted\n    b\n'],
    ),
    "P107": (
        say("P107"),
        say("P107.hint"),
        ['input a : money\n', 'a = 1\n'],
    ),
}


@functools.lru_cache(maxsize=1)
def _mistake_states() -> dict:
    """The LALR state each catalogued mistake stops in; a user's error in the same state is that mistake.

    Lark's own `match_examples` also compares the depth of the parser's stack,
    which depends on how many statements came before; only the state matters here.
    """
    from attain.dsl.parser import grammar_parser  # the one grammar, built and cached there

    parser = grammar_parser()
    states: dict[int, str] = {}
    for code, (_message, _hint, examples) in _CATALOGUE.items():
        for example in examples:
            try:
                parser.parse(example)
            except UnexpectedInput as e:
                state = getattr(e, "state", None)
                if state is not None:
                    states.setdefault(state.position, code)
    return states


def _match_mistake(parser: Lark, err: UnexpectedInput):
    state = getattr(err, "state", None)
    return _mistake_states().get(state.position) if state is not None else None


def unclosed(text: str) -> int | None:
    """The offset of the first '(' in `text` that is never closed (outside texts and comments), if any."""
    open_at: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in '"#':
            # A text ends at its closing quote (or, unclosed, at the end of the line); a comment at the line's end.
            eol = text.find("\n", i)
            eol = len(text) if eol < 0 else eol
            close = text.find('"', i + 1, eol) if ch == '"' else -1
            i = close + 1 if close >= 0 else eol
            continue
        if ch == "(":
            open_at.append(i)
        elif ch == ")" and open_at:
            open_at.pop()
        i += 1
    return open_at[0] if open_at else None


def _position(text: str, offset: int, file: str) -> Span:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file, line, col, line, col + 1)


def syntax_diagnostic(parser: Lark, err: Exception, text: str, file: str) -> Diagnostic:
    if isinstance(err, TabIndent):
        tok = err.token
        line = tok.end_line or 1
        return Diagnostic("P112", say("P112"),
                          Span(file, line, 1, line, len(tok.rsplit("\n", 1)[-1]) + 1),
                          label=say("P112.label"), hint=say("P112.hint"))
    assert isinstance(err, UnexpectedInput), "the parser hands over lark's errors and TabIndent only"
    token = getattr(err, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        unclosed_at = unclosed(text)
        if unclosed_at is not None:
            return Diagnostic("P119", say("P119"), _position(text, unclosed_at, file),
                              label=say("P119.label"), hint=say("P119.hint"))
    line = getattr(err, "line", 1) or 1
    col = getattr(err, "column", 1) or 1
    if isinstance(err, UnexpectedCharacters):
        return _character_diagnostic(err, text, file, line, col)
    return _token_diagnostic(parser, err, text, file, line, col)


def _character_diagnostic(err: UnexpectedCharacters, text: str, file: str, line: int, col: int) -> Diagnostic:
    """A character that starts no word of the language."""
    pos = err.pos_in_stream or 0
    ch = text[pos] if pos < len(text) else ""
    span = Span(file, line, col, line, col + 1)
    if ch == "%":
        return Diagnostic("P110", say("P110"), span, label=say("P110.label"), hint=say("P110.hint"))
    if ch == '"':
        end = len(text[pos:].split("\n", 1)[0])
        return Diagnostic("P111", say("P111"), Span(file, line, col, line, col + end),
                          label=say("P111.label"), hint=say("P111.hint"))
    if ch == "\t":
        return Diagnostic("P112", say("P112.here"), span, hint=say("P112.spaces"))
    if ch in "，：（）＝％＜＞＋－＊／！":
        return Diagnostic("P113", say("P113", ch=ch), span, label=say("P113.label"), hint=say("P113.hint"))
    allowed = sorted(err.allowed or ())
    expected = joined(_words(t) for t in allowed[:8])
    return Diagnostic("P100", say("P100.character", ch=ch), span,
                      hint=say("P100.expected", expected=expected) if expected else "")


def _token_diagnostic(parser: Lark, err: UnexpectedInput, text: str, file: str, line: int, col: int) -> Diagnostic:
    """A word of the language where the grammar does not allow it: a catalogued mistake, or what was expected."""
    token = getattr(err, "token", None)
    if token is not None and getattr(token, "type", "") in ("_NL", "$END"):
        # Point at the end of the line rather than at the line break.
        lines = source_lines(text)
        src_line = lines[line - 1] if 0 < line <= len(lines) else ""
        line_no = line
        if token.type == "_NL":
            src_line = lines[token.line - 1] if token.line <= len(lines) else ""
            line_no = token.line
        col = len(src_line.rstrip()) + 1
        span = Span(file, line_no, col, line_no, col + 1)
        found: str = say("P.end_of_line") if token.type == "_NL" else say("P.end_of_file")
    elif token is not None and token.type in ("_INDENT", "_DEDENT"):
        # Indentation tokens borrow the position of the line break before them.
        where = getattr(token, "end_line", None) or line
        found = say("P.indented") if token.type == "_INDENT" else say("P.less_indented")
        span = Span(file, where, 1, where, 2)
    else:
        width = max(1, len(str(token))) if token is not None else 1
        span = Span(file, line, col, line, col + width)
        found = repr(str(token)) if token is not None else say("P.end_of_file")
    code = _match_mistake(parser, err)
    if code is not None:
        message, hint, _ = _CATALOGUE[code]
        return Diagnostic(code, message, span, label=say("P100.found", found=found), hint=hint)
    allowed = sorted(getattr(err, "expected", None) or getattr(err, "accepts", None) or ())
    allowed = [t for t in allowed if not t.startswith("__")]
    expected = joined([_words(t) for t in allowed[:8]] + (["..."] if len(allowed) > 8 else []))
    return Diagnostic("P100", say("P100", found=found), span, label=say("P100.label"),
                      hint=say("P100.expected", expected=expected) if expected else "")


def dedent_line(source: str, message: str) -> int:
    """Find the first line whose indentation is not on the stack of open indents."""
    stack = [0]
    for no, raw in enumerate(source_lines(source), 1):
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
