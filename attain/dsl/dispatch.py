"""Dispatch: how every pass over the syntax tree finds its handler for a node's class, never by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Dispatch:
    """A table from node class to a pass's handler; a class without a handler is an error, never a default.

    A pass declares one in its class body and marks each handler with `@table.on(...)`;
    `table(owner, node)` calls the handler for `node`'s class. `covers` names the
    classes the pass must handle, and `tests/dsl/test_vocabulary.py` proves that every
    table created anywhere covers them all.
    """

    every: ClassVar[list[Dispatch]] = []

    def __init__(self, name: str, covers: tuple):
        self.name = name
        self.covers = covers
        self.table: dict[type, Callable[..., Any]] = {}
        Dispatch.every.append(self)

    def on(self, *classes: type):
        def register(handler):
            for cls in classes:
                self.table[cls] = handler
            return handler

        return register

    def __call__(self, owner, node, *args):
        handler = self.table.get(type(node))
        if handler is None:
            raise TypeError(f"{self.name} has no case for {type(node).__name__}")
        return handler(owner, node, *args)

    def missing(self) -> list[str]:
        return [cls.__name__ for cls in self.covers if cls not in self.table]
