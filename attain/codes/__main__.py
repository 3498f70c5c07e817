"""Diagnostic codes: `python3 -m attain.codes > docs/errors.md` regenerates the page of every code
(`--lang zh > docs/errors.zh.md`, the Chinese page)."""

import sys

from attain.codes import markdown

print(markdown("zh" if sys.argv[1:] == ["--lang", "zh"] else "en"), end="")
