"""Words for people in Chinese or English: which language to use, and catalogues of texts in both.

Each concern keeps its texts in a module of this package as one `Catalogue` (keys
to a text per language); a catalogue refuses, when it is made, a key that lacks a
language, so no page or message can fall back to the other language unnoticed.
The language comes from an explicit option first, then the locale
(LC_ALL, LC_MESSAGES, LANG, LANGUAGE), then English.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping

LANGUAGES = ("en", "zh")
DEFAULT = "en"


def language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """"en" or "zh": the option when given (en, zh, zh_CN.UTF-8, chinese...), else the locale, else English."""
    if explicit:
        found = _from_tag(explicit)
        if found is None:
            raise ValueError(f"unknown language {explicit!r}: use one of {', '.join(LANGUAGES)}")
        return found
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return _from_tag(value.split(":")[0]) or DEFAULT
    return DEFAULT


def _from_tag(tag: str) -> str | None:
    t = tag.strip().lower().replace("-", "_")
    if t.startswith("zh") or t in ("chinese", "中文"):
        return "zh"
    if t.startswith("en") or t == "english":
        return "en"
    return None


class Catalogue:
    """Texts by key, each in every language; `{name}` fields filled when asked."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]]):
        for key, texts in entries.items():
            missing = [lang for lang in LANGUAGES if lang not in texts]
            if missing:
                raise ValueError(f"catalogue key {key!r} has no text in {', '.join(missing)}")
            fields = {lang: _fields(text) for lang, text in texts.items()}
            if len({frozenset(f) for f in fields.values()}) > 1:
                raise ValueError(f"catalogue key {key!r} has different fields per language: {fields}")
        self._entries = {k: dict(v) for k, v in entries.items()}

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __call__(self, key: str, lang: str, /, **fields: object) -> str:
        text = self._entries[key][lang if lang in LANGUAGES else DEFAULT]
        return text.format(**fields) if fields or "{" in text else text

    def keys(self):
        return self._entries.keys()

    def template(self, key: str, lang: str) -> str:
        """The entry's text in `lang` with its `{fields}` unfilled."""
        return self._entries[key][lang]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
