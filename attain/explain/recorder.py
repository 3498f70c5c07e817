"""Explanations, recording: the reference evaluator's events -> a `Trace` tree per value it computed.

The recorder is the evaluator's observer (trace.Observer). It keeps its own
stack of the values being computed, so that the reads and notes reported while
a value is computed become that value's children and notes.
"""

from __future__ import annotations

from collections.abc import Mapping

from attain.engine import trace as t
from attain.engine.trace import Trace


class _Open:
    """A value the evaluator has entered and not yet computed."""

    __slots__ = ("name", "notes", "reads")

    def __init__(self, name: str):
        self.name = name
        self.reads: list[str] = []
        self.notes: list[t.Note] = []


class Recorder:
    """Observes a reference evaluator and keeps the `Trace` of every input and value it computes."""

    def __init__(self, sources: Mapping[str, str] | None = None):
        self.sources = sources or {}  # input name -> the data cell it came from
        self.traces: dict[str, Trace] = {}
        self._open: list[_Open] = []  # innermost last

    def notice(self, event: t.Event) -> None:
        match event:
            case t.Read(name):
                # Read outside any value (the caller asking for one) uses nothing.
                if self._open:
                    self._open[-1].reads.append(name)
            case t.Enter(name):
                self._open.append(_Open(name))
            case t.InputUsed():
                self.traces[event.name] = Trace(event.name, event.kind, event.type, event.value, span=event.span,
                                                source=self.sources.get(event.name, ""))
            case t.Computed():
                self._computed(event)
            case _:
                self._open[-1].notes.append(event)

    def _computed(self, event: t.Computed) -> None:
        # The innermost open value is this one: the evaluator computes values depth first. (One
        # that an evaluation error ended stays open below, and nothing completes it.)
        frame = self._open.pop()
        # Its children: the values it used, each once, in the order first used.
        children = tuple(self.traces[name] for name in dict.fromkeys(frame.reads) if name in self.traces)
        self.traces[event.name] = Trace(event.name, "value", event.type, event.value, event.formula, event.span,
                                        tuple(frame.notes), children, places=event.places)
