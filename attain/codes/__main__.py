"""Diagnostic codes: `python3 -m attain.codes > docs/errors.md` regenerates the page of every code."""

from attain.codes import markdown

print(markdown(), end="")
