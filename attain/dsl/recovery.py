"""Recovery after a syntax error, for the parser: every statement of a broken file parsed alone, each mistake reported.

A policy is a list of statements, one per line (with its rows and continuation
lines below it), and a mistake in one statement says nothing about the others.
So when a text does not parse, each statement is parsed again on its own, below a
stand-in header and blank lines that keep its line numbers; within a block, a
row with a mistake is blanked and the block parsed again, so that every bad row
is reported. Only mistakes after the part blanked are kept, so a blanked row
cannot invent an error above it, and a statement is never judged by another one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

from attain.diagnostics import Diagnostic, Label, Span
from attain.dsl.syntax_errors import unclosed

MAX_SYNTAX_ERRORS = 20  # one run reports this many at most: the first ones, in the order of the file

# A line that starts a statement: a declaration keyword, or a name and `=` (full-width too, to report it).
_STATEMENT = re.compile(r"(?:input|output|payout|flag|variants)\s|[^\W\d]\w*\s*[=＝]")
# A line that starts this way continues the one above (the grammar's _CONTINUE).
_CONTINUES = re.compile(r"\s*(?:->|\+|\*|/|(?:and|or|if|unless|when)\b|else\b(?!(?:\s|#[^\n]*)*(?:->|:)))")


class Refused(Exception):
    """A text is not a policy: its problems, and whether the first is a syntax error (worth recovering from)."""

    def __init__(self, problems: list[Diagnostic], syntax: bool):
        self.problems = problems
        self.syntax = syntax


Build = Callable[[str, str], object]  # the parser's build(text, file): raises Refused


def recover(source: str, file: str, first: Diagnostic, build: Build) -> list[Diagnostic]:
    """Every problem of a text with a syntax error, statement by statement (at most MAX_SYNTAX_ERRORS).

    `first`, the whole text's first error, stands for the header (which the statements
    cannot show) and for a text whose statements each parse alone.
    """
    lines = source.split("\n")
    header_end, chunks = statement_chunks(lines)
    header = lines[: header_end - 1]
    found: list[Diagnostic] = []
    if first.span is None or first.span.line < header_end or not any(_is_code(x) for x in header):
        found.append(first)
    else:
        found.extend(_statement_problems(header, 1, file, build, header=True))
    for start, end in chunks:
        if len(found) >= MAX_SYNTAX_ERRORS:
            break
        found.extend(_statement_problems(lines[start - 1 : end - 1], start, file, build))
    return found or [first]


def statement_chunks(lines: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """(the line the first statement starts on, [(first line, line after the last)] of each statement).

    Lines count from 1. A statement starts at the beginning of a line that declares
    something or defines a name; every other line (rows, continuations, a line that is
    neither) belongs to the statement above it, where its mistake, if any, shows.
    """
    starts = [no for no, line in enumerate(lines, 1) if _STATEMENT.match(line) and not _CONTINUES.match(line)]
    if not starts:
        return len(lines) + 1, []
    return starts[0], list(zip(starts, [*starts[1:], len(lines) + 1], strict=True))


def _statement_problems(lines: list[str], start: int, file: str, build: Build,
                        header: bool = False) -> list[Diagnostic]:
    """The problems of the statement on `lines` (starting at line `start`), parsed alone; a bad row is
    blanked and the statement parsed again, for the mistakes of the rows below it."""
    if header:
        prefix, shift = "", 0
    else:
        prefix = 'policy "x"\n' + "\n" * max(start - 2, 0)
        shift = 1 if start == 1 else 0  # no room above line 1 for the stand-in header
    lines = list(lines)
    found: list[Diagnostic] = []
    blanked_to = 0  # the last line blanked so far: a mistake at or above it may be of our making
    while True:
        try:
            build(prefix + "\n".join(lines) + "\n", file)
            return found
        except Refused as refused:
            problems = [shifted(d, shift) for d in refused.problems]
            syntax = refused.syntax
        if found and (problems[0].span is None or problems[0].span.line <= blanked_to):
            return found
        found.extend(problems)
        row = _bad_row(lines, start, problems[0]) if syntax and not header else None
        if row is None:
            return found
        first, last = row
        lines[first - start : last - start + 1] = [""] * (last - first + 1)
        blanked_to = last


def _bad_row(lines: list[str], start: int, problem: Diagnostic) -> tuple[int, int] | None:
    """(first, last line) of the indented row the problem is in, with its continuation lines; None if the
    problem is not in a row, or the rows above it leave a parenthesis open (the row may be innocent)."""
    if problem.span is None:
        return None
    at = problem.span.line - start
    if not 0 < at < len(lines) or not lines[at][:1] == " " or unclosed("\n".join(lines[:at])) is not None:
        return None
    indent = len(lines[at]) - len(lines[at].lstrip(" "))
    end = at + 1
    while end < len(lines) and lines[end].strip() and (
            len(lines[end]) - len(lines[end].lstrip(" ")) > indent or _CONTINUES.match(lines[end])):
        end += 1
    return start + at, start + end - 1


def shifted(d: Diagnostic, lines: int) -> Diagnostic:
    """The diagnostic with its positions `lines` lines higher (for text parsed below a stand-in line)."""
    if not lines:
        return d

    def up(span: Span | None) -> Span | None:
        return None if span is None else attrs.evolve(span, line=span.line - lines, end_line=span.end_line - lines)

    return attrs.evolve(d, span=up(d.span), notes=tuple(Label(up(x.span), x.text) for x in d.notes))


def _is_code(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")
