"""Limits below every stage: how deep a formula may nest, how many digits a number has, the stack passes get.

A policy is data from a user, so its size is bounded where a bound matters and
the bound is said in the message that refuses it (docs/language.md lists them):

- a formula nests at most `MAX_NESTING` levels (each operator, `if ... else`,
  `not` and function call is a level, and so is each term of a long sum);
- a value is computed through at most `MAX_CHAIN` nested steps: the levels of its
  formula and of the values it uses, and of theirs, down to the inputs;
- a number, in a policy or in a data cell, has at most `MAX_DIGITS` digits.

The passes over the syntax tree (checker, formatter, evaluator, emitter, diff) are
plain recursive functions, which is how they stay short and readable. Python's
default stack (1,000 frames) is too small for a formula 1,000 levels deep, so the
public entry points run them through `deep`: on a worker thread with a large
stack and a raised recursion limit. Measured (CPython 3.11, Linux): a formula
nested 1,000 levels deep needs about 6,000 frames in the deepest pass, and each
frame at most about 1 KiB of C stack where the recursion passes through C (attrs'
`__eq__`, `hash`); 100,000 frames fit in 256 MiB with room to spare, so the
recursion limit, not the end of the stack, stops any runaway recursion. In a
chain `v2 = v1 + 1` each value is two steps and costs the reference evaluator
about 16 frames (a chain of 6,000 values ran, 9,000 did not), so `MAX_CHAIN`
steps (a chain of 4,000 values) stay well below 100,000 frames.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

MAX_NESTING = 1000
MAX_CHAIN = 8000  # steps from a value down to the inputs: formula levels and values using values
MAX_DIGITS = 300

STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000

F = TypeVar("F", bound=Callable[..., Any])

_state = threading.local()
_lock = threading.Lock()
_active = 0  # deep calls running now, on any thread
_saved_limit = 0  # the recursion limit before the first of them raised it


def deep(fn: F) -> F:
    """Decorate a public entry point so that its passes may recurse as deep as `MAX_NESTING` needs."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return call_deep(fn, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def call_deep(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` on a thread with a large stack; inline when already on one.

    The result or the exception comes back to the caller as if `fn` ran here. If the
    platform refuses a thread of that size, `fn` runs inline with the stack and the
    recursion limit it has (a formula too deep for them is then an internal error).
    """
    if getattr(_state, "deep", False):
        return fn(*args, **kwargs)
    outcome: dict[str, Any] = {}

    def run() -> None:
        _state.deep = True
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as e:  # handed to the caller below, whatever it is
            outcome["error"] = e

    thread: threading.Thread | None = None
    with _lock:
        try:
            previous = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):  # a platform that cannot size threads: stay inline, limits as they are
            previous = None
        if previous is not None:
            try:
                # A daemon, so that an interrupted command does not wait for it.
                thread = threading.Thread(target=run, name="attain-deep", daemon=True)
                _raise_limit()
                try:
                    thread.start()
                except (RuntimeError, MemoryError):
                    _restore_limit()
                    thread = None
            finally:
                threading.stack_size(previous)
    if thread is None:
        return fn(*args, **kwargs)
    try:
        thread.join()
    finally:
        with _lock:
            _restore_limit()
    if "error" in outcome:
        raise outcome.pop("error")
    return outcome["value"]


def _raise_limit() -> None:
    # The recursion limit is one number for the whole interpreter: raised while any deep call
    # runs, put back when the last one ends. The caller holds the lock.
    global _active, _saved_limit
    if _active == 0:
        _saved_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(_saved_limit, RECURSION_LIMIT))
    _active += 1


def _restore_limit() -> None:
    global _active
    _active -= 1
    if _active == 0:
        sys.setrecursionlimit(_saved_limit)
