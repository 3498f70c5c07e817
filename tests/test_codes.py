"""Diagnostic codes: every code in the source is registered, and no other code can be made."""

import re
from pathlib import Path

import pytest

from attain.codes import CODES, STAGES
from attain.diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parents[1]


# Codes still written in the source whose paths no input reaches: the checker or the data checks
# rule them out first. They are left unregistered, so reaching one would fail as the bug it is, and
# are reported for removal together with their code paths.
UNREACHABLE = {
    "E300": "Policy.explain: the runner always yields the employee's row, or stops with errors",
    "E304": "a lookup: the checker requires a row for every value a lookup's text can take",
    "E307": "variants: the checker requires a variant for every value the input can take",
}

CODE_LITERAL = re.compile(r"""["']([PCEDUT]\d{3})["']""")


def codes_in_source() -> dict[str, str]:
    """Every code written as a string literal under attain/, with the first file that has it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "attain").rglob("*.py")):
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def test_every_code_in_the_source_is_registered():
    source = codes_in_source()
    unregistered = {code: path for code, path in source.items() if code not in CODES and code not in UNREACHABLE}
    assert unregistered == {}, "declare these codes in attain/codes/__init__.py"
    assert sorted(set(UNREACHABLE) - set(source)) == [], "gone from the source: drop them from UNREACHABLE"
    assert sorted(set(UNREACHABLE) & set(CODES)) == [], "registered, so they are reachable: drop them from UNREACHABLE"


def test_a_diagnostic_with_an_unregistered_code_cannot_be_made():
    with pytest.raises(ValueError, match="'C299' is not declared in attain.codes"):
        Diagnostic("C299", "a message")
    with pytest.raises(ValueError):
        Diagnostic("c216", "a message")
    assert Diagnostic("C216", "a message").code == "C216"


def test_declarations_are_well_formed():
    for key, c in CODES.items():
        assert key == c.code and re.fullmatch(r"[PCEDUT]\d{3}", c.code), c
        assert c.code[0] == STAGES[c.stage][0], f"{c.code} is declared in stage {c.stage}"
        assert c.severity in ("error", "warning"), c
        for text in (c.title, c.meaning):
            assert text.strip() == text and "|" not in text and "\n" not in text, c
        assert c.meaning.endswith("."), c

