"""The emitter refuses what it has no emission for, instead of guessing."""

import pytest

import attain
from attain.dsl import nodes as n
from attain.dsl.types import ERROR
from attain.engine.emit import Emitter
from attain.engine.emit_blocks import kind_of_type
from attain.engine.plan import Layout

POLICY = 'policy "emit"\ninput sales : money\ninput target : money\nattainment = sales / target\noutput attainment\n'


def emitter() -> Emitter:
    model = attain.loads(POLICY).model
    return Emitter(model, Layout(model))


def test_min_and_max_are_emitted_as_picks():
    e = emitter()
    args = (n.Name("sales"), n.Name("target"))
    assert e.call("min", args) == ("t1_n", "t1_d")
    assert e.call("max", args) == ("t2_n", "t2_d")
    assert "<" in e.lines[0] and ">" in e.lines[2]


def test_an_unknown_function_is_an_error_not_max():
    with pytest.raises(AssertionError, match="no emission for function 'median'"):
        emitter().call("median", (n.Name("sales"), n.Name("target")))


def test_a_value_of_an_unknown_type_is_an_error_not_text():
    with pytest.raises(AssertionError, match="no emission for a value of type 'error'"):
        kind_of_type(ERROR)
