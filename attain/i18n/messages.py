"""The words of diagnostics in English and Chinese: one catalogue, and texts that remember their entry in it.

A message, hint or label is made by `say(key, **fields)`. The result is a `Text`: the
English sentence itself (a `str`, so whatever reads a diagnostic's message as text, tests
and API users included, sees what it always saw), which also keeps its key and fields, so
that `localize(text, "zh")` says the same thing in Chinese from the same catalogue entry.
There is no second copy of the English to drift: the English is rendered from the entry.

Fields are names, values and cells, shown as they are in both languages, or smaller texts
(`Text`, `joined`, `counted`) said in the language asked for. A number passed through
`number(...)` keeps its exact digits and, outside English (whose messages keep their bytes),
gets thousands separators: 12345.5 -> 12,345.5.

The entries live by stage in `attain.i18n.said_parse` (reading a policy's text), `said_check` and
`said_tables` (checking a policy; its rate tables and curves), `said_data` (files, data), `said_run`
(evaluation, usage) and `said_tests` (policy tests); `MESSAGES` is all of them, and a key is in one
of them only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attain.i18n import DEFAULT, LANGUAGES, Catalogue
from attain.i18n.said_accrual import ACCRUAL
from attain.i18n.said_check import CHECK
from attain.i18n.said_data import DATA
from attain.i18n.said_explain import EXPLAIN
from attain.i18n.said_lines import LINES
from attain.i18n.said_org import ORG
from attain.i18n.said_parquet import PARQUET
from attain.i18n.said_parse import PARSE
from attain.i18n.said_run import RUN
from attain.i18n.said_spark import SPARK
from attain.i18n.said_tables import TABLES
from attain.i18n.said_tests import TESTS

# The words around a rendered diagnostic: its severity, and the heads of its notes and help.
FRAME = {
    "error": {"en": "error", "zh": "错误"},
    "warning": {"en": "warning", "zh": "警告"},
    "note": {"en": "note", "zh": "注"},
    "help": {"en": "help", "zh": "提示"},
}

# How items of a list are joined in each language.
_JOINS = {
    ",": {"en": ", ", "zh": "、"},
    "and": {"en": " and ", "zh": " 和 "},
    "or": {"en": " or ", "zh": " 或 "},
    "; ": {"en": "; ", "zh": "；"},
    " ": {"en": " ", "zh": " "},
    "": {"en": "", "zh": ""},
}

MESSAGES = Catalogue({**PARSE, **CHECK, **TABLES, **DATA, **RUN, **TESTS,
                      **ACCRUAL, **LINES, **ORG,
                      **EXPLAIN, **SPARK,
                      **PARQUET})


class Text(str):
    """A message in English that remembers its catalogue key and fields, to be said in another language."""

    key: str
    fields: dict[str, object]

    def __new__(cls, key: str, fields: dict[str, object]) -> Text:
        self = super().__new__(cls, MESSAGES(key, DEFAULT, **fields))
        self.key = key
        self.fields = fields
        return self

    def __reduce__(self):  # a str subclass pickles as its class and arguments (diagnostics cross processes)
        return (Text, (self.key, self.fields))

    def said(self, lang: str) -> str:
        return MESSAGES(self.key, lang, **{name: localize(value, lang) for name, value in self.fields.items()})


class Number(str):
    """A number's text as English messages write it; other languages group its whole part by thousands."""

    def __reduce__(self):
        return (Number, (str(self),))

    def said(self, lang: str) -> str:
        return str(self) if lang == DEFAULT else grouped(str(self))


class Joined(str):
    """Items joined as a list: ", " in English, "、" in Chinese; each item said in the language."""

    items: tuple[object, ...]
    how: str

    def __new__(cls, items: Iterable[object], how: str = ",") -> Joined:
        items = tuple(items)
        self = super().__new__(cls, _JOINS[how][DEFAULT].join(str(i) for i in items))
        self.items, self.how = items, how
        return self

    def __reduce__(self):
        return (Joined, (self.items, self.how))

    def said(self, lang: str) -> str:
        return _JOINS[self.how][lang].join(localize(i, lang) for i in self.items)


def say(key: str, /, **fields: object) -> Text:
    """The catalogue's entry `key` with `fields` filled: English as a str, any language through `localize`."""
    return Text(key, fields)


def number(value: object) -> Number:
    """A number's text (as English shows it today) that other languages group: "12345.5" -> "12,345.5" in zh."""
    return Number(str(value))


def joined(items: Iterable[object], how: str = ",") -> Joined:
    """Items as a list in each language: `how` is "," (a, b), "and", "or", "; ", " " or "" (run together)."""
    return Joined(items, how)


def counted(n: int, word: str, plural: str = "") -> Text:
    """A count with its noun, "1 value" / "2 values" in English: the entry `n.WORD` (one) or `n.PLURAL` (WORDs)."""
    return say(f"n.{word}" if n == 1 else f"n.{plural or word + 's'}", n=number(n))


def localize(text: object, lang: str) -> str:
    """`text` in `lang`: a `Text`, `Number` or `Joined` is said in it; any other value is shown as it is."""
    lang = lang if lang in LANGUAGES else DEFAULT
    if isinstance(text, (Text, Number, Joined)):
        return str(text) if lang == DEFAULT else text.said(lang)
    return "" if text is None else str(text)


def frame(word: str, lang: str) -> str:
    """"error", "warning", "note" or "help" in `lang`."""
    return FRAME[word][lang if lang in LANGUAGES else DEFAULT]


_WHOLE = re.compile(r"(?<![\d.,])([1-9]\d{3,})(?![\d,])")  # a whole part of four digits or more


def grouped(text: str) -> str:
    """Thousands separators in the whole part of every number in `text`; the digits themselves unchanged."""
    return _WHOLE.sub(lambda m: _groups(m[1]), text)


def _groups(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])
