"""Writing generated code: indented statements, and exact arithmetic on (numerator, denominator) code pairs.

A number in generated code is a pair of integer expressions (`"t4_n"`,
`"100"`). The arithmetic here folds what it can at emission time (a factor of
1, two literals) so the generated source multiplies only what a row needs.
It knows nothing of policies; `emit` drives it from the checked tree.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

Pair = tuple[str, str]  # the code of a number: its numerator and its denominator
Code = Pair | str  # the code of a value: a Pair, or one expression for a flag or a text
Body = Callable[[], None]  # emits the statements of one branch when called


class Writer:
    """The lines of the function being written, its indentation, temporaries and constants table."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.counter = 0
        self.constants: list[object] = []

    # ------------------------------------------------------------ plumbing
    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def tmp(self) -> str:
        self.counter += 1
        return f"t{self.counter}"

    def const(self, value: object) -> str:
        self.constants.append(value)
        return f"K{len(self.constants) - 1}"

    def take_back_assignment(self, t: str) -> str:
        """Remove the last line, `t = <code>`, and return its code."""
        line = self.lines.pop().strip()
        assert line.startswith(f"{t} = ")
        return line[len(t) + 3:]

    # ------------------------------------------------------------ branches
    def chain(self, conditions_and_bodies: list[tuple[str, Body]], otherwise: Body) -> None:
        """if/elif/else over (condition code, emit-body) pairs; each body emits its own statements."""
        if not conditions_and_bodies:
            # A block of one catch-all row (`otherwise`, `else`, `above`): a bare `else:` is no Python.
            otherwise()
            return
        first = True
        for cond, emit_body in conditions_and_bodies:
            self.emit(f"{'if' if first else 'elif'} {cond}:")
            first = False
            self.depth += 1
            emit_body()
            self.depth -= 1
        self.emit("else:")
        self.depth += 1
        otherwise()
        self.depth -= 1

    def raising(self, why: str) -> Body:
        """A body that hands the row to the reference evaluator, saying why."""

        def emit() -> None:
            self.emit(f"raise Fallback({why!r})")

        return emit

    # ------------------------------------------------------------ arithmetic on code pairs
    def add(self, a: Pair, b: Pair, sign: str = "+") -> Pair:
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        if ad == bd:
            self.emit(f"{t}_n = {an} {sign} {bn}")
            return f"{t}_n", ad
        self.emit(f"{t}_n = {product(an, bd)} {sign} {product(bn, ad)}")
        self.emit(f"{t}_d = {product(ad, bd)}")
        return f"{t}_n", f"{t}_d"

    def mul(self, a: Pair, b: Pair) -> Pair:
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        self.emit(f"{t}_n = {product(an, bn)}")
        if ad == "1" or bd == "1":
            return f"{t}_n", (bd if ad == "1" else ad)
        self.emit(f"{t}_d = {product(ad, bd)}")
        return f"{t}_n", f"{t}_d"

    def div(self, a: Pair, b: Pair) -> Pair:
        (an, ad), (bn, bd) = a, b
        t = self.tmp()
        if _is_int(bn):
            value = int(bn)
            if value == 0:
                self.emit("raise Fallback('division by zero')")
                return "0", "1"
            sign = -1 if value < 0 else 1
            self.emit(f"{t}_n = {product(an, bd) if sign > 0 else '-(' + product(an, bd) + ')'}")
            self.emit(f"{t}_d = {product(ad, str(abs(value)))}")
            return f"{t}_n", f"{t}_d"
        self.emit(f"if not {bn}: raise Fallback('division by zero')")
        self.emit(f"{t}_n = {product(an, bd)}")
        self.emit(f"{t}_d = {product(ad, bn)}")
        self.emit(f"if {t}_d < 0: {t}_n = -{t}_n; {t}_d = -{t}_d")
        return f"{t}_n", f"{t}_d"

    def less(self, a: Pair, b: Pair, op: str = "<") -> str:
        (an, ad), (bn, bd) = a, b
        return f"({product(an, bd)} {op} {product(bn, ad)})"

    def pick(self, a: Pair, b: Pair, op: str) -> Pair:
        """a if a op b else b: min with '<', max with '>'."""
        t = self.tmp()
        self.emit(f"if {self.less(a, b, op)}: {t}_n = {a[0]}; {t}_d = {a[1]}")
        self.emit(f"else: {t}_n = {b[0]}; {t}_d = {b[1]}")
        return f"{t}_n", f"{t}_d"

    def assign(self, target: str, value: Code, kind: str) -> None:
        if kind == "num":
            self.emit(f"{target}_n = {value[0]}")
            self.emit(f"{target}_d = {value[1]}")
        else:
            self.emit(f"{target} = {value}")


def pair_of(var: str) -> Pair:
    """The pair a variable holds: `var_n`, `var_d`."""
    return f"{var}_n", f"{var}_d"


def pair(f: Fraction) -> Pair:
    """A constant as literals."""
    return str(f.numerator), str(f.denominator)


def _is_int(code: str) -> bool:
    return code.lstrip("-").isdigit()


def product(a: str, b: str) -> str:
    """The code of a * b for two integer codes, folded when a factor is 1 or both are literals."""
    if a == "1":
        return b
    if b == "1":
        return a
    if _is_int(a) and _is_int(b):
        return str(int(a) * int(b))
    return f"{_paren(a)} * {_paren(b)}"


def _paren(code: str) -> str:
    return code if code.isidentifier() or (_is_int(code) and not code.startswith("-")) else f"({code})"


# Python's own limits on the source it compiles: 100 levels of indented blocks, 200 of parentheses.
_MAX_BLOCKS = 90
_MAX_PARENTHESES = 180


def fits_python(source: str) -> bool:
    """Whether Python can compile this generated source: its blocks and parentheses nest within its limits."""
    for line in source.splitlines():
        if (len(line) - len(line.lstrip(" "))) // 4 > _MAX_BLOCKS:
            return False
        if line.count("(") <= _MAX_PARENTHESES:
            continue
        depth = 0
        for ch in line:
            if ch == "(":
                depth += 1
                if depth > _MAX_PARENTHESES:
                    return False
            elif ch == ")":
                depth -= 1
    return True

